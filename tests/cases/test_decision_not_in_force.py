"""A decision revoked or declared void is no longer served or executed (行政复议法 第六十四条、第六十七条;
行政诉讼法 第七十条、第七十五条): execution steps answer 409 ``decision_not_in_force``, the payment period is
cancelled, ``allowed_transitions`` no longer offers them, and the case is still closed (结案)."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import new_case, walk

from backend.cases.models import CaseDeadline

START = dt.date(2026, 3, 2)


def _correct(client, case, kind: str):
    r = client.post(
        f"/api/v1/cases/{case.id}/corrections/",
        {
            "kind": kind,
            "by": "reconsideration",
            "reason": "复议机关认定主要事实不清、证据不足",
            "reference": "辽源市人民政府行政复议决定书 辽府复决〔2026〕12号",
            "effective_on": "2026-04-20",
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    return r


@pytest.mark.parametrize("kind", ["revoked", "confirmed_void"])
def test_a_revoked_or_void_decision_is_not_executed_but_the_case_is_closed(
    as_user, officer_a, officer_a2, head_a, kind
):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    assert CaseDeadline.objects.get(case=case, rule_code="PAYMENT").state in ("due", "overdue")
    officer, head = as_user(officer_a), as_user(head_a)
    _correct(head, case, kind)

    detail = officer.get(f"/api/v1/cases/{case.id}/").json()
    assert "start_execution" not in detail["allowed_transitions"]
    assert "close" in detail["allowed_transitions"]
    r = officer.post(f"/api/v1/cases/{case.id}/start_execution/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "decision_not_in_force", r.json()
    assert "撤销" in r.json()["message"] or "无效" in r.json()["message"]
    assert CaseDeadline.objects.get(case=case, rule_code="PAYMENT").state == "cancelled"

    r = head.post(f"/api/v1/cases/{case.id}/close/", {"opinion": "原处罚决定已被撤销，予以结案"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "closed"


def test_a_decision_revoked_during_execution_takes_no_more_payments(as_user, officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    officer, head = as_user(officer_a), as_user(head_a)
    assert officer.post(f"/api/v1/cases/{case.id}/start_execution/", {}, format="json").status_code == 200
    _correct(head, case, "revoked")
    r = officer.post(f"/api/v1/cases/{case.id}/execution/", {"paid_amount": "5000.00"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "decision_not_in_force", r.json()
    assert head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json").json()["status"] == "closed"


def test_a_decision_revoked_before_service_is_not_served(as_user, officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="decided", start=START)
    officer, head = as_user(officer_a), as_user(head_a)
    assert "close" not in officer.get(f"/api/v1/cases/{case.id}/").json()["allowed_transitions"]
    _correct(head, case, "revoked")
    r = officer.post(f"/api/v1/cases/{case.id}/serve/", {"method": "direct", "recipient": "王小明"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "decision_not_in_force"
    assert CaseDeadline.objects.get(case=case, rule_code="DECISION_SERVICE").state == "cancelled"
    assert head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json").json()["status"] == "closed"


def test_a_decision_only_confirmed_unlawful_stays_in_force(as_user, officer_a, officer_a2, head_a):
    # 行政诉讼法 第七十四条: confirmed unlawful but not revoked — the decision is still executed.
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    _correct(as_user(head_a), case, "confirmed_illegal")
    r = as_user(officer_a).post(f"/api/v1/cases/{case.id}/start_execution/", {}, format="json")
    assert r.status_code == 200, r.json()


def test_no_fine_is_collected_on_the_spot_under_a_revoked_decision(as_user, officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    _correct(as_user(head_a), case, "revoked")
    r = as_user(officer_a).post(
        f"/api/v1/cases/{case.id}/cash_collection/",
        {
            "receipt_number": "吉财罚0100",
            "collected_at": "2026-04-21T09:00:00+08:00",
            "ground": "remote_area",
            "party_requested": True,
            "ground_note": "长山村，距最近银行网点四十公里",
        },
        format="json",
    )
    assert r.status_code == 409 and r.json()["code"] == "decision_not_in_force", r.json()
