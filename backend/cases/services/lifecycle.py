"""One service per transition of the case lifecycle (the table is :mod:`backend.cases.workflow`).

Every service: locks the case, checks the If-Match version, who may act, that the transition may start
from the current status, then its own statutory preconditions; on success it changes the case, writes
its documents and deadlines, records a :class:`CaseTransition` row and an audit event — all in one
transaction, so a failed precondition leaves nothing behind. Unmet preconditions answer 409 with a code
naming them (``too_few_officers``, ``credential_expired``, ``evidence_missing``, ``statement_window_open``,
``legal_review_required``, ``decision_overdue_reason_required``, ...).

``now`` defaults to the current time; tests pass fixed times.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.cases import hooks
from backend.cases.deadlines import (
    case_rules,
    deadline_cancel,
    deadline_meet,
    deadline_open,
    decision_deadline_refresh,
)
from backend.cases.models import (
    Activity,
    Case,
    CaseDeadline,
    CasePause,
    DecisionOutcome,
    DecisionState,
    DocumentType,
    PenaltyKind,
)
from backend.cases.rules import days_over, decision_performance_text
from backend.cases.services.cash import ensure_cash_deposited
from backend.cases.services.common import (
    NO_STEP,
    Step,
    create_document,
    ensure_decision_in_force,
    ensure_may_act,
    ensure_officers_can_act,
    ensure_version,
    ensure_within_limitation,
    hearing_eligible,
    issue_number,
    lock_case,
    measures_amount,
    measures_heavier,
    normalise_measures,
    officers_from_ids,
    record_transition,
    resolve_now,
    save_case,
)
from backend.cases.workflow import DECISION_NOT_IN_FORCE, NEEDS_DECISION_IN_FORCE, TRANSITIONS, Transition
from backend.common.calendar import get_calendar
from backend.common.clock import ensure_not_before, ensure_not_future
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.common.remedies import remedies_clause
from backend.common.workdays import get_rule
from backend.ledger.services import AuditContext, audit_record

S = Case.Status
EVIDENTIARY_DOCUMENTS = (DocumentType.INSPECTION_RECORD, DocumentType.INQUIRY_RECORD, DocumentType.SAMPLING_RECORD)


def _begin(*, name: str, case: Case, actor: User, expected_version: int | None) -> tuple[Case, Transition]:
    transition = TRANSITIONS[name]
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who=transition.who)
    if case.status not in transition.sources:
        raise PreconditionFailed(
            "transition_not_allowed",
            f"案件当前状态为“{case.get_status_display()}”，不能进行“{transition.label}”",
            extra={"status": case.status, "transition": name, "allowed_from": sorted(transition.sources)},
        )
    if name in NEEDS_DECISION_IN_FORCE:
        ensure_decision_in_force(case)
    return case, transition


def _finish(
    *,
    case: Case,
    transition: Transition,
    actor: User,
    context: AuditContext,
    now: dt.datetime,
    step: Step,
    to: str | None = None,
    data: dict[str, Any] | None = None,
) -> Case:
    from_status = case.status
    case.status = to or transition.target
    save_case(case)
    record_transition(
        case=case, name=transition.name, from_status=from_status, actor=actor, context=context, now=now,
        step=step, data=data,
    )
    return case


def _act_date(value: dt.date | None, now: dt.datetime, field: str) -> dt.date:
    """The date an act was done, as the client reports it (offline work), or today; never in the future
    (api_docs/guides/sync.md; backend/common/clock.py)."""
    ensure_not_future(value, field=field, now=now)
    return value if value is not None else timezone.localdate(now)


# --------------------------------------------------------------------------- 线索 → 立案


@transaction.atomic
def case_start_verification(
    *, case: Case, actor: User, context: AuditContext, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    now, _today = resolve_now(now)
    case, t = _begin(name="start_verification", case=case, actor=actor, expected_version=expected_version)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_decline(
    *, case: Case, actor: User, context: AuditContext, reason: str, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """不予立案 with an approval record (市场监管程序规定 第二十条)."""
    now, today = resolve_now(now)
    case, t = _begin(name="decline", case=case, actor=actor, expected_version=expected_version)
    document = create_document(
        case=case, doc_type=DocumentType.NOT_REGISTERED_APPROVAL, actor=actor, context=context, now=now,
        step_name=t.name, content={"reason": reason},
    )
    deadline_meet(case=case, code="CLUE_VERIFY", on=today)
    case.closed_on = today
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"reason": reason, "document_id": str(document.id)})


@transaction.atomic
def case_register(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    officer_ids: list[Any] | None = None,
    registered_on: dt.date | None = None,
    serious_harm: bool = False,
    opinion: str = "",
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """立案: the head approves and assigns at least two qualified officers; the decision clock starts.

    行政处罚法 第三十六条: no penalty for a violation not discovered within 2 years (5 where life, health or
    financial safety was harmed; ``serious_harm`` records that on the case) — tested on the 线索登记 day;
    第四十二条: ≥ 2 officers with 执法资格; 第六十条: the 90-day clock runs from 立案.
    """
    now, today = resolve_now(now)
    case, t = _begin(name="register", case=case, actor=actor, expected_version=expected_version)
    registered_on = _act_date(registered_on, now, "registered_on")
    if officer_ids is not None:
        officers = officers_from_ids(agency_id=case.agency_id, officer_ids=officer_ids)
        ensure_officers_can_act(case=case, on=registered_on, officers=officers)
        case.handling_officers.set(officers)
    else:
        ensure_officers_can_act(case=case, on=registered_on)
    if serious_harm:
        case.limitation_serious = True
    ensure_within_limitation(case, discovered_on=case.clue_received_on or registered_on)
    rules = case_rules(case.agency_id)
    case.case_number = issue_number(case=case, kind="case", fmt=rules.case_number_format, on=registered_on)
    case.registered_on = registered_on
    document = create_document(
        case=case, doc_type=DocumentType.FILING_APPROVAL, actor=actor, context=context, now=now, step_name=t.name,
        number=case.case_number, content={"opinion": opinion, "approved_by": str(actor.pk)},
    )
    deadline_meet(case=case, code="CLUE_VERIFY", on=registered_on)
    case = _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step, data={
        "case_number": case.case_number,
        "officer_ids": sorted(str(pk) for pk in case.handling_officers.values_list("pk", flat=True)),
        "document_id": str(document.id),
    })
    decision_deadline_refresh(case=case, today=today)
    return case


# --------------------------------------------------------------------------- 调查取证


@transaction.atomic
def case_start_investigation(
    *, case: Case, actor: User, context: AuditContext, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    now, today = resolve_now(now)
    case, t = _begin(name="start_investigation", case=case, actor=actor, expected_version=expected_version)
    ensure_officers_can_act(case=case, on=today)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_suspend(
    *, case: Case, actor: User, context: AuditContext, reason: str, kind: str = CasePause.Kind.SUSPENSION,
    step: Step = NO_STEP, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """中止调查: the decision clock stands still until resumed (市场监管程序规定 第四十七条、第六十四条)."""
    now, today = resolve_now(now)
    case, t = _begin(name="suspend", case=case, actor=actor, expected_version=expected_version)
    document = create_document(
        case=case, doc_type=DocumentType.SUSPENSION_APPROVAL, actor=actor, context=context, now=now,
        step_name=t.name, content={"reason": reason, "kind": kind},
    )
    CasePause.objects.create(case=case, kind=kind, started_on=today, reason=reason)
    case = _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"reason": reason, "pause": kind, "document_id": str(document.id)})
    decision_deadline_refresh(case=case, today=today)
    return case


@transaction.atomic
def case_resume(
    *, case: Case, actor: User, context: AuditContext, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    now, today = resolve_now(now)
    case, t = _begin(name="resume", case=case, actor=actor, expected_version=expected_version)
    CasePause.objects.filter(case=case, kind=CasePause.Kind.SUSPENSION, ended_on__isnull=True).update(ended_on=today)
    case = _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step)
    decision_deadline_refresh(case=case, today=today)
    return case


@transaction.atomic
def case_conclude_investigation(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    report: str,
    facts: str | None = None,
    legal_basis: list[dict[str, Any]] | None = None,
    measures: list[dict[str, Any]] | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """调查终结报告 (市场监管程序规定 第四十八条), with the proposed handling (``measures``) when a penalty
    is proposed."""
    now, today = resolve_now(now)
    case, t = _begin(name="conclude_investigation", case=case, actor=actor, expected_version=expected_version)
    ensure_officers_can_act(case=case, on=today)
    if facts is not None:
        case.facts = facts
    if legal_basis is not None:
        case.legal_basis = legal_basis
    if measures is not None:
        case.proposed_measures = normalise_measures(measures)
        case.proposed_fine_amount = measures_amount(case.proposed_measures, PenaltyKind.FINE)
        case.hearing_eligible = hearing_eligible(case=case, measures=case.proposed_measures)
    case.investigation_concluded_on = today
    document = create_document(
        case=case, doc_type=DocumentType.INVESTIGATION_REPORT, actor=actor, context=context, now=now,
        step_name=t.name, content={"report": report, "facts": case.facts, "legal_basis": case.legal_basis,
                                   "proposed_measures": case.proposed_measures},
    )
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"document_id": str(document.id)})


# --------------------------------------------------------------------------- 审核 → 拟处罚


def _set_proposal(case: Case, measures: list[dict[str, Any]] | None) -> None:
    if measures is not None:
        case.proposed_measures = normalise_measures(measures)
    if not case.proposed_measures:
        raise ApplicationError("measures_required", "须写明拟处罚内容", status=422, fields={"measures": ["必填"]})
    case.proposed_fine_amount = measures_amount(case.proposed_measures, PenaltyKind.FINE)
    case.hearing_eligible = hearing_eligible(case=case, measures=case.proposed_measures)
    reasons = hooks.review_major_evaluate(case=case)
    case.major_reasons = reasons
    case.is_major = bool(reasons)
    # 市场监管程序规定 第六十条第二款: cases that need legal review are decided by collective discussion.
    case.collective_discussion_required = case.is_major or case.collective_discussion_required


@transaction.atomic
def case_submit_review(
    *, case: Case, actor: User, context: AuditContext, measures: list[dict[str, Any]] | None = None,
    step: Step = NO_STEP, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """Submit the proposal (``measures``, or the one in the 调查终结报告): 法制审核 when the reviews app
    finds it major (行政处罚法 第五十八条), otherwise 案件审核 (市场监管程序规定 第四十九条).
    The review time limit (10 working days by default) is the review round's."""
    now, _today = resolve_now(now)
    case, t = _begin(name="submit_review", case=case, actor=actor, expected_version=expected_version)
    _set_proposal(case, measures)
    target = S.LEGAL_REVIEW if case.is_major else S.CASE_REVIEW
    # The review time limit starts when the reviewers receive the package (the review round; its one clock
    # is shown on the case as CASE_REVIEW/LEGAL_REVIEW, backend/cases/deadlines.py EXTERNAL_CLOCK_CODES).
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step, to=target, data={
        "measures": case.proposed_measures, "is_major": case.is_major, "major_reasons": case.major_reasons,
    })


