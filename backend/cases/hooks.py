"""Calls from the case workflow into the reviews, disclosures and evidence apps.

The targets are imported inside each function (the apps import the cases app, so importing them at
module level would be circular), through :func:`_resolve` so that the cases tests can stand in for the
other apps. A missing target is an error, never a silent skip: a decision must not go unreviewed or
unpublished because a function was renamed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def _resolve(module: str, name: str) -> Callable[..., Any]:
    return getattr(importlib.import_module(module), name)


def review_major_evaluate(*, case: Any) -> list[str]:
    """Reasons the proposed decision is major (重大执法决定); empty when it is not."""
    return list(_resolve("backend.reviews.services", "review_major_evaluate")(case=case) or [])


def review_ensure_passed(*, case: Any) -> None:
    """Raise PreconditionFailed unless a passed review round covers the current proposal.

    行政处罚法 第五十八条: 未经法制审核或者审核未通过的，不得作出决定.
    """
    _resolve("backend.reviews.services", "review_ensure_passed")(case=case)


def review_decision_reference(*, case: Any) -> dict[str, Any] | None:
    """What the head's decision cites: the passed review round and its 审核意见书 (第五十八条)."""
    return _resolve("backend.reviews.services", "review_decision_reference")(case=case)


def review_ensure_collective_discussion(*, case: Any) -> None:
    """Raise PreconditionFailed unless the required 集体讨论 is on record (行政处罚法 第五十七条第二款)."""
    _resolve("backend.reviews.services", "review_ensure_collective_discussion")(case=case)


def review_extend_time_limit(*, case: Any, actor: Any, reason: str, context: Any) -> None:
    """The head extends the open review round's time limit: the round is the one clock of the review
    (市场监督管理行政处罚程序规定 第五十五条); the case's CASE_REVIEW/LEGAL_REVIEW row follows it."""
    _resolve("backend.reviews.services", "review_extension_grant")(
        case=case, actor=actor, reason=reason, context=context
    )


def notice_create_for_decision(*, case: Any, context: Any) -> None:
    """Draft the public notice of a decision (行政处罚法 第四十八条)."""
    _resolve("backend.disclosures.services", "notice_create_for_decision")(case=case, context=context)


def notice_withdraw_for_case(*, case: Any, reason: str, kind: str, triggered_on: Any, context: Any) -> None:
    """Withdraw the notice of a changed, revoked, illegal or void decision (第四十八条第二款); the time limit
    runs from ``triggered_on``, the day the decision was changed."""
    _resolve("backend.disclosures.services", "notice_withdraw_for_case")(
        case=case, reason=reason, kind=kind, triggered_on=triggered_on, context=context
    )


def case_recorded_activities(*, case_id: Any) -> set[str]:
    """Acts with at least one received audio/video recording among the case's evidence."""
    return set(_resolve("backend.evidence.selectors", "case_recorded_activities")(case_id=case_id))


def case_evidence_list_text(*, case_id: Any) -> list[str]:
    """The received evidence as the 决定书 lists it (第五十九条第二项)."""
    return list(_resolve("backend.evidence.selectors", "case_evidence_list_text")(case_id=case_id))


def evidence_received_count(*, case_id: Any) -> int:
    """Number of received evidence items of the case."""
    from backend.evidence.models import EvidenceItem

    return EvidenceItem.objects.filter(case_id=case_id, status=EvidenceItem.Status.RECEIVED).count()
