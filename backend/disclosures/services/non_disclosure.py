"""Non-disclosure (不予公开): requested by the discloser, decided by the head."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.disclosures.models import (
    NonDisclosureReason,
    Notice,
)
from backend.disclosures.services.common import _audit, _lock, _require_staff
from backend.ledger.services import AuditContext


@transaction.atomic
def notice_request_non_disclosure(
    *, notice: Notice, actor: User, reason: str, note: str = "", context: AuditContext | None = None
) -> Notice:
    """Propose not publishing a decision for one of the statutory reasons (DOMAIN §2.9)."""
    _require_staff(actor, notice.agency_id, Role.DISCLOSURE_MANAGER)
    if reason not in NonDisclosureReason.values:
        raise ApplicationError(
            "non_disclosure_reason_invalid",
            "不予公开理由须为法定情形之一",
            status=422,
            extra={"allowed": list(NonDisclosureReason.values)},
        )
    notice = _lock(notice)
    if notice.status != Notice.Status.DRAFT:
        raise PreconditionFailed(
            "notice_not_draft", "只有待发布的信息可以申请不予公开", extra={"status": notice.status}
        )
    notice.nd_reason = reason
    notice.nd_note = note
    notice.nd_requested_by = actor
    notice.nd_requested_at = timezone.now()
    notice.version += 1
    notice.save()
    _audit("notice.non_disclosure_requested", notice, context, {"reason": reason, "note": note}, actor=actor)
    return notice


@transaction.atomic
def notice_decide_non_disclosure(
    *, notice: Notice, actor: User, approve: bool, comment: str = "", context: AuditContext | None = None
) -> Notice:
    """The agency head (or a legal reviewer) approves or rejects; never the person who asked."""
    _require_staff(actor, notice.agency_id, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER)
    notice = _lock(notice)
    if notice.status != Notice.Status.DRAFT or not notice.nd_reason:
        raise PreconditionFailed("non_disclosure_not_requested", "该信息没有待审批的不予公开申请")
    if notice.nd_requested_by_id and notice.nd_requested_by_id == actor.pk:
        raise Forbidden("申请人不能审批自己的不予公开申请", code="approver_is_requester")
    reason = notice.nd_reason
    if approve:
        notice.status = Notice.Status.NOT_DISCLOSED
        notice.nd_approved_by = actor
        notice.nd_approved_at = timezone.now()
    else:
        notice.nd_reason = ""
        notice.nd_requested_by = None
        notice.nd_requested_at = None
    notice.nd_note = "\n".join(x for x in (notice.nd_note, comment) if x)
    notice.version += 1
    notice.save()
    _audit(
        "notice.non_disclosure_approved" if approve else "notice.non_disclosure_rejected",
        notice,
        context,
        {"reason": reason, "comment": comment},
        actor=actor,
    )
    return notice