@transaction.atomic
def case_return_for_investigation(
    *, case: Case, actor: User, context: AuditContext, reason: str, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """退回补充调查 (市场监管程序规定 第五十四条: 建议补充调查)."""
    now, today = resolve_now(now)
    case, t = _begin(name="return_for_investigation", case=case, actor=actor, expected_version=expected_version)
    for code in ("CASE_REVIEW", "LEGAL_REVIEW"):
        deadline_meet(case=case, code=code, on=today)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"reason": reason})


@transaction.atomic
def case_approve_proposal(
    *, case: Case, actor: User, context: AuditContext, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """The head approves the proposed penalty once the review has passed (行政处罚法 第五十七条、第五十八条)."""
    now, today = resolve_now(now)
    case, t = _begin(name="approve_proposal", case=case, actor=actor, expected_version=expected_version)
    hooks.review_ensure_passed(case=case)
    for code in ("CASE_REVIEW", "LEGAL_REVIEW"):
        deadline_meet(case=case, code=code, on=today)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step)


# --------------------------------------------------------------------------- 告知 → 陈述申辩 / 听证


def _ensure_evidence(case: Case) -> None:
    """No 告知 without evidence (行政处罚法 第四十条: 违法事实不清、证据不足的，不得给予行政处罚). Received
    evidence items count, and so do 笔录 (第四十六条: 勘验笔录、现场笔录、当事人的陈述 are evidence)."""
    if hooks.evidence_received_count(case_id=case.id):
        return
    if case.documents.filter(doc_type__in=EVIDENTIARY_DOCUMENTS).exists():
        return
    raise PreconditionFailed("evidence_missing", "案件尚无证据，不能告知拟处罚（行政处罚法第四十条）")


