"""The deadlines engine: per-case time limits, their states, reminders and the overdue sweep.

Every time limit of DOMAIN.md §1, §5 and §8 that a case step starts is stored as a
:class:`~backend.cases.models.CaseDeadline` row with its due date computed on the official working-day
calendar (:func:`backend.common.calendar.get_calendar`): 2/3/5/7-day periods of 行政处罚法 are working
days (第八十五条), ≤10-day periods of 行政强制法 too (第六十九条), everything else calendar days that
roll forward off a rest day (市场监管程序规定 第八十条). The start day is never counted. A due date that
depends on a year without official holiday data is ``provisional``: counted with that year's statutory
holidays and the asymmetric rule (a party's window ends on the latest plausible day, a duty of the agency
falls due on the earliest, DOMAIN.md §1.5(d)), and recomputed by :func:`deadlines_recompute_for_calendar`
when the year is entered.

All functions take ``today``/``now`` explicitly (tests pass fixed dates) and must run inside the
transaction of the step that starts or meets the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.cases.models import Case, CaseDeadline, CasePause, CaseRules, DeadlineReminder, Reminder
from backend.cases.rules import surcharge_accrued
from backend.common.calendar import get_calendar
from backend.common.workdays import Deadline, PeriodUnit, WorkdayCalendar, get_rule
from backend.ledger.services import AuditContext, audit_record

K = CaseDeadline.Kind
ST = CaseDeadline.State
OPEN_STATES = (ST.DUE, ST.PAUSED, ST.OVERDUE)
# T-1 first: the sweep issues only the most urgent reminder that is due.
REMINDER_OFFSETS_URGENT_FIRST = ((1, Reminder.Kind.T_MINUS_1), (3, Reminder.Kind.T_MINUS_3))


def reminder_due(*, due_on: dt.date, today: dt.date, calendar: WorkdayCalendar) -> str | None:
    """Which escalating reminder a duty due on ``due_on`` calls for on ``today`` (DOMAIN.md §8): ``overdue``
    once the day has passed, else the most urgent of T-1 / T-3 working days whose day has come (a missed
    sweep catches up; a T-1 reminder supersedes a T-3 one that was never sent), else ``None``. Shared by the
    case deadlines and the legal-review time limit."""
    if due_on < today:
        return Reminder.Kind.OVERDUE
    for offset, kind in REMINDER_OFFSETS_URGENT_FIRST:
        if calendar.add_workdays(due_on, -offset).due <= today:
            return kind
    return None


def case_rules(agency_id: int) -> CaseRules:
    rules, _ = CaseRules.objects.get_or_create(agency_id=agency_id)
    return rules


def _store(
    *,
    case: Case,
    code: str,
    name: str,
    kind: str,
    anchor_on: dt.date,
    result: Deadline,
    source: str,
    extensions: int = 0,
    paused_days: int = 0,
    state: str = ST.DUE,
    length: int | None = None,
) -> CaseDeadline:
    deadline, _ = CaseDeadline.objects.update_or_create(
        case=case,
        rule_code=code,
        defaults={
            "name": name,
            "kind": kind,
            "anchor_on": anchor_on,
            "due_on": result.due,
            "provisional": result.provisional,
            "length": length,
            "state": state,
            "extensions": extensions,
            "paused_days": paused_days,
            "met_on": None,
            "met_late": False,
            "source": source[:200],
        },
    )
    return deadline


def deadline_open(
    *,
    case: Case,
    code: str,
    anchor_on: dt.date,
    kind: str = K.DUTY,
    length: int | None = None,
    calendar: WorkdayCalendar | None = None,
) -> CaseDeadline:
    """Start (or restart) the ``code`` time limit of ``case`` counted from ``anchor_on``.

    ``length`` overrides the rule's default length (per-agency settings such as the statement window).
    """
    calendar = calendar or get_calendar()
    rule = get_rule(code)
    result = calendar.compute(rule, anchor_on, length=length)  # the rule's side: party latest, duty earliest
    return _store(case=case, code=code, name=rule.name, kind=kind, anchor_on=anchor_on, result=result,
                  source=rule.source, length=length)


def deadline_open_hours(*, case: Case, code: str, anchor_at: dt.datetime) -> CaseDeadline:
    """Start an hour-based limit (e.g. the 24 hours to report an emergency measure, 行政强制法 第十九条); it is
    stored, like the others, with the local date on which it runs out."""
    rule = get_rule(code)
    ends = timezone.localtime(anchor_at + rule.timedelta)
    start = timezone.localdate(anchor_at)
    result = Deadline(start=start, due=ends.date(), length=rule.length, unit=rule.unit)
    return _store(case=case, code=code, name=rule.name, kind=K.DUTY, anchor_on=start, result=result,
                  source=rule.source)


def deadline_meet(*, case: Case, code: str, on: dt.date) -> CaseDeadline | None:
    """Mark the ``code`` time limit met on ``on`` (late when after its due date). No-op if none is open."""
    deadline = CaseDeadline.objects.filter(case=case, rule_code=code, state__in=OPEN_STATES).first()
    if deadline is None:
        return None
    deadline.state = ST.MET
    deadline.met_on = on
    deadline.met_late = on > deadline.due_on
    deadline.save(update_fields=["state", "met_on", "met_late", "updated_at"])
    return deadline


def deadline_cancel(*, case: Case, codes: Iterable[str]) -> None:
    CaseDeadline.objects.filter(case=case, rule_code__in=list(codes), state__in=OPEN_STATES).update(
        state=ST.CANCELLED
    )


# --------------------------------------------------------------------------- clocks kept elsewhere

# The review time limit (案件审核 / 法制审核) has one clock: the open ``ReviewRound`` of the reviews app (received on,
# limit, approved extensions, paused working days while materials are supplemented). The case's
# CASE_REVIEW/LEGAL_REVIEW rows only show that clock: they are written by :func:`deadline_show_external`
# whenever the round's clock moves (submission, pause, resumption, extension, opinion, withdrawal, sweep), and
# the case sweep leaves them to the review sweep.
EXTERNAL_CLOCK_CODES = frozenset({"CASE_REVIEW", "LEGAL_REVIEW"})


def deadline_show_external(
    *,
    case: Case,
    code: str,
    anchor_on: dt.date,
    due_on: dt.date,
    provisional: bool,
    state: str,
    extensions: int = 0,
    paused_days: int = 0,
    met_on: dt.date | None = None,
) -> CaseDeadline:
    """Write the case's row of a clock that another app keeps (see ``EXTERNAL_CLOCK_CODES``)."""
    if code not in EXTERNAL_CLOCK_CODES:
        raise ValueError(f"{code} is the case's own clock")
    rule = get_rule(code)
    deadline, _ = CaseDeadline.objects.update_or_create(
        case=case,
        rule_code=code,
        defaults={
            "name": rule.name,
            "kind": K.DUTY,
            "anchor_on": anchor_on,
            "due_on": due_on,
            "provisional": provisional,
            "state": state,
            "extensions": extensions,
            "paused_days": paused_days,
            "met_on": met_on,
            "met_late": bool(met_on and met_on > due_on),
            "source": rule.source[:200],
        },
    )
    return deadline


