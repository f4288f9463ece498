"""移送 / 两法衔接 over HTTP: a case decided 移送 is sent to public security with its package (a verifiable
evidence bundle behind a share link), the seized property goes with it (行政强制法 第二十一条), the organ signs,
declines, and the case comes back; 结案 waits for the signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from execution.test_property_api import ITEMS, STORE, _register, _seize
from factories import CaseFactory

from backend.cases.models import Case
from backend.ledger.models import AuditEvent, BundleExport
from backend.ledgercore.signed_note import generate_key

ORGAN = {"organ": "辽源市公安局西安区分局", "organ_kind": "other", "basis": "行政执法机关移送涉嫌犯罪案件的规定第三条",
         "party_notified_on": "2026-12-10"}  # fmt: skip
_KEYS = generate_key("zhifa.test/ledger")


@pytest.fixture(autouse=True)
def _ledger_key(settings) -> None:
    settings.LEDGER_ORIGIN = "zhifa.test/ledger"
    settings.LEDGER_SIGNING_KEY = _KEYS.signer_key
    settings.LEDGER_SIGNING_KEY_FILE = ""
    settings.LEDGER_TSA_URL = ""
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = []


@pytest.fixture
def transfer_case(agency_a, officer_a, officer_a2) -> Case:
    case = CaseFactory(agency=agency_a, created_by=officer_a, status=Case.Status.DECIDED,
                       decision_outcome="transfer_judicial", decided_on=dt.date(2026, 12, 9),
                       case_number="辽市监立字〔2026〕0997号")  # fmt: skip
    case.handling_officers.set([officer_a, officer_a2])
    return case


def test_sent_with_its_package_and_property_acknowledged_declined_returned(clients, transfer_case, head_a, client):
    case = transfer_case
    document = _seize(clients.on("2026-12-03").officer, case, head_a, "2026-12-03")
    items = _register(clients.officer, case, document, [{**i, **STORE} for i in ITEMS[:2]]).json()
    r = clients.on("2026-12-08").head.post(f"/api/v1/cases/{case.id}/property/{items[1]['id']}/handle/", {
        "handling": "returned", "basis": "与案件无关（行政强制法第二十八条）", "recipient": "李建华",
    }, format="json")  # fmt: skip
    assert r.status_code == 200, r.content
    url = f"/api/v1/cases/{case.id}/transfers/"
    assert clients.on("2026-12-10").officer.post(url, ORGAN, format="json").status_code == 403  # the head sends
    r = clients.head.post(url, {**ORGAN, "sent_on": "2026-12-08"}, format="json")
    assert r.status_code == 422 and r.json()["code"] == "date_before_previous_act", r.content

    r = clients.head.post(url, ORGAN, format="json")
    assert r.status_code == 201, r.content
    sent, token = r.json()["transfer"], r.json()["token"]
    assert sent["status"] == "sent" and sent["property_item_ids"] == [items[0]["id"]]
    export = BundleExport.objects.get(pk=sent["export_id"])
    assert hashlib.sha256(bytes(export.manifest)).hexdigest() == sent["manifest_sha256"]
    package = client.get(f"/api/v1/public/ledger/shares/{token}/bundle/")  # what the organ downloads
    assert package.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content))).namelist()
    assert "manifest.json" in names, names
    ledger = clients.officer.get(f"/api/v1/cases/{case.id}/property/").json()
    moved = next(i for i in ledger["items"] if i["id"] == items[0]["id"])
    assert (moved["status"], moved["handling_recipient"]) == ("transferred", ORGAN["organ"])
    assert ledger["reconciled"] is True
    again = clients.head.post(url, ORGAN, format="json")
    assert again.status_code == 409 and again.json()["code"] == "transfer_active"

    step = f"{url}{sent['id']}/"
    r = clients.head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "transfer_not_acknowledged", r.content
    r = clients.officer.post(f"{step}decision/", {"accepted": False, "note": "不构成犯罪"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "transfer_not_acknowledged"
    signed = {"organ_reference": "辽公西（刑）受字〔2026〕88号"}
    r = clients.on("2026-12-11").officer.post(f"{step}acknowledge/", signed, format="json")
    assert r.status_code == 200 and r.json()["status"] == "acknowledged", r.content
    declined = {"accepted": False, "note": "经审查不构成犯罪，不予立案"}
    r = clients.on("2026-12-14").officer.post(f"{step}decision/", declined, format="json")
    assert r.status_code == 200 and r.json()["status"] == "declined", r.content
    assert clients.officer.post(f"{step}return/", {"reason": "不予立案，退回"}, format="json").status_code == 403
    r = clients.on("2026-12-15").head.post(f"{step}return/", {"reason": "公安机关不予立案，案件退回依法处理"},
                                           format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "returned", r.content
    assert clients.auditor.get(url).json()[0]["status"] == "returned"
    actions = set(AuditEvent.objects.filter(case_id=case.id, action__startswith="transfer.")
                  .values_list("action", flat=True))  # fmt: skip
    assert actions == {"transfer.sent", "transfer.acknowledged", "transfer.decided", "transfer.returned"}


def test_only_a_case_decided_transfer_is_sent(clients, decided_fine):
    case = decided_fine()
    r = clients.on("2026-12-10").head.post(f"/api/v1/cases/{case.id}/transfers/", ORGAN, format="json")
    assert r.status_code == 409 and r.json()["code"] == "transfer_not_decided", r.content
    assert clients.other.post(f"/api/v1/cases/{case.id}/transfers/", ORGAN, format="json").status_code == 404
    assert clients.auditor.post(f"/api/v1/cases/{case.id}/transfers/", ORGAN, format="json").status_code == 403
