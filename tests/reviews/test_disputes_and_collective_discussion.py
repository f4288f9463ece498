"""Disagreement with an opinion escalates to the head and is recorded (§4.9); 集体讨论 records (§4.11)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.models import AuditEvent
from backend.reviews import services


@pytest.fixture
def major_case(catalog_a, make_case):
    return make_case(fine="150000.00")


@pytest.fixture
def corrected(major_case, officer_a, reviewer_a, submit):
    round_ = submit(major_case, officer_a)
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    return services.review_complete(
        round_=round_, actor=reviewer_a, outcome="other", opinion_text="定性存疑，建议研究。"
    )


def test_a_disagreement_is_escalated_and_a_re_review_goes_to_another_reviewer(
    corrected, officer_a, head_a, reviewer_a, reviewer_a2
) -> None:
    dispute = services.review_dispute_raise(round_=corrected, actor=officer_a, grounds="定性依据充分，不同意审核意见")
    with pytest.raises(Forbidden):
        services.review_dispute_resolve(dispute=dispute, actor=officer_a, resolution="re_review", note="x")
    dispute = services.review_dispute_resolve(
        dispute=dispute, actor=head_a, resolution="re_review", note="另行指定审核人员审核"
    )
    new_round = dispute.new_round
    assert new_round.number == 2 and new_round.status == "pending"
    assert new_round.package_sha256 == corrected.package_sha256
    with pytest.raises(PreconditionFailed) as exc:
        services.review_assign(round_=new_round, reviewer=reviewer_a, actor=head_a)
    assert exc.value.code == "reviewer_conflict"
    services.review_assign(round_=new_round, reviewer=reviewer_a2, actor=head_a)
    actions = set(AuditEvent.objects.filter(case_id=corrected.case_id).values_list("action", flat=True))
    assert {"review.dispute_raised", "review.dispute_resolved"} <= actions


def test_an_approved_opinion_cannot_be_disputed(major_case, officer_a, submit, approve) -> None:
    round_ = approve(submit(major_case, officer_a))
    with pytest.raises(PreconditionFailed) as exc:
        services.review_dispute_raise(round_=round_, actor=officer_a, grounds="x")
    assert exc.value.code == "dispute_not_applicable"


def test_adopting_the_opinion_still_requires_a_passed_round(corrected, officer_a, head_a) -> None:
    dispute = services.review_dispute_raise(round_=corrected, actor=officer_a, grounds="不同意")
    services.review_dispute_resolve(dispute=dispute, actor=head_a, resolution="adopt_opinion", note="采纳审核意见")
    with pytest.raises(PreconditionFailed) as exc:
        services.review_ensure_passed(case=corrected.case)
    assert exc.value.code == "legal_review_not_passed"


def test_collective_discussion_follows_the_passed_review_and_needs_enough_people(
    major_case, officer_a, head_a, reviewer_a, submit, approve
) -> None:
    today = timezone.localdate()
    with pytest.raises(PreconditionFailed) as exc:
        services.collective_discussion_record(
            case=major_case,
            actor=head_a,
            held_on=today,
            chair=head_a,
            participants=[head_a],
            other_participants=["副局长 孙某", "副局长 钱某"],
            conclusion="同意",
        )
    assert exc.value.code == "legal_review_not_passed"
    approve(submit(major_case, officer_a))
    with pytest.raises(ApplicationError) as exc:
        services.collective_discussion_record(
            case=major_case, actor=head_a, held_on=today, chair=head_a, participants=[head_a], conclusion="同意"
        )
    assert exc.value.code == "collective_discussion_invalid"
    record = services.collective_discussion_record(
        case=major_case,
        actor=head_a,
        held_on=today,
        chair=head_a,
        participants=[head_a, reviewer_a],
        other_participants=["副局长 孙某"],
        conclusion="同意给予罚款十五万元的行政处罚",
    )
    assert record.review_round.passed
    services.review_ensure_collective_discussion(case=major_case)
    assert AuditEvent.objects.filter(action="review.collective_discussion", case_id=major_case.pk).exists()


def test_a_discussion_document_from_the_decide_request_also_counts(
    major_case, officer_a, head_a, submit, approve
) -> None:
    from backend.cases.models import EnforcementDocument

    approve(submit(major_case, officer_a))
    with pytest.raises(PreconditionFailed) as exc:
        services.review_ensure_collective_discussion(case=major_case)
    assert exc.value.code == "collective_discussion_required"
    EnforcementDocument.objects.create(
        case=major_case,
        doc_type="collective_discussion",
        occurred_at=timezone.now(),
        content={
            "held_on": timezone.localdate().isoformat(),
            "participants": ["刘建国", "孙某", "钱某"],
            "conclusion": "同意",
        },
    )
    services.review_ensure_collective_discussion(case=major_case)
