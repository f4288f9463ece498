"""催告 and 强制执行 (行政强制法 第三十五条至第四十条、第四十五条、第四十六条、第五十三条至第五十八条).

The order the statute sets, each step refused (409) until its turn: the 催告书 only after the period to pay
has passed with a balance; its service starts the ten working days before a court may be asked (第五十四条);
the agency's own 强制执行决定 needs a law that gives it the power, the 催告书's period passed and, for money,
加处罚款 for more than thirty days (第四十六条); the court application needs the 复议/诉讼 periods lapsed with no
remedy pending, within three months after (第五十三条). A remedy that suspends execution (行政复议法
第四十二条, 行政诉讼法 第五十六条) stops both.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases import services as case_services
from backend.cases.deadlines import deadline_meet, deadline_open
from backend.cases.models import Case, CaseDeadline
from backend.common.calendar import get_calendar
from backend.common.errors import ApplicationError, NotFound, PreconditionFailed
from backend.common.workdays import get_rule
from backend.execution.models import EnforcementAction, EnforcementReminder, Remedy
from backend.execution.selectors import execution_account
from backend.execution.services.common import act_date, begin
from backend.ledger.services import AuditContext, audit_record

A = EnforcementAction
REMEDY_WINDOWS = ("ADMIN_REVIEW_WINDOW", "LITIGATION_WINDOW", "LITIGATION_AFTER_REVIEW")


def _audit(action: str, row: Any, context: AuditContext, data: dict[str, Any]) -> None:
    event = audit_record(
        action=action, target=row, context=context, agency_id=row.agency_id, case_id=row.case_id, data=data
    )
    type(row).objects.filter(pk=row.pk).update(audit_event=event)


def _ensure_not_suspended(case: Case) -> None:
    suspended = Remedy.objects.filter(case=case, status=Remedy.Status.PENDING, execution_suspended=True).first()
    if suspended is not None:
        raise PreconditionFailed(
            "execution_suspended",
            f"{suspended.get_kind_display()}期间已决定停止执行（{suspended.suspension_basis}）",
            extra={"remedy_id": suspended.pk},
        )


def _reminder(case: Case, reminder_id: int) -> EnforcementReminder:
    reminder = EnforcementReminder.objects.filter(case=case, pk=reminder_id).first()
    if reminder is None:
        raise NotFound("催告书不存在", code="reminder_not_found")
    return reminder


def _served(case: Case, reminder_id: int) -> EnforcementReminder:
    reminder = _reminder(case, reminder_id)
    if reminder.served_on is None:
        raise PreconditionFailed("reminder_not_served", "催告书尚未送达")
    return reminder


@transaction.atomic
def reminder_issue(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    perform_by: dt.date,
    content: str = "",
    issued_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EnforcementReminder:
    """催告书 (第三十五条) for what is unpaid once the period to pay has passed (409 ``performance_period_running``;
    ``nothing_to_enforce`` when paid)."""
    now = now or timezone.now()
    case, step = begin(step="reminder_issue", case=case, actor=actor, expected_version=expected_version)
    issued_on = act_date(issued_on, now, "issued_on", "催告日期")
    _ensure_not_suspended(case)
    account = execution_account(case=case, as_of=issued_on)
    if account.balance <= 0:
        raise PreconditionFailed("nothing_to_enforce", "当事人已履行完毕，无需催告")
    if account.due_on is None or issued_on <= account.due_on:
        raise PreconditionFailed(
            "performance_period_running",
            "履行期限尚未届满，不能催告",
            extra={"due_on": account.due_on.isoformat() if account.due_on else None},
        )
    if perform_by <= issued_on:
        raise ApplicationError(
            "invalid_perform_by",
            "催告书须写明届满在后的履行期限",
            status=422,
            fields={"perform_by": ["须晚于催告日期"]},
        )
    reminder = EnforcementReminder.objects.create(
        case=case,
        agency_id=case.agency_id,
        issued_on=issued_on,
        amount=account.balance,
        perform_by=perform_by,
        content=content,
        recorded_by=actor,
        recorded_at=now,
    )
    _audit(
        "execution.reminder_issued",
        reminder,
        context,
        {
            "issued_on": issued_on,
            "amount": account.balance,
            "surcharge": account.surcharge.amount,
            "perform_by": perform_by,
            "basis": step.basis,
        },
    )
    return reminder


def _court_deadline_anchor(case: Case) -> dt.date | None:
    """The day the 复议/诉讼 periods have all lapsed (第五十三条: the three months run from then)."""
    rows = CaseDeadline.objects.filter(case=case, rule_code__in=REMEDY_WINDOWS)
    return max((row.due_on for row in rows), default=None)


@transaction.atomic
def reminder_serve(
    *,
    case: Case,
    reminder_id: int,
    actor: User,
    context: AuditContext,
    method: str,
    served_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EnforcementReminder:
    """送达催告书 (第三十八条): the ten working days of 第五十四条 start (``ENFORCEMENT_REMINDER``), and the three
    months to apply to the court are on the calendar (``COURT_ENFORCEMENT_APPLICATION``)."""
    now = now or timezone.now()
    case, step = begin(step="reminder_serve", case=case, actor=actor, expected_version=expected_version)
    reminder = _reminder(case, reminder_id)
    if reminder.served_on is not None:
        raise PreconditionFailed("reminder_already_served", "催告书已送达")
    served_on = act_date(served_on, now, "served_on", "送达日期")
    if served_on < reminder.issued_on:
        raise ApplicationError(
            "served_before_issued", "送达日期早于催告日期", status=422, fields={"served_on": ["早于催告日期"]}
        )
    reminder.served_on, reminder.service_method = served_on, method
    reminder.save(update_fields=["served_on", "service_method"])
    deadline_open(case=case, code="ENFORCEMENT_REMINDER", anchor_on=served_on, kind=CaseDeadline.Kind.WINDOW)
    anchor = _court_deadline_anchor(case)
    if anchor is not None:
        deadline_open(case=case, code="COURT_ENFORCEMENT_APPLICATION", anchor_on=anchor)
    _audit(
        "execution.reminder_served", reminder, context, {"served_on": served_on, "method": method, "basis": step.basis}
    )
    return reminder


@transaction.atomic
def reminder_statement(
    *,
    case: Case,
    reminder_id: int,
    actor: User,
    context: AuditContext,
    statement: str,
    adopted: bool,
    review: str,
    stated_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EnforcementReminder:
    """The party's 陈述、申辩 after the 催告书, recorded and reviewed; adopted where the facts, reasons or evidence
    hold (第三十六条)."""
    now = now or timezone.now()
    case, step = begin(step="reminder_statement", case=case, actor=actor, expected_version=expected_version)
    reminder = _served(case, reminder_id)
    stated_on = act_date(stated_on, now, "stated_on", "陈述申辩日期")
    reminder.statement, reminder.statement_on = statement, stated_on
    reminder.statement_adopted, reminder.statement_review = adopted, review
    reminder.save(update_fields=["statement", "statement_on", "statement_adopted", "statement_review"])
    _audit(
        "execution.reminder_statement",
        reminder,
        context,
        {
            "stated_on": stated_on,
            "adopted": adopted,
            "review": review,
            "basis": step.basis,
        },
    )
    return reminder


@transaction.atomic
def court_apply(
    *,
    case: Case,
    reminder_id: int,
    actor: User,
    context: AuditContext,
    court: str,
    reference: str = "",
    applied_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EnforcementAction:
    """申请人民法院强制执行 (第五十三条、第五十四条)."""
    now = now or timezone.now()
    case, step = begin(step="court_apply", case=case, actor=actor, expected_version=expected_version)
    reminder = _served(case, reminder_id)
    applied_on = act_date(applied_on, now, "applied_on", "申请日期")
    _ensure_not_suspended(case)
    wait = CaseDeadline.objects.get(case=case, rule_code="ENFORCEMENT_REMINDER")
    if applied_on <= wait.due_on:
        raise PreconditionFailed(
            "reminder_period_running",
            "催告书送达满十个工作日后方可申请人民法院强制执行（行政强制法第五十四条）",
            extra={"served_on": str(reminder.served_on), "wait_until": wait.due_on.isoformat()},
        )
    pending = Remedy.objects.filter(case=case, status=Remedy.Status.PENDING).first()
    if pending is not None:
        raise PreconditionFailed(
            "remedy_pending",
            f"{pending.get_kind_display()}尚未审结，不能申请人民法院强制执行",
            extra={"remedy_id": pending.pk},
        )
    running = CaseDeadline.objects.filter(
        case=case, rule_code__in=REMEDY_WINDOWS, state=CaseDeadline.State.DUE, due_on__gte=applied_on
    ).first()
    if running is not None:
        raise PreconditionFailed(
            "remedy_period_running",
            f"{running.name}尚未届满，不能申请人民法院强制执行（行政强制法第五十三条）",
            extra={"rule": running.rule_code, "due_on": running.due_on.isoformat()},
        )
    limit = CaseDeadline.objects.filter(case=case, rule_code="COURT_ENFORCEMENT_APPLICATION").first()
    if limit is not None and applied_on > limit.due_on:
        raise PreconditionFailed(
            "court_application_period_expired",
            "复议、诉讼期限届满之日起三个月内未申请，已超过申请期限（第五十三条）",
            extra={"due_on": limit.due_on.isoformat()},
        )
    account = execution_account(case=case, as_of=applied_on)
    if account.balance <= 0:
        raise PreconditionFailed("nothing_to_enforce", "当事人已履行完毕，无需强制执行")
    action = EnforcementAction.objects.create(
        case=case,
        agency_id=case.agency_id,
        kind=A.Kind.COURT_APPLICATION,
        reminder=reminder,
        acted_on=applied_on,
        body=court,
        reference=reference,
        recorded_by=actor,
        recorded_at=now,
    )
    deadline_meet(case=case, code="COURT_ENFORCEMENT_APPLICATION", on=applied_on)
    _audit(
        "execution.court_applied",
        action,
        context,
        {
            "court": court,
            "applied_on": applied_on,
            "reference": reference,
            "balance": account.balance,
            "basis": step.basis,
        },
    )
    return action


def _action(case: Case, action_id: int, kind: str | None = None) -> EnforcementAction:
    action = EnforcementAction.objects.filter(case=case, pk=action_id).first()
    if action is None or (kind and action.kind != kind):
        raise NotFound("强制执行记录不存在", code="enforcement_not_found")
    return action


@transaction.atomic
def court_ruling(
    *,
    case: Case,
    action_id: int,
    actor: User,
    context: AuditContext,
    ruling: str,
    reference: str = "",
    ruled_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EnforcementAction:
    """The court's ruling on the application (第五十七条、第五十八条): 准予执行 or 不予执行."""
    now = now or timezone.now()
    case, step = begin(step="court_ruling", case=case, actor=actor, expected_version=expected_version)
    action = _action(case, action_id, A.Kind.COURT_APPLICATION)
    if action.ruling:
        raise PreconditionFailed("already_ruled", "已登记法院裁定")
    ruled_on = act_date(ruled_on, now, "ruled_on", "裁定日期")
    if ruled_on < action.acted_on:
        raise ApplicationError("ruled_before_applied", "裁定日期早于申请日期", status=422)
    action.ruling, action.ruled_on, action.ruling_reference = ruling, ruled_on, reference
    action.save(update_fields=["ruling", "ruled_on", "ruling_reference"])
    _audit(
        "execution.court_ruled",
        action,
        context,
        {"ruling": ruling, "ruled_on": ruled_on, "reference": reference, "basis": step.basis},
    )
    return action


