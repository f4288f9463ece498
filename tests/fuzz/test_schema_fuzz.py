"""Schema fuzzing (issue 19 item 1): every operation of api_docs/openapi.yaml as every persona.

schemathesis generates requests from the committed document and sends them in-process to Django's WSGI
application; every answer must pass ``not_a_server_error`` and ``response_schema_conformance``. The world
of records is the authorization matrix's (tests/authz/world.py): half of the examples name its real objects
in the path (so an officer's request reaches the case logic, not a 404), half are generated. Each example
runs in a savepoint that is rolled back, so the world is the same for every operation. The throttles are
lifted (conftest ``throttles_lifted``): with the real limits most answers were 429 and the logic behind
them was never reached.

Bounded and deterministic for CI: ``derandomize=True`` (the seed is derived from each test), no example
database, ``FUZZ_EXAMPLES`` examples per operation where the persona is let in (default 3) and
``FUZZ_REFUSED_EXAMPLES`` where the matrix says it is refused (401/403, default 1). Figures are printed.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from authz.matrix import load
from authz.world import build_world
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "api_docs" / "openapi.yaml"
# Every persona of the issue that the world has; "supervisor" joins once the role exists (issue 19 item 1).
PERSONAS = ("anon", "officer", "reviewer", "head", "discloser", "auditor", "admin", "supervisor")
CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
REFUSED_EXAMPLES = int(os.environ.get("FUZZ_REFUSED_EXAMPLES", "1"))

pytestmark = pytest.mark.django_db

# The tus PATCH body (application/offset+octet-stream) is raw bytes: sent as such, so the fuzzer reaches the
# protocol's header checks (Upload-Offset, Tus-Resumable, Upload-Checksum); the body itself is the subject of
# tests/fuzz/test_tus_properties.py.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


def _refused_in_matrix() -> dict[tuple[str, str], dict[str, int]]:
    """(path template, method) → persona → status, from tests/authz/matrix.txt (via the route names)."""
    from authz.matrix import endpoints
    from django.urls import reverse

    _, rows = load()
    found = endpoints()
    table = {}
    for row in rows:
        pattern = found[row.name].pattern
        kwargs = {name: f"{{{name}}}" for name in pattern.pattern.converters}
        try:
            template = reverse(row.name, kwargs=kwargs).replace("%7B", "{").replace("%7D", "}")
        except Exception:
            template = None
        table[(template, row.method)] = row.expected
    return table


def _token(client) -> str | None:
    header = client._credentials.get("HTTP_AUTHORIZATION")
    return header.removeprefix("Bearer ") if header else None


class Findings:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.requests = 0
        self.pairs = 0


def _fuzz_operation(operation, app, headers: dict[str, str], known: dict, examples: int, findings: Findings):
    names = [p.name for p in operation.path_parameters]
    strategies = [operation.as_strategy()]
    if names and all(name in known for name in names):
        strategies.append(operation.as_strategy(path_parameters={name: str(known[name]) for name in names}))

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(case=st.one_of(strategies))
    def run(case):
        with transaction.atomic():
            try:
                findings.requests += 1
                response = case.call(app=app, headers=headers)
                findings.statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS)
            finally:
                transaction.set_rollback(True)

    run()


@pytest.mark.slow
def test_every_operation_as_every_persona(throttles_lifted, ledger_key, in_process_wsgi, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    schema = schemathesis.openapi.from_path(SCHEMA)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = operations[: int(os.environ.get("FUZZ_MAX_OPERATIONS", len(operations)))]
    if only := os.environ.get("FUZZ_OPERATIONS"):  # a comma-separated list of path fragments, for a rerun
        operations = [op for op in operations if any(part in op.path for part in only.split(","))]
    matrix = _refused_in_matrix()
    findings = Findings()
    started = time.monotonic()
    logging.disable(logging.CRITICAL)  # the access line of every request: minutes of formatting, read by nobody
    wanted = os.environ.get("FUZZ_PERSONAS", ",".join(PERSONAS)).split(",")
    personas = [p for p in PERSONAS if p in world.clients and p in wanted]
    for persona in personas:
        token = _token(world.clients[persona])
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for operation in operations:
            expected = matrix.get((operation.path, operation.method.upper()), {}).get(persona)
            examples = REFUSED_EXAMPLES if expected in (401, 403) else EXAMPLES
            findings.pairs += 1
            try:
                _fuzz_operation(operation, in_process_wsgi, headers, world.kwargs, examples, findings)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                findings.failures.append(f"{persona} {operation.method.upper()} {operation.path}: {exc}"[:3000])
        print(f"  {persona}: {time.monotonic() - started:.0f} s")
    logging.disable(logging.NOTSET)
    elapsed = time.monotonic() - started
    print(
        f"fuzzed {len(operations)} operations × {len(personas)} personas = {findings.pairs} pairs, "
        f"{findings.requests} requests in {elapsed:.0f} s; statuses {sorted(findings.statuses.items())}"
    )
    assert not findings.failures, f"{len(findings.failures)} failing operation(s):\n\n" + "\n\n".join(findings.failures)
