"""Periodic review tasks: thin wrappers over services (STYLE R8). Idempotent; replays are safe."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from backend.reviews.services import review_deadline_reminders

logger = logging.getLogger(__name__)


@shared_task(name="reviews.tasks.deadline_reminders", soft_time_limit=600, time_limit=660)
def deadline_reminders() -> dict[str, int]:
    """T-3 / T-1 working-day reminders and the overdue flag of running review rounds (DOMAIN.md §8)."""
    counts = review_deadline_reminders(today=timezone.localdate())
    logger.info("review time limits swept: %s", counts)
    return counts
