"""Upkeep of notices over time: display periods that ended (a periodic task) and deadlines recomputed when the
official calendar changes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.disclosures import revision
from backend.disclosures.models import (
    Notice,
)
from backend.disclosures.services.common import _add_workdays, _audit, due_date_for, profile_for, withdraw_workdays
from backend.ledger.services import AuditContext


def notice_expire_display_periods(*, today: datetime.date | None = None) -> int:
    """End display periods that are over: published → expired and off the public list (the record stays).
    Withdrawn notices leave the list at the same moment. Returns how many notices changed."""
    today = today or timezone.localdate()
    changed = 0
    ids = list(Notice.objects.filter(listed=True, display_until__lt=today).values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            notice = Notice.objects.select_for_update().filter(pk=pk, listed=True, display_until__lt=today).first()
            if notice is None:
                continue  # replay or concurrent run
            notice.listed = False
            if notice.status == Notice.Status.PUBLISHED:
                notice.status = Notice.Status.EXPIRED
                notice.expired_at = timezone.now()
            notice.version += 1
            notice.save()
            revision.bump()
            _audit("notice.expired", notice, None, {"display_until": notice.display_until})
            changed += 1
    return changed


def notices_recompute_for_calendar(
    *, spans: Iterable[tuple[datetime.date, datetime.date]], today: datetime.date, context: AuditContext | None
) -> list[dict[str, Any]]:
    """Recompute publication and withdrawal deadlines that are provisional or span a changed day (``spans``),
    now that the year's official holidays are entered or corrected. Lateness already recorded is judged again
    against the corrected date. Each change is audited (``notice.deadlines_recomputed``); a due date that
    moved earlier is also recorded as a reminder to the agency's disclosure managers
    (``notice.deadline_moved_earlier``). Runs inside the caller's transaction."""
    touched = Q(due_provisional=True) | Q(withdrawal_due_provisional=True)
    for first, last in spans:
        touched |= Q(decision_date__lte=last, due_date__gte=first, published_at__isnull=True)
        touched |= Q(withdrawal_triggered_on__lte=last, withdrawal_due__gte=first, withdrawn_at__isnull=True)
    changes: list[dict[str, Any]] = []
    notices = Notice.objects.select_for_update(of=("self",)).filter(touched).select_related("agency")
    for notice in notices.order_by("pk"):
        before = {"due_date": notice.due_date, "withdrawal_due": notice.withdrawal_due,
                  "due_provisional": notice.due_provisional,
                  "withdrawal_due_provisional": notice.withdrawal_due_provisional}
        due = due_date_for(
            decision_date=notice.decision_date, decision_kind=notice.decision_kind, profile=profile_for(notice.agency)
        )
        notice.due_date, notice.due_provisional = due.due, due.provisional
        if notice.published_at is not None:
            notice.published_late = timezone.localdate(notice.published_at) > notice.due_date
        if notice.withdrawal_triggered_on:
            withdrawal = _add_workdays(notice.withdrawal_triggered_on, withdraw_workdays())
            notice.withdrawal_due, notice.withdrawal_due_provisional = withdrawal.due, withdrawal.provisional
            if notice.withdrawn_at is not None:
                notice.withdrawn_late = notice.was_public and timezone.localdate(notice.withdrawn_at) > withdrawal.due
        after = {"due_date": notice.due_date, "withdrawal_due": notice.withdrawal_due,
                 "due_provisional": notice.due_provisional,
                 "withdrawal_due_provisional": notice.withdrawal_due_provisional}
        if after == before:
            continue  # still not computable, or unchanged
        notice.save()
        change = {"type": "notice", "id": str(notice.pk), **{f"{k}_was": v for k, v in before.items()}, **after,
                  "published_late": notice.published_late, "withdrawn_late": notice.withdrawn_late}
        _audit("notice.deadlines_recomputed", notice, context, change)
        earlier = [k for k in ("due_date", "withdrawal_due") if _moved_earlier(before[k], after[k])]
        if earlier:
            managers = User.objects.filter(agency_id=notice.agency_id, is_active=True,
                                           roles__role=Role.DISCLOSURE_MANAGER).distinct()
            _audit("notice.deadline_moved_earlier", notice, context, {
                "moved": earlier, **{k: after[k] for k in earlier}, "issued_on": today,
                "recipients": [str(u.pk) for u in managers],
            })
        changes.append(change)
    return changes


def _moved_earlier(was: object, now: object) -> bool:
    return isinstance(was, datetime.date) and isinstance(now, datetime.date) and now < was


def notice_refresh_provisional_dates() -> int:
    """Recompute the still-provisional deadlines (the part of :func:`notices_recompute_for_calendar` that needs
    no changed span). Returns how many notices changed."""
    with transaction.atomic():
        return len(notices_recompute_for_calendar(spans=(), today=timezone.localdate(), context=None))
