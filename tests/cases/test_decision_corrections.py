"""变更/撤销/确认违法/确认无效 of a decision reach disclosure (行政处罚法 第四十八条第二款)."""

from __future__ import annotations

import datetime as dt

from cases.casekit import new_case, walk

from backend.cases.models import DecisionCorrection

START = dt.date(2026, 3, 2)


def test_a_revoked_decision_is_withdrawn_from_disclosure(as_user, officer_a, officer_a2, head_a, fake_apps):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    url = f"/api/v1/cases/{case.id}/corrections/"
    body = {"kind": "revoked", "by": "reconsideration", "reason": "复议机关认定事实不清",
            "reference": "辽复决〔2026〕3号", "effective_on": "2026-04-01"}
    assert as_user(officer_a).post(url, body, format="json").status_code == 403
    r = as_user(head_a).post(url, body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["decision_state"] == "revoked"
    assert fake_apps.withdrawals == [(case.decision_number, "revoked")]
    # The 3 working days to withdraw run from the day the decision was revoked, not from when it was recorded.
    assert fake_apps.withdrawal_triggers == [dt.date(2026, 4, 1)]
    r = as_user(head_a).post(url, {**body, "kind": "confirmed_void"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "decision_already_void"


def test_a_changed_decision_keeps_the_previous_measures_on_record(as_user, officer_a, officer_a2, head_a, fake_apps):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    r = as_user(head_a).post(f"/api/v1/cases/{case.id}/corrections/", {
        "kind": "changed", "by": "litigation", "reason": "法院判决变更罚款数额",
        "new_measures": [{"kind": "fine", "amount": "2000"}],
    }, format="json")
    assert r.status_code == 200, r.json()
    case.refresh_from_db()
    assert case.fine_amount == 2000 and case.decision_state == "changed"
    correction = DecisionCorrection.objects.get(case=case)
    assert correction.previous_measures == [{"kind": "fine", "amount": "5000.00"}]
    assert fake_apps.withdrawals == [(case.decision_number, "changed")]


def test_there_is_nothing_to_correct_before_a_decision(as_user, officer_a, officer_a2, head_a):
    case = new_case(officer_a, officer_a2, on=START)
    r = as_user(head_a).post(f"/api/v1/cases/{case.id}/corrections/",
                             {"kind": "revoked", "by": "self_correction", "reason": "x"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "no_decision"