def _decision_evidence(case: Case) -> list[str]:
    """The evidence a 决定书 lists (行政处罚法 第五十九条第一款第二项): the 笔录 made in the investigation
    (第四十六条: 勘验笔录、现场笔录 and the party's statements are evidence; a superseded one is left off), then
    the received evidence items."""
    documents = case.documents.filter(doc_type__in=EVIDENTIARY_DOCUMENTS).order_by("occurred_at", "created_at")
    superseded = set(case.documents.exclude(supersedes=None).values_list("supersedes_id", flat=True))
    lines = []
    for document in documents:
        if document.pk in superseded:
            continue
        made = timezone.localtime(document.occurred_at).date().isoformat()
        details = "，".join(part for part in (made, document.place, document.number) if part)
        lines.append(f"{document.get_doc_type_display()}（{details}）")
    return [*lines, *hooks.case_evidence_list_text(case_id=case.id)]


@transaction.atomic
def case_notify(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    served_on: dt.date | None = None,
    content: dict[str, Any] | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """事先告知 (行政处罚法 第四十四条): facts, reasons, basis, the proposed penalty and the rights to
    state, defend and (where eligible, 第六十三条) request a hearing. Starts the 5-working-day windows."""
    now, _today = resolve_now(now)
    case, t = _begin(name="notify", case=case, actor=actor, expected_version=expected_version)
    served_on = _act_date(served_on, now, "served_on")
    ensure_not_before(served_on, field="served_on", label="告知书送达日期", previous={
        "立案": case.registered_on, "调查终结": case.investigation_concluded_on,
    })
    ensure_officers_can_act(case=case, on=served_on)
    _ensure_evidence(case)
    hooks.review_ensure_passed(case=case)
    rules = case_rules(case.agency_id)
    case.notified_on = served_on
    case.notified_measures = case.proposed_measures
    case.notified_fine_amount = case.proposed_fine_amount
    case.statement_waived = False
    case.hearing_waived = False
    document = create_document(
        case=case, doc_type=DocumentType.PENALTY_NOTICE, actor=actor, context=context, now=now, step_name=t.name,
        content={
            **(content or {}),
            "facts": case.facts,
            "legal_basis": case.legal_basis,
            "proposed_measures": case.proposed_measures,
            "rights": ["陈述", "申辩", *(["要求听证"] if case.hearing_eligible else [])],
            "served_on": served_on.isoformat(),
        },
    )
    deadline_open(case=case, code="STATEMENT_DEFENCE", anchor_on=served_on, kind=CaseDeadline.Kind.WINDOW,
                  length=rules.statement_window_workdays)
    if case.hearing_eligible:
        deadline_open(case=case, code="HEARING_REQUEST", anchor_on=served_on, kind=CaseDeadline.Kind.WINDOW,
                      length=rules.hearing_request_window_workdays)
    else:
        deadline_cancel(case=case, codes=["HEARING_REQUEST"])
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step, data={
        "served_on": served_on, "hearing_eligible": case.hearing_eligible, "document_id": str(document.id),
    })


