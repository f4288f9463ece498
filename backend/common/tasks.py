"""Periodic checks of the common services. Thin wrappers (STYLE R8)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from backend.common.calendar import calendar_coverage_gap, recompute_summary
from backend.common.calendar import calendar_recompute as _calendar_recompute
from backend.common.idempotency import idempotency_purge as _idempotency_purge

logger = logging.getLogger(__name__)


@shared_task(name="common.calendar_coverage_check", time_limit=120, soft_time_limit=100)
def calendar_coverage_check() -> int | None:
    """Daily alert (DOMAIN.md §1.5) while a year within the next twelve months has no official holiday data."""
    year = calendar_coverage_gap(timezone.localdate())
    if year is not None:
        logger.error(
            "CALENDAR ALERT: no official holiday data for %s; working-day deadlines reaching into it are "
            "provisional. Import the State Council's holiday notice (admin: 导入国务院放假通知, or manage.py "
            "import_holiday_notice) or upgrade chinese-calendar.",
            year,
        )
    return year


@shared_task(name="common.idempotency_purge", time_limit=600, soft_time_limit=540)
def idempotency_purge() -> int:
    """Hourly: forget Idempotency-Keys older than IDEMPOTENCY_TTL (api_docs/guides/sync.md §2)."""
    deleted = _idempotency_purge()
    if deleted:
        logger.info("purged %d idempotency records", deleted)
    return deleted


@shared_task(name="common.calendar_recompute", time_limit=1800, soft_time_limit=1700)
def calendar_recompute(years: list[int] | None = None) -> dict[str, int]:
    """Recompute every open deadline that depended on ``years`` (or, with none, every provisional one): run
    after a holiday notice is entered (the admin also runs it synchronously) and daily, so a newer
    chinese-calendar release is picked up (DOMAIN.md §1.5(d))."""
    changes = _calendar_recompute(years=years or (), today=timezone.localdate())
    if any(changes.values()):
        logger.info("calendar recompute: %s", recompute_summary(changes))
    return {name: len(rows) for name, rows in changes.items()}
