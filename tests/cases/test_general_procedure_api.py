"""A general-procedure (普通程序) penalty case walked through the API by the people who would act."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from backend.cases.models import Case, CaseDeadline, CaseTransition, EnforcementDocument

LEGAL_BASIS = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, format="json", **headers)


def test_a_general_procedure_case_from_clue_to_archive(
    as_user, officer_a, officer_a2, head_a, auditor_a, fake_apps
):
    officer, head, auditor = as_user(officer_a), as_user(head_a), as_user(auditor_a)

    # 线索登记 by the officer in the field (offline-capable: client id, Idempotency-Key).
    created = post(officer, "/api/v1/cases/", {
        "title": "销售过期食品案", "source": "complaint", "party_type": "organisation",
        "party_name": "辽源市某某商贸有限公司", "party_uscc": "91220400MA0000007N", "party_legal_rep": "赵某",
        "place_address": "辽源市龙山区人民大街88号", "latitude": "42.888", "longitude": "125.144",
        "facts": "销售超过保质期的食品", "legal_basis": LEGAL_BASIS, "officer_ids": [str(officer_a2.pk)],
    }, HTTP_IDEMPOTENCY_KEY="create-1")
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    assert created.json()["status"] == "clue_received"
    assert created["ETag"] == '"1"'
    url = f"/api/v1/cases/{case_id}"

    r = post(officer, f"{url}/start_verification/", {"comment": "到现场核查", "latitude": "42.888",
                                                      "longitude": "125.144"})
    assert r.status_code == 200 and r.json()["status"] == "pre_review"

    # 立案: only the head; officers may not.
    assert post(officer, f"{url}/register/").status_code == 403
    r = post(head, f"{url}/register/", {"officer_ids": [str(officer_a.pk), str(officer_a2.pk)], "opinion": "同意立案"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "registered"
    assert r.json()["case_number"].endswith("号")

    assert post(officer, f"{url}/start_investigation/").json()["status"] == "investigating"
    doc = post(officer, f"{url}/documents/", {
        "doc_type": "inspection_record", "content": {"findings": "货架上有过期食品 12 件"},
        "place": "便利店货架",
    }, HTTP_IDEMPOTENCY_KEY="doc-1")
    assert doc.status_code == 201, doc.json()
    assert doc.json()["activity"] == "现场检查"

    r = post(officer, f"{url}/conclude_investigation/", {
        "report": "事实清楚，证据确凿", "measures": [{"kind": "fine", "amount": "20000"},
                                               {"kind": "confiscate_gains", "amount": "800"}],
    })
    assert r.json()["status"] == "investigation_concluded"
    r = post(officer, f"{url}/submit_review/")
    assert r.json()["status"] == "case_review"  # not major under the (fake) catalogue
    r = post(head, f"{url}/approve_proposal/")
    assert r.json()["status"] == "proposed", r.json()

    r = post(officer, f"{url}/notify/", {"content": {"note": "当场送达告知书"}})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "notified"
    assert r.json()["hearing_eligible"] is False  # 20,000 yuan < 100,000 for an organisation

    # The party expressly waives its statement (陈述申辩) on the spot: 复核 may start at once.
    r = post(officer, f"{url}/waiver/", {"statement": True, "note": "当事人表示无异议"})
    assert r.status_code == 200, r.json()
    assert post(officer, f"{url}/start_defence_review/").json()["status"] == "reviewing_defence"
    r = post(officer, f"{url}/submit_decision/", {"defence_adoption": "当事人未提出陈述申辩"})
    assert r.json()["status"] == "deciding"

    # 决定: the head only; the 文号 is assigned now and the decision goes to disclosure.
    assert post(officer, f"{url}/decide/").status_code == 403
    r = post(head, f"{url}/decide/")
    assert r.status_code == 200, r.json()
    decided = r.json()
    assert decided["status"] == "decided"
    assert "罚字" in decided["decision_number"]
    assert fake_apps.notices == [decided["decision_number"]]

    r = post(officer, f"{url}/serve/", {"method": "direct", "recipient": "赵某"})
    assert r.json()["status"] == "served"
    assert CaseDeadline.objects.get(case_id=case_id, rule_code="PAYMENT").kind == "party"
    assert post(officer, f"{url}/start_execution/").json()["status"] == "executing"
    # The execution app's account (backend/execution) answers for the money: 结案 waits for it.
    assert post(head, f"{url}/close/").json()["code"] == "execution_balance_open"
    paid = post(officer, f"{url}/payments/", {"amount": "20800.00", "channel": "bank", "reference": "BK-20800"})
    assert paid.status_code == 201 and paid.json()["case_status"] == "executing"  # 执行完毕 recorded with it
    assert post(head, f"{url}/close/").json()["status"] == "closed"
    r = post(officer, f"{url}/archive/", {"retention_years": 30})
    assert r.json()["status"] == "archived"

    case = Case.objects.get(pk=case_id)
    assert case.fine_amount == 20000 and case.confiscation_amount == 800
    assert case.decided_on == timezone.localdate()
    steps = list(CaseTransition.objects.filter(case=case).order_by("occurred_at").values_list("name", flat=True))
    assert steps == [
        "start_verification", "register", "start_investigation", "conclude_investigation", "submit_review",
        "approve_proposal", "notify", "start_defence_review", "submit_decision", "decide", "serve",
        "start_execution", "close", "archive",
    ]
    doc_types = set(EnforcementDocument.objects.filter(case=case).values_list("doc_type", flat=True))
    assert {"filing_approval", "inspection_record", "investigation_report", "penalty_notice", "decision",
            "service_receipt", "closure_approval"} <= doc_types
    states = dict(CaseDeadline.objects.filter(case=case).values_list("rule_code", "state"))
    assert states["DECISION"] == "met" and states["DECISION_SERVICE"] == "met"
    assert states["CLUE_VERIFY"] == "met" and states["CASE_CLOSURE"] == "met"

    # The auditor reads the whole story; every transition is on the timeline with its device/coordinates.
    timeline = auditor.get(f"{url}/timeline/").json()["results"]
    transitions = [e["transition"]["name"] for e in timeline if e["transition"]]
    assert transitions == steps
    first = next(e for e in timeline if e["transition"])
    assert first["transition"]["comment"] == "到现场核查" and first["transition"]["latitude"] == "42.888000"


def test_a_hearing_case_goes_through_post_hearing_legal_review(
    as_user, officer_a, officer_a2, head_a, reviewer_a, fake_apps
):
    """拟吊销许可证: hearing right (第六十三条) → hearing → legal review after it (第五十八条) → 集体讨论."""

    from cases.casekit import PARTY, new_case, walk

    today = timezone.localdate()
    start = today - dt.timedelta(days=40)
    case = new_case(officer_a, officer_a2, on=start)
    case = walk(case, officer=officer_a, head=head_a, to="proposed", start=start,
                measures=[{"kind": "revoke_licence", "detail": "吊销食品经营许可证"}])
    assert case.status == "proposed" and case.hearing_eligible
    assert PARTY["party_type"] == "natural_person"

    officer, head = as_user(officer_a), as_user(head_a)
    url = f"/api/v1/cases/{case.id}"
    two_days_ago = (today - dt.timedelta(days=2)).isoformat()
    r = post(officer, f"{url}/notify/", {"served_on": two_days_ago})
    assert r.status_code == 200, r.json()
    r = post(officer, f"{url}/request_hearing/", {"requested_on": two_days_ago})
    assert r.json()["status"] == "hearing_requested", r.json()
    assert CaseDeadline.objects.get(case=case, rule_code="DECISION").state == "paused"

    # The chair must not be an investigator (第六十四条第四项); the notice ≥ 7 working days ahead.
    hearing_date = today + dt.timedelta(days=20)
    body = {"hearing_date": hearing_date.isoformat(), "chair_id": str(officer_a.pk)}
    r = post(head, f"{url}/schedule_hearing/", body)
    assert r.status_code == 409 and r.json()["code"] == "hearing_chair_is_investigator"
    r = post(head, f"{url}/schedule_hearing/", {"hearing_date": (today + dt.timedelta(days=3)).isoformat(),
                                               "chair_id": str(reviewer_a.pk)})
    assert r.status_code == 409 and r.json()["code"] == "hearing_notice_too_late"
    r = post(head, f"{url}/schedule_hearing/", {"hearing_date": hearing_date.isoformat(),
                                               "chair_id": str(reviewer_a.pk)})
    assert r.json()["status"] == "hearing_scheduled", r.json()
    # The hearing is held on its date (recorded with a past date here, as an offline sync would).
    Case.objects.filter(pk=case.pk).update(hearing_date=today)
    r = post(officer, f"{url}/hold_hearing/", {"record": {"chair": "赵敏", "summary": "当事人提出申辩"}})
    assert r.json()["status"] == "hearing_held", r.json()
    r = post(officer, f"{url}/submit_post_hearing_review/")
    assert r.json()["status"] == "legal_review_post_hearing"
    assert "经过听证程序" in r.json()["major_reasons"]

    fake_apps.review_passed = False
    assert post(officer, f"{url}/start_defence_review/").json()["code"] == "legal_review_required"
    fake_apps.review_passed = True
    assert post(officer, f"{url}/start_defence_review/").json()["status"] == "reviewing_defence"
    assert post(officer, f"{url}/submit_decision/").json()["status"] == "deciding"
    # Legal-review cases are decided collectively (市场监管程序规定 第六十条).
    assert post(head, f"{url}/decide/").json()["code"] == "collective_discussion_required"
    r = post(head, f"{url}/decide/", {"collective_discussion": {
        "held_on": "2026-03-20", "participants": ["刘建国", "副局长 孙某", "副局长 李某"], "conclusion": "同意吊销"}})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "decided"
    # The clock stood still from the request to the end of the hearing (市场监管程序规定 第六十四条).
    assert CaseDeadline.objects.get(case=case, rule_code="DECISION").paused_days == 2
