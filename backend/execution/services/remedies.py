"""复议 / 诉讼: filed, suspended, concluded or withdrawn; an outcome other than 维持 changes the decision
through the case's own correction (which withdraws and re-publishes the notice, 行政处罚法 第四十八条第二款)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases import services as case_services
from backend.cases.deadlines import deadline_meet, deadline_open
from backend.cases.models import Case, CaseDeadline
from backend.common.errors import ApplicationError, NotFound, PreconditionFailed
from backend.execution.models import Remedy
from backend.execution.services.common import act_date, begin
from backend.ledger.services import AuditContext, audit_record

K = Remedy.Kind


def _window(case: Case, kind: str) -> str:
    """Which period a filing falls in: 60 days for 复议, 6 months for a suit, 15 days after a 复议决定."""
    if kind == K.RECONSIDERATION:
        return "ADMIN_REVIEW_WINDOW"
    after_review = Remedy.objects.filter(case=case, kind=K.RECONSIDERATION, status=Remedy.Status.CONCLUDED).exists()
    return "LITIGATION_AFTER_REVIEW" if after_review else "LITIGATION_WINDOW"


def _audit(action: str, remedy: Remedy, context: AuditContext, data: dict[str, Any]) -> None:
    event = audit_record(
        action=action,
        target=remedy,
        context=context,
        agency_id=remedy.agency_id,
        case_id=remedy.case_id,
        data={"kind": remedy.kind, "status": remedy.status, **data},
    )
    Remedy.objects.filter(pk=remedy.pk).update(audit_event=event)


@transaction.atomic
def remedy_file(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    kind: str,
    body: str,
    filed_on: dt.date | None = None,
    case_number: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Remedy:
    """Record that the party applied for 复议 or sued. One at a time (行政复议法 第二十九条: 409
    ``remedy_already_pending``); no 复议 after a suit (409 ``reconsideration_after_litigation``). A filing
    after its period is recorded with ``filed_late`` (the body, not the agency, decides admissibility)."""
    now = now or timezone.now()
    case, step = begin(step="remedy_file", case=case, actor=actor, expected_version=expected_version)
    filed_on = act_date(filed_on, now, "filed_on", "申请或起诉日期")
    if case.served_on and filed_on < case.served_on:
        raise ApplicationError(
            "filed_before_service", "申请或起诉日期早于决定送达日期", status=422, fields={"filed_on": ["早于送达日期"]}
        )
    if Remedy.objects.filter(case=case, status=Remedy.Status.PENDING).exists():
        raise PreconditionFailed("remedy_already_pending", "已有复议或诉讼正在进行（行政复议法第二十九条）")
    if kind == K.RECONSIDERATION and Remedy.objects.filter(case=case, kind=K.LITIGATION).exists():
        raise PreconditionFailed("reconsideration_after_litigation", "当事人已提起行政诉讼，不得再申请行政复议")
    code = _window(case, kind)
    window = CaseDeadline.objects.filter(case=case, rule_code=code).first()
    late = bool(window and filed_on > window.due_on)
    remedy = Remedy.objects.create(
        case=case,
        agency_id=case.agency_id,
        kind=kind,
        body=body,
        filed_on=filed_on,
        case_number=case_number,
        filed_late=late,
        recorded_by=actor,
        recorded_at=now,
    )
    deadline_meet(case=case, code=code, on=filed_on)  # one of the step's windows (workflow.STEPS)
    _audit(
        "execution.remedy_filed",
        remedy,
        context,
        {
            "body": body,
            "filed_on": filed_on,
            "case_number": case_number,
            "window": code,
            "window_due_on": window.due_on if window else None,
            "late": late,
            "basis": step.basis,
        },
    )
    return remedy


def _pending(case: Case, remedy_id: int) -> Remedy:
    remedy = Remedy.objects.filter(case=case, pk=remedy_id).first()
    if remedy is None:
        raise NotFound("复议或诉讼记录不存在", code="remedy_not_found")
    if remedy.status != Remedy.Status.PENDING:
        raise PreconditionFailed("remedy_not_pending", "该复议或诉讼已审结或撤回", extra={"status": remedy.status})
    return remedy


@transaction.atomic
def remedy_suspend(
    *,
    case: Case,
    remedy_id: int,
    actor: User,
    context: AuditContext,
    basis: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Remedy:
    """Execution stops while the remedy is pending (行政复议法 第四十二条, 行政诉讼法 第五十六条: the agency
    or the body so decides, or a law so provides); ``basis`` names which."""
    case, step = begin(step="remedy_suspend", case=case, actor=actor, expected_version=expected_version)
    remedy = _pending(case, remedy_id)
    remedy.execution_suspended = True
    remedy.suspension_basis = basis
    remedy.save(update_fields=["execution_suspended", "suspension_basis"])
    _audit("execution.remedy_suspended", remedy, context, {"suspension_basis": basis, "basis": step.basis})
    return remedy


@transaction.atomic
def remedy_conclude(
    *,
    case: Case,
    remedy_id: int,
    actor: User,
    context: AuditContext,
    outcome: str,
    reason: str,
    concluded_on: dt.date | None = None,
    reference: str = "",
    new_measures: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Remedy:
    """The 复议决定 or judgment. 维持: the decision stands (after a 复议 the party has 15 days to sue,
    行政诉讼法 第四十五条: ``LITIGATION_AFTER_REVIEW`` opens). 变更/撤销/确认违法/确认无效: the case's
    correction records it and withdraws the public notice within 3 working days — re-publishing a changed
    one (行政处罚法 第四十八条第二款)."""
    now = now or timezone.now()
    case, step = begin(step="remedy_conclude", case=case, actor=actor, expected_version=expected_version)
    remedy = _pending(case, remedy_id)
    concluded_on = act_date(concluded_on, now, "concluded_on", "审结日期")
    if concluded_on < remedy.filed_on:
        raise ApplicationError(
            "concluded_before_filed",
            "审结日期早于申请或起诉日期",
            status=422,
            fields={"concluded_on": ["早于申请日期"]},
        )
    if outcome != Remedy.Outcome.UPHELD:
        case = case_services.case_correct_decision(
            case=case,
            actor=actor,
            context=context,
            kind=outcome,
            by=remedy.kind,
            reason=reason,
            effective_on=concluded_on,
            reference=reference,
            new_measures=new_measures,
            now=now,
        )
        remedy.correction = case.corrections.order_by("-pk").first()
    elif remedy.kind == K.RECONSIDERATION:
        deadline_open(case=case, code="LITIGATION_AFTER_REVIEW", anchor_on=concluded_on, kind=CaseDeadline.Kind.WINDOW)
    remedy.status = Remedy.Status.CONCLUDED
    remedy.outcome = outcome
    remedy.concluded_on = concluded_on
    remedy.outcome_reference = reference
    remedy.outcome_reason = reason
    remedy.new_measures = list(case.decided_measures) if outcome == Remedy.Outcome.CHANGED else []
    remedy.concluded_by = actor
    remedy.save()
    _audit(
        "execution.remedy_concluded",
        remedy,
        context,
        {
            "outcome": outcome,
            "concluded_on": concluded_on,
            "reference": reference,
            "reason": reason,
            "correction_id": remedy.correction_id,
            "basis": step.basis,
        },
    )
    return remedy


@transaction.atomic
def remedy_withdraw(
    *,
    case: Case,
    remedy_id: int,
    actor: User,
    context: AuditContext,
    withdrawn_on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Remedy:
    """撤回复议申请 / 撤诉: the decision stands; the surcharge counts again from the next day."""
    now = now or timezone.now()
    case, step = begin(step="remedy_withdraw", case=case, actor=actor, expected_version=expected_version)
    remedy = _pending(case, remedy_id)
    withdrawn_on = act_date(withdrawn_on, now, "withdrawn_on", "撤回日期")
    if withdrawn_on < remedy.filed_on:
        raise ApplicationError(
            "concluded_before_filed",
            "撤回日期早于申请或起诉日期",
            status=422,
            fields={"withdrawn_on": ["早于申请日期"]},
        )
    remedy.status = Remedy.Status.WITHDRAWN
    remedy.concluded_on = withdrawn_on
    remedy.outcome_reason = reason
    remedy.concluded_by = actor
    remedy.save()
    _audit(
        "execution.remedy_withdrawn",
        remedy,
        context,
        {"withdrawn_on": withdrawn_on, "reason": reason, "basis": step.basis},
    )
    return remedy