# --------------------------------------------------------------------------- the decision clock


def paused_days(*, case: Case, today: dt.date) -> tuple[int, bool]:
    """Days the decision clock stood still, and whether it stands still now.

    A pause from day S to day E removes the days S+1..E (E − S days); an open pause counts up to today.
    """
    total = 0
    open_now = False
    for pause in CasePause.objects.filter(case=case):
        end = pause.ended_on or today
        if pause.ended_on is None:
            open_now = True
        total += max((end - pause.started_on).days, 0)
    return total, open_now


def decision_deadline_refresh(*, case: Case, today: dt.date) -> CaseDeadline | None:
    """(Re)compute the 90-day decision limit from 立案, plus approved extensions and paused days.

    行政处罚法 第六十条: 自立案之日起九十日内作出决定; 市场监管程序规定 第六十四条: +30 days with the
    head's approval; 中止、听证、公告、检测检验检疫鉴定 time is not counted. Calendar days.
    """
    if case.registered_on is None:
        return None
    existing = CaseDeadline.objects.filter(case=case, rule_code="DECISION").first()
    if existing is not None and existing.state in (ST.MET, ST.CANCELLED):
        return existing
    rules = case_rules(case.agency_id)
    paused, open_now = paused_days(case=case, today=today)
    anchor = case.registered_on + dt.timedelta(days=paused)
    length = rules.decision_days + case.decision_extension_days
    rule = get_rule("DECISION")
    result = get_calendar().compute(rule, anchor, length=length)  # a duty: earliest plausible day
    state = ST.PAUSED if open_now else (ST.OVERDUE if result.due < today else ST.DUE)
    extensions = case.extensions.filter(rule_code="DECISION").count()
    return _store(case=case, code="DECISION", name=rule.name, kind=K.DUTY, anchor_on=case.registered_on,
                  result=result, source=rule.source, extensions=extensions, paused_days=paused, state=state)


