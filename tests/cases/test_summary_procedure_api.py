"""简易程序 (当场处罚): its own short path, and its statutory limits (行政处罚法 第五十一、五十二条)."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import at, ctx
from django.utils import timezone
from support import make_user

from backend.accounts.models import Role
from backend.cases import services
from backend.cases.deadlines import deadline_reminders
from backend.cases.models import Case, CaseDeadline

LEGAL_BASIS = [{"law": "中华人民共和国道路交通安全法", "article": "第九十条"}]


def summary_body(officer2, **overrides):
    body = {
        "title": "占道经营", "party_type": "natural_person", "party_name": "李四",
        "party_id_number": "220402198001011118",
        "place_address": "辽源市西安区仙城大街", "facts": "在人行道上摆摊经营", "legal_basis": LEGAL_BASIS,
        "officer_ids": [str(officer2.pk)], "measures": [{"kind": "fine", "amount": "100"}],
    }
    body.update(overrides)
    return body


def test_a_summary_case_is_decided_on_the_spot_filed_and_closed(as_user, officer_a, officer_a2, head_a, fake_apps):
    officer, head = as_user(officer_a), as_user(head_a)
    r = officer.post("/api/v1/cases/summary/", summary_body(officer_a2), format="json",
                     HTTP_IDEMPOTENCY_KEY="summary-1")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "on_site" and body["procedure"] == "summary"
    assert "简罚" in body["decision_number"] and body["case_number"] == body["decision_number"]
    case = Case.objects.get(pk=body["id"])
    assert set(case.handling_officers.all()) == {officer_a, officer_a2}
    assert case.documents.get().doc_type == "summary_decision"
    filing = CaseDeadline.objects.get(case=case, rule_code="SUMMARY_FILING")
    assert filing.due_on > timezone.localdate()
    assert fake_apps.notices == [case.decision_number]

    url = f"/api/v1/cases/{case.id}"
    assert officer.post(f"{url}/file_summary/", {}, format="json").json()["status"] == "filed"
    assert officer.post(f"{url}/start_execution/", {}, format="json").json()["status"] == "executing"
    # The 100 yuan is paid at the bank (第六十七条): the execution app's payment records 执行完毕.
    paid = officer.post(f"{url}/payments/", {"amount": "100.00", "channel": "bank", "reference": "BK-100"},
                        format="json")
    assert paid.status_code == 201, paid.json()
    r = head.post(f"{url}/close/", {}, format="json")
    assert r.json()["status"] == "closed", r.json()
    filing.refresh_from_db()
    assert filing.state == "met" and not filing.met_late


def test_a_warning_needs_no_execution(as_user, officer_a, officer_a2, head_a):
    officer, head = as_user(officer_a), as_user(head_a)
    r = officer.post("/api/v1/cases/summary/", summary_body(officer_a2, measures=[{"kind": "warning"}]),
                     format="json")
    assert r.status_code == 201, r.json()
    url = f"/api/v1/cases/{r.json()['id']}"
    officer.post(f"{url}/file_summary/", {}, format="json")
    assert head.post(f"{url}/close/", {}, format="json").json()["status"] == "closed"


@pytest.mark.parametrize(
    ("party_type", "measures", "ok"),
    [
        ("natural_person", [{"kind": "fine", "amount": "200"}], True),
        ("natural_person", [{"kind": "fine", "amount": "200.01"}], False),
        # 个体工商户 are fined by the 公民 amounts (natural persons in civil law, 民法典 第五十四条).
        ("sole_trader", [{"kind": "fine", "amount": "200"}], True),
        ("sole_trader", [{"kind": "fine", "amount": "200.01"}], False),
        ("organisation", [{"kind": "fine", "amount": "3000"}], True),
        ("organisation", [{"kind": "fine", "amount": "3001"}], False),
        ("natural_person", [{"kind": "confiscate_gains", "amount": "50"}], False),
        ("natural_person", [{"kind": "warning"}, {"kind": "fine", "amount": "50"}], True),
    ],
)
def test_summary_procedure_limits(as_user, officer_a, officer_a2, party_type, measures, ok):
    r = as_user(officer_a).post(
        "/api/v1/cases/summary/", summary_body(officer_a2, party_type=party_type, measures=measures), format="json"
    )
    if ok:
        assert r.status_code == 201, r.json()
    else:
        assert r.status_code == 409
        assert r.json()["code"] == "summary_procedure_not_applicable"
        assert not Case.objects.exists()


def test_an_on_the_spot_penalty_needs_two_officers_with_valid_credentials(as_user, officer_a, agency_a):
    expired = make_user("expired", agency_a, [Role.FIELD_OFFICER], credential="A-9",
                        valid_until=timezone.localdate() - dt.timedelta(days=1))
    client = as_user(officer_a)
    r = client.post("/api/v1/cases/summary/", summary_body(expired), format="json")
    assert r.status_code == 409 and r.json()["code"] == "credential_expired"
    r = client.post("/api/v1/cases/summary/", summary_body(officer_a, officer_ids=[str(officer_a.pk)]), format="json")
    assert r.status_code == 409 and r.json()["code"] == "too_few_officers"
    assert not Case.objects.exists()


def test_filing_after_seven_working_days_is_recorded_late_and_flagged_overdue(officer_a, officer_a2):
    """Decided on Fri 2026-09-18: 7 working days end Tue 2026-09-29 (Sun 09-20 is a make-up working day,
    中秋 09-25..27 are rest days)."""
    case = services.case_create_summary(
        actor=officer_a, context=ctx(officer_a), officer_ids=[officer_a2.pk],
        fields={"title": "占道经营", "party_type": "natural_person", "party_name": "李四", "facts": "摆摊",
                "legal_basis": LEGAL_BASIS},
        measures=[{"kind": "fine", "amount": "50"}], decided_at=at("2026-09-18"), now=at("2026-09-18", 11),
    )
    filing = CaseDeadline.objects.get(case=case, rule_code="SUMMARY_FILING")
    assert filing.due_on == dt.date(2026, 9, 29)
    deadline_reminders(today=dt.date(2026, 9, 30))
    filing.refresh_from_db()
    assert filing.state == "overdue"
    services.case_file_summary(case=case, actor=officer_a, context=ctx(officer_a), now=at("2026-10-09"))
    filing.refresh_from_db()
    assert filing.state == "met" and filing.met_late


def test_only_time_limited_measures_take_a_term(as_user, officer_a, officer_a2):
    r = as_user(officer_a).post(
        "/api/v1/cases/summary/",
        summary_body(officer_a2, measures=[{"kind": "warning", "months": 6}]),
        format="json",
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_measure"
