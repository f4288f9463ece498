"""Each statutory precondition of a transition, proved by trying to break it: 409 with a code naming it,
and nothing changed (the transition is all-or-nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import FINE_5000, at, ctx, new_case, walk
from django.utils import timezone
from support import make_user

from backend.accounts.models import OfficerCredential, Role
from backend.cases import services
from backend.cases.models import Case, CaseDeadline, CaseTransition, DocumentType
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.models import AuditEvent

START = dt.date(2026, 3, 2)  # a Monday, credentials valid


def unchanged(case: Case, status: str, version: int) -> None:
    case.refresh_from_db()
    assert (case.status, case.version) == (status, version)


def test_registration_with_one_officer_only_is_refused(officer_a, officer_a2, head_a, as_user):
    case = new_case(officer_a, officer_a2, on=START)
    events = AuditEvent.objects.count()
    r = as_user(head_a).post(f"/api/v1/cases/{case.id}/register/", {"officer_ids": [str(officer_a.pk)]},
                             format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "too_few_officers"
    assert r.json()["extra"] == {"required": 2, "assigned": 1}
    unchanged(case, "clue_received", 1)
    assert case.case_number == ""
    assert AuditEvent.objects.count() == events  # nothing written, not even the audit event


def test_an_expired_credential_blocks_the_act_at_that_moment(officer_a, officer_a2, head_a, agency_a):
    case = new_case(officer_a, officer_a2, on=START)
    case = walk(case, officer=officer_a, head=head_a, to="investigating", start=START)
    credential = OfficerCredential.objects.get(user=officer_a2)
    credential.valid_until = START + dt.timedelta(days=2)
    credential.save()
    # Still valid on day 2: the on-site record is accepted.
    services.case_add_document(case=case, actor=officer_a, context=ctx(officer_a), now=at(START + dt.timedelta(2)),
                               doc_type=DocumentType.INSPECTION_RECORD, content={"findings": "x"})
    version = Case.objects.get(pk=case.pk).version
    with pytest.raises(PreconditionFailed) as failure:
        services.case_conclude_investigation(case=case, actor=officer_a, context=ctx(officer_a), report="终结",
                                             now=at(START + dt.timedelta(days=3)))
    assert failure.value.code == "credential_expired"
    assert failure.value.extra["officer"] == str(officer_a2.pk)
    unchanged(case, "investigating", version)


def test_a_suspended_credential_blocks_registration(officer_a, officer_a2, head_a):
    OfficerCredential.objects.filter(user=officer_a2).update(status=OfficerCredential.Status.SUSPENDED)
    case = new_case(officer_a, officer_a2, on=START)
    with pytest.raises(PreconditionFailed) as failure:
        services.case_register(case=case, actor=head_a, context=ctx(head_a), now=at(START))
    assert failure.value.code == "credential_suspended"


def test_no_notice_without_evidence(officer_a, officer_a2, head_a):
    case = new_case(officer_a, officer_a2, on=START)
    case = walk(case, officer=officer_a, head=head_a, to="investigating", start=START)
    services.case_conclude_investigation(case=case, actor=officer_a, context=ctx(officer_a), report="x",
                                         measures=FINE_5000, now=at(START + dt.timedelta(3)))
    services.case_submit_review(case=case, actor=officer_a, context=ctx(officer_a), now=at(START + dt.timedelta(4)))
    services.case_approve_proposal(case=case, actor=head_a, context=ctx(head_a), now=at(START + dt.timedelta(4)))
    with pytest.raises(PreconditionFailed) as failure:
        services.case_notify(case=case, actor=officer_a, context=ctx(officer_a), now=at(START + dt.timedelta(5)))
    assert failure.value.code == "evidence_missing"


def test_deciding_inside_the_notice_window_is_refused(as_user, officer_a, officer_a2, head_a):
    """告知 served today: the 5-working-day statement window is open (第六十二条)."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    case = walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="proposed", start=start)
    officer = as_user(officer_a)
    url = f"/api/v1/cases/{case.id}"
    assert officer.post(f"{url}/notify/", {}, format="json").status_code == 200
    r = officer.post(f"{url}/start_defence_review/", {}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "statement_window_open"
    assert r.json()["extra"]["window_ends_on"] > today.isoformat()
    # The same guard protects 决定 itself, whatever path led there.
    Case.objects.filter(pk=case.pk).update(status="deciding")
    r = as_user(head_a).post(f"{url}/decide/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "statement_window_open"
    case.refresh_from_db()
    assert case.decision_number == ""


def test_the_hearing_window_also_has_to_elapse(officer_a, officer_a2, head_a):
    case = new_case(officer_a, officer_a2, on=START)
    case = walk(case, officer=officer_a, head=head_a, to="notified", start=START,
                measures=[{"kind": "fine", "amount": "50000"}])  # ≥ 10,000 for a person: hearing right
    assert case.hearing_eligible
    services.case_record_waiver(case=case, actor=officer_a, context=ctx(officer_a), statement=True,
                                now=at(START + dt.timedelta(6)))
    with pytest.raises(PreconditionFailed) as failure:
        services.case_start_defence_review(case=case, actor=officer_a, context=ctx(officer_a),
                                           now=at(START + dt.timedelta(6)))
    assert failure.value.code == "hearing_window_open"
    services.case_start_defence_review(case=case, actor=officer_a, context=ctx(officer_a),
                                       now=at(START + dt.timedelta(13)))


def test_deciding_a_major_case_without_review_is_refused(officer_a, officer_a2, head_a, fake_apps):
    fake_apps.major_reasons = ["罚款数额达到法制审核目录标准"]
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="legal_review",
                start=START)
    assert case.status == "legal_review" and case.is_major and case.collective_discussion_required
    fake_apps.review_passed = False
    with pytest.raises(PreconditionFailed) as failure:
        services.case_approve_proposal(case=case, actor=head_a, context=ctx(head_a), now=at(START + dt.timedelta(5)))
    assert failure.value.code == "legal_review_required"
    # Even a case that got further (e.g. the review was later withdrawn) cannot be decided.
    fake_apps.review_passed = True
    case = walk(case, officer=officer_a, head=head_a, to="deciding", start=START)
    fake_apps.review_passed = False
    with pytest.raises(PreconditionFailed) as failure:
        services.case_decide(case=case, actor=head_a, context=ctx(head_a), now=at(START + dt.timedelta(21)),
                             collective_discussion={"conclusion": "同意"})
    assert failure.value.code == "legal_review_required"
    unchanged(case, "deciding", case.version)
    assert not case.documents.filter(doc_type="collective_discussion").exists()  # rolled back with the rest


def test_deciding_after_90_days_needs_an_approved_extension(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="deciding", start=START)
    due = CaseDeadline.objects.get(case=case, rule_code="DECISION").due_on
    assert due == dt.date(2026, 6, 1)  # 2026-03-02 + 90 days = Sun 05-31, rolls to the next working day
    late = at(START + dt.timedelta(days=95))
    with pytest.raises(PreconditionFailed) as failure:
        services.case_decide(case=case, actor=head_a, context=ctx(head_a), now=late)
    assert failure.value.code == "decision_overdue_reason_required"
    assert failure.value.extra["due_on"] == "2026-06-01"
    # The head approves +30 days (第六十条; 市场监管程序规定 第六十四条); a second one needs 集体讨论.
    services.case_extend_decision(case=case, actor=head_a, context=ctx(head_a), reason="案情复杂",
                                  now=at(START + dt.timedelta(days=85)))
    with pytest.raises(PreconditionFailed) as again:
        services.case_extend_decision(case=case, actor=head_a, context=ctx(head_a), reason="再延", now=late)
    assert again.value.code == "extension_needs_collective_discussion"
    case = services.case_decide(case=case, actor=head_a, context=ctx(head_a), now=late)
    assert case.status == "decided"
    deadline = CaseDeadline.objects.get(case=case, rule_code="DECISION")
    assert deadline.state == "met" and deadline.extensions == 1 and deadline.due_on == dt.date(2026, 6, 30)


def test_suspension_pauses_the_decision_clock(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="investigating",
                start=START)
    services.case_suspend(case=case, actor=head_a, context=ctx(head_a), reason="等待检验结果",
                          now=at(START + dt.timedelta(days=10)))
    deadline = CaseDeadline.objects.get(case=case, rule_code="DECISION")
    assert deadline.state == "paused"
    services.case_resume(case=case, actor=head_a, context=ctx(head_a), now=at(START + dt.timedelta(days=40)))
    deadline.refresh_from_db()
    assert deadline.state == "due" and deadline.paused_days == 30
    assert deadline.due_on == dt.date(2026, 6, 30)  # 2026-05-31 + 30 paused days


def test_a_heavier_penalty_after_defence_requires_a_new_notice(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a,
                to="reviewing_defence", start=START)
    heavier = [{"kind": "fine", "amount": "8000"}]
    with pytest.raises(PreconditionFailed) as failure:
        services.case_submit_decision(case=case, actor=officer_a, context=ctx(officer_a), measures=heavier,
                                      now=at(START + dt.timedelta(20)))
    assert failure.value.code == "heavier_penalty_requires_new_notice"
    # A lighter one is fine (第四十五条: 不得因陈述申辩而加重).
    case = services.case_submit_decision(case=case, actor=officer_a, context=ctx(officer_a),
                                         measures=[{"kind": "fine", "amount": "3000"}],
                                         now=at(START + dt.timedelta(20)))
    assert case.status == "deciding"
    with pytest.raises(PreconditionFailed) as failure:
        services.case_decide(case=case, actor=head_a, context=ctx(head_a), measures=heavier,
                             now=at(START + dt.timedelta(21)))
    assert failure.value.code == "heavier_penalty_requires_new_notice"
    # Renotify: back to 拟处罚, then a new 告知 covers the heavier penalty.
    Case.objects.filter(pk=case.pk).update(status="reviewing_defence")
    case = services.case_renotify(case=case, actor=officer_a, context=ctx(officer_a), measures=heavier,
                                  reason="发现新的违法事实", now=at(START + dt.timedelta(22)))
    assert case.status == "proposed"
    case = services.case_notify(case=case, actor=officer_a, context=ctx(officer_a), now=at(START + dt.timedelta(23)))
    assert case.notified_measures == [{"kind": "fine", "amount": "8000.00"}]


def test_transitions_from_the_wrong_status_name_the_status(officer_a, officer_a2, head_a, as_user):
    case = new_case(officer_a, officer_a2, on=START)
    r = as_user(head_a).post(f"/api/v1/cases/{case.id}/decide/", {}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed"
    assert r.json()["extra"]["status"] == "clue_received"


def test_only_the_head_decides_and_only_handlers_act(officer_a, officer_a2, head_a, agency_a):
    other = make_user("other_officer", agency_a, [Role.FIELD_OFFICER], credential="A-77")
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="deciding", start=START)
    with pytest.raises(Forbidden) as failure:
        services.case_decide(case=case, actor=officer_a, context=ctx(officer_a), now=at(START + dt.timedelta(21)))
    assert failure.value.code == "head_required"
    with pytest.raises(Forbidden) as failure:
        services.case_return_for_investigation(case=case, actor=other, context=ctx(other), reason="x")
    assert failure.value.code == "not_handling_officer"


def test_electronic_service_needs_the_partys_consent(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="decided", start=START)
    with pytest.raises(PreconditionFailed) as failure:
        services.case_serve(case=case, actor=officer_a, context=ctx(officer_a), method="electronic",
                            now=at(START + dt.timedelta(22)))
    assert failure.value.code == "electronic_service_without_consent"
    case = services.case_serve(case=case, actor=officer_a, context=ctx(officer_a), method="electronic",
                               electronic_consent=True, now=at(START + dt.timedelta(22)))
    assert case.status == "served"


def test_registration_after_the_limitation_period_is_refused(officer_a, officer_a2, head_a):
    case = new_case(officer_a, officer_a2, on=START, violation_on=dt.date(2024, 3, 1))
    with pytest.raises(PreconditionFailed) as failure:
        services.case_register(case=case, actor=head_a, context=ctx(head_a), now=at(START))
    assert failure.value.code == "limitation_expired"
    # 5 years where life, health or financial safety was harmed (第三十六条).
    case = services.case_register(case=case, actor=head_a, context=ctx(head_a), serious_harm=True, now=at(START))
    assert case.status == "registered"


def test_no_penalty_and_transfer_exits(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a,
                to="investigation_concluded", start=START)
    case = services.case_decide_without_penalty(
        case=case, actor=head_a, context=ctx(head_a), outcome="transfer_judicial", reason="涉嫌犯罪",
        receiver="辽源市公安局", now=at(START + dt.timedelta(5)),
    )
    assert case.status == "decided" and case.decision_outcome == "transfer_judicial"
    assert "移字" in case.decision_number
    case = services.case_close(case=case, actor=head_a, context=ctx(head_a), now=at(START + dt.timedelta(6)))
    assert case.status == "closed"
    assert [t.name for t in CaseTransition.objects.filter(case=case).order_by("occurred_at")][-2:] == [
        "decide_without_penalty", "close"]


def test_declining_to_register(officer_a, officer_a2, head_a):
    case = new_case(officer_a, officer_a2, on=START)
    case = services.case_decline(case=case, actor=head_a, context=ctx(head_a), reason="不属于本机关管辖",
                                 now=at(START + dt.timedelta(3)))
    assert case.status == "not_registered" and not case.is_open
    assert CaseDeadline.objects.get(case=case, rule_code="CLUE_VERIFY").state == "met"
    with pytest.raises(ApplicationError):
        services.case_update(case=case, actor=officer_a, context=ctx(officer_a), fields={"title": "x"},
                             expected_version=case.version)


@pytest.mark.parametrize(
    ("party_type", "eligible"), [("natural_person", True), ("sole_trader", True), ("organisation", False)]
)
def test_the_hearing_threshold_for_persons_covers_sole_traders(officer_a, officer_a2, party_type, eligible):
    """较大数额罚款 (第六十三条), default 10,000 yuan for 公民 (个体工商户 included), 100,000 for organisations."""
    from backend.cases.services.common import hearing_eligible

    case = new_case(officer_a, officer_a2, on=START, party_type=party_type)
    assert hearing_eligible(case=case, measures=[{"kind": "fine", "amount": "10000"}]) is eligible


def test_service_by_public_notice_counts_from_thirty_days_after_publication(officer_a, officer_a2, head_a):
    """公告送达 (民事诉讼法 第九十五条): published on 03-24, deemed served 30 days later (04-23); the agency's
    7-working-day duty to serve is met by the publication, the party's 15-day payment period starts at 04-23."""
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="decided", start=START)
    published = START + dt.timedelta(22)
    case = services.case_serve(case=case, actor=officer_a, context=ctx(officer_a), method="public_notice",
                               served_on=published, now=at(published))
    assert (case.status, case.served_on) == ("served", dt.date(2026, 4, 23))
    service = CaseDeadline.objects.get(case=case, rule_code="DECISION_SERVICE")
    assert (service.state, service.met_on) == ("met", published)
    payment = CaseDeadline.objects.get(case=case, rule_code="PAYMENT")
    assert payment.anchor_on == dt.date(2026, 4, 23)
    receipt = case.documents.get(doc_type=DocumentType.SERVICE_RECEIPT)
    assert receipt.content["published_on"] == "2026-03-24" and receipt.content["served_on"] == "2026-04-23"
