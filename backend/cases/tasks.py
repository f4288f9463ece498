"""Periodic case tasks: thin wrappers over services (STYLE R8). Both are idempotent; replays are safe."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from backend.cases.deadlines import deadline_reminders as deadline_reminders_service
from backend.cases.models import Case

logger = logging.getLogger(__name__)


@shared_task(name="cases.tasks.deadline_reminders", soft_time_limit=600, time_limit=660)
def deadline_reminders() -> dict[str, int]:
    """T-3 / T-1 working-day reminders, elapsed party windows and the overdue flags (DOMAIN.md §8)."""
    counts = deadline_reminders_service(today=timezone.localdate())
    logger.info("case deadlines swept: %s", counts)
    return counts


@shared_task(name="cases.tasks.recording_flags_refresh", soft_time_limit=600, time_limit=660)
def recording_flags_refresh() -> int:
    """Re-check open cases whose steps recorded acts on the 音像记录事项清单: recordings arrive after the
    step (uploads within 24 h), so the missing-recording flag is re-evaluated until the case closes."""
    from backend.cases.services import case_refresh_recording_flag

    changed = 0
    open_ids = (
        Case.objects.exclude(status__in=Case.CLOSED_STATUSES)
        .exclude(performed_activities=[])
        .values_list("pk", flat=True)
    )
    for case_id in open_ids.iterator():
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            logger.info("case %s no longer exists; skipping", case_id)
            continue
        before = list(case.missing_recordings)
        if case_refresh_recording_flag(case=case).missing_recordings != before:
            changed += 1
    return changed
