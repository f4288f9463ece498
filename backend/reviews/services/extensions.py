"""Extensions of the review time limit: requested by the reviewer, granted or decided by the head."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from backend.accounts.models import Role, User
from backend.cases.models import Case
from backend.cases.rules import extension_in_time
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews.models import (
    ReviewExtension,
    ReviewRound,
)
from backend.reviews.services.assignment import _ensure_assigned
from backend.reviews.services.clock import review_clock_show
from backend.reviews.services.common import (
    RS,
    _ensure_agency,
    _ensure_role,
    _lock_round,
    _now,
    _today,
    review_settings_get,
)
from backend.reviews.services.rounds import _recompute_due

# --------------------------------------------------------------------------- extensions


@transaction.atomic
def review_extension_request(
    *,
    round_: ReviewRound,
    actor: User,
    workdays: int | None = None,
    reason: str,
    context: AuditContext | None = None,
) -> ReviewExtension:
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    if not round_.is_open:
        raise PreconditionFailed("review_round_state", "本轮审核已结束")
    if round_.extensions.filter(status=ReviewExtension.Status.REQUESTED).exists():
        raise PreconditionFailed("extension_pending", "已有待批准的延期申请")
    settings_row = review_settings_get(agency_id=round_.agency_id)
    approved = round_.extensions.filter(status=ReviewExtension.Status.APPROVED).count()
    if settings_row.max_extensions is not None and approved >= settings_row.max_extensions:
        raise PreconditionFailed("extension_limit", f"审核期限最多延长 {settings_row.max_extensions} 次")
    if not reason.strip():
        raise ApplicationError("extension_reason_required", "须说明延期理由", status=422, fields={"reason": ["必填"]})
    workdays = workdays or settings_row.extension_workdays
    extension = ReviewExtension.objects.create(
        round=round_, workdays=workdays, reason=reason.strip(), requested_by=actor, requested_at=_now()
    )
    audit_record(
        action="review.extension_requested",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"workdays": workdays, "reason": extension.reason},
    )
    return extension


def _ensure_extension_in_time(round_: ReviewRound, today: dt.date) -> None:
    """An extension is approved while the limit runs (on its last day at the latest); a round waiting for
    materials has a stopped clock and may be extended (see backend.cases.rules.extension_in_time)."""
    if round_.status == RS.SUPPLEMENTING or extension_in_time(due_on=round_.due_on, approved_on=today):
        return
    raise PreconditionFailed(
        "extension_after_expiry",
        f"审核期限已于{round_.due_on.isoformat()}届满，不能再批准延长；延长须在期限届满前批准",
        extra={"due_on": round_.due_on.isoformat()},
    )


@transaction.atomic
def review_extension_grant(
    *, case: Case, actor: User, reason: str, workdays: int | None = None, context: AuditContext | None = None
) -> ReviewRound:
    """The head approves an extension of the open round's time limit directly (from the case's deadlines,
    ``POST /cases/{id}/deadlines/LEGAL_REVIEW/extend/``): the same one clock the reviewer's request moves
    (市场监督管理行政处罚程序规定 第五十五条: 经审核机构负责人批准可以延长)."""
    round_ = ReviewRound.objects.filter(case_id=case.pk, status__in=ReviewRound.OPEN_STATUSES).first()
    if round_ is None:
        raise PreconditionFailed("no_open_deadline", "案件没有正在进行的审核", extra={"rule": "LEGAL_REVIEW"})
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="延长审核期限须经机关负责人批准", code="head_required")
    if not reason.strip():
        raise ApplicationError("extension_reason_required", "须说明延期理由", status=422, fields={"reason": ["必填"]})
    settings_row = review_settings_get(agency_id=round_.agency_id)
    approved = round_.extensions.filter(status=ReviewExtension.Status.APPROVED).count()
    if settings_row.max_extensions is not None and approved >= settings_row.max_extensions:
        raise PreconditionFailed(
            "extension_limit_reached",
            f"审核期限最多延长 {settings_row.max_extensions} 次",
            extra={"max_extensions": settings_row.max_extensions},
        )
    _ensure_extension_in_time(round_, _today())
    now = _now()
    extension = ReviewExtension.objects.create(
        round=round_,
        workdays=workdays or settings_row.extension_workdays,
        reason=reason.strip(),
        requested_by=actor,
        requested_at=now,
        status=ReviewExtension.Status.APPROVED,
        decided_by=actor,
        decided_at=now,
        decision_note="机关负责人批准",
    )
    round_.extension_workdays += extension.workdays
    _recompute_due(round_)
    round_.save(update_fields=["extension_workdays", "due_on", "due_provisional", "updated_at"])
    review_clock_show(round_)
    audit_record(
        action="review.extension_decided",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={
            "approved": True,
            "workdays": extension.workdays,
            "due_on": round_.due_on,
            "note": reason.strip(),
            "granted_by_head": True,
        },
    )
    return round_


@transaction.atomic
def review_extension_decide(
    *, extension: ReviewExtension, actor: User, approve: bool, note: str = "", context: AuditContext | None = None
) -> ReviewExtension:
    """The head approves (or refuses) an extension (市场监管程序规定 第五十五条)."""
    round_ = _lock_round(extension.round)
    extension = ReviewExtension.objects.select_for_update().get(pk=extension.pk)
    _ensure_agency(actor, round_.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="延长审核期限须经机关负责人批准", code="head_required")
    if extension.status != ReviewExtension.Status.REQUESTED:
        raise PreconditionFailed("extension_decided", "该延期申请已处理")
    if approve:
        _ensure_extension_in_time(round_, _today())
    extension.status = ReviewExtension.Status.APPROVED if approve else ReviewExtension.Status.REJECTED
    extension.decided_by = actor
    extension.decided_at = _now()
    extension.decision_note = note
    extension.save()
    if approve:
        round_.extension_workdays += extension.workdays
        _recompute_due(round_)
        round_.save(update_fields=["extension_workdays", "due_on", "due_provisional", "updated_at"])
        review_clock_show(round_)
    audit_record(
        action="review.extension_decided",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"approved": approve, "workdays": extension.workdays, "due_on": round_.due_on, "note": note},
    )
    return extension
