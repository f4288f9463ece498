"""延期 / 分期缴纳 (行政处罚法 第六十六条第二款): the party's application, the head's decision with reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases.deadlines import deadline_cancel, deadline_open
from backend.cases.models import Case, CaseDeadline
from backend.common.calendar import get_calendar
from backend.common.errors import ApplicationError, NotFound, PreconditionFailed
from backend.common.workdays import get_rule
from backend.execution.models import Instalment, PaymentPlan
from backend.execution.selectors import execution_account
from backend.execution.services.common import act_date, begin
from backend.ledger.services import AuditContext, audit_record

K = PaymentPlan.Kind


def _audit(action: str, plan: PaymentPlan, context: AuditContext, data: dict[str, Any]) -> None:
    event = audit_record(
        action=action,
        target=plan,
        context=context,
        agency_id=plan.agency_id,
        case_id=plan.case_id,
        data={"kind": plan.kind, "status": plan.status, **data},
    )
    PaymentPlan.objects.filter(pk=plan.pk).update(audit_event=event)


def _schedule(kind: str, schedule: list[dict[str, Any]], *, after: dt.date, unpaid: Decimal) -> list[dict[str, Any]]:
    """``[{"due_on", "amount"}]`` ascending, after ``after``, adding up to what is unpaid (422 otherwise)."""
    if kind == K.DEFERRAL and len(schedule) != 1:
        raise ApplicationError(
            "invalid_schedule", "延期缴纳须写明一个缴纳日期", status=422, fields={"schedule": ["一项"]}
        )
    if kind == K.INSTALMENTS and len(schedule) < 2:
        raise ApplicationError("invalid_schedule", "分期缴纳至少分两期", status=422, fields={"schedule": ["至少两期"]})
    days = [item["due_on"] for item in schedule]
    if days != sorted(set(days)) or days[0] <= after:
        raise ApplicationError(
            "invalid_schedule", "各期缴纳日期须晚于申请日期并依次递增", status=422, fields={"schedule": ["日期无效"]}
        )
    total = sum((Decimal(item["amount"]) for item in schedule), Decimal("0"))
    if total != unpaid:
        raise ApplicationError(
            "schedule_total_mismatch",
            f"各期金额合计{total}元，与未缴金额{unpaid}元不符",
            status=422,
            extra={"total": str(total), "unpaid": str(unpaid)},
        )
    return [{"due_on": item["due_on"].isoformat(), "amount": str(Decimal(item["amount"]))} for item in schedule]


@transaction.atomic
def plan_apply(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    kind: str,
    reason: str,
    schedule: list[dict[str, Any]],
    applied_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> PaymentPlan:
    """Record the party's written application (确有经济困难). One open application or plan at a time (409
    ``plan_exists``); nothing left to pay (409 ``nothing_to_pay``); the schedule must cover the unpaid fine and
    confiscated gains exactly (422 ``schedule_total_mismatch``)."""
    now = now or timezone.now()
    case, step = begin(step="plan_apply", case=case, actor=actor, expected_version=expected_version)
    applied_on = act_date(applied_on, now, "applied_on", "申请日期")
    if PaymentPlan.objects.filter(
        case=case, status__in=[PaymentPlan.Status.APPLIED, PaymentPlan.Status.APPROVED]
    ).exists():
        raise PreconditionFailed("plan_exists", "已有待审批的申请或已批准的缴纳计划")
    account = execution_account(case=case, as_of=applied_on)
    unpaid = max(account.owed - account.paid, Decimal("0.00"))
    if unpaid <= 0:
        raise PreconditionFailed("nothing_to_pay", "罚没款已缴清，无需延期或分期")
    proposed = _schedule(kind, schedule, after=applied_on, unpaid=unpaid)
    plan = PaymentPlan.objects.create(
        case=case,
        agency_id=case.agency_id,
        kind=kind,
        applied_on=applied_on,
        reason=reason,
        proposed=proposed,
        recorded_by=actor,
        recorded_at=now,
    )
    _audit(
        "execution.plan_applied",
        plan,
        context,
        {"applied_on": applied_on, "reason": reason, "schedule": proposed, "basis": step.basis},
    )
    return plan


def instalment_refresh(*, case: Case, as_of: dt.date) -> None:
    """Point the case's PAYMENT_INSTALMENT deadline at the first instalment not yet paid (met when none)."""
    account = execution_account(case=case, as_of=as_of)
    plan = PaymentPlan.objects.filter(pk=account.plan_id).first() if account.plan_id is not None else None
    if plan is None or plan.decided_on is None:
        return
    unsettled = [line for line in account.instalments if line.paid < line.amount]
    if not unsettled:
        return
    due = unsettled[0].due_on
    deadline_open(
        case=case,
        code="PAYMENT_INSTALMENT",
        anchor_on=plan.decided_on,
        length=(due - plan.decided_on).days,
        kind=CaseDeadline.Kind.PARTY,
    )


@transaction.atomic
def plan_decide(
    *,
    case: Case,
    plan_id: int,
    actor: User,
    context: AuditContext,
    approve: bool,
    reason: str,
    decided_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> PaymentPlan:
    """The head approves or refuses, with reasons either way (第六十六条第二款: 经行政机关批准). Approval before
    the first date of the schedule; the 15-day PAYMENT period gives way to the schedule, whose next date is
    the case's PAYMENT_INSTALMENT deadline (a rest day rolls forward)."""
    now = now or timezone.now()
    case, step = begin(step="plan_decide", case=case, actor=actor, expected_version=expected_version)
    plan = PaymentPlan.objects.filter(case=case, pk=plan_id).first()
    if plan is None:
        raise NotFound("延期、分期缴纳申请不存在", code="plan_not_found")
    if plan.status != PaymentPlan.Status.APPLIED:
        raise PreconditionFailed("plan_not_pending", "该申请已审批", extra={"status": plan.status})
    decided_on = act_date(decided_on, now, "decided_on", "审批日期")
    first_due = dt.date.fromisoformat(plan.proposed[0]["due_on"])
    if decided_on < plan.applied_on:
        raise ApplicationError(
            "decided_before_applied", "审批日期早于申请日期", status=422, fields={"decided_on": ["早于申请日期"]}
        )
    if approve and decided_on >= first_due:
        raise PreconditionFailed(
            "plan_schedule_passed",
            "批准日期已过第一期缴纳日期，请当事人重新申请",
            extra={"first_due_on": first_due.isoformat()},
        )
    plan.status = PaymentPlan.Status.APPROVED if approve else PaymentPlan.Status.REFUSED
    plan.decided_on, plan.decided_by, plan.decision_reason = decided_on, actor, reason
    plan.save()
    if approve:
        rule, calendar = get_rule("PAYMENT_INSTALMENT"), get_calendar()
        for seq, item in enumerate(plan.proposed, start=1):
            due = dt.date.fromisoformat(item["due_on"])
            last_day = calendar.compute(rule, decided_on, length=(due - decided_on).days).due
            Instalment.objects.create(plan=plan, seq=seq, due_on=due, last_day=last_day, amount=Decimal(item["amount"]))
        deadline_cancel(case=case, codes=["PAYMENT"])
        instalment_refresh(case=case, as_of=decided_on)
    _audit(
        "execution.plan_decided",
        plan,
        context,
        {"approved": approve, "reason": reason, "decided_on": decided_on, "basis": step.basis},
    )
    return plan
