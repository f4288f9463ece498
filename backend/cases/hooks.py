"""Calls from the case workflow into the reviews, disclosures and evidence apps (CONTRACTS.md).

Each function imports its target lazily and by name, so the apps stay decoupled and can be built in
parallel. While a target does not exist yet the adapter is conservative: a major case is treated as
*not* reviewed (the decision is refused), notice hooks do nothing, and no recordings are known.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from backend.common.errors import PreconditionFailed

logger = logging.getLogger(__name__)


def _resolve(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # The target (or its app) is not there yet; a missing import *inside* it is a real error.
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            return None
        raise
    return getattr(mod, name, None)


def review_major_evaluate(*, case: Any) -> list[str]:
    """Reasons the proposed decision is major (重大执法决定); empty when it is not."""
    fn = _resolve("backend.reviews.services", "review_major_evaluate")
    if fn is None:
        return _fallback_major_reasons(case)
    return list(fn(case=case) or [])


def _fallback_major_reasons(case: Any) -> list[str]:
    # 行政处罚法 第五十八条第一款第二项: a case that went through a hearing is major.
    reasons = []
    if case.hearing_held_on:
        reasons.append("经过听证程序")
    return reasons


def review_ensure_passed(*, case: Any) -> None:
    """Raise PreconditionFailed unless a passed review round covers the current proposal.

    行政处罚法 第五十八条: 未经法制审核或者审核未通过的，不得作出决定.
    """
    fn = _resolve("backend.reviews.services", "review_ensure_passed")
    if fn is not None:
        fn(case=case)
        return
    if case.is_major:
        raise PreconditionFailed(
            "legal_review_required",
            "重大执法决定须经法制审核通过后方可作出决定",
            extra={"major_reasons": list(case.major_reasons)},
        )


def review_decision_reference(*, case: Any) -> dict[str, Any] | None:
    """What the head's decision cites: the passed review round and its 审核意见书 (第五十八条)."""
    fn = _resolve("backend.reviews.services", "review_decision_reference")
    return fn(case=case) if fn is not None else None


def review_ensure_collective_discussion(*, case: Any) -> None:
    """Raise PreconditionFailed unless the required 集体讨论 is on record (行政处罚法 第五十七条第二款).

    The reviews app keeps the discussion records when it is installed; until then a 集体讨论记录 among
    the case's documents satisfies the requirement.
    """
    fn = _resolve("backend.reviews.services", "review_ensure_collective_discussion")
    if fn is not None:
        fn(case=case)
        return
    if case.collective_discussion_required and not case.documents.filter(doc_type="collective_discussion").exists():
        raise PreconditionFailed("collective_discussion_required", "本案须经负责人集体讨论决定（第五十七条第二款）")


def notice_create_for_decision(*, case: Any, context: Any) -> None:
    fn = _resolve("backend.disclosures.services", "notice_create_for_decision")
    if fn is not None:
        fn(case=case, context=context)


def notice_withdraw_for_case(*, case: Any, reason: str, kind: str, context: Any) -> None:
    fn = _resolve("backend.disclosures.services", "notice_withdraw_for_case")
    if fn is not None:
        fn(case=case, reason=reason, kind=kind, context=context)


def case_recorded_activities(*, case_id: Any) -> set[str]:
    """Acts with at least one received audio/video recording among the case's evidence."""
    fn = _resolve("backend.evidence.selectors", "case_recorded_activities")
    if fn is None:
        return set()
    return set(fn(case_id=case_id))


def evidence_received_count(*, case_id: Any) -> int:
    """Number of received evidence items of the case (0 while the evidence app has no model)."""
    try:
        models = importlib.import_module("backend.evidence.models")
    except ModuleNotFoundError:
        return 0
    item = getattr(models, "EvidenceItem", None)
    if item is None:
        return 0
    qs = item.objects.filter(case_id=case_id)
    if any(f.name == "status" for f in item._meta.get_fields()):
        qs = qs.filter(status="received")
    return qs.count()