@transaction.atomic
def case_request_hearing(
    *, case: Case, actor: User, context: AuditContext, requested_on: dt.date | None = None,
    step: Step = NO_STEP, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """The party asks for a hearing within 5 working days of the notice (行政处罚法 第六十四条第一项); the
    decision clock stands still during the hearing (市场监管程序规定 第六十四条)."""
    now, today = resolve_now(now)
    case, t = _begin(name="request_hearing", case=case, actor=actor, expected_version=expected_version)
    requested_on = _act_date(requested_on, now, "requested_on")
    ensure_not_before(requested_on, field="requested_on", label="要求听证日期",
                      previous={"送达事先告知书": case.notified_on})
    if not case.hearing_eligible:
        raise PreconditionFailed("hearing_not_available", "拟作出的处罚不属于应当告知听证权利的情形（第六十三条）")
    window = CaseDeadline.objects.filter(case=case, rule_code="HEARING_REQUEST").first()
    if case.hearing_waived or (window is not None and requested_on > window.due_on):
        raise PreconditionFailed(
            "hearing_request_window_elapsed", "当事人要求听证的期限已过或已放弃听证",
            extra={"window_ends_on": window.due_on.isoformat() if window else None},
        )
    case.hearing_requested_on = requested_on
    deadline_meet(case=case, code="HEARING_REQUEST", on=requested_on)
    CasePause.objects.create(case=case, kind=CasePause.Kind.HEARING, started_on=requested_on, reason="听证")
    case = _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"requested_on": requested_on})
    decision_deadline_refresh(case=case, today=today)
    return case


@transaction.atomic
def case_schedule_hearing(
    *, case: Case, actor: User, context: AuditContext, hearing_date: dt.date, chair_id: Any, place: str = "",
    step: Step = NO_STEP, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """Notify the hearing at least 7 working days ahead; the chair is not an investigator of the case
    (行政处罚法 第六十四条第二项、第四项)."""
    now, today = resolve_now(now)
    case, t = _begin(name="schedule_hearing", case=case, actor=actor, expected_version=expected_version)
    latest_notice = get_calendar().compute("HEARING_NOTICE", hearing_date)  # provisional year: earliest date
    if today > latest_notice.due:
        raise PreconditionFailed(
            "hearing_notice_too_late",
            "应当在举行听证的七日前通知当事人（行政处罚法第六十四条）",
            extra={"latest_notice_on": latest_notice.due.isoformat(), "provisional": latest_notice.provisional},
        )
    chair = User.objects.filter(pk=chair_id, agency_id=case.agency_id).first()
    if chair is None:
        raise ApplicationError("invalid_chair", "听证主持人须为本机关人员", status=422)
    if case.handling_officers.filter(pk=chair.pk).exists():
        raise PreconditionFailed("hearing_chair_is_investigator", "听证由非本案调查人员主持（第六十四条第四项）")
    case.hearing_date = hearing_date
    document = create_document(
        case=case, doc_type=DocumentType.HEARING_NOTICE, actor=actor, context=context, now=now, step_name=t.name,
        content={"hearing_date": hearing_date.isoformat(), "chair_id": str(chair.pk), "chair": str(chair),
                 "place": place},
    )
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step, data={
        "hearing_date": hearing_date, "chair_id": str(chair.pk), "document_id": str(document.id),
    })


@transaction.atomic
def case_hold_hearing(
    *, case: Case, actor: User, context: AuditContext, record: dict[str, Any], held_on: dt.date | None = None,
    attachment_ids: list[Any] | None = None, step: Step = NO_STEP, expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """听证笔录 (第六十四条第八项); the hearing pause of the decision clock ends."""
    now, today = resolve_now(now)
    case, t = _begin(name="hold_hearing", case=case, actor=actor, expected_version=expected_version)
    held_on = _act_date(held_on, now, "held_on")
    if case.hearing_date and held_on < case.hearing_date:
        raise PreconditionFailed("hearing_date_not_reached", "尚未到通知的听证日期",
                                 extra={"hearing_date": case.hearing_date.isoformat()})
    case.hearing_held_on = held_on
    document = create_document(
        case=case, doc_type=DocumentType.HEARING_RECORD, actor=actor, context=context, now=now, step_name=t.name,
        content=record, activity=Activity.HEARING, attachment_ids=attachment_ids,
    )
    CasePause.objects.filter(case=case, kind=CasePause.Kind.HEARING, ended_on__isnull=True).update(ended_on=held_on)
    case = _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"held_on": held_on, "document_id": str(document.id)})
    decision_deadline_refresh(case=case, today=today)
    return case


@transaction.atomic
def case_submit_post_hearing_review(
    *, case: Case, actor: User, context: AuditContext, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """行政处罚法 第五十八条第一款第二项: a case that went through a hearing needs legal review after it."""
    now, _today = resolve_now(now)
    case, t = _begin(name="submit_post_hearing_review", case=case, actor=actor, expected_version=expected_version)
    reasons = hooks.review_major_evaluate(case=case)
    if "经过听证程序" not in reasons:
        reasons = [*reasons, "经过听证程序"]
    case.major_reasons = reasons
    case.is_major = True
    case.collective_discussion_required = True
    # The post-hearing review's time limit is its review round's (see case_submit_review).
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"major_reasons": reasons})


