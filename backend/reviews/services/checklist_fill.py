"""The reviewer's work on a round: the statutory checklist filled in, the pre-checks refreshed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from backend.accounts.models import User
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews import prechecks
from backend.reviews.checklist import (
    ItemResult,
)
from backend.reviews.models import (
    CaseReviewFlags,
    ReviewRound,
)
from backend.reviews.services.assignment import _ensure_assigned
from backend.reviews.services.common import (
    RS,
    _ensure_agency,
    _lock_round,
    _now,
)

# --------------------------------------------------------------------------- checklist and pre-checks


@transaction.atomic
def review_checklist_fill(
    *, round_: ReviewRound, actor: User, items: Sequence[dict[str, Any]], context: AuditContext | None = None
) -> ReviewRound:
    """The reviewer records 符合 / 不符合 / 不适用 (with a note; required for 不符合) per item."""
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    if round_.status != RS.IN_REVIEW:
        raise PreconditionFailed(
            "review_round_state",
            f"本轮审核当前状态为“{round_.get_status_display()}”，不能填写审核内容",
            extra={"status": round_.status},
        )
    entries = {e.code: e for e in round_.checklist.all()}
    errors: dict[str, list[str]] = {}
    for item in items:
        code = str(item.get("code", ""))
        result = str(item.get("result", ""))
        note = str(item.get("note", "") or "").strip()
        if code not in entries:
            errors[code or "code"] = ["没有该审核条目"]
        elif result not in ItemResult.__members__.values():
            errors[code] = ["结论须为 conforms（符合）、nonconforming（不符合）或 not_applicable（不适用）"]
        elif result == ItemResult.NONCONFORMING and not note:
            errors[code] = ["结论为不符合时须说明理由"]
    if errors:
        raise ApplicationError("checklist_invalid", "审核内容填写有误", status=422, fields=errors)
    now = _now()
    changed = []
    for item in items:
        entry = entries[str(item["code"])]
        entry.result = str(item["result"])
        entry.note = str(item.get("note", "") or "").strip()
        entry.filled_by = actor
        entry.filled_at = now
        entry.save(update_fields=["result", "note", "filled_by", "filled_at"])
        changed.append({"code": entry.code, "result": entry.result})
    audit_record(
        action="review.checklist_filled",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"items": changed},
    )
    return round_


@transaction.atomic
def review_prechecks_refresh(*, round_: ReviewRound, actor: User, context: AuditContext | None = None) -> ReviewRound:
    """Re-run the automatic pre-checks against the case as it is now (hints only; the package stays frozen)."""
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    if not round_.is_open:
        raise PreconditionFailed("review_round_state", "本轮审核已结束")
    flags_row = CaseReviewFlags.objects.filter(case_id=round_.case_id).first()
    hints = prechecks.run_prechecks(case=round_.case, flags=flags_row.as_flags() if flags_row else frozenset())
    entries = list(round_.checklist.all())
    placed = prechecks.place_hints(hints, [e.code for e in entries])
    for entry in entries:
        entry.hints = placed.get(entry.code, [])
        entry.save(update_fields=["hints"])
    audit_record(
        action="review.prechecks_refreshed",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"problems": sorted({h["check"] for hs in placed.values() for h in hs if h["status"] == "problem"})},
    )
    return round_
