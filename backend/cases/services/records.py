"""Case writes other than status transitions: creation (general and 简易程序), edits, officers,
documents, extensions, later corrections of a decision, retention and legal hold, the 音像记录事项清单,
and the audited read of personal data."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import Agency, Role, User
from backend.cases import hooks
from backend.cases.deadlines import (
    EXTERNAL_CLOCK_CODES,
    case_rules,
    deadline_cancel,
    deadline_meet,
    deadline_open,
    deadline_open_hours,
    decision_deadline_refresh,
)
from backend.cases.masking import PERSONAL_FIELDS
from backend.cases.models import (
    CITIZEN_PARTY_TYPES,
    Activity,
    Case,
    CaseDeadline,
    CashCollection,
    DeadlineExtension,
    DecisionCorrection,
    DecisionOutcome,
    DecisionState,
    DocumentType,
    EnforcementDocument,
    PenaltyKind,
    Procedure,
    RecordingRequirement,
)
from backend.cases.rules import decision_performance_text, extension_in_time
from backend.cases.services.cash import record_cash_collection
from backend.cases.services.common import (
    create_document,
    ensure_may_act,
    ensure_officers_can_act,
    ensure_version,
    ensure_within_limitation,
    issue_number,
    lock_case,
    measures_amount,
    missing_recordings,
    normalise_measures,
    officers_from_ids,
    resolve_now,
    save_case,
)
from backend.cases.workflow import DECIDED_STATUSES, DECISION_NOT_IN_FORCE
from backend.common.calendar import get_calendar
from backend.common.clock import ensure_not_before, ensure_not_future
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.common.remedies import remedies_clause
from backend.common.workdays import get_rule
from backend.ledger.services import AuditContext, audit_record

S = Case.Status

# Fields a client may set when creating a case or edit before the decision.
EDITABLE_FIELDS = (
    "title",
    "category",
    "source",
    "party_type",
    "party_name",
    "party_id_number",
    "party_phone",
    "party_address",
    "party_uscc",
    "party_legal_rep",
    "party_legal_rep_id_number",
    "party_is_minor",
    "place_address",
    "latitude",
    "longitude",
    "facts",
    "violation_type",
    "legal_basis",
    "violation_on",
    "limitation_serious",
)


def _audit_fields(values: dict[str, Any]) -> dict[str, Any]:
    """What the ledger keeps of changed fields: values, except parties' personal data, of which only a
    salted-free SHA-256 is kept (the chain is permanent; personal data must stay erasable)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in PERSONAL_FIELDS:
            out[name] = {"sha256": hashlib.sha256(str(value).encode()).hexdigest()} if value else ""
        else:
            out[name] = value
    return out


def _ensure_creator(actor: User) -> None:
    if actor.agency_id is None or not actor.has_role(Role.FIELD_OFFICER, Role.AGENCY_HEAD):
        raise Forbidden("只有执法人员或机关负责人可以登记案件", code="role_not_allowed")


def _new_case(*, actor: User, case_id: uuid.UUID | None, fields: dict[str, Any]) -> Case:
    if case_id is not None and Case.objects.filter(pk=case_id).exists():
        raise ApplicationError("case_id_conflict", "该案件编号已存在", status=409, extra={"id": str(case_id)})
    data = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    case = Case(agency_id=actor.agency_id, created_by=actor, **data)
    if case_id is not None:
        case.id = case_id
    return case


