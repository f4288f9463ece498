"""Only legal reviewers review; handlers, approvers and recused people are refused; first assignment
needs 法律职业资格; the queue supports assignment and reassignment."""

from __future__ import annotations

import pytest
from django.utils import timezone
from support import make_user

from backend.accounts.models import Role
from backend.cases.models import CaseTransition
from backend.common.errors import Forbidden, PreconditionFailed
from backend.ledger.models import AuditEvent
from backend.reviews import services
from backend.reviews.models import Recusal, ReviewAssignment


@pytest.fixture
def round_(catalog_a, make_case, officer_a, submit):
    return submit(make_case(fine="150000.00"), officer_a)


def test_a_reviewer_who_handled_the_case_is_refused(
    catalog_a, agency_a, make_case, officer_a, submit, as_user, head_a
) -> None:
    both = make_user("both", agency_a, [Role.FIELD_OFFICER, Role.LEGAL_REVIEWER], credential="A-0099", full_name="周双")
    both.legal_qualification_no = "A2020000000001"
    both.save()
    round_ = submit(make_case(fine="150000.00", officers=[officer_a, both]), officer_a)
    with pytest.raises(PreconditionFailed) as exc:
        services.review_assign(round_=round_, reviewer=both, actor=head_a)
    assert exc.value.code == "reviewer_conflict"
    assert exc.value.extra["conflicts"][0]["reason"] == "handler"
    # Through the API as well: the same 409 with the code.
    response = as_user(head_a).post(
        f"/api/v1/reviews/rounds/{round_.pk}/assign/", {"reviewer_id": str(both.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "reviewer_conflict"


def test_a_reviewer_who_approved_a_step_of_the_case_is_refused(round_, reviewer_a, head_a) -> None:
    CaseTransition.objects.create(
        case=round_.case, name="register", to_status="registered", actor=reviewer_a, occurred_at=timezone.now()
    )
    with pytest.raises(PreconditionFailed) as exc:
        services.review_assign(round_=round_, reviewer=reviewer_a, actor=head_a)
    assert [c["reason"] for c in exc.value.extra["conflicts"]] == ["approver"]


def test_only_legal_reviewers_review(round_, head_a, officer_a2) -> None:
    with pytest.raises(PreconditionFailed) as exc:
        services.review_assign(round_=round_, reviewer=head_a, actor=head_a)
    assert exc.value.code == "not_legal_reviewer"
    with pytest.raises(Forbidden):
        services.review_assign(round_=round_, reviewer=head_a, actor=officer_a2)


def test_the_first_assignment_needs_a_legal_qualification(round_, agency_a, head_a) -> None:
    novice = make_user("novice", agency_a, [Role.LEGAL_REVIEWER], full_name="吴新")
    with pytest.raises(PreconditionFailed) as exc:
        services.review_assign(round_=round_, reviewer=novice, actor=head_a)
    assert exc.value.code == "reviewer_not_qualified"
    novice.legal_qualification_no = "A2024000000009"
    novice.save()
    services.review_assign(round_=round_, reviewer=novice, actor=head_a)
    round_.refresh_from_db()
    assert round_.reviewer == novice and round_.status == "in_review"


def test_reassignment_keeps_the_history(round_, reviewer_a, reviewer_a2, head_a) -> None:
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)  # claimed from the queue
    services.review_assign(round_=round_, reviewer=reviewer_a2, actor=head_a, reason="工作量调整")
    history = list(ReviewAssignment.objects.filter(round=round_).order_by("assigned_at"))
    assert [(a.reviewer, a.ended_at is not None) for a in history] == [(reviewer_a, True), (reviewer_a2, False)]
    assert AuditEvent.objects.filter(action="review.reassigned", case_id=round_.case_id).count() == 1


def test_only_the_assigned_reviewer_issues_the_opinion(round_, reviewer_a, reviewer_a2) -> None:
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    with pytest.raises(Forbidden) as exc:
        services.review_complete(round_=round_, actor=reviewer_a2, outcome="other", opinion_text="x")
    assert exc.value.code == "not_assigned_reviewer"


def test_recusal_returns_the_round_to_the_queue_and_blocks_reassignment(
    round_, reviewer_a, reviewer_a2, head_a
) -> None:
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    services.review_recusal_record(
        case=round_.case,
        reviewer=reviewer_a,
        actor=reviewer_a,
        reason=Recusal.Reason.PARTY_RELATED,
        note="与当事人法定代表人系近亲属",
    )
    round_.refresh_from_db()
    assert round_.status == "pending" and round_.reviewer is None
    with pytest.raises(PreconditionFailed) as exc:
        services.review_assign(round_=round_, reviewer=reviewer_a, actor=head_a)
    assert exc.value.extra["conflicts"][0]["reason"] == "party_related"
    services.review_assign(round_=round_, reviewer=reviewer_a2, actor=head_a)
    assert AuditEvent.objects.filter(action="review.recused", case_id=round_.case_id).exists()


def test_queue_lists_open_rounds_of_the_agency_only(round_, as_user, reviewer_a, officer_a, officer_b) -> None:
    response = as_user(reviewer_a).get("/api/v1/reviews/queue/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(round_.pk)]
    assert as_user(officer_a).get("/api/v1/reviews/queue/").status_code == 403
    assert as_user(officer_b).get(f"/api/v1/reviews/rounds/{round_.pk}/").status_code == 404