# --------------------------------------------------------------------------- late payment

def late_payment_surcharge(*, case: Case, today: dt.date) -> dict[str, Any] | None:
    """加处罚款 owed on ``today`` by the plain 15-day period, computed by the one rule
    (:func:`backend.cases.rules.surcharge_accrued`). ``None`` when nothing is owed: no fine, paid (执行完毕),
    not late yet, or the period replaced (an approved 延期/分期 cancels it). Payments, the schedule and the
    days a 复议/诉讼 was pending (第七十三条第三款) are the execution app's: its account
    (``/cases/<id>/account/``) is the figure that counts them."""
    if not case.fine_amount or case.executed_on:
        return None
    payment = CaseDeadline.objects.filter(case=case, rule_code="PAYMENT").first()
    if payment is None or payment.state in (ST.MET, ST.CANCELLED) or payment.due_on >= today:
        return None
    owed = surcharge_accrued(
        fine=case.fine_amount, schedule=[(payment.due_on, case.fine_amount)], payments=[], paused=[], as_of=today
    )
    return {"since": owed.since, "days": owed.days, "amount": owed.amount, "capped": owed.capped}


# --------------------------------------------------------------------------- sweep and reminders


def _recipients(deadline: CaseDeadline) -> list[User]:
    case = deadline.case
    officers = list(case.handling_officers.all())
    heads = list(User.objects.filter(agency_id=case.agency_id, roles__role=Role.AGENCY_HEAD, is_active=True))
    seen: dict[str, User] = {}
    for user in officers + heads:
        seen[str(user.pk)] = user
    return list(seen.values())


def _remind(deadline: CaseDeadline, kind: str, today: dt.date) -> DeadlineReminder | None:
    reminder, created = DeadlineReminder.objects.get_or_create(
        deadline=deadline,
        kind=kind,
        due_on=deadline.due_on,
        defaults={"issued_on": today, "recipient_ids": [str(u.pk) for u in _recipients(deadline)]},
    )
    if not created:
        return None
    audit_record(
        action="deadline.reminder" if kind != DeadlineReminder.Kind.OVERDUE else "deadline.overdue",
        target=deadline.case,
        context=AuditContext(),
        case_id=deadline.case_id,
        data={
            "rule": deadline.rule_code,
            "name": deadline.name,
            "due_on": deadline.due_on,
            "kind": kind,
            "provisional": deadline.provisional,
            "recipients": reminder.recipient_ids,
        },
    )
    return reminder


