"""Transitions from the investigation's result to the decision's submission: 审核 → 拟处罚 → 告知 → 陈述申辩 / 听证."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from backend.accounts.models import User
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
    DocumentType,
    PenaltyKind,
)
from backend.cases.services.common import (
    NO_STEP,
    Step,
    create_document,
    ensure_may_act,
    ensure_officers_can_act,
    ensure_version,
    hearing_eligible,
    lock_case,
    measures_amount,
    measures_heavier,
    normalise_measures,
    resolve_now,
    save_case,
)
from backend.cases.services.lifecycle.base import (
    S,
    act_date,
    begin_transition,
    ensure_evidence,
    finish_transition,
)
from backend.common.calendar import get_calendar
from backend.common.clock import ensure_not_before
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record

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
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    measures: list[dict[str, Any]] | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Submit the proposal (``measures``, or the one in the 调查终结报告): 法制审核 when the reviews app
    finds it major (行政处罚法 第五十八条), otherwise 案件审核 (市场监管程序规定 第四十九条).
    The review time limit (10 working days by default) is the review round's."""
    now, _today = resolve_now(now)
    case, t = begin_transition(name="submit_review", case=case, actor=actor, expected_version=expected_version)
    _set_proposal(case, measures)
    target = S.LEGAL_REVIEW if case.is_major else S.CASE_REVIEW
    # The review time limit starts when the reviewers receive the package (the review round; its one clock
    # is shown on the case as CASE_REVIEW/LEGAL_REVIEW, backend/cases/deadlines.py EXTERNAL_CLOCK_CODES).
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        to=target,
        data={
            "measures": case.proposed_measures,
            "is_major": case.is_major,
            "major_reasons": case.major_reasons,
        },
    )