@transaction.atomic
def case_record_waiver(
    *, case: Case, actor: User, context: AuditContext, statement: bool = False, hearing: bool = False,
    note: str = "", attachment_ids: list[Any] | None = None, expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The party expressly waives the statement/defence and/or hearing (行政处罚法 第六十二条)."""
    now, _today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    if case.status != S.NOTIFIED:
        raise PreconditionFailed("transition_not_allowed", "只有在告知后、复核前可以记录放弃陈述申辩或听证",
                                 extra={"status": case.status})
    if not (statement or hearing):
        raise ApplicationError("waiver_empty", "请指明放弃的权利", status=422)
    case.statement_waived = case.statement_waived or statement
    case.hearing_waived = case.hearing_waived or hearing
    document = create_document(
        case=case, doc_type=DocumentType.STATEMENT_RECORD, actor=actor, context=context, now=now,
        step_name="waiver", content={"statement_waived": statement, "hearing_waived": hearing, "note": note},
        attachment_ids=attachment_ids,
    )
    save_case(case)
    audit_record(action="case.waiver", target=case, context=context, case_id=case.id, data={
        "statement": statement, "hearing": hearing, "document_id": str(document.id), "version": case.version,
    })
    return case


def _ensure_defence_heard(case: Case, today: dt.date) -> None:
    """行政处罚法 第六十二条: no decision before the party was heard, unless the party expressly waived;
    the statement window (市场监管 第五十七条: 5 working days) and the hearing-request window (第六十四条)
    must have elapsed, or been waived, or the hearing been held."""
    if case.notified_on is None:
        raise PreconditionFailed("notice_not_served", "尚未送达行政处罚事先告知书（行政处罚法第四十四条）")
    if case.hearing_held_on is not None and case.hearing_held_on >= case.notified_on:
        return  # the party was heard at the hearing (第六十四条第七项: 当事人进行申辩和质证)
    windows = {d.rule_code: d for d in CaseDeadline.objects.filter(
        case=case, rule_code__in=["STATEMENT_DEFENCE", "HEARING_REQUEST"])}
    statement = windows.get("STATEMENT_DEFENCE")
    if not case.statement_waived and statement is not None and today <= statement.due_on:
        raise PreconditionFailed(
            "statement_window_open", "陈述、申辩期限尚未届满，当事人也未明确放弃",
            extra={"window_ends_on": statement.due_on.isoformat(), "provisional": statement.provisional},
        )
    hearing = windows.get("HEARING_REQUEST")
    if (
        case.hearing_eligible and not case.hearing_waived and case.hearing_held_on is None
        and hearing is not None and today <= hearing.due_on
    ):
        raise PreconditionFailed(
            "hearing_window_open", "要求听证的期限尚未届满，当事人也未明确放弃",
            extra={"window_ends_on": hearing.due_on.isoformat(), "provisional": hearing.provisional},
        )


@transaction.atomic
def case_start_defence_review(
    *, case: Case, actor: User, context: AuditContext, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """复核 (行政处罚法 第四十五条): once the party has been heard (or the windows elapsed or were waived);
    after a hearing, once the post-hearing legal review has passed."""
    now, today = resolve_now(now)
    case, t = _begin(name="start_defence_review", case=case, actor=actor, expected_version=expected_version)
    if case.status == S.LEGAL_REVIEW_POST_HEARING:
        hooks.review_ensure_passed(case=case)
        deadline_meet(case=case, code="LEGAL_REVIEW", on=today)
    else:
        _ensure_defence_heard(case, today)
    for code in ("STATEMENT_DEFENCE", "HEARING_REQUEST"):
        deadline_meet(case=case, code=code, on=today)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_renotify(
    *, case: Case, actor: User, context: AuditContext, measures: list[dict[str, Any]], reason: str,
    step: Step = NO_STEP, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """The facts changed or a heavier penalty is now proposed: back to 拟处罚, and a new 告知 must follow
    (行政处罚法 第四十五条第二款: 不得因当事人陈述、申辩而给予更重的处罚)."""
    now, _today = resolve_now(now)
    case, t = _begin(name="renotify", case=case, actor=actor, expected_version=expected_version)
    _set_proposal(case, measures)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"reason": reason, "measures": case.proposed_measures, "is_major": case.is_major})


def _ensure_not_heavier(case: Case, measures: list[dict[str, Any]]) -> None:
    if measures_heavier(measures, case.notified_measures):
        raise PreconditionFailed(
            "heavier_penalty_requires_new_notice",
            "拟作出的处罚重于已告知的处罚，须重新告知（行政处罚法第四十五条）",
            extra={"notified_measures": case.notified_measures, "measures": measures},
        )


@transaction.atomic
def case_submit_decision(
    *, case: Case, actor: User, context: AuditContext, measures: list[dict[str, Any]] | None = None,
    defence_adoption: str = "", step: Step = NO_STEP, expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Submit the reviewed proposal to the head. A lighter or equal penalty may replace the notified one;
    a heavier one needs ``renotify``."""
    now, today = resolve_now(now)
    case, t = _begin(name="submit_decision", case=case, actor=actor, expected_version=expected_version)
    _ensure_defence_heard(case, today)
    if measures is not None:
        normalised = normalise_measures(measures)
        _ensure_not_heavier(case, normalised)
        case.proposed_measures = normalised
        case.proposed_fine_amount = measures_amount(normalised, PenaltyKind.FINE)
    if defence_adoption:
        case.defence_adoption = defence_adoption
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"measures": case.proposed_measures})


# --------------------------------------------------------------------------- 决定