@transaction.atomic
def enforcement_decide(
    *,
    case: Case,
    reminder_id: int,
    actor: User,
    context: AuditContext,
    legal_power: str,
    method: str,
    reference: str = "",
    decided_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EnforcementAction:
    """The agency's own 强制执行决定 (第三十七条): only where a law gives it the power (``legal_power`` names it,
    第十三条), after the 催告书's period, and for money after more than thirty days of 加处罚款 (第四十六条)."""
    now = now or timezone.now()
    case, step = begin(step="enforcement_decide", case=case, actor=actor, expected_version=expected_version)
    reminder = _served(case, reminder_id)
    decided_on = act_date(decided_on, now, "decided_on", "决定日期")
    if not legal_power.strip():
        raise ApplicationError(
            "legal_power_required",
            "须写明授予本机关强制执行权的法律条文（行政强制法第十三条）",
            status=422,
            fields={"legal_power": ["必填"]},
        )
    _ensure_not_suspended(case)
    if decided_on <= reminder.perform_by:
        raise PreconditionFailed(
            "reminder_period_running",
            "催告书确定的履行期限尚未届满（行政强制法第三十七条）",
            extra={"perform_by": reminder.perform_by.isoformat()},
        )
    account = execution_account(case=case, as_of=decided_on)
    if account.balance <= 0:
        raise PreconditionFailed("nothing_to_enforce", "当事人已履行完毕，无需强制执行")
    if account.surcharge.since is not None:
        rule = get_rule("SURCHARGE_BEFORE_ENFORCEMENT")
        after = get_calendar().compute(rule, account.surcharge.since - dt.timedelta(days=1)).due
        if decided_on <= after:
            raise PreconditionFailed(
                "surcharge_period_running",
                "加处罚款超过三十日后方可强制执行（行政强制法第四十六条）",
                extra={"surcharge_since": account.surcharge.since.isoformat(), "wait_until": after.isoformat()},
            )
    action = EnforcementAction.objects.create(
        case=case,
        agency_id=case.agency_id,
        kind=A.Kind.AGENCY_DECISION,
        reminder=reminder,
        acted_on=decided_on,
        legal_power=legal_power,
        method=method,
        reference=reference,
        recorded_by=actor,
        recorded_at=now,
    )
    _audit(
        "execution.enforcement_decided",
        action,
        context,
        {
            "legal_power": legal_power,
            "method": method,
            "decided_on": decided_on,
            "balance": account.balance,
            "basis": step.basis,
        },
    )
    return action


@transaction.atomic
def enforcement_conclude(
    *,
    case: Case,
    action_id: int,
    actor: User,
    context: AuditContext,
    outcome: str,
    reason: str,
    concluded_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EnforcementAction:
    """执行完毕 (money collected is recorded as payments, channel ``enforced``), 中止执行 (第三十九条) or 终结执行
    (第四十条, e.g. the party, a company, is dissolved with no property left): a terminated enforcement lets
    结案 go ahead with the balance written off as such."""
    now = now or timezone.now()
    case, step = begin(step="enforcement_conclude", case=case, actor=actor, expected_version=expected_version)
    action = _action(case, action_id)
    if action.kind == A.Kind.COURT_APPLICATION and action.ruling != A.Ruling.GRANTED:
        raise PreconditionFailed("court_not_granted", "人民法院尚未裁定准予执行")
    if action.outcome in (A.Outcome.EXECUTED, A.Outcome.TERMINATED):
        raise PreconditionFailed("enforcement_concluded", "该强制执行已结束")
    concluded_on = act_date(concluded_on, now, "concluded_on", "日期")
    if outcome == A.Outcome.EXECUTED and execution_account(case=case, as_of=concluded_on).balance > Decimal("0"):
        raise PreconditionFailed("execution_balance_open", "尚有未缴金额，请先登记强制执行所得的缴款")
    action.outcome, action.outcome_on, action.outcome_reason = outcome, concluded_on, reason
    action.save(update_fields=["outcome", "outcome_on", "outcome_reason"])
    if outcome == A.Outcome.TERMINATED:
        # 终结执行 ends the execution: the case records it as done, which starts the 结案 limit (CASE_CLOSURE).
        if case.status in (Case.Status.SERVED, Case.Status.FILED):
            case = case_services.case_start_execution(case=case, actor=actor, context=context, now=now)
        if case.executed_on is None:
            case_services.case_record_execution(
                case=case, actor=actor, context=context, executed_on=concluded_on, note=f"终结执行：{reason}", now=now
            )
    _audit(
        "execution.enforcement_concluded",
        action,
        context,
        {
            "outcome": outcome,
            "concluded_on": concluded_on,
            "reason": reason,
            "basis": step.basis,
        },
    )
    return action
