"""What a mobile team does with api_docs/openapi.yaml: generate a client (openapi-python-client, the dev
extra) and drive a real flow with it against a live server — log in, create a case, list its evidence,
page through notices, read an error and its code. The client is generated from the committed document,
so a declaration that does not match the server (a paginated list declared as an array, an error without
the Error schema) fails here the way it fails in the app.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from support import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "api_docs" / "openapi.yaml"
PACKAGE = "zhifa_client"


@pytest.fixture(scope="module")
def zc(tmp_path_factory):
    """The generated client package, imported."""
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    if generator is None:
        pytest.fail("openapi-python-client is missing: install the dev extra (make setup-dev)")
    workdir = tmp_path_factory.mktemp("client")
    config = workdir / "config.yaml"
    # No formatting hooks: the test needs the code, not its style (and it stays fast).
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    result = subprocess.run(
        [generator, "generate", "--path", str(DOCUMENT), "--config", str(config), "--meta", "none",
         "--output-path", str(workdir / PACKAGE)],
        capture_output=True, text=True, cwd=workdir, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(workdir))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(zc, module: str):
    return importlib.import_module(f"{PACKAGE}.api.{module}")


def _model(zc, name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def _cursor(next_url: str | None) -> str | None:
    return parse_qs(urlsplit(next_url).query)["cursor"][0] if next_url else None


def _login(zc, base_url: str, username: str):
    token = _api(zc, "auth.auth_token_create").sync(
        client=zc.Client(base_url=base_url, raise_on_unexpected_status=True),
        body=_model(zc, "TokenObtainInputRequest")(username=username, password=PASSWORD),
    )
    assert isinstance(token, _model(zc, "TokenPairOutput")), token
    return zc.AuthenticatedClient(base_url=base_url, token=token.access, raise_on_unexpected_status=True)


@pytest.fixture
def decided_notices(agency_a):
    """Three draft notices of decided cases (what the `decide` step leaves for the disclosure manager)."""
    import datetime

    from django.db import transaction

    from backend.cases.models import Case
    from backend.disclosures import services

    for day in (3, 4, 5):
        case = Case.objects.create(
            agency=agency_a, title="经营超过保质期的食品", party_type="natural_person", party_name="王小明",
            status="decided", decision_outcome="penalty", decision_number=f"辽市监罚〔2026〕{day}号",
            decided_on=datetime.date(2026, 3, day), registered_on=datetime.date(2026, 2, day),
            facts="销售超过保质期的食品。", violation_type="经营超过保质期的食品",
            legal_basis=[{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}],
            decided_measures=[{"kind": "fine", "amount": "5000.00"}],
        )
        with transaction.atomic():
            services.notice_create_for_decision(case=case, context=None)


def test_a_generated_client_logs_in_creates_a_case_lists_evidence_pages_notices_and_reads_errors(
    zc, live_server, officer_a, discloser_a, decided_notices
):
    officer = _login(zc, live_server.url, "officer_a")
    me = _api(zc, "auth.me_retrieve").sync(client=officer)
    assert me.username == "officer_a"

    # Create a case: the answer is the typed state, the party type one word of the one vocabulary.
    body = _model(zc, "CaseCreateInputRequest")(
        title="无照经营", party_type=_model(zc, "PartyTypeEnum").NATURAL_PERSON, party_name="张三"
    )
    created = _api(zc, "cases.cases_create").sync_detailed(client=officer, body=body)
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/cases/{created.parsed.id}/"
    assert created.headers["ETag"] == f'"{created.parsed.version}"'
    detail = _api(zc, "cases.cases_retrieve").sync(client=officer, case_id=created.parsed.id)
    assert detail.party_type == _model(zc, "PartyTypeEnum").NATURAL_PERSON

    # Its evidence: a page (no item yet), not a bare array.
    evidence = _api(zc, "evidence.evidence_list").sync(client=officer, case=created.parsed.id)
    assert isinstance(evidence, _model(zc, "PaginatedEvidenceItemOutputList")), evidence
    assert evidence.results == []
    assert evidence.next_ is None

    # Page through the notices one at a time, following `next`, and back with `previous`.
    discloser = _login(zc, live_server.url, "discloser_a")
    notices_list = _api(zc, "disclosures.disclosures_notices_list")
    seen, cursor, pages = [], None, 0
    while True:
        page = notices_list.sync(client=discloser, page_size=1, cursor=cursor)
        assert isinstance(page, _model(zc, "PaginatedStaffNoticeListOutputList")), page
        seen += [notice.id for notice in page.results]
        pages += 1
        cursor = _cursor(page.next_)
        if cursor is None:
            break
    assert pages == 3
    assert len(set(seen)) == 3
    back = notices_list.sync(client=discloser, page_size=1, cursor=_cursor(page.previous))
    assert [notice.id for notice in back.results] == [seen[1]]

    # Errors arrive as the one Error model; the app switches on `code`.
    Error = _model(zc, "Error")
    too_long = _model(zc, "CaseCreateInputRequest")(
        title="x" * 301, party_type=_model(zc, "PartyTypeEnum").ORGANISATION, party_name="某公司"
    )
    invalid = _api(zc, "cases.cases_create").sync_detailed(client=officer, body=too_long)
    assert invalid.status_code == 400
    assert isinstance(invalid.parsed, Error)
    assert invalid.parsed.code == "invalid"
    assert "title" in invalid.parsed.fields.additional_properties
    nobody = "00000000-0000-4000-8000-000000000000"
    missing = _api(zc, "cases.cases_retrieve").sync_detailed(client=officer, case_id=nobody)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, Error)
    assert missing.parsed.code == "case_not_found"
    stale = _api(zc, "cases.cases_partial_update").sync_detailed(
        client=officer, case_id=created.parsed.id, body=_model(zc, "PatchedCaseUpdateInputRequest")(title="y"),
        if_match='"999"',
    )
    assert stale.status_code == 412
    assert stale.parsed.code == "version_mismatch"
    anonymous = _api(zc, "auth.me_retrieve").sync_detailed(
        client=zc.AuthenticatedClient(base_url=live_server.url, token="not-a-token")
    )
    assert anonymous.status_code == 401
    assert isinstance(anonymous.parsed, Error)
    assert anonymous.parsed.code in ("authentication_failed", "not_authenticated")