def _ensure_decision_in_time(case: Case, actor: User, today: dt.date, overdue_reason: str) -> dict[str, Any] | None:
    """行政处罚法 第六十条: decide within 90 days of 立案 (+ approved extensions, paused time excluded). The limit
    covers every 处理决定 of 第五十七条 — a penalty, 不予行政处罚 and 移送 alike (市场监督管理行政处罚程序规定
    第六十四条: "作出处理决定"). An extension is approved before the limit expires (``case_extend_decision``).

    Once the limit has run out the case must still be decided — a record that can never be completed is no
    remedy, and 移送 of a suspected crime is a duty (国务院令第310号《行政执法机关移送涉嫌犯罪案件的规定》第三条)
    — so exceeding it is a procedural defect recorded and answered for, not a bar: the decision is accepted
    with a written ``overdue_reason``, given by the head who decides (every 处理决定 is the head's,
    ``workflow.TRANSITIONS``), and recorded on the case, in the audit entry and as the DECISION limit met late.

    Returns the overdue record to store (``None`` when in time); raises 409 ``decision_overdue_reason_required``
    when the limit has run out and no reason is given."""
    deadline = decision_deadline_refresh(case=case, today=today)
    if deadline is None or today <= deadline.due_on:
        case.decision_overdue_reason = ""
        case.decision_overdue_acknowledged_by = None
        case.decision_overdue_days = None
        return None
    if not actor.has_role(Role.AGENCY_HEAD):
        # Defence in depth: the acknowledgement is the head's even if a handler may one day submit a 移送.
        raise Forbidden("超期作出决定须由机关负责人确认并说明原因", code="head_required")
    over = days_over(due_on=deadline.due_on, on=today)
    reason = (overdue_reason or "").strip()
    if not reason:
        raise PreconditionFailed(
            "decision_overdue_reason_required",
            f"已超过作出处理决定的期限（立案之日起九十日及已批准的延长期限，{deadline.due_on.isoformat()}届满），"
            f"已超期{over}日，且未在期限届满前批准延长。仍可作出决定，但须由机关负责人在 overdue_reason 中"
            "书面说明超期原因，超期情况将记入案卷和审计记录",
            fields={"overdue_reason": ["超期作出决定须说明超期原因"]},
            extra={
                "registered_on": case.registered_on.isoformat() if case.registered_on else None,
                "due_on": deadline.due_on.isoformat(),
                "days_over": over,
                "extension_days": case.decision_extension_days,
                "paused_days": deadline.paused_days,
            },
        )
    case.decision_overdue_reason = reason
    case.decision_overdue_acknowledged_by = actor
    case.decision_overdue_days = over
    return {"due_on": deadline.due_on.isoformat(), "days_over": over, "reason": reason,
            "acknowledged_by": str(actor.pk), "acknowledged_by_name": str(actor)}


@transaction.atomic
def case_decide(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    measures: list[dict[str, Any]] | None = None,
    collective_discussion: dict[str, Any] | None = None,
    content: dict[str, Any] | None = None,
    overdue_reason: str = "",
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """负责人决定 (行政处罚法 第五十七条). Guards: ≥ 2 qualified officers (第四十二条); the review passed
    (第五十八条, via the reviews hook); the party heard or waived (第六十二条); not heavier than notified
    (第四十五条); within 90 days (+extensions, 第六十条), or after them with the head's overdue statement;
    集体讨论 recorded where required (第五十七条第二款).
    Assigns the 决定书文号 and publishes through the disclosures hook."""
    now, today = resolve_now(now)
    case, t = _begin(name="decide", case=case, actor=actor, expected_version=expected_version)
    ensure_officers_can_act(case=case, on=today)
    decided = normalise_measures(measures) if measures is not None else list(case.proposed_measures)
    if not decided:
        raise ApplicationError("measures_required", "须写明处罚内容", status=422)
    # The review gate compares what is about to be decided with what was reviewed.
    case.decision_outcome = DecisionOutcome.PENALTY
    case.decided_measures = decided
    hooks.review_ensure_passed(case=case)
    _ensure_defence_heard(case, today)
    _ensure_not_heavier(case, decided)
    overdue = _ensure_decision_in_time(case, actor, today, overdue_reason)
    # 第三十六条 again: the violation date may have been corrected since 立案.
    ensure_within_limitation(case, discovered_on=case.clue_received_on or case.registered_on or today)
    if collective_discussion:
        create_document(
            case=case, doc_type=DocumentType.COLLECTIVE_DISCUSSION, actor=actor, context=context, now=now,
            step_name=t.name, content=collective_discussion,
        )
    hooks.review_ensure_collective_discussion(case=case)
    review_reference = hooks.review_decision_reference(case=case)
    rules = case_rules(case.agency_id)
    case.fine_amount = measures_amount(decided, PenaltyKind.FINE)
    case.confiscation_amount = measures_amount(decided, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY)
    case.decision_number = issue_number(case=case, kind="decision", fmt=rules.decision_number_format, on=today)
    case.decided_at = now
    case.decided_on = today
    case.decided_by = actor
    case.decision_state = DecisionState.EFFECTIVE
    document = create_document(
        case=case, doc_type=DocumentType.DECISION, actor=actor, context=context, now=now, step_name=t.name,
        number=case.decision_number,
        content={
            # 行政处罚法 第五十九条 fields; 市场监管 第六十二条 adds the adoption of the defence.
            **(content or {}),
            "agency_name": case.agency.name,
            "party_name": case.party_name,
            "party_address": case.party_address,
            "party_uscc": case.party_uscc,
            "party_legal_rep": case.party_legal_rep,
            "facts": case.facts,
            "evidence": _decision_evidence(case),
            "legal_basis": case.legal_basis,
            "measures": decided,
            "defence_adoption": case.defence_adoption,
            "performance": decision_performance_text(
                fine=case.fine_amount, confiscated_gains=measures_amount(decided, PenaltyKind.CONFISCATE_GAINS)
            ),
            "remedies": remedies_clause(),
            "decided_on": today.isoformat(),
            "review": review_reference,
        },
    )
    deadline_meet(case=case, code="DECISION", on=today)
    deadline_open(case=case, code="DECISION_SERVICE", anchor_on=today)
    case = _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step, data={
        "decision_number": case.decision_number, "measures": decided, "document_id": str(document.id),
        "review": review_reference, "overdue": overdue,
    })
    hooks.notice_create_for_decision(case=case, context=context)
    return case


