"""Review rounds: submission with a frozen package, pass, return-and-resubmit, not-pass, the gate."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from backend.cases.models import Case
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.models import AuditEvent
from backend.ledger.services import AuditContext
from backend.reviews import services
from backend.reviews.models import ReviewRound


@pytest.fixture
def major_case(catalog_a, make_case, officer_a, add_evidence):
    case = make_case(fine="150000.00")  # 对组织罚款超过十万元
    add_evidence(case, officer_a, kind="video", activity="现场检查")
    return case


def gate_code(case: Case) -> str | None:
    case.refresh_from_db()
    try:
        services.review_ensure_passed(case=case)
    except PreconditionFailed as exc:
        return exc.code
    return None


def test_submission_freezes_the_package_and_moves_the_case_into_legal_review(major_case, officer_a, submit) -> None:
    round_ = submit(major_case, officer_a)
    major_case.refresh_from_db()
    assert major_case.status == Case.Status.LEGAL_REVIEW
    assert major_case.is_major and major_case.major_reasons
    assert round_.kind == "legal_review" and round_.number == 1 and round_.status == "pending"
    assert round_.package["proposal"]["fine_amount"] == "150000.00"
    assert round_.package["discretion"].startswith("适用")
    (item,) = round_.evidence_manifest
    assert len(item["sha256"]) == 64
    assert [r["code"] for r in round_.major_reasons] == ["catalog.fine_org"]
    # Later changes to the case do not change what was reviewed.
    Case.objects.filter(pk=major_case.pk).update(facts="事实已改写")
    round_.refresh_from_db()
    assert round_.package["facts"] == "当事人在其经营场所销售超过保质期的预包装食品。"
    assert round_.package_sha256 == services.canonical_sha256(
        {"package": round_.package, "evidence": round_.evidence_manifest}
    )
    assert AuditEvent.objects.filter(action="review.submitted", case_id=major_case.pk).exists()


def test_an_incomplete_package_is_refused(major_case, officer_a) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.review_submit(case=major_case, actor=officer_a, context=AuditContext(actor=officer_a))
    assert exc.value.code == "review_package_incomplete"
    assert set(exc.value.fields) == {"investigation_report", "discretion"}


def test_it_passes_when_every_item_conforms(major_case, officer_a, reviewer_a, submit, approve) -> None:
    assert gate_code(major_case) == "legal_review_required"
    round_ = submit(major_case, officer_a)
    assert gate_code(major_case) == "legal_review_not_passed"  # in progress
    round_ = approve(round_)
    assert round_.passed and round_.opinion_number.endswith("号")
    assert gate_code(major_case) is None
    event = AuditEvent.objects.get(action="review.opinion")
    assert event.case_id == major_case.pk and event.actor_id == reviewer_a.pk
    assert event.data["outcome"] == "approved" and event.data["opinion_sha256"] == round_.opinion_sha256
    reference = services.review_decision_reference(case=major_case)
    assert reference["review_round_id"] == str(round_.pk)


def test_approval_needs_every_item_conforming_or_not_applicable(
    fill_all, major_case, officer_a, reviewer_a, submit
) -> None:
    round_ = submit(major_case, officer_a)
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    with pytest.raises(ApplicationError) as exc:
        services.review_checklist_fill(
            round_=round_, actor=reviewer_a, items=[{"code": "discretion", "result": "nonconforming", "note": ""}]
        )
    assert exc.value.code == "checklist_invalid"  # 不符合 needs a reason
    fill_all(round_, reviewer_a, crime_transfer="not_applicable", discretion="nonconforming")
    with pytest.raises(PreconditionFailed) as exc:
        services.review_complete(round_=round_, actor=reviewer_a, outcome="approved")
    assert exc.value.code == "checklist_not_passed"
    assert exc.value.extra["nonconforming"] == ["discretion"]


def test_return_and_resubmit_keeps_the_history(fill_all, major_case, officer_a, reviewer_a, submit, approve) -> None:
    first = submit(major_case, officer_a)
    services.review_assign(round_=first, reviewer=reviewer_a, actor=reviewer_a)
    fill_all(first, reviewer_a, discretion="nonconforming")
    services.review_complete(
        round_=first,
        actor=reviewer_a,
        outcome="correction_required",
        opinion_text="裁量过重，建议按一般情节重新裁量。",
        correction_points=[{"aspect": "outcome", "text": "罚款数额与情节不相当"}],
    )
    assert gate_code(major_case) == "legal_review_not_passed"
    # The handling unit corrects the proposal and resubmits: round 2 with the history kept.
    Case.objects.filter(pk=major_case.pk).update(
        proposed_measures=[{"kind": "fine", "amount": "120000.00"}], proposed_fine_amount=Decimal("120000")
    )
    major_case.refresh_from_db()
    second = submit(major_case, officer_a, discretion="按一般情节裁量。")
    assert second.number == 2 and second.previous_round_id == first.pk
    approve(second)
    assert gate_code(major_case) is None
    rounds = list(ReviewRound.objects.filter(case=major_case).order_by("number"))
    assert [(r.number, r.outcome) for r in rounds] == [(1, "correction_required"), (2, "approved")]


def test_correction_needs_the_points_to_correct(major_case, officer_a, reviewer_a, submit) -> None:
    round_ = submit(major_case, officer_a)
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    with pytest.raises(ApplicationError) as exc:
        services.review_complete(round_=round_, actor=reviewer_a, outcome="correction_required", opinion_text="有问题")
    assert exc.value.code == "correction_points_required"


def test_not_passed_supplementary_investigation_returns_the_case(major_case, officer_a, reviewer_a, submit) -> None:
    round_ = submit(major_case, officer_a)
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    services.review_complete(
        round_=round_,
        actor=reviewer_a,
        outcome="supplementary_investigation",
        opinion_text="违法所得数额证据不足，建议补充调查。",
        context=AuditContext(actor=reviewer_a),
    )
    major_case.refresh_from_db()
    assert major_case.status == Case.Status.INVESTIGATING
    assert gate_code(major_case) == "legal_review_not_passed"


def test_deciding_differently_from_the_reviewed_proposal_needs_a_new_round(
    major_case, officer_a, submit, approve
) -> None:
    approve(submit(major_case, officer_a))
    assert gate_code(major_case) is None
    Case.objects.filter(pk=major_case.pk).update(decided_measures=[{"kind": "fine", "amount": "140000.00"}])
    major_case.refresh_from_db()
    with pytest.raises(PreconditionFailed) as exc:
        services.review_ensure_passed(case=major_case)
    assert exc.value.code == "legal_review_not_passed" and exc.value.extra["reason"] == "proposal_changed"


def test_a_hearing_case_is_reviewed_after_the_hearing(major_case, officer_a, submit, approve) -> None:
    approve(submit(major_case, officer_a))
    Case.objects.filter(pk=major_case.pk).update(status=Case.Status.HEARING_REQUESTED)
    major_case.refresh_from_db()
    with pytest.raises(PreconditionFailed) as exc:
        submit(major_case, officer_a)
    assert exc.value.code == "hearing_not_finished"
    Case.objects.filter(pk=major_case.pk).update(
        status=Case.Status.HEARING_HELD, hearing_held_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    major_case.refresh_from_db()
    with pytest.raises(PreconditionFailed) as exc:
        services.review_ensure_passed(case=major_case)
    assert exc.value.extra["reason"] == "review_before_hearing"
    post = submit(major_case, officer_a, hearing_record="听证笔录：当事人对事实无异议。")
    major_case.refresh_from_db()
    assert post.post_hearing and major_case.status == Case.Status.LEGAL_REVIEW_POST_HEARING
    approve(post)
    assert gate_code(major_case) is None


def test_a_non_major_general_case_needs_the_lighter_case_review(
    catalog_a, make_case, officer_a, submit, approve
) -> None:
    case = make_case(fine="5000.00")
    assert gate_code(case) == "case_review_required"
    round_ = submit(case, officer_a)
    case.refresh_from_db()
    assert round_.kind == "case_review" and case.status == Case.Status.CASE_REVIEW
    assert [e.code for e in round_.checklist.all()][:3] == ["jurisdiction", "party_info", "facts_evidence"]
    approve(round_)
    assert gate_code(case) is None


def test_a_major_case_cannot_be_sent_to_the_lighter_review(major_case, officer_a, submit) -> None:
    with pytest.raises(PreconditionFailed) as exc:
        submit(major_case, officer_a, kind="case_review")
    assert exc.value.code == "legal_review_required"


def test_summary_procedure_needs_no_review(make_case) -> None:
    case = make_case(fine="100.00", procedure="summary", status=Case.Status.ON_SITE)
    assert gate_code(case) is None


def test_a_new_submission_supersedes_an_open_round(major_case, officer_a, submit) -> None:
    first = submit(major_case, officer_a)
    second = submit(major_case, officer_a)
    first.refresh_from_db()
    assert first.status == "withdrawn" and second.status == "pending"
