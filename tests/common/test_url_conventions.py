"""One URL convention for the API — a trailing slash, except on file names (``export.csv``, ``opinion.pdf``)
— and the other form is served by the same view: never a 500, never Django's HTML page.

A POST without the slash used to answer 500 with the DEBUG page (APPEND_SLASH cannot redirect a body);
``/bundle``, ``/original``, ``/uploads/<id>`` answered 404 with one. Every API pattern of the resolver is
requested in both forms with every method, as an anonymous client and as a user holding every role, with
DEBUG on and off.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from backend.accounts.models import Role
from backend.cases.models import Case
from backend.common.urls import is_canonical

pytestmark = pytest.mark.django_db

METHODS = ("get", "head", "options", "post", "put", "patch", "delete")
# Human pages that happen to live under /api/: the OpenAPI UIs (HTML by design).
HTML_BY_DESIGN = {"api/docs/", "api/redoc/"}
_CONVERTER = re.compile(r"<(?:(?P<kind>[a-z]+):)?(?P<name>\w+)>")
_SAMPLES = {"uuid": lambda: str(uuid.uuid4()), "int": lambda: "1", "str": lambda: "x1", "slug": lambda: "x1",
            "path": lambda: "x1"}  # fmt: skip


def _routes(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        else:
            yield route, entry


def api_routes() -> list[str]:
    """Every route under /api/ as the URLconf declares it (canonical and variant forms alike), deduplicated."""
    seen: dict[str, None] = {}
    for route, _ in _routes(get_resolver().url_patterns):
        if route.startswith("api/"):
            seen[route] = None
    return list(seen)


def _concrete(route: str) -> str:
    return "/" + _CONVERTER.sub(lambda m: _SAMPLES[m["kind"] or "str"](), route)


def _toggled(path: str) -> str:
    return path[:-1] if path.endswith("/") else path + "/"


def test_every_api_route_is_canonical_or_the_variant_of_one():
    routes = set(api_routes())
    canonical = {r for r in routes if is_canonical(r)}
    assert len(canonical) > 100
    assert routes - canonical == {_toggled(r) for r in canonical}, "each canonical route has exactly its other form"
    assert is_canonical("api/v1/cases/<uuid:case_id>/") and not is_canonical("api/v1/cases/<uuid:case_id>")
    assert is_canonical("api/v1/public/notices/export.csv") and not is_canonical("api/v1/public/notices/export.csv/")


def test_the_openapi_document_lists_only_canonical_paths():
    from pathlib import Path

    import yaml

    document = Path(__file__).resolve().parents[2] / "api_docs" / "openapi.yaml"
    for path in yaml.safe_load(document.read_text())["paths"]:
        assert is_canonical(path), path


def _all_roles_user(agency_a):
    from support import make_user

    return make_user("everyone", agency_a, [r for r, _ in Role.choices], credential="A-0099")


@pytest.mark.parametrize("debug", [True, False])
def test_no_api_path_answers_5xx_or_html_in_either_slash_form(debug, settings, api, as_user, agency_a):
    settings.DEBUG = debug
    if not debug:  # as in production, where the service does not start without a signing key
        from backend.ledgercore.signed_note import generate_key

        settings.LEDGER_SIGNING_KEY = generate_key(settings.LEDGER_ORIGIN).signer_key
    clients = {"anonymous": api, "staff": as_user(_all_roles_user(agency_a))}
    failures = []
    for route in api_routes():
        path = _concrete(route)
        for form in (path, _toggled(path)):
            for who, client in clients.items():
                for method in METHODS:
                    response = getattr(client, method)(
                        form,
                        data={} if method in ("post", "put", "patch") else None,
                        format="json" if method in ("post", "put", "patch") else None,
                    )
                    content_type = response.get("Content-Type", "")
                    page = route.rstrip("/") + "/" in HTML_BY_DESIGN and method in ("get", "head")
                    html = content_type.startswith("text/html") and not page
                    if response.status_code >= 500 or html or response.status_code in (301, 302, 308):
                        failures.append(f"{who} {method.upper()} {form} → {response.status_code} {content_type}")
    assert failures == [], "\n".join(failures)


def test_the_other_form_is_served_by_the_same_view(as_user, officer_a):
    client = as_user(officer_a)
    body = {
        "title": "无照经营", "party_type": "natural_person", "party_name": "张三",
        "party_id_number": "220402199202021237",
        "party_phone": "13800000000", "place_address": "辽源市龙山区",
    }  # fmt: skip
    created = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="no-slash")
    assert created.status_code == 201
    assert created["Location"] == f"/api/v1/cases/{created.json()['id']}/"  # the canonical form
    case_id = created.json()["id"]
    assert client.get(f"/api/v1/cases/{case_id}").json()["id"] == case_id
    # A retry of the same POST in the other form is the same request (same Idempotency-Key fingerprint).
    replay = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="no-slash")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_routes_that_had_no_slash_now_have_one_and_keep_the_old_form(as_user, auditor_a):
    client = as_user(auditor_a)
    for old in ("/api/v1/public/ledger/checkpoint", "/api/v1/ledger/entries/1", f"/api/v1/cases/{uuid.uuid4()}/bundle"):
        new = old + "/"
        assert client.get(old).status_code == client.get(new).status_code != 500
        assert not client.get(old)["Content-Type"].startswith("text/html")