@transaction.atomic
def case_decide_without_penalty(
    *, case: Case, actor: User, context: AuditContext, outcome: str, reason: str, receiver: str = "",
    overdue_reason: str = "", step: Step = NO_STEP, expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """不予行政处罚 or 移送司法机关/其他部门 (行政处罚法 第五十七条第一款第二至四项; 第二十七条). After the 90-day
    limit only the overdue statement is asked for: a 移送 is a legal duty (国务院令第310号 第三条), never barred."""
    now, today = resolve_now(now)
    case, t = _begin(name="decide_without_penalty", case=case, actor=actor, expected_version=expected_version)
    if outcome not in (DecisionOutcome.NO_PENALTY, DecisionOutcome.TRANSFER_JUDICIAL, DecisionOutcome.TRANSFER_OTHER):
        raise ApplicationError("invalid_outcome", "决定结果无效", status=422, fields={"outcome": ["无效"]})
    overdue = _ensure_decision_in_time(case, actor, today, overdue_reason)
    rules = case_rules(case.agency_id)
    if outcome == DecisionOutcome.NO_PENALTY:
        doc_type, kind, fmt = DocumentType.NO_PENALTY_DECISION, "no_penalty", rules.no_penalty_number_format
    else:
        doc_type, kind, fmt = DocumentType.TRANSFER_LETTER, "transfer", rules.transfer_number_format
    case.decision_outcome = outcome
    case.decision_number = issue_number(case=case, kind=kind, fmt=fmt, on=today)
    case.decided_measures = []
    case.decided_at = now
    case.decided_on = today
    case.decided_by = actor
    case.decision_state = DecisionState.EFFECTIVE
    document = create_document(
        case=case, doc_type=doc_type, actor=actor, context=context, now=now, step_name=t.name,
        number=case.decision_number, content={"reason": reason, "receiver": receiver, "outcome": outcome},
    )
    deadline_meet(case=case, code="DECISION", on=today)
    deadline_cancel(case=case, codes=["CASE_REVIEW", "LEGAL_REVIEW", "STATEMENT_DEFENCE", "HEARING_REQUEST"])
    CasePause.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today)
    deadline_open(case=case, code="CASE_CLOSURE", anchor_on=today)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step, data={
        "outcome": outcome, "reason": reason, "decision_number": case.decision_number,
        "document_id": str(document.id), "overdue": overdue,
    })


# --------------------------------------------------------------------------- 送达 → 执行 → 结案 → 归档

SERVICE_METHODS = {
    "direct": Activity.SERVICE,
    "left_at_residence": Activity.SERVICE_LEFT,
    "post": Activity.SERVICE,
    "entrusted": Activity.SERVICE,
    "electronic": Activity.SERVICE,
    "public_notice": Activity.SERVICE_PUBLIC,
}


@transaction.atomic
def case_serve(
    *, case: Case, actor: User, context: AuditContext, method: str, served_on: dt.date | None = None,
    electronic_consent: bool = False, recipient: str = "", attachment_ids: list[Any] | None = None,
    step: Step = NO_STEP, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """送达 within 7 working days (行政处罚法 第六十一条); electronic service only with the party's consent.
    Starts the 15-day payment period for a fine (第六十七条).

    For 公告送达 (``public_notice``) ``served_on`` is the day the notice was published: the decision is deemed
    served when the agency's period after it has run (民事诉讼法 第九十五条, 30 days; 市场监督管理行政处罚
    程序规定 第八十二条第五项), and the party's payment period starts then. The case records the deemed date."""
    now, _today = resolve_now(now)
    case, t = _begin(name="serve", case=case, actor=actor, expected_version=expected_version)
    served_on = _act_date(served_on, now, "served_on")
    acted_on = served_on  # the agency's own act: delivery, posting, or publication of the notice
    ensure_not_before(acted_on, field="served_on", label="送达日期", previous={"作出决定": case.decided_on})
    if method not in SERVICE_METHODS:
        raise ApplicationError("invalid_service_method", "送达方式无效", status=422, fields={"method": ["无效"]})
    if method == "electronic" and not electronic_consent:
        raise PreconditionFailed(
            "electronic_service_without_consent", "当事人未同意并签订确认书，不得电子送达（第六十一条）"
        )
    if method in ("direct", "left_at_residence"):
        ensure_officers_can_act(case=case, on=served_on)
    content = {"method": method, "served_on": served_on.isoformat(), "recipient": recipient,
               "decision_number": case.decision_number}
    if method == "public_notice":
        rule = get_rule("PUBLIC_NOTICE_SERVICE")
        # Deemed served when the period has run; it protects the party (latest plausible day if provisional).
        length = case_rules(case.agency_id).public_notice_service_days
        served_on = get_calendar().compute(rule, acted_on, length=length).due
        content.update(published_on=acted_on.isoformat(), served_on=served_on.isoformat())
    case.served_on = served_on
    document = create_document(
        case=case, doc_type=DocumentType.SERVICE_RECEIPT, actor=actor, context=context, now=now, step_name=t.name,
        activity=SERVICE_METHODS[method], attachment_ids=attachment_ids, content=content,
    )
    deadline_meet(case=case, code="DECISION_SERVICE", on=acted_on)
    if case.fine_amount:
        deadline_open(case=case, code="PAYMENT", anchor_on=served_on, kind=CaseDeadline.Kind.PARTY)
    case = _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"method": method, "served_on": served_on, "acted_on": acted_on,
                         "document_id": str(document.id)})
    hooks.decision_served(case=case, served_on=served_on)
    return case


