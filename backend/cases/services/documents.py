"""Documents of a case (执法文书): adding one, the head's approval of an emergency measure, attaching a file."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.cases.deadlines import (
    deadline_meet,
    deadline_open,
    deadline_open_hours,
)
from backend.cases.models import (
    Activity,
    Case,
    DocumentType,
    EnforcementDocument,
)
from backend.cases.services.common import (
    create_document,
    ensure_may_act,
    ensure_officers_can_act,
    lock_case,
    officers_from_ids,
    resolve_now,
    save_case,
)
from backend.common.clock import ensure_not_future
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.common.workdays import get_rule
from backend.ledger.services import AuditContext, audit_record

# --------------------------------------------------------------------------- documents

# Documents that a step creates itself are not accepted here (their number or guard belongs to the step).
FREE_DOCUMENT_TYPES = {
    DocumentType.INSPECTION_RECORD: Activity.ON_SITE_INSPECTION,
    DocumentType.INQUIRY_RECORD: Activity.INQUIRY,
    DocumentType.SAMPLING_RECORD: Activity.SAMPLING,
    DocumentType.PRESERVATION_DECISION: Activity.PRESERVATION,
    DocumentType.SEIZURE_DECISION: Activity.SEIZURE,
    DocumentType.SEIZURE_RELEASE: "",
    DocumentType.STATEMENT_RECORD: "",
    DocumentType.COLLECTIVE_DISCUSSION: "",
    DocumentType.OTHER: "",
}
# 行政强制措施 and 先行登记保存 need the head's approval before they are taken (行政强制法 第十八条第一项;
# 行政处罚法 第五十六条), or, taken on the spot in an emergency, a report and approval within 24 hours
# (行政强制法 第十九条).
MEASURES_NEEDING_APPROVAL = {DocumentType.SEIZURE_DECISION, DocumentType.PRESERVATION_DECISION}
ON_SITE_DOCUMENTS = {
    DocumentType.INSPECTION_RECORD,
    DocumentType.INQUIRY_RECORD,
    DocumentType.SAMPLING_RECORD,
    DocumentType.PRESERVATION_DECISION,
    DocumentType.SEIZURE_DECISION,
}


@transaction.atomic
def case_add_document(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    doc_type: str,
    content: dict[str, Any],
    occurred_at: dt.datetime | None = None,
    activity: str = "",
    place: str = "",
    officer_ids: list[Any] | None = None,
    attachment_ids: list[Any] | None = None,
    supersedes_id: Any = None,
    title: str = "",
    document_id: uuid.UUID | None = None,
    approved_by_id: Any = None,
    approved_at: dt.datetime | None = None,
    emergency: bool = False,
    now: dt.datetime | None = None,
) -> EnforcementDocument:
    """Record a 执法文书 made during the case (笔录, 查封扣押决定书, 集体讨论记录, ...).

    On-site records need ≥ 2 officers with valid credentials at the time of the act (第四十二条、第五十五条).
    A 先行登记保存 starts its 7-working-day limit (第五十六条), a 查封扣押 its 30-day limit (行政强制法
    第二十五条); a release meets it. Both measures name the head who approved them beforehand
    (``approved_by_id``, ``approved_at``), or are marked ``emergency``: then the 24 hours to report and
    obtain approval start (:func:`case_approve_emergency_measure`).
    """
    now, _today = resolve_now(now)
    case = lock_case(case)
    who = {"head"} if doc_type == DocumentType.COLLECTIVE_DISCUSSION else {"handler"}
    ensure_may_act(actor=actor, case=case, who=who)
    if doc_type not in FREE_DOCUMENT_TYPES:
        raise ApplicationError("document_type_not_allowed", "该文书由相应办案环节生成", status=422,
                               fields={"doc_type": ["该文书由相应办案环节生成"]})
    if not case.is_open:
        raise PreconditionFailed("case_closed", "案件已结案，不能添加文书")
    ensure_not_future(occurred_at, field="occurred_at", now=now, label="制作时间")
    ensure_not_future(approved_at, field="approved_at", now=now, label="批准时间")
    occurred_at = occurred_at or now
    on = timezone.localdate(occurred_at)
    if doc_type in ON_SITE_DOCUMENTS:
        if officer_ids:
            officers = officers_from_ids(agency_id=case.agency_id, officer_ids=officer_ids)
        else:
            officers = list(case.handling_officers.prefetch_related("roles", "credentials"))
        ensure_officers_can_act(case=case, on=on, officers=officers)
        officer_ids = [str(o.pk) for o in officers]
    approval = _measure_approval(case=case, doc_type=doc_type, approved_by_id=approved_by_id,
                                 approved_at=approved_at, emergency=emergency, occurred_at=occurred_at)
    if approval:
        content = {**content, "approval": approval}
    supersedes = None
    if supersedes_id:
        supersedes = EnforcementDocument.objects.filter(pk=supersedes_id, case=case).first()
        if supersedes is None:
            raise ApplicationError("invalid_supersedes", "被更正的文书不存在", status=422)
    if document_id is not None and EnforcementDocument.objects.filter(pk=document_id).exists():
        raise ApplicationError("document_id_conflict", "该文书编号已存在", status=409)
    document = create_document(
        case=case, doc_type=doc_type, actor=actor, context=context, now=now, step_name=case.status,
        title=title, content=content, place=place,
        activity=activity or FREE_DOCUMENT_TYPES[DocumentType(doc_type)],
        officer_ids=officer_ids, attachment_ids=attachment_ids, occurred_at=occurred_at,
        document_id=document_id, supersedes=supersedes,
    )
    if approval.get("emergency"):
        deadline_open_hours(case=case, code="EMERGENCY_MEASURE_REPORT", anchor_at=occurred_at)
    if doc_type == DocumentType.PRESERVATION_DECISION:
        deadline_open(case=case, code="EVIDENCE_PRESERVATION_DECISION", anchor_on=on)
    elif doc_type == DocumentType.SEIZURE_DECISION:
        deadline_open(case=case, code="SEIZURE", anchor_on=on)
    elif doc_type == DocumentType.SEIZURE_RELEASE:
        deadline_meet(case=case, code="SEIZURE", on=on)
        deadline_meet(case=case, code="EVIDENCE_PRESERVATION_DECISION", on=on)
    save_case(case)
    return document


def _measure_approval(
    *, case: Case, doc_type: str, approved_by_id: Any, approved_at: dt.datetime | None, emergency: bool,
    occurred_at: dt.datetime,
) -> dict[str, Any]:
    """The approval a 查封扣押 or 先行登记保存 record must carry (see ``MEASURES_NEEDING_APPROVAL``)."""
    if doc_type not in MEASURES_NEEDING_APPROVAL:
        return {}
    if emergency:
        return {"emergency": True}
    if not approved_by_id:
        raise PreconditionFailed(
            "measure_approval_required",
            "查封扣押、先行登记保存须事先经行政机关负责人批准；情况紧急当场实施的，请标明紧急并在二十四小时内"
            "报告、补办批准手续（行政强制法第十八条、第十九条，行政处罚法第五十六条）",
        )
    head = User.objects.filter(
        pk=approved_by_id, agency_id=case.agency_id, is_active=True, roles__role=Role.AGENCY_HEAD
    ).first()
    if head is None:
        raise ApplicationError("approver_not_head", "批准人须为本机关负责人", status=422,
                               fields={"approved_by_id": ["批准人须为本机关负责人"]})
    approved_at = approved_at or occurred_at
    if approved_at > occurred_at:
        raise ApplicationError("approval_after_measure", "批准时间不能晚于实施时间；事后补批请按紧急情况办理",
                               status=422, fields={"approved_at": ["不能晚于实施时间"]})
    return {"approved_by": str(head.pk), "approved_by_name": head.full_name or head.username,
            "approved_at": approved_at.isoformat()}


@transaction.atomic
def case_approve_emergency_measure(
    *, document: EnforcementDocument, actor: User, context: AuditContext, note: str = "",
    now: dt.datetime | None = None,
) -> EnforcementDocument:
    """The head's 补办批准 of a measure taken on the spot in an emergency (行政强制法 第十九条): meets the
    24-hour limit (late if after it). A head who finds the measure unwarranted does not approve it; the
    officers then release it at once (a 解除 record)."""
    now, today = resolve_now(now)
    case = lock_case(document.case_id)
    ensure_may_act(actor=actor, case=case, who={"head"})
    if document.doc_type not in MEASURES_NEEDING_APPROVAL or not (document.content.get("approval") or {}).get(
        "emergency"
    ):
        raise PreconditionFailed("not_an_emergency_measure", "该文书不是紧急情况下当场实施的措施")
    deadline_meet(case=case, code="EMERGENCY_MEASURE_REPORT", on=today)  # if still open
    late = now > document.occurred_at + get_rule("EMERGENCY_MEASURE_REPORT").timedelta
    save_case(case)
    audit_record(action="document.emergency_measure_approved", target=document, context=context,
                 agency_id=case.agency_id, case_id=case.id,
                 data={"approved_at": now, "late": late, "note": note, "document_type": document.doc_type})
    return document


@transaction.atomic
def document_attach(
    *, document: EnforcementDocument, actor: User, context: AuditContext, attachment_ids: list[Any],
) -> EnforcementDocument:
    """Link signed scans or recordings (uploaded as evidence) to a document. Attachments are only added."""
    case = lock_case(document.case_id)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    new = [str(i) for i in attachment_ids if str(i) not in document.attachment_ids]
    if not new:
        return document
    document.attachment_ids = [*document.attachment_ids, *new]
    EnforcementDocument.objects.filter(pk=document.pk).update(attachment_ids=document.attachment_ids)
    save_case(case)
    audit_record(action="document.attachments_added", target=document, context=context, agency_id=case.agency_id,
                 case_id=case.id, data={"added": new})
    return document
