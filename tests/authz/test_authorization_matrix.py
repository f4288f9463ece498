"""The authorization matrix: every endpoint × method × persona answers the status written in matrix.txt.

The endpoints come from the URL resolver, so a new route (or a new method on a view) fails
``test_every_endpoint_is_in_the_matrix`` until its row is added. One world of records and personas is built
once (world.py); each request runs in a savepoint that is rolled back, so the rows are independent of their
order. To draft rows for a new endpoint: ``AUTHZ_MATRIX_RECORD=1`` writes the observed table next to
matrix.txt (matrix.observed.txt) — then review every status before copying it.
"""

from __future__ import annotations

import os
import time

import pytest
from authz.matrix import MATRIX_FILE, READ_METHODS, endpoints, load
from authz.world import PERSONA_HELP, PERSONAS, build_world
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from backend.accounts.permissions import Action

PERSONAS_OF_TABLE, ROWS = load()
SUPERVISION = "api/v1/supervision/"
PROCURATORATE = "api/v1/supervision/procuratorate/"


def test_the_columns_are_the_personas() -> None:
    assert PERSONAS_OF_TABLE == PERSONAS
    assert set(PERSONA_HELP) == set(PERSONAS)


def test_every_endpoint_is_in_the_matrix() -> None:
    found = endpoints()
    table: dict[str, set[str]] = {}
    for row in ROWS:
        assert (row.name, row.method) not in {(r, m) for r, ms in table.items() for m in ms}, f"dup {row}"
        table.setdefault(row.name, set()).add(row.method)
    missing = sorted(set(found) - set(table))
    assert not missing, f"endpoints missing from matrix.txt: {missing}"
    unknown = sorted(set(table) - set(found))
    assert not unknown, f"matrix.txt names routes that no longer exist: {unknown}"
    for name, endpoint in found.items():
        if endpoint.methods is not None:
            assert set(endpoint.methods) == table[name], f"{name}: view handles {endpoint.methods}, table {table[name]}"


def _is_session(endpoint) -> bool:
    view_class = getattr(endpoint.pattern.callback, "view_class", None)
    return getattr(view_class, "request_action", None) == Action.SESSION


def _needs_auth(row) -> bool:
    return row.expected["anon"] == 401


def test_the_auditor_is_read_only_everywhere_in_the_table() -> None:
    """Every write the API guards is refused to the auditor with 403; the anonymous public writes (login,
    a citizen's correction request) treat the auditor like anyone else."""
    found = endpoints()
    for row in ROWS:
        if row.kind != "write" or _is_session(found[row.name]):
            continue  # logging out is one's own session, open to every role
        if _needs_auth(row):
            assert row.expected["auditor"] == 403, f"matrix.txt:{row.line} {row.name} {row.method}"
        else:
            assert row.expected["auditor"] == row.expected["anon"], f"matrix.txt:{row.line}"


def test_the_supervisor_writes_only_supervision_in_the_table() -> None:
    """A 执法监督人员 reads like an auditor of its body; outside /supervision/ every guarded write is 403."""
    found = endpoints()
    for row in ROWS:
        if row.kind != "write" or _is_session(found[row.name]) or found[row.name].route.startswith(SUPERVISION):
            continue
        if _needs_auth(row):
            assert row.expected["supervisor"] == 403, f"matrix.txt:{row.line} {row.name} {row.method}"


def test_the_procurator_reaches_only_its_grants_in_the_table() -> None:
    """A procurator holds no role of an agency: every guarded endpoint outside /supervision/ is 403 to it, and
    inside it only the procuratorate's own routes open."""
    found = endpoints()
    for row in ROWS:
        endpoint = found[row.name]
        if not _needs_auth(row) or _is_session(endpoint) or endpoint.route.startswith(PROCURATORATE):
            continue
        if row.expected["officer"] == 401:
            continue  # closed to every token (/metrics: its own bearer or a staff session)
        assert row.expected["procurator"] in (403, 405), f"matrix.txt:{row.line} {row.name} {row.method}"


def test_dead_credentials_get_nothing_in_the_table() -> None:
    """A revoked device's token and a deactivated user's token open nothing that needs authentication."""
    for row in ROWS:
        if _needs_auth(row):
            for persona in ("revoked", "inactive"):
                assert row.expected[persona] == 401, f"matrix.txt:{row.line} {row.name} {persona}"
    # no row of the table is ever a 5xx
    assert all(status < 500 for row in ROWS for status in row.expected.values())


def _request(client, method: str, url: str):
    if method in READ_METHODS:
        return getattr(client, method.lower())(url)
    return getattr(client, method.lower())(url, {}, format="json")


@pytest.mark.django_db
def test_every_endpoint_answers_every_persona_as_the_matrix_says(settings, ledger_key) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    found = endpoints()
    observed: dict[tuple[str, str], dict[str, int]] = {}
    mismatches: list[str] = []
    timings: list[tuple[float, str]] = []
    for row in ROWS:
        started = time.perf_counter()
        endpoint = found[row.name]
        url = reverse(row.name, kwargs={k: world.kwargs[k] for k in endpoint.pattern.pattern.converters})
        for persona in PERSONAS:
            cache.clear()  # throttles and lock-outs count per run, not across the matrix
            with transaction.atomic():
                response = _request(world.clients[persona], row.method, url)
                transaction.set_rollback(True)
            # (no response.close(): the test client already closed it, and a second close would fire
            # request_finished → close_old_connections, which drops the test transaction's connection)
            observed.setdefault((row.name, row.method), {})[persona] = response.status_code
            if response.status_code != row.expected[persona]:
                mismatches.append(
                    f"matrix.txt:{row.line} {row.method} {url} as {persona}: expected {row.expected[persona]}, "
                    f"got {response.status_code} {getattr(response, 'content', b'')[:160]!r}"
                )
        timings.append((time.perf_counter() - started, f"{row.name} {row.method}"))
    if os.environ.get("AUTHZ_MATRIX_RECORD"):
        _write_observed(observed)
        print(sorted(timings, reverse=True)[:15], sum(t for t, _ in timings))
    assert not mismatches, f"{len(mismatches)} authorization mismatches:\n" + "\n".join(mismatches)


def _write_observed(observed: dict[tuple[str, str], dict[str, int]]) -> None:
    widths = {p: max(10, len(p) + 1) for p in PERSONAS}  # a column at least one space wider than its name
    lines = [f"{'route':<40} {'method':<7}" + "".join(f"{p:>{widths[p]}}" for p in PERSONAS)]
    for (name, method), statuses in observed.items():
        lines.append(f"{name:<40} {method:<7}" + "".join(f"{statuses[p]:>{widths[p]}}" for p in PERSONAS))
    MATRIX_FILE.with_name("matrix.observed.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
