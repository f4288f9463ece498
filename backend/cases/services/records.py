"""Case writes other than status transitions: creation (general and 简易程序), edits, officers, the 音像记录事项清单
and the audited read of personal data. Documents, extensions, later corrections and retention have modules of
their own beside this one."""

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
    case_rules,
    deadline_open,
)
from backend.cases.masking import PERSONAL_FIELDS
from backend.cases.models import (
    CITIZEN_PARTY_TYPES,
    Activity,
    Case,
    CaseDeadline,
    CashCollection,
    DecisionOutcome,
    DecisionState,
    DocumentType,
    EnforcementDocument,
    PenaltyKind,
    Procedure,
    RecordingRequirement,
)
from backend.cases.rules import decision_performance_text
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
from backend.cases.workflow import DECIDED_STATUSES
from backend.common.clock import ensure_not_future
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.common.remedies import remedies_clause
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


def _ensure_creator(actor: User) -> int:
    """The agency a new case of ``actor`` belongs to; 403 for a role that may not register cases."""
    if actor.agency_id is None or not actor.has_role(Role.FIELD_OFFICER, Role.AGENCY_HEAD):
        raise Forbidden("只有执法人员或机关负责人可以登记案件", code="role_not_allowed")
    return actor.agency_id


def _new_case(*, actor: User, agency_id: int, case_id: uuid.UUID | None, fields: dict[str, Any]) -> Case:
    if case_id is not None and Case.objects.filter(pk=case_id).exists():
        raise ApplicationError("case_id_conflict", "该案件编号已存在", status=409, extra={"id": str(case_id)})
    data = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    case = Case(agency_id=agency_id, created_by=actor, **data)
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
    agency_id = _ensure_creator(actor)
    # 线索登记 is the day of discovery (行政处罚法 第三十六条) and anchors the 核查 limit: never in the future.
    ensure_not_future(clue_received_on, field="clue_received_on", now=now, label="线索登记日")
    ensure_not_future(fields.get("violation_on"), field="violation_on", now=now, label="违法行为发生日")
    case = _new_case(actor=actor, agency_id=agency_id, case_id=case_id, fields=fields)
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
    agency_id = _ensure_creator(actor)
    ensure_not_future(decided_at, field="decided_at", now=now, label="决定时间")
    decided_at = decided_at or now
    decided_on = timezone.localdate(decided_at)
    ensure_not_future(fields.get("violation_on"), field="violation_on", now=now, label="违法行为发生日")
    case = _new_case(actor=actor, agency_id=agency_id, case_id=case_id, fields=fields)
    case.procedure = Procedure.SUMMARY
    # 行政处罚法 第三十六条: discovered on the spot, on the day of the decision.
    ensure_within_limitation(case, discovered_on=decided_on)
    decided = normalise_measures(measures)
    kinds = {m["kind"] for m in decided}
    rules = case_rules(agency_id)
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
    officers = officers_from_ids(agency_id=agency_id, officer_ids=officer_ids)
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