@transaction.atomic
def case_create(
    *,
    actor: User,
    context: AuditContext,
    fields: dict[str, Any],
    case_id: uuid.UUID | None = None,
    officer_ids: list[Any] | None = None,
    clue_received_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """线索登记 (general procedure). The id may come from the client (offline creation). Starts the
    15-working-day verification limit (市场监管程序规定 第十八条)."""
    now, today = resolve_now(now)
    _ensure_creator(actor)
    # 线索登记 is the day of discovery (行政处罚法 第三十六条) and anchors the 核查 limit: never in the future.
    ensure_not_future(clue_received_on, field="clue_received_on", now=now, label="线索登记日")
    ensure_not_future(fields.get("violation_on"), field="violation_on", now=now, label="违法行为发生日")
    case = _new_case(actor=actor, case_id=case_id, fields=fields)
    case.procedure = Procedure.GENERAL
    case.status = S.CLUE_RECEIVED
    case.clue_received_on = clue_received_on or today
    case.full_clean(exclude=["handling_officers"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError as exc:
        raise ApplicationError("case_id_conflict", "该案件编号已存在", status=409) from exc
    officers = officers_from_ids(agency_id=case.agency_id, officer_ids=officer_ids or [])
    if actor.has_role(Role.FIELD_OFFICER) and actor not in officers:
        officers.append(actor)
    case.handling_officers.set(officers)
    deadline_open(case=case, code="CLUE_VERIFY", anchor_on=case.clue_received_on)
    audit_record(action="case.created", target=case, context=context, case_id=case.id, data={
        "procedure": case.procedure,
        "status": case.status,
        "officer_ids": sorted(str(o.pk) for o in officers),
        "fields": _audit_fields({k: getattr(case, k) for k in EDITABLE_FIELDS if getattr(case, k) not in ("", None)}),
    })
    return case


@transaction.atomic
def case_create_summary(
    *,
    actor: User,
    context: AuditContext,
    fields: dict[str, Any],
    measures: list[dict[str, Any]],
    officer_ids: list[Any],
    case_id: uuid.UUID | None = None,
    decided_at: dt.datetime | None = None,
    form_number: str = "",
    paid_on_spot: bool = False,
    cash_collection: dict[str, Any] | None = None,
    attachment_ids: list[Any] | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """简易程序 (当场处罚): facts certain, basis clear, a warning or a fine ≤ 200 yuan (person) / ≤ 3,000 yuan
    (organisation) (行政处罚法 第五十一条); credentials shown by ≥ 2 officers, a numbered decision form
    delivered on the spot (第五十二条); materials filed within 7 working days (市场监管 第七十条).

    ``paid_on_spot``: the fine was collected on the spot; ``cash_collection`` then names the ground
    (第六十八条、第六十九条) and the 专用票据 number (第七十条) — see :mod:`backend.cases.services.cash`."""
    now, _today = resolve_now(now)
    _ensure_creator(actor)
    ensure_not_future(decided_at, field="decided_at", now=now, label="决定时间")
    decided_at = decided_at or now
    decided_on = timezone.localdate(decided_at)
    ensure_not_future(fields.get("violation_on"), field="violation_on", now=now, label="违法行为发生日")
    case = _new_case(actor=actor, case_id=case_id, fields=fields)
    case.procedure = Procedure.SUMMARY
    # 行政处罚法 第三十六条: discovered on the spot, on the day of the decision.
    ensure_within_limitation(case, discovered_on=decided_on)
    decided = normalise_measures(measures)
    kinds = {m["kind"] for m in decided}
    rules = case_rules(actor.agency_id)
    citizen = case.party_type in CITIZEN_PARTY_TYPES
    limit = rules.summary_max_fine_person if citizen else rules.summary_max_fine_org
    fine = measures_amount(decided, PenaltyKind.FINE)
    if not decided or not kinds <= {PenaltyKind.WARNING, PenaltyKind.FINE} or (fine is not None and fine > limit):
        raise PreconditionFailed(
            "summary_procedure_not_applicable",
            f"简易程序仅适用于警告或{limit}元以下罚款（行政处罚法第五十一条）",
            extra={"limit": str(limit), "kinds": sorted(kinds)},
        )
    if not case.facts or not case.legal_basis:
        raise ApplicationError("summary_fields_required", "当场处罚决定书须载明违法行为和处罚依据（第五十二条）",
                               status=422, fields={"facts": ["必填"], "legal_basis": ["必填"]})
    officers = officers_from_ids(agency_id=actor.agency_id, officer_ids=officer_ids)
    if actor.has_role(Role.FIELD_OFFICER) and actor not in officers:
        officers.append(actor)
    ensure_officers_can_act(case=case, on=decided_on, officers=officers)
    case.status = S.ON_SITE
    case.decision_outcome = DecisionOutcome.PENALTY
    case.decided_measures = decided
    case.proposed_measures = decided
    case.fine_amount = fine
    case.decided_at = decided_at
    case.decided_on = decided_on
    case.decided_by = actor
    case.served_on = decided_on  # 当场交付 (第五十二条)
    case.decision_state = DecisionState.EFFECTIVE
    case.full_clean(exclude=["handling_officers"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError as exc:
        raise ApplicationError("case_id_conflict", "该案件编号已存在", status=409) from exc
    case.handling_officers.set(officers)
    if form_number:
        if Case.objects.filter(agency_id=case.agency_id, decision_number=form_number).exclude(pk=case.pk).exists():
            raise ApplicationError("decision_number_in_use", "该决定书编号已使用", status=409)
        case.decision_number = form_number
    else:
        case.decision_number = issue_number(case=case, kind="summary", fmt=rules.summary_number_format, on=decided_on)
    case.case_number = case.decision_number
    document = create_document(
        case=case, doc_type=DocumentType.SUMMARY_DECISION, actor=actor, context=context, now=now, step_name="on_site",
        number=case.decision_number, activity=Activity.ON_SPOT_PENALTY, occurred_at=decided_at,
        officer_ids=[str(o.pk) for o in officers], attachment_ids=attachment_ids,
        content={"facts": case.facts, "legal_basis": case.legal_basis, "measures": decided,
                 "decided_at": decided_at.isoformat(), "place": case.place_address,
                 "performance": decision_performance_text(fine=fine, paid_on_spot=paid_on_spot),
                 "remedies": remedies_clause()},
    )
    deadline_open(case=case, code="SUMMARY_FILING", anchor_on=decided_on)
    if fine and not paid_on_spot:
        deadline_open(case=case, code="PAYMENT", anchor_on=decided_on, kind=CaseDeadline.Kind.PARTY)
    if paid_on_spot:
        details = dict(cash_collection or {})
        record_cash_collection(
            case=case, actor=actor, context=context, now=now, collected_at=decided_at,
            ground=details.get("ground", CashCollection.Ground.SMALL_FINE),
            receipt_number=details.get("receipt_number", ""), ground_note=details.get("ground_note", ""),
            party_requested=bool(details.get("party_requested")), on_water=bool(details.get("on_water")),
            landed_on=details.get("landed_on"),
        )
    save_case(case, bump=False)
    audit_record(action="case.created", target=case, context=context, case_id=case.id, data={
        "procedure": case.procedure,
        "status": case.status,
        "decision_number": case.decision_number,
        "measures": decided,
        "officer_ids": sorted(str(o.pk) for o in officers),
        "document_id": str(document.id),
        "fields": _audit_fields({k: getattr(case, k) for k in EDITABLE_FIELDS if getattr(case, k) not in ("", None)}),
    })
    hooks.notice_create_for_decision(case=case, context=context)
    return case


@transaction.atomic
def case_update(
    *, case: Case, actor: User, context: AuditContext, fields: dict[str, Any], expected_version: int | None,
    now: dt.datetime | None = None,
) -> Case:
    """Edit the descriptive fields (PATCH with If-Match). Frozen once decided: later changes of a decision
    go through :func:`case_correct_decision`."""
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    if case.status in DECIDED_STATUSES or not case.is_open:
        raise PreconditionFailed("case_frozen", "已作出决定或已结案的案件不能修改", extra={"status": case.status})
    ensure_not_future(fields.get("violation_on"), field="violation_on", now=now or timezone.now(),
                      label="违法行为发生日")
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            continue
        if getattr(case, name) != value:
            changed[name] = value
            setattr(case, name, value)
    if not changed:
        return case
    save_case(case)
    audit_record(action="case.updated", target=case, context=context, case_id=case.id,
                 data={"fields": _audit_fields(changed), "version": case.version})
    return case


@transaction.atomic
def case_assign_officers(
    *, case: Case, actor: User, context: AuditContext, officer_ids: list[Any], expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The head (re)assigns the handling officers: at least two with valid credentials (第四十二条)."""
    _now, today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    if not case.is_open:
        raise PreconditionFailed("case_closed", "案件已结案", extra={"status": case.status})
    officers = officers_from_ids(agency_id=case.agency_id, officer_ids=officer_ids)
    ensure_officers_can_act(case=case, on=today, officers=officers)
    before = sorted(str(pk) for pk in case.handling_officers.values_list("pk", flat=True))
    case.handling_officers.set(officers)
    save_case(case)
    audit_record(action="case.officers_assigned", target=case, context=context, case_id=case.id, data={
        "before": before, "after": sorted(str(o.pk) for o in officers), "version": case.version,
    })
    return case


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
        title=title, content=content, activity=activity or FREE_DOCUMENT_TYPES[doc_type], place=place,
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


# --------------------------------------------------------------------------- deadlines


@transaction.atomic
def case_extend_decision(
    *, case: Case, actor: User, context: AuditContext, reason: str, collective_discussion: bool = False,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """延长办案期限: +30 days with the head's approval (行政处罚法 第六十条; 市场监管程序规定 第六十四条);
    a further extension needs 集体讨论."""
    now, today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    deadline = decision_deadline_refresh(case=case, today=today)  # pauses up to today counted
    if deadline is None or deadline.state in (CaseDeadline.State.MET, CaseDeadline.State.CANCELLED):
        raise PreconditionFailed("no_decision_clock", "案件没有正在计算的决定期限")
    _ensure_extension_in_time(deadline, today)
    previous = case.extensions.filter(rule_code="DECISION").count()
    if previous >= 1 and not collective_discussion:
        raise PreconditionFailed("extension_needs_collective_discussion", "再次延长须经集体讨论决定")
    rules = case_rules(case.agency_id)
    document = create_document(
        case=case, doc_type=DocumentType.EXTENSION_APPROVAL, actor=actor, context=context, now=now,
        step_name="extend_decision",
        content={
            "reason": reason, "days": rules.decision_extension_days, "collective_discussion": collective_discussion
        },
    )
    DeadlineExtension.objects.create(case=case, rule_code="DECISION", length=rules.decision_extension_days,
                                     reason=reason, approved_by=actor, approved_at=now, document=document)
    case.decision_extension_days += rules.decision_extension_days
    save_case(case)
    refreshed = decision_deadline_refresh(case=case, today=today)
    audit_record(action="case.deadline_extended", target=case, context=context, case_id=case.id, data={
        "rule": "DECISION", "days": rules.decision_extension_days, "reason": reason,
        "due_on": refreshed.due_on if refreshed else None, "version": case.version,
    })
    return case


def _ensure_extension_in_time(deadline: CaseDeadline, today: dt.date) -> None:
    """An extension is approved while the limit runs, on its last day at the latest (行政处罚法 第六十条;
    市场监管程序规定 第六十四条; 行政强制法 第二十五条): afterwards 409 ``extension_after_expiry``."""
    if deadline.state == CaseDeadline.State.PAUSED:
        return  # the clock stands still: its end is not reached
    if not extension_in_time(due_on=deadline.due_on, approved_on=today):
        raise PreconditionFailed(
            "extension_after_expiry",
            f"“{deadline.name}”已于{deadline.due_on.isoformat()}届满，不能再批准延长；延长须在期限届满前批准",
            extra={"rule": deadline.rule_code, "due_on": deadline.due_on.isoformat()},
        )


# Time limits other than the decision clock that an approval may extend (DOMAIN.md §5, §8).
EXTENDABLE_RULES = {"CLUE_VERIFY", "SEIZURE", "FREEZE", "CASE_REVIEW", "LEGAL_REVIEW"}


@transaction.atomic
def case_extend_deadline(
    *, case: Case, actor: User, context: AuditContext, rule_code: str, reason: str,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> CaseDeadline:
    """An approved extension of an open time limit by the rule's extension length: 核查 +15 working days
    (市场监管程序规定 第十八条), 查封扣押/冻结 +30 days (行政强制法 第二十五条、第三十二条: 书面告知理由),
    审核 (第五十五条). The decision clock has its own service (:func:`case_extend_decision`)."""
    now, _today = resolve_now(now)
    if rule_code == "DECISION":
        case = case_extend_decision(case=case, actor=actor, context=context, reason=reason,
                                    expected_version=expected_version, now=now)
        return CaseDeadline.objects.get(case=case, rule_code="DECISION")
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    if rule_code not in EXTENDABLE_RULES:
        raise PreconditionFailed("deadline_not_extendable", "该期限不能延长", extra={"rule": rule_code})
    if rule_code in EXTERNAL_CLOCK_CODES:
        # The review's one clock is its round: extend it there; the case's row follows.
        if not CaseDeadline.objects.filter(case=case, rule_code=rule_code, state__in=(
                CaseDeadline.State.DUE, CaseDeadline.State.OVERDUE, CaseDeadline.State.PAUSED)).exists():
            raise PreconditionFailed("no_open_deadline", "案件没有正在计算的该项期限", extra={"rule": rule_code})
        hooks.review_extend_time_limit(case=case, actor=actor, reason=reason, context=context)
        save_case(case)
        return CaseDeadline.objects.get(case=case, rule_code=rule_code)
    deadline = CaseDeadline.objects.filter(case=case, rule_code=rule_code, state__in=(
        CaseDeadline.State.DUE, CaseDeadline.State.OVERDUE, CaseDeadline.State.PAUSED)).first()
    if deadline is None:
        raise PreconditionFailed("no_open_deadline", "案件没有正在计算的该项期限", extra={"rule": rule_code})
    _ensure_extension_in_time(deadline, timezone.localdate(now))
    rule = get_rule(rule_code)
    if rule.max_extensions is not None and deadline.extensions >= rule.max_extensions:
        raise PreconditionFailed("extension_limit_reached", "该期限的延长次数已用完",
                                 extra={"rule": rule_code, "max_extensions": rule.max_extensions})
    document = create_document(
        case=case, doc_type=DocumentType.EXTENSION_APPROVAL, actor=actor, context=context, now=now,
        step_name="extend_deadline", content={"rule": rule_code, "reason": reason, "length": rule.extension},
    )
    DeadlineExtension.objects.create(case=case, rule_code=rule_code, length=rule.extension or 0, reason=reason,
                                     approved_by=actor, approved_at=now, document=document)
    extensions = deadline.extensions + 1
    result = get_calendar().compute(rule, deadline.anchor_on, extensions=extensions)
    before = deadline.due_on
    deadline.due_on = result.due
    deadline.provisional = result.provisional
    deadline.extensions = extensions
    if deadline.state == CaseDeadline.State.OVERDUE and result.due >= timezone.localdate(now):
        deadline.state = CaseDeadline.State.DUE
    deadline.save()
    save_case(case)
    audit_record(action="case.deadline_extended", target=case, context=context, case_id=case.id, data={
        "rule": rule_code, "length": rule.extension, "reason": reason, "before": before, "due_on": result.due,
        "version": case.version,
    })
    return deadline


# --------------------------------------------------------------------------- later corrections


@transaction.atomic
def case_correct_decision(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    kind: str,
    by: str,
    reason: str,
    effective_on: dt.date | None = None,
    reference: str = "",
    new_measures: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """变更、撤销、确认违法、确认无效 of a decision by 复议, 诉讼 or self-correction. The published decision
    must be withdrawn within 3 working days with a public reason (行政处罚法 第四十八条第二款): the
    disclosures hook is called in this transaction."""
    now, today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    if not case.decision_number or case.decision_outcome != DecisionOutcome.PENALTY:
        raise PreconditionFailed("no_decision", "案件尚未作出行政处罚决定")
    if case.decision_state in (DecisionState.REVOKED, DecisionState.CONFIRMED_VOID):
        raise PreconditionFailed("decision_already_void", "该决定已被撤销或确认无效")
    if kind not in DecisionCorrection.Kind.values or by not in DecisionCorrection.By.values:
        raise ApplicationError("invalid_correction", "变更类型或途径无效", status=422)
    ensure_not_future(effective_on, field="effective_on", now=now, label="生效日期")
    last_correction = case.corrections.order_by("-effective_on").values_list("effective_on", flat=True).first()
    ensure_not_before(effective_on or today, field="effective_on", label="生效日期",
                      previous={"作出决定": case.decided_on, "上一次变更": last_correction})
    measures = normalise_measures(new_measures) if kind == DecisionCorrection.Kind.CHANGED else []
    if kind == DecisionCorrection.Kind.CHANGED and not measures:
        raise ApplicationError("measures_required", "变更决定须写明变更后的处罚内容", status=422)
    correction = DecisionCorrection.objects.create(
        case=case, kind=kind, by=by, effective_on=effective_on or today, reason=reason, reference=reference,
        previous_measures=case.decided_measures, new_measures=measures, recorded_by=actor, recorded_at=now,
    )
    create_document(
        case=case, doc_type=DocumentType.CORRECTION_DECISION, actor=actor, context=context, now=now,
        step_name="correct_decision", number=reference,
        content={"kind": kind, "by": by, "reason": reason, "new_measures": measures},
    )
    case.decision_state = kind
    if kind in DECISION_NOT_IN_FORCE:
        # Nothing is owed under a revoked or void decision: no payment period, no service (workflow.py).
        deadline_cancel(case=case, codes=["PAYMENT", "DECISION_SERVICE"])
    if measures:
        case.decided_measures = measures
        case.fine_amount = measures_amount(measures, PenaltyKind.FINE)
        case.confiscation_amount = measures_amount(
            measures, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY
        )
    save_case(case)
    audit_record(action="case.decision_corrected", target=case, context=context, case_id=case.id, data={
        "kind": kind, "by": by, "reason": reason, "reference": reference, "correction_id": correction.pk,
        "previous_measures": correction.previous_measures, "new_measures": measures, "version": case.version,
    })
    # The 3 working days run from the day the decision was changed (行政处罚法 第四十八条第二款), which a
    # correction recorded late may precede.
    hooks.notice_withdraw_for_case(
        case=case, reason=reason, kind=kind, triggered_on=correction.effective_on, context=context
    )
    hooks.decision_corrected(
        case=case, correction_id=correction.pk, kind=kind, by=by, reason=reason, reference=reference,
        effective_on=correction.effective_on,
    )
    return case


# --------------------------------------------------------------------------- retention and legal hold


@transaction.atomic
def case_set_retention(
    *, case: Case, actor: User, context: AuditContext, legal_hold: bool | None = None, reason: str = "",
    retention_term: str | None = None, retention_until: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """The head sets the retention term and places or lifts a legal hold (archives, litigation)."""
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    before = {"legal_hold": case.legal_hold, "retention_term": case.retention_term,
              "retention_until": case.retention_until}
    if legal_hold is not None:
        if legal_hold and not reason:
            raise ApplicationError("reason_required", "设置法律保全须说明理由", status=422)
        case.legal_hold = legal_hold
        case.legal_hold_reason = reason if legal_hold else ""
    if retention_term is not None:
        case.retention_term = retention_term
    if retention_until is not None:
        case.retention_until = retention_until
    save_case(case)
    audit_record(action="case.retention_changed", target=case, context=context, case_id=case.id, data={
        "before": before,
        "after": {"legal_hold": case.legal_hold, "retention_term": case.retention_term,
                  "retention_until": case.retention_until},
        "reason": reason,
        "version": case.version,
    })
    return case


def case_ensure_purgeable(*, case: Case, today: dt.date | None = None) -> None:
    """Refuse to purge anything of a case under legal hold or inside its retention term (DOMAIN.md §3
    item 9: 保存期限内不得销毁)."""
    today = today or timezone.localdate()
    if case.legal_hold:
        raise PreconditionFailed(
            "legal_hold", "案件处于法律保全状态，不得销毁", extra={"reason": case.legal_hold_reason}
        )
    if case.is_open or case.archived_on is None:
        raise PreconditionFailed("case_not_archived", "案件尚未归档，不得销毁")
    if case.retention_until is None or today <= case.retention_until:
        raise PreconditionFailed(
            "retention_term_not_elapsed", "案卷保存期限未满，不得销毁",
            extra={"retention_term": case.retention_term,
                   "retention_until": case.retention_until.isoformat() if case.retention_until else None},
        )


@transaction.atomic
def case_purge_personal_data(
    *, case: Case, actor: User, context: AuditContext, today: dt.date | None = None
) -> Case:
    """Erase the parties' personal data of an archived case whose term has elapsed (个人信息保护法
    第四十七条). The case skeleton and its audit trail stay; the ledger never held the values."""
    case = lock_case(case)
    if actor.agency_id != case.agency_id or not actor.has_role(Role.AGENCY_HEAD):
        raise Forbidden("该操作须由机关负责人作出", code="head_required")
    case_ensure_purgeable(case=case, today=today)
    for name in PERSONAL_FIELDS:
        setattr(case, name, "已删除" if name == "party_name" else "")
    save_case(case)
    audit_record(action="case.personal_data_purged", target=case, context=context, case_id=case.id,
                 data={"fields": sorted(PERSONAL_FIELDS), "version": case.version})
    return case


# --------------------------------------------------------------------------- 音像记录事项清单


@transaction.atomic
def recording_requirement_set(
    *, agency: Agency, actor: User, context: AuditContext, activity: str, level: str, retention: str,
    basis: str = "",
) -> RecordingRequirement:
    if actor.agency_id != agency.pk or not actor.has_role(Role.AGENCY_HEAD):
        raise Forbidden("只有本机关负责人可以维护音像记录事项清单", code="head_required")
    requirement, created = RecordingRequirement.objects.update_or_create(
        agency=agency, activity=activity, defaults={"level": level, "retention": retention, "basis": basis}
    )
    audit_record(action="recording_requirement.set", target=requirement, context=context, data={
        "activity": activity, "level": level, "retention": retention, "basis": basis, "created": created,
    })
    return requirement


@transaction.atomic
def recording_requirement_remove(*, requirement: RecordingRequirement, actor: User, context: AuditContext) -> None:
    if actor.agency_id != requirement.agency_id or not actor.has_role(Role.AGENCY_HEAD):
        raise Forbidden("只有本机关负责人可以维护音像记录事项清单", code="head_required")
    audit_record(action="recording_requirement.removed", target=requirement, context=context,
                 data={"activity": requirement.activity})
    requirement.delete()


@transaction.atomic
def case_refresh_recording_flag(*, case: Case, context: AuditContext | None = None) -> Case:
    """Recompute the missing-recording flag (evidence arrives after the step it records)."""
    case = lock_case(case)
    missing = missing_recordings(case=case)
    if missing == list(case.missing_recordings):
        return case
    before = list(case.missing_recordings)
    save_case(case)
    audit_record(action="case.recording_flag", target=case, context=context or AuditContext(), case_id=case.id,
                 data={"before": before, "missing": missing, "version": case.version})
    return case


# --------------------------------------------------------------------------- audited reads


@transaction.atomic
def case_record_personal_data_read(
    *, case: Case, actor: User, context: AuditContext, purpose: str = "", document: EnforcementDocument | None = None
) -> None:
    """Every display of a party's full personal data is on record (个人信息保护法 第五十一条; 监督全程留痕):
    the case detail, and a document's full text (decisions and 笔录 name the party)."""
    data: dict[str, Any] = {"fields": sorted(f for f in PERSONAL_FIELDS if getattr(case, f)), "purpose": purpose}
    if document is not None:
        data["document_id"] = str(document.pk)
        data["doc_type"] = document.doc_type
    audit_record(action="case.personal_data_read", target=case, context=context, case_id=case.id, data=data)
