"""The reviews app's answers to the case workflow (backend/cases/events.py): the legal-review gate of a
decision (行政处罚法 第五十七条、第五十八条) and the review's one clock."""

from __future__ import annotations

from typing import Any

from backend.cases.events import (
    CollectiveDiscussionGate,
    DecisionReviewReference,
    MajorDecisionReasons,
    ReviewPassedGate,
    ReviewTimeLimitExtended,
)
from backend.common.events import subscribe
from backend.reviews.services.evaluation import (
    review_decision_reference,
    review_ensure_collective_discussion,
    review_ensure_passed,
    review_major_evaluate,
)
from backend.reviews.services.extensions import review_extension_grant


def answer_major_reasons(question: MajorDecisionReasons) -> list[str]:
    return list(review_major_evaluate(case=question.case) or [])


def answer_review_passed(question: ReviewPassedGate) -> None:
    review_ensure_passed(case=question.case)


def answer_collective_discussion(question: CollectiveDiscussionGate) -> None:
    review_ensure_collective_discussion(case=question.case)


def answer_decision_reference(question: DecisionReviewReference) -> dict[str, Any] | None:
    return review_decision_reference(case=question.case)


def on_review_time_limit_extended(event: ReviewTimeLimitExtended) -> None:
    review_extension_grant(case=event.case, actor=event.actor, reason=event.reason, context=event.context)


def wire() -> None:
    """Called from ReviewsConfig.ready()."""
    subscribe(MajorDecisionReasons, answer_major_reasons)
    subscribe(ReviewPassedGate, answer_review_passed)
    subscribe(CollectiveDiscussionGate, answer_collective_discussion)
    subscribe(DecisionReviewReference, answer_decision_reference)
    subscribe(ReviewTimeLimitExtended, on_review_time_limit_extended)
