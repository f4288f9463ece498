"""Recompute review time limits when a year's holidays are entered or corrected (issue 13 §1).

The due date is recomputed through the function that computes it (:func:`~backend.reviews.services.rounds.
_recompute_due`), so the time-limit rules stay in one place; this module only picks the rounds, audits each
change and reminds the reviewer of a limit that moved earlier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from backend.ledger.services import AuditContext, audit_record
from backend.reviews.models import ReviewReminder, ReviewRound
from backend.reviews.services.reminders import _recipients
from backend.reviews.services.rounds import _recompute_due

# A round waiting for supplementary materials gets a new due date when it resumes (第五十五条): it is
# recomputed then, on the calendar of that day.
RECOMPUTED_STATUSES = (ReviewRound.Status.PENDING, ReviewRound.Status.IN_REVIEW)


def review_rounds_recompute_for_calendar(
    *, spans: Iterable[tuple[dt.date, dt.date]], today: dt.date, context: AuditContext
) -> list[dict[str, Any]]:
    """Recompute ``ReviewRound.due_on`` of every running round that is provisional or spans a changed day."""
    touched = Q(due_provisional=True)
    for first, last in spans:
        touched |= Q(received_on__lte=last, due_on__gte=first)
    changes: list[dict[str, Any]] = []
    rounds = ReviewRound.objects.select_for_update().filter(touched, status__in=RECOMPUTED_STATUSES)
    for round_ in rounds.order_by("pk"):
        before = (round_.due_on, round_.due_provisional)
        _recompute_due(round_)
        if (round_.due_on, round_.due_provisional) == before:
            continue
        round_.save(update_fields=["due_on", "due_provisional", "updated_at"])
        change = {
            "type": "review_round", "id": str(round_.pk), "case_id": str(round_.case_id), "kind": round_.kind,
            "number": round_.number, "due_was": before[0], "due_on": round_.due_on,
            "provisional_was": before[1], "provisional": round_.due_provisional,
        }
        audit_record(action="review.due_recomputed", target=round_, context=context, case_id=round_.case_id,
                     data=change)
        if round_.due_on < before[0]:
            kind = ReviewReminder.Kind.MOVED_EARLIER
            reminder, created = ReviewReminder.objects.get_or_create(
                round=round_, kind=kind, due_on=round_.due_on,
                defaults={"issued_on": today, "recipient_ids": [str(u.pk) for u in _recipients(round_, kind)]},
            )
            if created:
                audit_record(action="review.reminder", target=round_, context=context, case_id=round_.case_id,
                             data={"kind": kind, "due_on": round_.due_on, "due_was": before[0],
                                   "recipients": reminder.recipient_ids})
        changes.append(change)
    return changes
