"""Periodic disclosure jobs. Thin wrappers over services (STYLE R8)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.schedules import crontab

from backend.config.celery import app

logger = logging.getLogger(__name__)


@shared_task(name="disclosures.notice_expire_display_periods", time_limit=600, soft_time_limit=540)
def notice_expire_display_periods() -> int:
    """End display periods that are over (市场监督管理行政处罚信息公示规定 第十三条). Replays are harmless."""
    from backend.disclosures.services import notice_expire_display_periods as expire

    changed = expire()
    if changed:
        logger.info("disclosures: %s notices reached the end of their display period", changed)
    return changed


@app.on_after_finalize.connect
def _schedule(sender, **_kwargs) -> None:  # type: ignore[no-untyped-def]
    # 00:20 and 12:20 Asia/Shanghai: notices leave the list on the day their display period ends.
    sender.add_periodic_task(
        crontab(minute=20, hour="0,12"), notice_expire_display_periods.s(), name="disclosures: expire display periods"
    )
