"""Reminders of the review time limit: T-3 and T-1 working days before a round is due, then overdue.

The legal review has its own statutory limit (市场监督管理行政处罚程序规定 第五十五条: 10 working days, DOMAIN
§4.8); DOMAIN.md §8 asks for escalating reminders at T-3 and T-1 working days and an overdue flag. The rule
of which reminder is due is the case deadlines' (:func:`backend.cases.deadlines.reminder_due`); this module
only says who is reminded of which round. A round waiting for supplementary materials is paused (its clock
stops, 第五十五条) and gets no reminder until the materials arrive and a new due date is set. The round is
the one clock of the review time limit (``clock.py``): the case's CASE_REVIEW/LEGAL_REVIEW row is written from
it, and the case sweep leaves it alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from backend.accounts.models import Role, User
from backend.cases.deadlines import reminder_due
from backend.ledger.services import AuditContext, audit_record
from backend.reviews.models import ReviewReminder, ReviewRound
from backend.reviews.services.clock import review_clock_show
from backend.reviews.services.common import _calendar

RUNNING_STATUSES = (ReviewRound.Status.PENDING, ReviewRound.Status.IN_REVIEW)


def _recipients(round_: ReviewRound, kind: str) -> list[User]:
    """The assigned reviewer (before assignment: every legal reviewer of the agency, who share the queue);
    an overdue round also goes to the agency's heads, who approve extensions and answer for the limit."""
    active = User.objects.filter(agency_id=round_.agency_id, is_active=True)
    people: list[User]
    if round_.reviewer_id and round_.reviewer is not None:
        people = [round_.reviewer]
    else:
        people = list(active.filter(roles__role=Role.LEGAL_REVIEWER).distinct())
    if kind == ReviewReminder.Kind.OVERDUE:
        people += list(active.filter(roles__role=Role.AGENCY_HEAD).distinct())
    return list({str(user.pk): user for user in people}.values())


def review_deadline_reminders(*, today: dt.date) -> dict[str, int]:
    """The periodic sweep over running rounds. Idempotent: one reminder per round, kind and due date."""
    calendar = _calendar()
    counts = {"reminders": 0, "overdue": 0}
    rounds = ReviewRound.objects.filter(status__in=RUNNING_STATUSES).select_related("reviewer").order_by("due_on")
    for round_ in rounds:
        if round_.due_on < today:
            with transaction.atomic():
                review_clock_show(round_, today=today)  # the case shows the round's clock as overdue
        kind = reminder_due(due_on=round_.due_on, today=today, calendar=calendar)
        if kind is None or ReviewReminder.objects.filter(round=round_, kind=kind, due_on=round_.due_on).exists():
            continue
        with transaction.atomic():
            reminder, created = ReviewReminder.objects.get_or_create(
                round=round_,
                kind=kind,
                due_on=round_.due_on,
                defaults={"issued_on": today, "recipient_ids": [str(u.pk) for u in _recipients(round_, kind)]},
            )
            if not created:  # a concurrent sweep got there first
                continue
            audit_record(
                action="review.overdue" if kind == ReviewReminder.Kind.OVERDUE else "review.reminder",
                target=round_,
                context=AuditContext(),
                case_id=round_.case_id,
                data={
                    "kind": kind,
                    "round_kind": round_.kind,
                    "number": round_.number,
                    "due_on": round_.due_on,
                    "provisional": round_.due_provisional,
                    "recipients": reminder.recipient_ids,
                },
            )
        counts["overdue" if kind == ReviewReminder.Kind.OVERDUE else "reminders"] += 1
    return counts