def deadline_reminders(*, today: dt.date) -> dict[str, int]:
    """The periodic sweep: refresh decision clocks, elapse party windows, flag overdue duties and issue
    T-3 / T-1 working-day reminders (DOMAIN.md §8). Idempotent: replaying it on the same day issues
    nothing twice (reminders are unique per deadline, kind and due date)."""
    calendar = get_calendar()
    counts = {"reminders": 0, "overdue": 0, "elapsed": 0}
    open_decisions = CaseDeadline.objects.filter(rule_code="DECISION", state__in=(ST.DUE, ST.PAUSED, ST.OVERDUE))
    for case_id in open_decisions.values_list("case_id", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            decision_deadline_refresh(case=case, today=today)

    # A party's window that has run out is simply over (陈述申辩、听证申请 视为放弃).
    counts["elapsed"] = CaseDeadline.objects.filter(kind=K.WINDOW, state=ST.DUE, due_on__lt=today).update(
        state=ST.MET
    )
    pending = (
        CaseDeadline.objects.filter(Q(kind=K.DUTY) | Q(kind=K.PARTY), state__in=(ST.DUE, ST.OVERDUE))
        .exclude(rule_code__in=EXTERNAL_CLOCK_CODES)  # the review sweep reads and flags the round's one clock
        .select_related("case")
        .order_by("due_on")
    )
    for deadline in pending:
        with transaction.atomic():
            if deadline.due_on < today:
                if deadline.state != ST.OVERDUE:
                    deadline.state = ST.OVERDUE
                    deadline.save(update_fields=["state", "updated_at"])
                if deadline.kind == K.DUTY and _remind(deadline, DeadlineReminder.Kind.OVERDUE, today):
                    counts["overdue"] += 1
                continue
            if deadline.kind != K.DUTY:
                continue
            kind = reminder_due(due_on=deadline.due_on, today=today, calendar=calendar)
            if kind and _remind(deadline, kind, today):
                counts["reminders"] += 1
    return counts


# --------------------------------------------------------------------------- calendar changes


def deadline_recompute(*, deadline: CaseDeadline, calendar: WorkdayCalendar, today: dt.date) -> bool:
    """Recompute one open deadline on ``calendar`` through the function that computed it; True if it changed.

    A party's window that moves earlier never ends before today when its provisional end was still to come:
    the party may have relied on the date shown while the year was provisional (DOMAIN.md §1.5(d): a party
    never loses a day because data was missing). Hour-based limits do not depend on the calendar.
    """
    rule = get_rule(deadline.rule_code)
    if rule.unit is PeriodUnit.HOURS:
        return False
    if deadline.rule_code == "DECISION":
        case = Case.objects.select_for_update().get(pk=deadline.case_id)
        refreshed = decision_deadline_refresh(case=case, today=today)
        return refreshed is not None and (refreshed.due_on, refreshed.provisional) != (
            deadline.due_on, deadline.provisional)
    result = calendar.compute(rule, deadline.anchor_on, extensions=deadline.extensions, length=deadline.length)
    due = result.due
    if rule.protects_party and due < deadline.due_on:
        due = max(due, min(deadline.due_on, today))
    if (due, result.provisional) == (deadline.due_on, deadline.provisional):
        return False
    deadline.due_on, deadline.provisional = due, result.provisional
    if deadline.state == ST.OVERDUE and due >= today:
        deadline.state = ST.DUE
    deadline.save(update_fields=["due_on", "provisional", "state", "updated_at"])
    return True


def deadlines_recompute_for_calendar(
    *, spans: Iterable[tuple[dt.date, dt.date]], today: dt.date, context: AuditContext
) -> list[dict[str, Any]]:
    """Recompute every open case deadline that depended on the changed days (``spans``: first and last day
    of each entered or corrected range) or is still provisional. Each change is audited
    (``deadline.recomputed``) and whoever answers for a deadline that moved earlier is reminded (a
    ``MOVED_EARLIER`` reminder, as the sweep issues T-3/T-1). Runs inside the caller's transaction."""
    calendar = get_calendar()
    touched = Q(provisional=True)
    for first, last in spans:
        touched |= Q(anchor_on__lte=last, due_on__gte=first)
    changes: list[dict[str, Any]] = []
    locked = CaseDeadline.objects.select_for_update(of=("self",))
    open_deadlines = locked.filter(touched, state__in=OPEN_STATES).select_related("case")
    for deadline in open_deadlines.order_by("case_id", "pk"):
        before = {"due_on": deadline.due_on, "provisional": deadline.provisional}
        if not deadline_recompute(deadline=deadline, calendar=calendar, today=today):
            continue
        deadline.refresh_from_db()
        change = {
            "type": "case_deadline", "id": deadline.pk, "case_id": str(deadline.case_id),
            "rule": deadline.rule_code, "name": deadline.name, "due_was": before["due_on"],
            "due_on": deadline.due_on, "provisional_was": before["provisional"],
            "provisional": deadline.provisional,
        }
        audit_record(action="deadline.recomputed", target=deadline.case, context=context,
                     case_id=deadline.case_id, data=change)
        if deadline.due_on < before["due_on"]:
            _remind(deadline, DeadlineReminder.Kind.MOVED_EARLIER, today)
        changes.append(change)
    return changes
