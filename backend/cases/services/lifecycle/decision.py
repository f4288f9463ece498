"""The decision (决定): within its period (第六十条), with or without a penalty."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

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
    Case,
    CasePause,
    DecisionOutcome,
    DecisionState,
    DocumentType,
    PenaltyKind,
)
from backend.cases.rules import days_over, decision_performance_text
from backend.cases.services.common import (
    NO_STEP,
    Step,
    create_document,
    ensure_officers_can_act,
    ensure_within_limitation,
    issue_number,
    measures_amount,
    normalise_measures,
    resolve_now,
)
from backend.cases.services.lifecycle.base import (
    begin_transition,
    decision_evidence,
    finish_transition,
)
from backend.cases.services.lifecycle.proposal import ensure_defence_heard, ensure_not_heavier
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.common.remedies import remedies_clause
from backend.ledger.services import AuditContext

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
    return {
        "due_on": deadline.due_on.isoformat(),
        "days_over": over,
        "reason": reason,
        "acknowledged_by": str(actor.pk),
        "acknowledged_by_name": str(actor),
    }


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
    case, t = begin_transition(name="decide", case=case, actor=actor, expected_version=expected_version)
    ensure_officers_can_act(case=case, on=today)
    decided = normalise_measures(measures) if measures is not None else list(case.proposed_measures)
    if not decided:
        raise ApplicationError("measures_required", "须写明处罚内容", status=422)
    # The review gate compares what is about to be decided with what was reviewed.
    case.decision_outcome = DecisionOutcome.PENALTY
    case.decided_measures = decided
    hooks.review_ensure_passed(case=case)
    ensure_defence_heard(case, today)
    ensure_not_heavier(case, decided)
    overdue = _ensure_decision_in_time(case, actor, today, overdue_reason)
    # 第三十六条 again: the violation date may have been corrected since 立案.
    ensure_within_limitation(case, discovered_on=case.clue_received_on or case.registered_on or today)
    if collective_discussion:
        create_document(
            case=case,
            doc_type=DocumentType.COLLECTIVE_DISCUSSION,
            actor=actor,
            context=context,
            now=now,
            step_name=t.name,
            content=collective_discussion,
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
        case=case,
        doc_type=DocumentType.DECISION,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
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
            "evidence": decision_evidence(case),
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
    case = finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={
            "decision_number": case.decision_number,
            "measures": decided,
            "document_id": str(document.id),
            "review": review_reference,
            "overdue": overdue,
        },
    )
    hooks.notice_create_for_decision(case=case, context=context)
    return case


@transaction.atomic
def case_decide_without_penalty(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    outcome: str,
    reason: str,
    receiver: str = "",
    overdue_reason: str = "",
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """不予行政处罚 or 移送司法机关/其他部门 (行政处罚法 第五十七条第一款第二至四项; 第二十七条). After the 90-day
    limit only the overdue statement is asked for: a 移送 is a legal duty (国务院令第310号 第三条), never barred."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="decide_without_penalty", case=case, actor=actor, expected_version=expected_version)
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
        case=case,
        doc_type=doc_type,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        number=case.decision_number,
        content={"reason": reason, "receiver": receiver, "outcome": outcome},
    )
    deadline_meet(case=case, code="DECISION", on=today)
    deadline_cancel(case=case, codes=["CASE_REVIEW", "LEGAL_REVIEW", "STATEMENT_DEFENCE", "HEARING_REQUEST"])
    CasePause.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today)
    deadline_open(case=case, code="CASE_CLOSURE", anchor_on=today)
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={
            "outcome": outcome,
            "reason": reason,
            "decision_number": case.decision_number,
            "document_id": str(document.id),
            "overdue": overdue,
        },
    )
