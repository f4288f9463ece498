"""Supplementary materials requested by the reviewer: the review clock pauses until they are resolved."""

from __future__ import annotations

from django.db import transaction

from backend.accounts.models import User
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews import prechecks
from backend.reviews.models import (
    ReviewRound,
    SupplementRequest,
)
from backend.reviews.services.assignment import _ensure_assigned
from backend.reviews.services.clock import review_clock_show
from backend.reviews.services.common import (
    RS,
    _calendar,
    _ensure_agency,
    _ensure_transition,
    _is_handler,
    _lock_round,
    _now,
    _today,
)
from backend.reviews.services.rounds import _recompute_due

# --------------------------------------------------------------------------- supplements (clock paused)


@transaction.atomic
def review_supplement_request(
    *, round_: ReviewRound, actor: User, items: str, context: AuditContext | None = None
) -> SupplementRequest:
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    _ensure_transition(round_, RS.SUPPLEMENTING)
    if round_.status != RS.IN_REVIEW:
        raise PreconditionFailed("review_round_state", "只有审核中的案件可以要求补充材料")
    if not items.strip():
        raise ApplicationError(
            "supplement_items_required", "须列明需补充的材料", status=422, fields={"items": ["必填"]}
        )
    now, today = _now(), _today()
    request = SupplementRequest.objects.create(
        round=round_, requested_by=actor, requested_on=today, requested_at=now, items=items.strip()
    )
    round_.status = RS.SUPPLEMENTING
    round_.paused_since = today
    round_.save(update_fields=["status", "paused_since", "updated_at"])
    review_clock_show(round_, today=today)  # the clock stands still (第五十五条; 内蒙古 第三十一条)
    audit_record(
        action="review.supplement_requested",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"items": request.items, "paused_since": today},
    )
    return request


@transaction.atomic
def review_supplement_resolve(
    *, supplement: SupplementRequest, actor: User, response: str, context: AuditContext | None = None
) -> SupplementRequest:
    """Materials supplied: the clock resumes and the due date moves by the working days paused
    (内蒙古…法制审核办法 第三十一条: 补充材料的时间不计入审核期限). Evidence received since the submission
    is listed on the request; the frozen package of the round is not changed."""
    round_ = _lock_round(supplement.round)
    supplement = SupplementRequest.objects.select_for_update().get(pk=supplement.pk)
    _ensure_agency(actor, round_.agency_id)
    if not (_is_handler(round_.case, actor) or round_.reviewer_id == actor.pk):
        raise Forbidden("只有本案承办人员或审核人员可以办理补充材料", code="not_handling_officer")
    if supplement.resolved_at is not None or round_.status != RS.SUPPLEMENTING:
        raise PreconditionFailed("supplement_resolved", "补充材料已办结")
    now, today = _now(), _today()
    paused = max(0, _calendar().workdays_between(round_.paused_since or today, today))
    frozen_ids = {e["id"] for e in round_.evidence_manifest}
    added = [e for e in prechecks.evidence_manifest(round_.case) if e["id"] not in frozen_ids]
    supplement.resolved_at = now
    supplement.resolved_on = today
    supplement.resolved_by = actor
    supplement.response = response
    supplement.added_evidence = added
    supplement.paused_workdays = paused
    supplement.save()
    round_.paused_workdays += paused
    round_.paused_since = None
    round_.status = RS.IN_REVIEW
    _recompute_due(round_)
    round_.save(update_fields=["paused_workdays", "paused_since", "status", "due_on", "due_provisional", "updated_at"])
    review_clock_show(round_, today=today)
    audit_record(
        action="review.supplement_resolved",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"paused_workdays": paused, "due_on": round_.due_on, "added_evidence": added, "response": response},
    )
    return supplement
