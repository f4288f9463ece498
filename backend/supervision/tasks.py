"""Periodic supervision task: a thin wrapper over the services (STYLE R8); replays are safe."""

from __future__ import annotations

import logging

from celery import shared_task

from backend.supervision.reminders import annual_report_reminders, annual_reports_seal_pending, suggestions_mark_overdue
from backend.supervision.services import orders_escalate_overdue

logger = logging.getLogger(__name__)


@shared_task(name="supervision_escalate_overdue", soft_time_limit=600, time_limit=660)
def supervision_escalate_overdue() -> dict[str, int]:
    """Hourly (CELERY_BEAT_SCHEDULE): escalate overdue correction orders, mark overdue 检察建议, remind the
    agencies whose annual report is due or late, seal any report left unsealed — each telling people once."""
    counts = {
        "orders_escalated": orders_escalate_overdue(),
        "suggestions_overdue": suggestions_mark_overdue(),
        "annual_report_reminders": annual_report_reminders(),
        "annual_reports_sealed": annual_reports_seal_pending(),
    }
    logger.info("supervision sweep: %s", counts)
    return counts
