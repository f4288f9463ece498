"""The 90-day limit (行政处罚法 第六十条; 市场监督管理行政处罚程序规定 第六十四条) binds every 处理决定 — a penalty,
不予行政处罚 and 移送 alike — and an extension is approved before the limit expires, never after. (A decision after
expiry needs the head's overdue statement: test_decision_overdue.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import TZ
from support import pin_clock

from backend.cases.rules import extension_in_time

D = dt.date
LEGAL_BASIS = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]
# Registered Wed 2026-08-12: 90 calendar days end Tue 2026-11-10 (a working day, nothing rolls).
REGISTERED_ON = "2026-08-12"
DUE_ON = D(2026, 11, 10)


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=TZ)


def _concluded_case(as_user, officer_a, officer_a2, head_a) -> str:
    officer, head = as_user(officer_a), as_user(head_a)
    r = officer.post("/api/v1/cases/", {
        "title": "销售过期食品案", "party_type": "organisation", "party_name": "辽源市某某商贸有限公司",
        "party_uscc": "91220400MA0000007N", "facts": "销售超过保质期的食品", "legal_basis": LEGAL_BASIS,
        "officer_ids": [str(officer_a2.pk)], "clue_received_on": "2026-08-10",
    }, format="json")
    case_id = r.json()["id"]
    url = f"/api/v1/cases/{case_id}"
    r = head.post(f"{url}/register/", {"officer_ids": [str(officer_a.pk), str(officer_a2.pk)],
                                       "registered_on": REGISTERED_ON}, format="json")
    assert r.status_code == 200, r.json()
    assert officer.post(f"{url}/start_investigation/", {}, format="json").status_code == 200
    r = officer.post(f"{url}/conclude_investigation/", {"report": "违法事实不能成立"}, format="json")
    assert r.status_code == 200, r.json()
    deadline = next(d for d in head.get(f"{url}/deadlines/").json() if d["rule_code"] == "DECISION")
    assert deadline["due_on"] == DUE_ON.isoformat()
    return case_id


# --------------------------------------------------------------------------- the pure rule


@pytest.mark.parametrize(("approved_on", "in_time"), [(D(2026, 11, 9), True), (D(2026, 11, 10), True),
                                                       (D(2026, 11, 11), False)])
def test_an_extension_is_in_time_up_to_the_last_day_of_the_limit(approved_on, in_time):
    assert extension_in_time(due_on=DUE_ON, approved_on=approved_on) is in_time


# --------------------------------------------------------------------------- through the API


@pytest.mark.parametrize("outcome", ["no_penalty", "transfer_other", "transfer_judicial"])
@pytest.mark.parametrize(("today", "status"), [(D(2026, 11, 9), 200), (D(2026, 11, 10), 200),
                                               (D(2026, 11, 11), 409)])
def test_no_penalty_and_transfer_decisions_keep_the_90_day_limit(
    monkeypatch, as_user, officer_a, officer_a2, head_a, outcome, today, status
):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    case_id = _concluded_case(as_user, officer_a, officer_a2, head_a)
    pin_clock(monkeypatch, _moment(today))
    r = as_user(head_a).post(f"/api/v1/cases/{case_id}/decide_without_penalty/", {
        "outcome": outcome, "reason": "违法事实不能成立", "receiver": "辽源市公安局",
    }, format="json")
    assert r.status_code == status, r.json()
    if status == 409:
        # Late is not barred: only the head's overdue statement is missing (test_decision_overdue.py).
        assert r.json()["code"] == "decision_overdue_reason_required"
        assert r.json()["extra"]["due_on"] == DUE_ON.isoformat()
    else:
        assert r.json()["status"] == "decided"


@pytest.mark.parametrize(("today", "status"), [(D(2026, 11, 9), 200), (D(2026, 11, 10), 200),
                                               (D(2026, 11, 11), 409)])
def test_the_decision_limit_is_extended_only_before_it_expires(
    monkeypatch, as_user, officer_a, officer_a2, head_a, today, status
):
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    case_id = _concluded_case(as_user, officer_a, officer_a2, head_a)
    pin_clock(monkeypatch, _moment(today))
    r = as_user(head_a).post(f"/api/v1/cases/{case_id}/extend_decision/", {"reason": "案情复杂，需检验"},
                             format="json")
    assert r.status_code == status, r.json()
    deadline = next(d for d in as_user(head_a).get(f"/api/v1/cases/{case_id}/deadlines/").json()
                    if d["rule_code"] == "DECISION")
    if status == 409:
        assert r.json()["code"] == "extension_after_expiry"
        assert r.json()["extra"] == {"rule": "DECISION", "due_on": DUE_ON.isoformat()}
        assert deadline["due_on"] == DUE_ON.isoformat() and deadline["extensions"] == 0
    else:
        # +30 days: Thu 2026-12-10.
        assert deadline["due_on"] == "2026-12-10" and deadline["extensions"] == 1
    # The same rule through the generic deadline endpoint.
    r = as_user(head_a).post(f"/api/v1/cases/{case_id}/deadlines/DECISION/extend/", {"reason": "再延"},
                             format="json")
    assert r.status_code == 409
    assert r.json()["code"] == ("extension_after_expiry" if status == 409 else "extension_needs_collective_discussion")


def test_a_paused_decision_clock_can_be_extended_after_its_original_end(
    monkeypatch, as_user, officer_a, officer_a2, head_a
):
    """中止 stops the clock (市场监管程序规定 第六十四条): its original end is not an expiry."""
    pin_clock(monkeypatch, _moment(D(2026, 11, 2)))
    officer, head = as_user(officer_a), as_user(head_a)
    r = officer.post("/api/v1/cases/", {
        "title": "销售过期食品案", "party_type": "organisation", "party_name": "辽源市某某商贸有限公司",
        "facts": "销售超过保质期的食品", "legal_basis": LEGAL_BASIS, "officer_ids": [str(officer_a2.pk)],
        "clue_received_on": "2026-08-10",
    }, format="json")
    url = f"/api/v1/cases/{r.json()['id']}"
    head.post(f"{url}/register/", {"officer_ids": [str(officer_a.pk), str(officer_a2.pk)],
                                   "registered_on": REGISTERED_ON}, format="json")
    officer.post(f"{url}/start_investigation/", {}, format="json")
    assert head.post(f"{url}/suspend/", {"reason": "等待检验结果", "kind": "testing"},
                     format="json").status_code == 200
    pin_clock(monkeypatch, _moment(D(2026, 11, 20)))
    r = head.post(f"{url}/extend_decision/", {"reason": "检验期间延长"}, format="json")
    assert r.status_code == 200, r.json()
