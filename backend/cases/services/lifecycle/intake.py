"""Transitions from the clue to the investigation's end: 线索 → 立案 → 调查取证."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from backend.accounts.models import User
from backend.cases.deadlines import (
    case_rules,
    deadline_meet,
    decision_deadline_refresh,
)
from backend.cases.models import (
    Case,
    CasePause,
    DocumentType,
    PenaltyKind,
)
from backend.cases.services.common import (
    NO_STEP,
    Step,
    create_document,
    ensure_officers_can_act,
    ensure_within_limitation,
    hearing_eligible,
    issue_number,
    measures_amount,
    normalise_measures,
    officers_from_ids,
    resolve_now,
)
from backend.cases.services.lifecycle.base import (
    act_date,
    begin_transition,
    finish_transition,
)
from backend.ledger.services import AuditContext

# --------------------------------------------------------------------------- 线索 → 立案


@transaction.atomic
def case_start_verification(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    now, _today = resolve_now(now)
    case, t = begin_transition(name="start_verification", case=case, actor=actor, expected_version=expected_version)
    return finish_transition(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_decline(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    reason: str,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """不予立案 with an approval record (市场监管程序规定 第二十条)."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="decline", case=case, actor=actor, expected_version=expected_version)
    document = create_document(
        case=case,
        doc_type=DocumentType.NOT_REGISTERED_APPROVAL,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        content={"reason": reason},
    )
    deadline_meet(case=case, code="CLUE_VERIFY", on=today)
    case.closed_on = today
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"reason": reason, "document_id": str(document.id)},
    )


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
    case, t = begin_transition(name="register", case=case, actor=actor, expected_version=expected_version)
    registered_on = act_date(registered_on, now, "registered_on")
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
        case=case,
        doc_type=DocumentType.FILING_APPROVAL,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        number=case.case_number,
        content={"opinion": opinion, "approved_by": str(actor.pk)},
    )
    deadline_meet(case=case, code="CLUE_VERIFY", on=registered_on)
    case = finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={
            "case_number": case.case_number,
            "officer_ids": sorted(str(pk) for pk in case.handling_officers.values_list("pk", flat=True)),
            "document_id": str(document.id),
        },
    )
    decision_deadline_refresh(case=case, today=today)
    return case


# --------------------------------------------------------------------------- 调查取证


@transaction.atomic
def case_start_investigation(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    now, today = resolve_now(now)
    case, t = begin_transition(name="start_investigation", case=case, actor=actor, expected_version=expected_version)
    ensure_officers_can_act(case=case, on=today)
    return finish_transition(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    reason: str,
    kind: str = CasePause.Kind.SUSPENSION,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """中止调查: the decision clock stands still until resumed (市场监管程序规定 第四十七条、第六十四条)."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="suspend", case=case, actor=actor, expected_version=expected_version)
    document = create_document(
        case=case,
        doc_type=DocumentType.SUSPENSION_APPROVAL,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        content={"reason": reason, "kind": kind},
    )
    CasePause.objects.create(case=case, kind=kind, started_on=today, reason=reason)
    case = finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"reason": reason, "pause": kind, "document_id": str(document.id)},
    )
    decision_deadline_refresh(case=case, today=today)
    return case


@transaction.atomic
def case_resume(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    now, today = resolve_now(now)
    case, t = begin_transition(name="resume", case=case, actor=actor, expected_version=expected_version)
    CasePause.objects.filter(case=case, kind=CasePause.Kind.SUSPENSION, ended_on__isnull=True).update(ended_on=today)
    case = finish_transition(case=case, transition=t, actor=actor, context=context, now=now, step=step)
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
    case, t = begin_transition(name="conclude_investigation", case=case, actor=actor, expected_version=expected_version)
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
        case=case,
        doc_type=DocumentType.INVESTIGATION_REPORT,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        content={
            "report": report,
            "facts": case.facts,
            "legal_basis": case.legal_basis,
            "proposed_measures": case.proposed_measures,
        },
    )
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"document_id": str(document.id)},
    )
