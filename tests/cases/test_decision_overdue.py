"""A 处理决定 after the 90-day limit (行政处罚法 第六十条) ran out with no extension approved in time is still made —
with the deciding head's written overdue statement, recorded on the case, in the audit ledger and as the
DECISION limit met late. 移送 is never barred beyond that statement (国务院令第310号 第三条)."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import TZ
from support import pin_clock

from backend.cases.deadlines import deadline_reminders
from backend.cases.models import Case, CaseDeadline
from backend.cases.rules import days_over
from backend.ledger.models import AuditEvent

D = dt.date
LEGAL_BASIS = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]
# Registered Wed 2026-08-12: 90 calendar days end Tue 2026-11-10 (a working day, nothing rolls).
REGISTERED_ON = "2026-08-12"
DUE_ON = D(2026, 11, 10)
OVERDUE_REASON = "检验机构延迟出具报告，未及时报请延长，负责人对超期负责"


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=TZ)


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def _registered_case(officer, head, officer_a, officer_a2, *, measures=None) -> str:
    r = post(officer, "/api/v1/cases/", {
        "title": "销售过期食品案", "party_type": "organisation", "party_name": "辽源市某某商贸有限公司",
        "party_uscc": "91220400MA0000007N", "facts": "销售超过保质期的食品", "legal_basis": LEGAL_BASIS,
        "officer_ids": [str(officer_a2.pk)], "clue_received_on": "2026-08-10", "violation_on": "2026-08-01",
    })
    assert r.status_code == 201, r.json()
    url = f"/api/v1/cases/{r.json()['id']}"
    r = post(head, f"{url}/register/", {"officer_ids": [str(officer_a.pk), str(officer_a2.pk)],
                                        "registered_on": REGISTERED_ON})
    assert r.status_code == 200, r.json()
    assert post(officer, f"{url}/start_investigation/").status_code == 200
    r = post(officer, f"{url}/documents/", {"doc_type": "inspection_record", "place": "便利店货架",
                                            "content": {"findings": "货架上有过期食品 12 件"}})
    assert r.status_code == 201, r.json()
    body = {"report": "事实清楚，证据确凿"}
    if measures:
        body["measures"] = measures
    r = post(officer, f"{url}/conclude_investigation/", body)
    assert r.status_code == 200, r.json()
    return url


def _case_to_deciding(as_user, officer_a, officer_a2, head_a) -> str:
    """A penalty case at 负责人决定, walked on 2026-11-02 (inside the limit)."""
    officer, head = as_user(officer_a), as_user(head_a)
    url = _registered_case(officer, head, officer_a, officer_a2, measures=[{"kind": "fine", "amount": "20000"}])
    assert post(officer, f"{url}/submit_review/").json()["status"] == "case_review"
    assert post(head, f"{url}/approve_proposal/").json()["status"] == "proposed"
    assert post(officer, f"{url}/notify/", {"content": {"note": "当场送达告知书"}}).status_code == 200
    assert post(officer, f"{url}/waiver/", {"statement": True, "note": "当事人表示无异议"}).status_code == 200
    assert post(officer, f"{url}/start_defence_review/").json()["status"] == "reviewing_defence"
    r = post(officer, f"{url}/submit_decision/", {"defence_adoption": "当事人未提出陈述申辩"})
    assert r.json()["status"] == "deciding", r.json()
    return url


def _decision_deadline(client, url) -> dict:
    return next(d for d in client.get(f"{url}/deadlines/").json() if d["rule_code"] == "DECISION")


# --------------------------------------------------------------------------- the pure rule


@pytest.mark.parametrize(("on", "over"), [(D(2026, 11, 9), 0), (D(2026, 11, 10), 0), (D(2026, 11, 11), 1),
                                          (D(2026, 12, 10), 30)])
def test_days_over_counts_calendar_days_past_the_last_day(on, over):
    assert days_over(due_on=DUE_ON, on=on) == over


# --------------------------------------------------------------------------- penalty decision, through the API


@pytest.mark.parametrize(("today", "status"), [(D(2026, 11, 9), 200), (D(2026, 11, 10), 200),
                                               (D(2026, 11, 11), 409)])
def test_a_penalty_decision_without_an_overdue_reason_is_refused_only_after_the_last_day(
    monkeypatch, as_user, officer_a, officer_a2, head_a, today, status
):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    url = _case_to_deciding(as_user, officer_a, officer_a2, head_a)
    pin_clock(monkeypatch, _moment(today))
    head = as_user(head_a)
    r = post(head, f"{url}/decide/")
    assert r.status_code == status, r.json()
    detail = head.get(f"{url}/").json()
    if status == 409:
        body = r.json()
        assert body["code"] == "decision_overdue_reason_required"
        assert "overdue_reason" in body["message"] and "负责人" in body["message"]
        assert body["fields"] == {"overdue_reason": ["超期作出决定须说明超期原因"]}
        assert body["extra"]["due_on"] == DUE_ON.isoformat() and body["extra"]["days_over"] == 1
        assert detail["status"] == "deciding" and detail["decision_number"] == ""
        assert _decision_deadline(head, url)["effective_state"] == "overdue"
    else:
        assert r.json()["status"] == "decided"
        assert detail["decided_late"] is None
        deadline = _decision_deadline(head, url)
        assert deadline["state"] == "met" and deadline["met_late"] is False


def test_a_whitespace_overdue_reason_is_no_reason(monkeypatch, as_user, officer_a, officer_a2, head_a):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    url = _case_to_deciding(as_user, officer_a, officer_a2, head_a)
    pin_clock(monkeypatch, _moment(D(2026, 11, 11)))
    r = post(as_user(head_a), f"{url}/decide/", {"overdue_reason": "   "})
    assert r.status_code == 409 and r.json()["code"] == "decision_overdue_reason_required"


def test_a_late_penalty_decision_with_the_heads_reason_is_made_and_recorded_late(
    monkeypatch, as_user, officer_a, officer_a2, head_a, auditor_a
):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    url = _case_to_deciding(as_user, officer_a, officer_a2, head_a)
    pin_clock(monkeypatch, _moment(D(2026, 11, 11)))
    head, auditor = as_user(head_a), as_user(auditor_a)
    late_before = sum(row["met_late"] for row in auditor.get("/api/v1/deadlines/summary/").json())
    r = post(head, f"{url}/decide/", {"overdue_reason": f"  {OVERDUE_REASON} "})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "decided" and "罚字" in r.json()["decision_number"]

    # The case detail carries the defect.
    detail = head.get(f"{url}/").json()
    assert detail["decided_late"] == {
        "due_on": "2026-11-10", "decided_on": "2026-11-11", "days_over": 1, "reason": OVERDUE_REASON,
        "acknowledged_by": {"id": str(head_a.pk), "name": str(head_a)},
    }
    # The limit is met late, and supervision counts it.
    deadline = _decision_deadline(head, url)
    assert deadline["state"] == "met" and deadline["met_late"] is True and deadline["met_on"] == "2026-11-11"
    summary = auditor.get("/api/v1/deadlines/summary/").json()
    assert sum(row["met_late"] for row in summary) == late_before + 1
    # The audit ledger's entry for the decision says so.
    case_id = url.rsplit("/", 1)[-1]
    event = AuditEvent.objects.get(case_id=case_id, action="case.transition", data__transition="decide")
    assert event.data["overdue"] == {
        "due_on": "2026-11-10", "days_over": 1, "reason": OVERDUE_REASON,
        "acknowledged_by": str(head_a.pk), "acknowledged_by_name": str(head_a),
    }
    case = Case.objects.get(pk=case_id)
    assert case.decision_overdue_acknowledged_by_id == head_a.pk and case.decision_overdue_days == 1


def test_an_overdue_reason_given_in_time_is_not_recorded_as_lateness(
    monkeypatch, as_user, officer_a, officer_a2, head_a
):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    url = _case_to_deciding(as_user, officer_a, officer_a2, head_a)
    pin_clock(monkeypatch, _moment(DUE_ON))
    head = as_user(head_a)
    assert post(head, f"{url}/decide/", {"overdue_reason": OVERDUE_REASON}).status_code == 200
    assert head.get(f"{url}/").json()["decided_late"] is None
    case_id = url.rsplit("/", 1)[-1]
    event = AuditEvent.objects.get(case_id=case_id, action="case.transition", data__transition="decide")
    assert event.data["overdue"] is None


def test_a_handler_cannot_make_or_acknowledge_a_late_decision(monkeypatch, as_user, officer_a, officer_a2, head_a):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    url = _case_to_deciding(as_user, officer_a, officer_a2, head_a)
    pin_clock(monkeypatch, _moment(D(2026, 11, 11)))
    officer = as_user(officer_a)
    r = post(officer, f"{url}/decide/", {"overdue_reason": OVERDUE_REASON})
    assert r.status_code == 403 and r.json()["code"] == "head_required"
    r = post(officer, f"{url}/decide_without_penalty/", {
        "outcome": "transfer_judicial", "reason": "涉嫌犯罪", "receiver": "辽源市公安局",
        "overdue_reason": OVERDUE_REASON,
    })
    assert r.status_code == 403 and r.json()["code"] == "head_required"
    case = Case.objects.get(pk=url.rsplit("/", 1)[-1])
    assert case.status == "deciding" and case.decision_overdue_reason == ""
    assert case.decision_overdue_acknowledged_by_id is None


def test_an_extension_approved_in_time_needs_no_overdue_reason(monkeypatch, as_user, officer_a, officer_a2, head_a):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    url = _case_to_deciding(as_user, officer_a, officer_a2, head_a)
    head = as_user(head_a)
    assert post(head, f"{url}/extend_decision/", {"reason": "案情复杂"}).status_code == 200
    pin_clock(monkeypatch, _moment(D(2026, 11, 11)))
    assert post(head, f"{url}/decide/").status_code == 200
    assert head.get(f"{url}/").json()["decided_late"] is None


# --------------------------------------------------------------------------- 移送 / 不予处罚 after expiry


@pytest.mark.parametrize("outcome", ["transfer_judicial", "transfer_other", "no_penalty"])
def test_a_transfer_or_no_penalty_decision_after_expiry_needs_only_the_overdue_reason(
    monkeypatch, as_user, officer_a, officer_a2, head_a, outcome
):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    officer, head = as_user(officer_a), as_user(head_a)
    url = _registered_case(officer, head, officer_a, officer_a2)
    pin_clock(monkeypatch, _moment(D(2026, 11, 11)))
    body = {"outcome": outcome, "reason": "涉嫌销售伪劣产品罪", "receiver": "辽源市公安局"}
    r = post(head, f"{url}/decide_without_penalty/", body)
    assert r.status_code == 409 and r.json()["code"] == "decision_overdue_reason_required"
    r = post(head, f"{url}/decide_without_penalty/", {**body, "overdue_reason": OVERDUE_REASON})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "decided"
    detail = head.get(f"{url}/").json()
    assert detail["decision_outcome"] == outcome
    late = detail["decided_late"]
    assert late["days_over"] == 1 and late["reason"] == OVERDUE_REASON
    assert late["acknowledged_by"]["id"] == str(head_a.pk)
    met = CaseDeadline.objects.get(case_id=url.rsplit("/", 1)[-1], rule_code="DECISION")
    assert met.state == CaseDeadline.State.MET and met.met_late is True


def test_a_transfer_long_after_expiry_is_still_accepted(monkeypatch, as_user, officer_a, officer_a2, head_a):
    """Months late: the duty to transfer (国务院令第310号 第三条) does not lapse with the 90 days."""
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    officer, head = as_user(officer_a), as_user(head_a)
    url = _registered_case(officer, head, officer_a, officer_a2)
    pin_clock(monkeypatch, _moment(D(2027, 3, 10)))
    r = post(head, f"{url}/decide_without_penalty/", {
        "outcome": "transfer_judicial", "reason": "涉嫌犯罪", "receiver": "辽源市公安局",
        "overdue_reason": OVERDUE_REASON,
    })
    assert r.status_code == 200, r.json()
    assert head.get(f"{url}/").json()["decided_late"]["days_over"] == (D(2027, 3, 10) - DUE_ON).days


def test_a_decision_flagged_overdue_by_the_sweep_is_then_met_late(monkeypatch, as_user, officer_a, officer_a2, head_a):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    officer, head = as_user(officer_a), as_user(head_a)
    url = _registered_case(officer, head, officer_a, officer_a2)
    case_id = url.rsplit("/", 1)[-1]
    pin_clock(monkeypatch, _moment(D(2026, 11, 12)))
    deadline_reminders(today=D(2026, 11, 12))
    assert CaseDeadline.objects.get(case_id=case_id, rule_code="DECISION").state == CaseDeadline.State.OVERDUE
    r = post(head, f"{url}/decide_without_penalty/", {
        "outcome": "no_penalty", "reason": "违法事实不能成立", "overdue_reason": OVERDUE_REASON,
    })
    assert r.status_code == 200, r.json()
    met = CaseDeadline.objects.get(case_id=case_id, rule_code="DECISION")
    assert (met.state, met.met_on, met.met_late) == (CaseDeadline.State.MET, D(2026, 11, 12), True)
    assert head.get(f"{url}/").json()["decided_late"]["days_over"] == 2