@transaction.atomic
def case_return_for_investigation(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    reason: str,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """退回补充调查 (市场监管程序规定 第五十四条: 建议补充调查)."""
    now, today = resolve_now(now)
    case, t = begin_transition(
        name="return_for_investigation", case=case, actor=actor, expected_version=expected_version
    )
    for code in ("CASE_REVIEW", "LEGAL_REVIEW"):
        deadline_meet(case=case, code=code, on=today)
    return finish_transition(
        case=case, transition=t, actor=actor, context=context, now=now, step=step, data={"reason": reason}
    )


@transaction.atomic
def case_approve_proposal(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The head approves the proposed penalty once the review has passed (行政处罚法 第五十七条、第五十八条)."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="approve_proposal", case=case, actor=actor, expected_version=expected_version)
    hooks.review_ensure_passed(case=case)
    for code in ("CASE_REVIEW", "LEGAL_REVIEW"):
        deadline_meet(case=case, code=code, on=today)
    return finish_transition(case=case, transition=t, actor=actor, context=context, now=now, step=step)


# --------------------------------------------------------------------------- 告知 → 陈述申辩 / 听证


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
    case, t = begin_transition(name="notify", case=case, actor=actor, expected_version=expected_version)
    served_on = act_date(served_on, now, "served_on")
    ensure_not_before(
        served_on,
        field="served_on",
        label="告知书送达日期",
        previous={
            "立案": case.registered_on,
            "调查终结": case.investigation_concluded_on,
        },
    )
    ensure_officers_can_act(case=case, on=served_on)
    ensure_evidence(case)
    hooks.review_ensure_passed(case=case)
    rules = case_rules(case.agency_id)
    case.notified_on = served_on
    case.notified_measures = case.proposed_measures
    case.notified_fine_amount = case.proposed_fine_amount
    case.statement_waived = False
    case.hearing_waived = False
    document = create_document(
        case=case,
        doc_type=DocumentType.PENALTY_NOTICE,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        content={
            **(content or {}),
            "facts": case.facts,
            "legal_basis": case.legal_basis,
            "proposed_measures": case.proposed_measures,
            "rights": ["陈述", "申辩", *(["要求听证"] if case.hearing_eligible else [])],
            "served_on": served_on.isoformat(),
        },
    )
    deadline_open(
        case=case,
        code="STATEMENT_DEFENCE",
        anchor_on=served_on,
        kind=CaseDeadline.Kind.WINDOW,
        length=rules.statement_window_workdays,
    )
    if case.hearing_eligible:
        deadline_open(
            case=case,
            code="HEARING_REQUEST",
            anchor_on=served_on,
            kind=CaseDeadline.Kind.WINDOW,
            length=rules.hearing_request_window_workdays,
        )
    else:
        deadline_cancel(case=case, codes=["HEARING_REQUEST"])
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={
            "served_on": served_on,
            "hearing_eligible": case.hearing_eligible,
            "document_id": str(document.id),
        },
    )


@transaction.atomic
def case_request_hearing(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    requested_on: dt.date | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The party asks for a hearing within 5 working days of the notice (行政处罚法 第六十四条第一项); the
    decision clock stands still during the hearing (市场监管程序规定 第六十四条)."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="request_hearing", case=case, actor=actor, expected_version=expected_version)
    requested_on = act_date(requested_on, now, "requested_on")
    ensure_not_before(
        requested_on, field="requested_on", label="要求听证日期", previous={"送达事先告知书": case.notified_on}
    )
    if not case.hearing_eligible:
        raise PreconditionFailed("hearing_not_available", "拟作出的处罚不属于应当告知听证权利的情形（第六十三条）")
    window = CaseDeadline.objects.filter(case=case, rule_code="HEARING_REQUEST").first()
    if case.hearing_waived or (window is not None and requested_on > window.due_on):
        raise PreconditionFailed(
            "hearing_request_window_elapsed",
            "当事人要求听证的期限已过或已放弃听证",
            extra={"window_ends_on": window.due_on.isoformat() if window else None},
        )
    case.hearing_requested_on = requested_on
    deadline_meet(case=case, code="HEARING_REQUEST", on=requested_on)
    CasePause.objects.create(case=case, kind=CasePause.Kind.HEARING, started_on=requested_on, reason="听证")
    case = finish_transition(
        case=case, transition=t, actor=actor, context=context, now=now, step=step, data={"requested_on": requested_on}
    )
    decision_deadline_refresh(case=case, today=today)
    return case


@transaction.atomic
def case_schedule_hearing(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    hearing_date: dt.date,
    chair_id: Any,
    place: str = "",
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Notify the hearing at least 7 working days ahead; the chair is not an investigator of the case
    (行政处罚法 第六十四条第二项、第四项)."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="schedule_hearing", case=case, actor=actor, expected_version=expected_version)
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
        case=case,
        doc_type=DocumentType.HEARING_NOTICE,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        content={
            "hearing_date": hearing_date.isoformat(),
            "chair_id": str(chair.pk),
            "chair": str(chair),
            "place": place,
        },
    )
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={
            "hearing_date": hearing_date,
            "chair_id": str(chair.pk),
            "document_id": str(document.id),
        },
    )


@transaction.atomic
def case_hold_hearing(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    record: dict[str, Any],
    held_on: dt.date | None = None,
    attachment_ids: list[Any] | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """听证笔录 (第六十四条第八项); the hearing pause of the decision clock ends."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="hold_hearing", case=case, actor=actor, expected_version=expected_version)
    held_on = act_date(held_on, now, "held_on")
    if case.hearing_date and held_on < case.hearing_date:
        raise PreconditionFailed(
            "hearing_date_not_reached", "尚未到通知的听证日期", extra={"hearing_date": case.hearing_date.isoformat()}
        )
    case.hearing_held_on = held_on
    document = create_document(
        case=case,
        doc_type=DocumentType.HEARING_RECORD,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        content=record,
        activity=Activity.HEARING,
        attachment_ids=attachment_ids,
    )
    CasePause.objects.filter(case=case, kind=CasePause.Kind.HEARING, ended_on__isnull=True).update(ended_on=held_on)
    case = finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"held_on": held_on, "document_id": str(document.id)},
    )
    decision_deadline_refresh(case=case, today=today)
    return case


@transaction.atomic
def case_submit_post_hearing_review(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """行政处罚法 第五十八条第一款第二项: a case that went through a hearing needs legal review after it."""
    now, _today = resolve_now(now)
    case, t = begin_transition(
        name="submit_post_hearing_review", case=case, actor=actor, expected_version=expected_version
    )
    reasons = hooks.review_major_evaluate(case=case)
    if "经过听证程序" not in reasons:
        reasons = [*reasons, "经过听证程序"]
    case.major_reasons = reasons
    case.is_major = True
    case.collective_discussion_required = True
    # The post-hearing review's time limit is its review round's (see case_submit_review).
    return finish_transition(
        case=case, transition=t, actor=actor, context=context, now=now, step=step, data={"major_reasons": reasons}
    )


@transaction.atomic
def case_record_waiver(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    statement: bool = False,
    hearing: bool = False,
    note: str = "",
    attachment_ids: list[Any] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The party expressly waives the statement/defence and/or hearing (行政处罚法 第六十二条)."""
    now, _today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    if case.status != S.NOTIFIED:
        raise PreconditionFailed(
            "transition_not_allowed", "只有在告知后、复核前可以记录放弃陈述申辩或听证", extra={"status": case.status}
        )
    if not (statement or hearing):
        raise ApplicationError("waiver_empty", "请指明放弃的权利", status=422)
    case.statement_waived = case.statement_waived or statement
    case.hearing_waived = case.hearing_waived or hearing
    document = create_document(
        case=case,
        doc_type=DocumentType.STATEMENT_RECORD,
        actor=actor,
        context=context,
        now=now,
        step_name="waiver",
        content={"statement_waived": statement, "hearing_waived": hearing, "note": note},
        attachment_ids=attachment_ids,
    )
    save_case(case)
    audit_record(
        action="case.waiver",
        target=case,
        context=context,
        case_id=case.id,
        data={
            "statement": statement,
            "hearing": hearing,
            "document_id": str(document.id),
            "version": case.version,
        },
    )
    return case


def ensure_defence_heard(case: Case, today: dt.date) -> None:
    """行政处罚法 第六十二条: no decision before the party was heard, unless the party expressly waived;
    the statement window (市场监管 第五十七条: 5 working days) and the hearing-request window (第六十四条)
    must have elapsed, or been waived, or the hearing been held."""
    if case.notified_on is None:
        raise PreconditionFailed("notice_not_served", "尚未送达行政处罚事先告知书（行政处罚法第四十四条）")
    if case.hearing_held_on is not None and case.hearing_held_on >= case.notified_on:
        return  # the party was heard at the hearing (第六十四条第七项: 当事人进行申辩和质证)
    windows = {
        d.rule_code: d
        for d in CaseDeadline.objects.filter(case=case, rule_code__in=["STATEMENT_DEFENCE", "HEARING_REQUEST"])
    }
    statement = windows.get("STATEMENT_DEFENCE")
    if not case.statement_waived and statement is not None and today <= statement.due_on:
        raise PreconditionFailed(
            "statement_window_open",
            "陈述、申辩期限尚未届满，当事人也未明确放弃",
            extra={"window_ends_on": statement.due_on.isoformat(), "provisional": statement.provisional},
        )
    hearing = windows.get("HEARING_REQUEST")
    if (
        case.hearing_eligible
        and not case.hearing_waived
        and case.hearing_held_on is None
        and hearing is not None
        and today <= hearing.due_on
    ):
        raise PreconditionFailed(
            "hearing_window_open",
            "要求听证的期限尚未届满，当事人也未明确放弃",
            extra={"window_ends_on": hearing.due_on.isoformat(), "provisional": hearing.provisional},
        )


@transaction.atomic
def case_start_defence_review(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """复核 (行政处罚法 第四十五条): once the party has been heard (or the windows elapsed or were waived);
    after a hearing, once the post-hearing legal review has passed."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="start_defence_review", case=case, actor=actor, expected_version=expected_version)
    if case.status == S.LEGAL_REVIEW_POST_HEARING:
        hooks.review_ensure_passed(case=case)
        deadline_meet(case=case, code="LEGAL_REVIEW", on=today)
    else:
        ensure_defence_heard(case, today)
    for code in ("STATEMENT_DEFENCE", "HEARING_REQUEST"):
        deadline_meet(case=case, code=code, on=today)
    return finish_transition(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_renotify(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    measures: list[dict[str, Any]],
    reason: str,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The facts changed or a heavier penalty is now proposed: back to 拟处罚, and a new 告知 must follow
    (行政处罚法 第四十五条第二款: 不得因当事人陈述、申辩而给予更重的处罚)."""
    now, _today = resolve_now(now)
    case, t = begin_transition(name="renotify", case=case, actor=actor, expected_version=expected_version)
    _set_proposal(case, measures)
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"reason": reason, "measures": case.proposed_measures, "is_major": case.is_major},
    )


def ensure_not_heavier(case: Case, measures: list[dict[str, Any]]) -> None:
    if measures_heavier(measures, case.notified_measures):
        raise PreconditionFailed(
            "heavier_penalty_requires_new_notice",
            "拟作出的处罚重于已告知的处罚，须重新告知（行政处罚法第四十五条）",
            extra={"notified_measures": case.notified_measures, "measures": measures},
        )


@transaction.atomic
def case_submit_decision(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    measures: list[dict[str, Any]] | None = None,
    defence_adoption: str = "",
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Submit the reviewed proposal to the head. A lighter or equal penalty may replace the notified one;
    a heavier one needs ``renotify``."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="submit_decision", case=case, actor=actor, expected_version=expected_version)
    ensure_defence_heard(case, today)
    if measures is not None:
        normalised = normalise_measures(measures)
        ensure_not_heavier(case, normalised)
        case.proposed_measures = normalised
        case.proposed_fine_amount = measures_amount(normalised, PenaltyKind.FINE)
    if defence_adoption:
        case.defence_adoption = defence_adoption
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"measures": case.proposed_measures},
    )
