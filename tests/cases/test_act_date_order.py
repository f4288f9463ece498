"""A step cannot be dated before the act it follows: 422 ``date_before_previous_act`` (backend/common/clock.py).

A decision served before it was made, a hearing requested before the notice, a decision revoked before it
existed would each move the statutory periods that run from the earlier act (行政处罚法 第六十一条、
第六十四条、第四十八条第二款)."""

from __future__ import annotations

import datetime as dt

from cases.casekit import new_case, walk

START = dt.date(2026, 3, 2)  # 立案 03-02, 调查终结 03-05, 告知 03-07, 决定 03-23, 送达 03-24 (casekit.walk)


def _refused(r, field: str, previous_on: str) -> None:
    assert r.status_code == 422, r.json()
    body = r.json()
    assert body["code"] == "date_before_previous_act"
    assert "不能早于" in body["message"] and field in body["fields"]
    assert body["extra"]["previous_on"] == previous_on


def test_the_notice_cannot_be_served_before_the_investigation_was_concluded(as_user, officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="proposed", start=START)
    officer = as_user(officer_a)
    r = officer.post(f"/api/v1/cases/{case.id}/notify/", {"served_on": "2026-03-04"}, format="json")
    _refused(r, "served_on", "2026-03-05")
    r = officer.post(f"/api/v1/cases/{case.id}/notify/", {"served_on": "2026-03-05"}, format="json")
    assert r.status_code == 200, r.json()


def test_a_hearing_cannot_be_requested_before_the_notice(as_user, officer_a, officer_a2, head_a):
    case = walk(
        new_case(officer_a, officer_a2, on=START),
        officer=officer_a,
        head=head_a,
        to="notified",
        start=START,
        measures=[{"kind": "fine", "amount": "30000"}],
    )
    assert case.hearing_eligible and case.notified_on == dt.date(2026, 3, 7)
    officer = as_user(officer_a)
    r = officer.post(f"/api/v1/cases/{case.id}/request_hearing/", {"requested_on": "2026-03-06"}, format="json")
    _refused(r, "requested_on", "2026-03-07")
    r = officer.post(f"/api/v1/cases/{case.id}/request_hearing/", {"requested_on": "2026-03-09"}, format="json")
    assert r.status_code == 200, r.json()


def test_a_decision_cannot_be_served_before_it_was_made(as_user, officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="decided", start=START)
    assert case.decided_on == dt.date(2026, 3, 23)
    officer = as_user(officer_a)
    url = f"/api/v1/cases/{case.id}/serve/"
    r = officer.post(url, {"method": "direct", "recipient": "王小明", "served_on": "2026-03-20"}, format="json")
    _refused(r, "served_on", "2026-03-23")
    r = officer.post(url, {"method": "direct", "recipient": "王小明", "served_on": "2026-03-23"}, format="json")
    assert r.status_code == 200, r.json()


def test_a_decision_cannot_be_revoked_before_it_was_made(as_user, officer_a, officer_a2, head_a, fake_apps):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    head = as_user(head_a)
    url = f"/api/v1/cases/{case.id}/corrections/"
    body = {
        "kind": "changed",
        "by": "reconsideration",
        "reason": "复议机关变更罚款数额",
        "reference": "辽复决〔2026〕7号",
        "new_measures": [{"kind": "fine", "amount": "3000"}],
    }
    _refused(head.post(url, {**body, "effective_on": "2026-03-01"}, format="json"), "effective_on", "2026-03-23")
    assert head.post(url, {**body, "effective_on": "2026-04-10"}, format="json").status_code == 200
    # A later correction cannot precede the one before it.
    later = {"kind": "revoked", "by": "litigation", "reason": "法院判决撤销", "reference": "（2026）吉0402行初5号"}
    _refused(head.post(url, {**later, "effective_on": "2026-04-01"}, format="json"), "effective_on", "2026-04-10")
    assert fake_apps.withdrawals == [(case.decision_number, "changed")]
