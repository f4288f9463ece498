"""Disagreement between the handling unit and the reviewer (§4.9): raised, resolved, the round reopened."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from backend.accounts.models import Role, User
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews.models import (
    CollectiveDiscussion,
    ReviewDispute,
    ReviewRound,
)
from backend.reviews.services.clock import review_clock_show
from backend.reviews.services.common import (
    OUT,
    RS,
    _ensure_agency,
    _ensure_role,
    _is_handler,
    _lock_round,
    _now,
    _today,
)
from backend.reviews.services.rounds import _create_checklist, _due

# --------------------------------------------------------------------------- disagreement (§4.9)


@transaction.atomic
def review_dispute_raise(
    *,
    round_: ReviewRound,
    actor: User,
    grounds: str,
    escalate_to: str = ReviewDispute.EscalateTo.HEAD,
    context: AuditContext | None = None,
) -> ReviewDispute:
    """The handling unit disagrees with a non-approving opinion and escalates it (国办发〔2018〕118号 (十四))."""
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    if not _is_handler(round_.case, actor):
        raise Forbidden("只有本案承办人员可以对审核意见提出异议", code="not_handling_officer")
    if round_.status != RS.COMPLETED or round_.outcome == OUT.APPROVED:
        raise PreconditionFailed("dispute_not_applicable", "只能对已出具的非同意审核意见提出异议")
    if round_.disputes.filter(status=ReviewDispute.Status.OPEN).exists():
        raise PreconditionFailed("dispute_open", "已有待处理的异议")
    if escalate_to not in ReviewDispute.EscalateTo.values:
        raise ApplicationError("invalid_escalation", "提请对象无效", status=422, fields={"escalate_to": ["无效"]})
    if not grounds.strip():
        raise ApplicationError("dispute_grounds_required", "须说明异议理由", status=422, fields={"grounds": ["必填"]})
    dispute = ReviewDispute.objects.create(
        round=round_, raised_by=actor, raised_at=_now(), grounds=grounds.strip(), escalate_to=escalate_to
    )
    audit_record(
        action="review.dispute_raised",
        target=dispute,
        context=context,
        actor=actor,
        agency_id=round_.agency_id,
        case_id=round_.case_id,
        data={"round": str(round_.pk), "grounds": dispute.grounds, "escalate_to": escalate_to},
    )
    return dispute


@transaction.atomic
def review_dispute_resolve(
    *,
    dispute: ReviewDispute,
    actor: User,
    resolution: str,
    note: str,
    collective_discussion: CollectiveDiscussion | None = None,
    context: AuditContext | None = None,
) -> ReviewDispute:
    """The head (or the collective meeting, recorded) resolves the disagreement.

    ``adopt_opinion``: the handling unit follows the opinion and resubmits after correcting.
    ``re_review``: a new round with the same frozen package, for another reviewer. Neither path lets a
    decision through without a passed review (行政处罚法 第五十八条).
    """
    dispute = ReviewDispute.objects.select_for_update().select_related("round").get(pk=dispute.pk)
    round_ = dispute.round
    _ensure_agency(actor, round_.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="审核意见分歧由机关负责人决定", code="head_required")
    if dispute.status != ReviewDispute.Status.OPEN:
        raise PreconditionFailed("dispute_resolved", "该异议已处理")
    if resolution not in ReviewDispute.Resolution.values:
        raise ApplicationError("invalid_resolution", "处理结果无效", status=422, fields={"resolution": ["无效"]})
    if dispute.escalate_to == ReviewDispute.EscalateTo.COLLECTIVE and collective_discussion is None:
        raise ApplicationError(
            "collective_discussion_required",
            "提请集体讨论的异议须附集体讨论记录",
            status=422,
            fields={"collective_discussion_id": ["必填"]},
        )
    if collective_discussion is not None and collective_discussion.case_id != round_.case_id:
        raise ApplicationError("invalid_collective_discussion", "集体讨论记录不属于本案", status=422)
    new_round = None
    if resolution == ReviewDispute.Resolution.RE_REVIEW:
        if ReviewRound.objects.filter(case_id=round_.case_id, status__in=ReviewRound.OPEN_STATUSES).exists():
            raise PreconditionFailed("review_round_open", "本案已有进行中的审核")
        new_round = _reopen_round(round_, actor=actor, context=context)
    dispute.status = ReviewDispute.Status.RESOLVED
    dispute.resolution = resolution
    dispute.resolution_note = note
    dispute.resolved_by = actor
    dispute.resolved_at = _now()
    dispute.collective_discussion = collective_discussion
    dispute.new_round = new_round
    dispute.save()
    audit_record(
        action="review.dispute_resolved",
        target=dispute,
        context=context,
        actor=actor,
        agency_id=round_.agency_id,
        case_id=round_.case_id,
        data={
            "resolution": resolution,
            "note": note,
            "new_round": str(new_round.pk) if new_round else None,
            "collective_discussion": str(collective_discussion.pk) if collective_discussion else None,
        },
    )
    return dispute


def _reopen_round(old: ReviewRound, *, actor: User, context: AuditContext | None) -> ReviewRound:
    today = _today()
    package = old.package  # the same frozen package (and hash): only the reviewer changes
    number = (ReviewRound.objects.filter(case_id=old.case_id, kind=old.kind).aggregate(m=Max("number"))["m"] or 0) + 1
    due_on, provisional = _due(today, old.time_limit_workdays)
    new = ReviewRound.objects.create(
        agency_id=old.agency_id,
        case_id=old.case_id,
        kind=old.kind,
        number=number,
        post_hearing=old.post_hearing,
        previous_round=old,
        submitted_by=actor,
        submitted_at=_now(),
        package=package,
        evidence_manifest=old.evidence_manifest,
        package_sha256=old.package_sha256,
        proposal_fingerprint=old.proposal_fingerprint,
        major_reasons=old.major_reasons,
        catalog=old.catalog,
        received_on=today,
        time_limit_workdays=old.time_limit_workdays,
        due_on=due_on,
        due_provisional=provisional,
    )
    review_clock_show(new, today=today)
    _create_checklist(new, {e.code: e.hints for e in old.checklist.all()})
    audit_record(
        action="review.submitted",
        target=new,
        context=context,
        actor=actor,
        case_id=old.case_id,
        data={"kind": new.kind, "number": number, "re_review_of": str(old.pk), "package_sha256": new.package_sha256},
    )
    return new
