"""责令改正 (行政处罚法 第二十八条第一款) over HTTP: the order with its period on the decision, the follow-up
inspection at −1 / = / +1 day of the period's end, a new case when not corrected, and 结案 waiting for it."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from execution.conftest import deadlines, pay
from factories import CaseFactory

from backend.cases.models import Case
from backend.evidence.models import EvidenceItem
from backend.ledger.models import AuditEvent

ORDER = {"requirement": "立即停止销售超过保质期的食品，清理货架并建立进货查验记录制度", "period_days": 15}


def _photo(case: Case, uploader) -> str:
    content = uuid.uuid4().bytes
    now = dt.datetime.now(dt.UTC)
    item = EvidenceItem.objects.create(
        case=case, kind="photo", sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        status=EvidenceItem.Status.RECEIVED, captured_at=now, captured_at_raw=now.isoformat(), received_at=now,
        uploaded_by=uploader, activity="现场检查", signature_status="absent", storage_key=f"evidence/{uuid.uuid4()}",
    )  # fmt: skip
    return str(item.pk)


def _order(clients, case: Case, day: str, **body) -> dict:
    r = clients.on(day).officer.post(f"/api/v1/cases/{case.id}/correction_order/", {**ORDER, **body}, format="json")
    assert r.status_code == 201, r.content
    return r.json()


def _inspect(client, case: Case, **body):
    return client.post(f"/api/v1/cases/{case.id}/correction_order/inspection/", body, format="json")


def test_served_on_17_december_the_period_ends_after_new_year_and_not_corrected_opens_a_new_case(
    clients, decided_fine, serve, officer_a
):
    case = decided_fine(decided_on="2026-12-10", fine="3000.00")
    serve(case, "2026-12-17")
    order = _order(clients, case, "2026-12-17")
    # 15 days from service: 2027-01-01 is 元旦 (a rest day through 01-03): the period rolls to Monday 01-04.
    assert order["ordered_on"] == "2026-12-17" and order["due_on"] == "2027-01-04" and order["status"] == "pending"
    row = deadlines(clients.officer, case)["CORRECTION_ORDER"]
    assert (row["due_on"], row["state"], row["kind"]) == ("2027-01-04", "due", "party")
    assert pay(clients.on("2026-12-20").officer, case, "3000.00", "2026-12-20", "BK-3000").status_code == 201

    photo = _photo(case, officer_a)
    refused = {"outcome": "not_corrected", "findings": "货架上仍有过期食品6袋", "evidence_ids": [photo]}
    for day in ("2027-01-03", "2027-01-04"):  # −1 and the last day itself: the party still has the day
        r = _inspect(clients.on(day).officer, case, inspected_on=day, **refused)
        assert r.status_code == 409 and r.json()["code"] == "correction_period_running", (day, r.content)
        assert r.json()["extra"] == {"due_on": "2027-01-04"}
    r = clients.on("2027-01-04").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "correction_pending", r.content

    r = _inspect(clients.on("2027-01-05").officer, case, inspected_on="2027-01-05", **refused)  # +1
    assert r.status_code == 200, r.content
    done = r.json()
    assert done["status"] == "not_corrected" and done["inspection_evidence_ids"] == [photo]
    assert len(done["inspection_officer_ids"]) == 2  # 复查 on site: the two handling officers
    assert deadlines(clients.officer, case)["CORRECTION_ORDER"]["state"] == "overdue"
    again = _inspect(clients.officer, case, inspected_on="2027-01-05", **refused)
    assert again.status_code == 409 and again.json()["code"] == "correction_already_inspected"

    r = clients.on("2027-01-05").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "correction_follow_up_missing", r.content

    r = clients.on("2027-01-06").officer.post(f"/api/v1/cases/{case.id}/correction_order/follow_up_case/", {},
                                              format="json")
    assert r.status_code == 200, r.content
    new_id = r.json()["follow_up_case_id"]
    new = clients.officer.get(f"/api/v1/cases/{new_id}/").json()
    assert new["status"] == "clue_received" and new["source"] == "inspection"
    assert new["title"] == "逾期不改正：经营超过保质期的食品" and new["clue_received_on"] == "2027-01-05"
    assert Case.objects.get(pk=new_id).party_uscc == case.party_uscc  # the same party
    twice = clients.officer.post(f"/api/v1/cases/{case.id}/correction_order/follow_up_case/", {}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "follow_up_case_exists"

    r = clients.on("2027-01-06").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content
    actions = list(AuditEvent.objects.filter(case_id=case.id, action__startswith="correction.")
                   .order_by("occurred_at").values_list("action", flat=True))  # fmt: skip
    assert actions == ["correction.ordered", "correction.inspected", "correction.follow_up_case_opened"]
    assert AuditEvent.objects.filter(case_id=new_id, action="case.created").exists()


@pytest.mark.parametrize(("corrected_on", "late"), [("2026-12-30", False), ("2026-12-31", False),
                                                     ("2027-01-04", True)])  # fmt: skip
def test_corrected_before_on_or_after_the_last_day(clients, decided_fine, serve, corrected_on, late):
    case = decided_fine(decided_on="2026-12-10")
    serve(case, "2026-12-11")
    assert _order(clients, case, "2026-12-11", period_days=20)["due_on"] == "2026-12-31"  # a Thursday
    r = _inspect(clients.on("2027-01-05").officer, case, outcome="corrected", findings="已下架并销毁过期食品，建立台账",
                 inspected_on="2027-01-05", corrected_on=corrected_on)  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "corrected", r.content
    row = deadlines(clients.officer, case)["CORRECTION_ORDER"]
    assert (row["state"], row["met_on"], row["met_late"]) == ("met", corrected_on, late)
    r = clients.officer.post(f"/api/v1/cases/{case.id}/correction_order/follow_up_case/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "correction_not_lapsed"


def test_the_order_and_inspection_refuse_what_the_law_does_not_allow(
    clients, decided_fine, serve, officer_a, officer_a2
):
    case = decided_fine(decided_on="2026-12-01")
    url = f"/api/v1/cases/{case.id}/correction_order/"
    r = clients.on("2026-12-01").officer.post(url, ORDER, format="json")
    assert r.status_code == 409 and r.json()["code"] == "step_not_allowed"  # not served yet
    serve(case, "2026-12-02")
    assert clients.officer.get(url).json()["code"] == "correction_order_not_found"
    r = _inspect(clients.officer, case, outcome="corrected", findings="已改正")
    assert r.status_code == 404 and r.json()["code"] == "correction_order_not_found"
    r = clients.on("2026-12-03").officer.post(url, {**ORDER, "ordered_on": "2026-11-30"}, format="json")
    assert r.status_code == 422 and r.json()["code"] == "date_before_previous_act", r.content
    assert clients.auditor.post(url, ORDER, format="json").status_code == 403
    assert clients.other.post(url, ORDER, format="json").status_code == 404
    assert clients.reviewer.post(url, ORDER, format="json").status_code == 403
    r = clients.officer.post(url, {**ORDER, "period_days": 0}, format="json")
    assert r.status_code == 400 and "period_days" in r.json()["fields"]
    _order(clients, case, "2026-12-03")
    r = clients.officer.post(url, ORDER, format="json")
    assert r.status_code == 409 and r.json()["code"] == "correction_order_exists"

    r = _inspect(clients.on("2026-12-10").officer, case, outcome="corrected", findings="已改正",
                 officer_ids=[str(officer_a.pk)])  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "too_few_officers", r.content
    elsewhere = CaseFactory(agency=case.agency, created_by=officer_a, case_number="辽市监立字〔2026〕0999号")
    r = _inspect(clients.officer, case, outcome="corrected", findings="已改正",
                 officer_ids=[str(officer_a.pk), str(officer_a2.pk)], evidence_ids=[_photo(elsewhere, officer_a)])
    assert r.status_code == 422 and r.json()["code"] == "invalid_evidence", r.content
    r = _inspect(clients.officer, case, outcome="corrected", findings="已改正", corrected_on="2026-12-11")
    assert r.status_code == 422 and r.json()["code"] == "corrected_after_inspection", r.content
    assert clients.auditor.get(url).json()["status"] == "pending"  # read-only, but reads
