"""The outcome of a round: the reviewer's opinion (审核意见书 number, payload, hash) and its effect on the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases.models import Case, CaseRules
from backend.cases.services import (
    case_return_for_investigation,
)
from backend.cases.workflow import TRANSITIONS
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews.checklist import (
    ItemResult,
    ReviewKind,
)
from backend.reviews.models import (
    OpinionCounter,
    ReviewAssignment,
    ReviewRound,
)
from backend.reviews.services.assignment import _ensure_assigned
from backend.reviews.services.clock import review_clock_show
from backend.reviews.services.common import (
    OUT,
    RS,
    _lock_round,
    _now,
    canonical_sha256,
    review_settings_get,
)

# --------------------------------------------------------------------------- outcome and opinion


def _issue_opinion_number(round_: ReviewRound, on: dt.date) -> str:
    OpinionCounter.objects.get_or_create(agency_id=round_.agency_id, year=on.year)
    counter = OpinionCounter.objects.select_for_update().get(agency_id=round_.agency_id, year=on.year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    prefix = review_settings_get(agency_id=round_.agency_id).opinion_number_prefix
    if not prefix:
        rules = CaseRules.objects.filter(agency_id=round_.agency_id).first()
        prefix = rules.number_prefix if rules else ""
    word = "法审" if round_.kind == ReviewKind.LEGAL_REVIEW else "案审"
    return f"{prefix}{word}〔{on.year}〕{counter.last_value}号"


def opinion_payload(round_: ReviewRound) -> dict[str, Any]:
    """The content of the 审核意见书 that its SHA-256 covers (and the audit trail records)."""
    return {
        "round_id": str(round_.pk),
        "case_id": str(round_.case_id),
        "kind": round_.kind,
        "number": round_.number,
        "opinion_number": round_.opinion_number,
        "outcome": round_.outcome,
        "opinion_text": round_.opinion_text,
        "correction_points": round_.correction_points,
        "checklist": [
            {"code": e.code, "title": e.title, "result": e.result, "note": e.note} for e in round_.checklist.all()
        ],
        "reviewer_id": str(round_.completed_by_id) if round_.completed_by_id else None,
        "completed_at": round_.completed_at,
        "package_sha256": round_.package_sha256,
        "proposal_fingerprint": round_.proposal_fingerprint,
    }


CORRECTION_ASPECTS = {
    "characterization": "定性",
    "basis": "适用依据",
    "procedure": "程序",
    "outcome": "处理结果",
    "facts": "事实证据",
    "discretion": "裁量",
    "documents": "文书",
    "other": "其他",
}


@transaction.atomic
def review_complete(
    *,
    round_: ReviewRound,
    actor: User,
    outcome: str,
    opinion_text: str = "",
    correction_points: Sequence[dict[str, str]] = (),
    context: AuditContext | None = None,
) -> ReviewRound:
    """The reviewer issues the written opinion (审核意见书) and closes the round.

    同意 needs every item 符合 or 不适用; the other outcomes need the reasons in ``opinion_text``
    (建议纠正 also names what to correct: 定性、依据、程序或处理结果; 市场监管程序规定 第五十四条).
    建议补充调查 returns the case to 调查取证 through the cases app. The opinion enters the audit trail
    (``review.opinion``) with the reviewer's identity, the time and the SHA-256 of its content.
    """
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    if round_.status != RS.IN_REVIEW:
        raise PreconditionFailed(
            "review_round_state",
            f"本轮审核当前状态为“{round_.get_status_display()}”，不能出具意见",
            extra={"status": round_.status},
        )
    if outcome not in OUT.values:
        raise ApplicationError(
            "invalid_outcome", "审核结论无效", status=422, fields={"outcome": [f"须为：{'、'.join(OUT.values)}"]}
        )
    entries = list(round_.checklist.all())
    opinion_text = opinion_text.strip()
    points = [dict(p) for p in correction_points]
    if outcome == OUT.APPROVED:
        unfilled = [e.code for e in entries if not e.result]
        failing = [e.code for e in entries if e.result == ItemResult.NONCONFORMING]
        if unfilled or failing:
            raise PreconditionFailed(
                "checklist_not_passed",
                "同意须每一项审核内容均为“符合”或“不适用”",
                extra={"unfilled": unfilled, "nonconforming": failing},
            )
        opinion_text = (
            opinion_text
            or "经审核，本案执法主体合法，程序合法，事实清楚，证据确实充分，适用依据正确，裁量适当，同意拟作出的决定。"
        )
    else:
        if not opinion_text:
            raise ApplicationError(
                "opinion_required", "须写明审核意见及理由", status=422, fields={"opinion_text": ["必填"]}
            )
        if outcome == OUT.CORRECTION_REQUIRED:
            bad = [p for p in points if p.get("aspect") not in CORRECTION_ASPECTS or not str(p.get("text", "")).strip()]
            if bad or not (points or any(e.result == ItemResult.NONCONFORMING for e in entries)):
                raise ApplicationError(
                    "correction_points_required",
                    "建议纠正须指出需纠正的定性、依据、程序或处理结果",
                    status=422,
                    fields={"correction_points": [f"aspect 须为：{'、'.join(CORRECTION_ASPECTS)}，并说明"]},
                )
    now = _now()
    round_.outcome = outcome
    round_.opinion_text = opinion_text
    round_.correction_points = points
    round_.completed_at = now
    round_.completed_by = actor
    round_.status = RS.COMPLETED
    round_.opinion_number = _issue_opinion_number(round_, timezone.localdate(now))
    round_.opinion_sha256 = canonical_sha256(opinion_payload(round_))
    round_.save()
    review_clock_show(round_)
    ReviewAssignment.objects.filter(round=round_, ended_at__isnull=True).update(ended_at=now, end_reason="出具审核意见")
    audit_record(
        action="review.opinion",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={
            "kind": round_.kind,
            "number": round_.number,
            "outcome": outcome,
            "opinion_number": round_.opinion_number,
            "opinion_sha256": round_.opinion_sha256,
            "reviewer": str(actor.pk),
            "reviewer_name": str(actor),
            "completed_at": now,
            "package_sha256": round_.package_sha256,
            "nonconforming": [e.code for e in entries if e.result == ItemResult.NONCONFORMING],
        },
    )
    if outcome == OUT.SUPPLEMENTARY_INVESTIGATION:
        _return_case_for_investigation(round_, actor=actor, context=context)
    return round_


def _return_case_for_investigation(round_: ReviewRound, *, actor: User, context: AuditContext | None) -> None:
    """建议补充调查: the case goes back to 调查取证 (市场监管程序规定 第五十四条) via the cases app."""
    case = Case.objects.get(pk=round_.case_id)
    if case.status not in TRANSITIONS["return_for_investigation"].sources:
        return
    case_return_for_investigation(
        case=case,
        actor=actor,
        context=context or AuditContext(actor=actor),
        reason=f"法制审核意见：建议补充调查（{round_.opinion_number}）",
    )
