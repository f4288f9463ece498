"""Periodic supervision task: a thin wrapper over the service (STYLE R8); replays are safe."""

from __future__ import annotations

import logging

from celery import shared_task

from backend.supervision.services import orders_escalate_overdue

logger = logging.getLogger(__name__)


@shared_task(name="supervision_escalate_overdue", soft_time_limit=600, time_limit=660)
def supervision_escalate_overdue() -> int:
    """Escalate correction orders whose deadline passed unanswered (hourly, CELERY_BEAT_SCHEDULE)."""
    count = orders_escalate_overdue()
    logger.info("supervision orders escalated: %d", count)
    return count