@transaction.atomic
def case_start_execution(
    *, case: Case, actor: User, context: AuditContext, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    now, _today = resolve_now(now)
    case, t = _begin(name="start_execution", case=case, actor=actor, expected_version=expected_version)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_record_execution(
    *, case: Case, actor: User, context: AuditContext, executed_on: dt.date | None = None, note: str = "",
    paid_amount: Decimal | None = None, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """执行完毕: starts the 15-working-day limit for 结案 (市场监管程序规定 第七十七条)."""
    now, _today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    if case.status != S.EXECUTING:
        raise PreconditionFailed("transition_not_allowed", "案件不在执行阶段", extra={"status": case.status})
    ensure_decision_in_force(case)
    executed_on = _act_date(executed_on, now, "executed_on")
    case.executed_on = executed_on
    deadline_meet(case=case, code="PAYMENT", on=executed_on)
    deadline_open(case=case, code="CASE_CLOSURE", anchor_on=executed_on)
    save_case(case)
    audit_record(action="case.executed", target=case, context=context, case_id=case.id, data={
        "executed_on": executed_on, "note": note, "paid_amount": paid_amount, "version": case.version,
    })
    return case


@transaction.atomic
def case_close(
    *, case: Case, actor: User, context: AuditContext, opinion: str = "", step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """结案审批 (市场监管程序规定 第七十七条): executed, or nothing to execute (warning; 不予处罚; 移送)."""
    now, today = resolve_now(now)
    case, t = _begin(name="close", case=case, actor=actor, expected_version=expected_version)
    # What happened after the decision (payments, 复议/诉讼, property) is the apps above's to check; a
    # refusal names the open item, so they are told first.
    hooks.case_closing(case=case, closing_on=today)
    # Nothing is left to execute of a revoked or void decision: the case is closed as it stands.
    void = case.decision_state in DECISION_NOT_IN_FORCE
    nothing_to_execute = void or (not case.fine_amount and not case.confiscation_amount)
    if case.status == S.DECIDED and case.decision_outcome == DecisionOutcome.PENALTY and not void:
        raise PreconditionFailed("decision_not_served", "处罚决定书尚未送达，不能结案")
    if case.status in (S.SERVED, S.FILED) and not nothing_to_execute and case.executed_on is None:
        raise PreconditionFailed("execution_not_completed", "处罚尚未执行完毕，不能结案")
    if case.status == S.EXECUTING and case.executed_on is None and not void:
        raise PreconditionFailed("execution_not_completed", "处罚尚未执行完毕，不能结案")
    ensure_cash_deposited(case)
    if case.executed_on is None and nothing_to_execute:
        deadline_open(case=case, code="CASE_CLOSURE", anchor_on=case.served_on or case.decided_on or today)
    document = create_document(
        case=case, doc_type=DocumentType.CLOSURE_APPROVAL, actor=actor, context=context, now=now, step_name=t.name,
        content={"opinion": opinion},
    )
    deadline_meet(case=case, code="CASE_CLOSURE", on=today)
    deadline_meet(case=case, code="SUMMARY_FILING", on=today)
    case.closed_on = today
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"document_id": str(document.id)})


@transaction.atomic
def case_archive(
    *, case: Case, actor: User, context: AuditContext, retention_years: int | None = None,
    step: Step = NO_STEP, expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """归档 (一案一卷; 市场监管程序规定 第七十八条、第七十九条). The retention term starts; ``None`` years
    keeps the file permanently."""
    now, today = resolve_now(now)
    case, t = _begin(name="archive", case=case, actor=actor, expected_version=expected_version)
    case.archived_on = today
    if retention_years:
        case.retention_until = get_calendar().add_years(today, retention_years).due
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"retention_until": case.retention_until})


@transaction.atomic
def case_file_summary(
    *, case: Case, actor: User, context: AuditContext, filed_on: dt.date | None = None, step: Step = NO_STEP,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """简易程序: hand the materials to the agency within 7 working days (市场监管程序规定 第七十条)."""
    now, _today = resolve_now(now)
    case, t = _begin(name="file_summary", case=case, actor=actor, expected_version=expected_version)
    filed_on = _act_date(filed_on, now, "filed_on")
    case.summary_filed_on = filed_on
    met = deadline_meet(case=case, code="SUMMARY_FILING", on=filed_on)
    return _finish(case=case, transition=t, actor=actor, context=context, now=now, step=step,
                   data={"filed_on": filed_on, "late": bool(met and met.met_late)})


TRANSITION_SERVICES = {
    "start_verification": case_start_verification,
    "decline": case_decline,
    "register": case_register,
    "start_investigation": case_start_investigation,
    "suspend": case_suspend,
    "resume": case_resume,
    "conclude_investigation": case_conclude_investigation,
    "submit_review": case_submit_review,
    "return_for_investigation": case_return_for_investigation,
    "approve_proposal": case_approve_proposal,
    "notify": case_notify,
    "request_hearing": case_request_hearing,
    "schedule_hearing": case_schedule_hearing,
    "hold_hearing": case_hold_hearing,
    "submit_post_hearing_review": case_submit_post_hearing_review,
    "start_defence_review": case_start_defence_review,
    "renotify": case_renotify,
    "submit_decision": case_submit_decision,
    "decide": case_decide,
    "decide_without_penalty": case_decide_without_penalty,
    "serve": case_serve,
    "start_execution": case_start_execution,
    "close": case_close,
    "archive": case_archive,
    "file_summary": case_file_summary,
}
assert set(TRANSITION_SERVICES) == set(TRANSITIONS), "every transition has exactly one service"
