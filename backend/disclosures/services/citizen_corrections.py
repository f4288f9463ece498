"""Citizens' correction requests (更正): submitted with a tracking code, answered by the agency."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.disclosures.models import (
    CorrectionRequest,
    Notice,
)
from backend.disclosures.services.common import _add_workdays, _require_staff, profile_for
from backend.ledger.services import AuditContext, audit_record


def _tracking_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@transaction.atomic
def correction_request_submit(
    *, notice: Notice, requester_name: str, requester_contact: str, content: str, context: AuditContext | None = None
) -> CorrectionRequest:
    """Anyone may ask for a published notice to be corrected; answered within the agency's limit."""
    if notice.status not in (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN) or not notice.was_public:
        raise ApplicationError("notice_not_public", "该公示信息不存在或未公开", status=404)
    fields = {}
    if not (requester_name or "").strip():
        fields["requester_name"] = ["请填写申请人姓名或名称"]
    if not (requester_contact or "").strip():
        fields["requester_contact"] = ["请填写联系方式，以便答复"]
    if len((content or "").strip()) < 5:
        fields["content"] = ["请说明需要更正的内容及理由"]
    if fields:
        raise ApplicationError("invalid", "请求数据无效", status=400, fields=fields)
    profile = profile_for(notice.agency)
    due = _add_workdays(timezone.localdate(), profile.correction_answer_workdays).due
    request = CorrectionRequest.objects.create(
        notice=notice,
        tracking_code=_tracking_code(),
        requester_name=requester_name.strip()[:100],
        requester_contact=requester_contact.strip()[:200],
        content=content.strip()[:5000],
        due_date=due,
    )
    audit_record(
        action="notice.correction_requested",
        target=request,
        context=context,
        agency_id=notice.agency_id,
        case_id=notice.case_id,
        data={"notice": str(notice.pk), "tracking_code": request.tracking_code, "due_date": due},
    )
    return request


@transaction.atomic
def correction_request_answer(
    *, request: CorrectionRequest, actor: User, accept: bool, answer: str, context: AuditContext | None = None
) -> CorrectionRequest:
    _require_staff(actor, request.notice.agency_id, Role.DISCLOSURE_MANAGER)
    request = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != CorrectionRequest.Status.SUBMITTED:
        raise PreconditionFailed("correction_already_answered", "该更正申请已答复")
    if not (answer or "").strip():
        raise ApplicationError("correction_answer_required", "请填写答复内容", status=422)
    request.status = CorrectionRequest.Status.ACCEPTED if accept else CorrectionRequest.Status.REJECTED
    request.answer = answer.strip()
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save()
    audit_record(
        action="notice.correction_answered",
        target=request,
        context=context,
        actor=actor,
        agency_id=request.notice.agency_id,
        case_id=request.notice.case_id,
        data={"status": request.status, "late": timezone.localdate() > request.due_date},
    )
    return request
