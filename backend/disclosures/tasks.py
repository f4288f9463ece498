"""Periodic disclosure jobs. Thin wrappers over services (STYLE R8)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="disclosures.notice_expire_display_periods", time_limit=600, soft_time_limit=540)
def notice_expire_display_periods() -> int:
    """End display periods that are over (市场监督管理行政处罚信息公示规定 第十三条). Replays are harmless."""
    from backend.disclosures.services.periodic import notice_expire_display_periods as expire

    changed = expire()
    if changed:
        logger.info("disclosures: %s notices reached the end of their display period", changed)
    return changed
