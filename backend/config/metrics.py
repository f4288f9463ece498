"""The gauges read when ``/metrics`` is scraped (see backend/common/metrics.py): they read the models of every
app, so they live in the project package, above all apps (ARCHITECTURE.md "Layers")."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from django.conf import settings
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from backend.cases.models import CaseDeadline, DeadlineReminder
from backend.common.metrics import TASK_SUCCESS_CACHE_KEY
from backend.disclosures.models import Notice
from backend.evidence.models import EvidenceItem
from backend.ledger.models import AuditEvent, Checkpoint
from backend.reviews.models import ReviewReminder, ReviewRound

logger = logging.getLogger("backend.common.metrics")


def _queue_depth() -> int | None:
    """Messages waiting in the default Celery queue (Redis list length, or files of the filesystem broker)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", ""))
        try:
            return sum(1 for name in os.listdir(folder) if name.endswith(".msg"))
        except OSError:
            return None
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return int(client.llen("celery"))
        finally:
            client.close()
    return None


class StateCollector(Collector):
    """Gauges computed from the database, the broker and the cache at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.core.cache import cache
        from django.db.models import Count, Min
        from django.utils import timezone

        now = timezone.now()
        today = timezone.localdate()
        try:
            depth = _queue_depth()
        except Exception as exc:  # the broker being down is itself worth scraping: no sample, a log line
            logger.warning("queue depth unavailable: %s", exc)
            depth = None
        if depth is not None:
            g = GaugeMetricFamily("zhifa_celery_queue_depth", "Tasks waiting in the Celery queue.", labels=["queue"])
            g.add_metric(["celery"], depth)
            yield g

        g = GaugeMetricFamily(
            "zhifa_evidence_processing_items", "Evidence items by processing status (failed: media failures).",
            labels=["status"],
        )  # fmt: skip
        counts = dict(
            EvidenceItem.objects.values_list("processing_status")
            .annotate(n=Count("pk"))
            .values_list("processing_status", "n")
        )
        for status in EvidenceItem.ProcessingStatus.values:
            g.add_metric([status], counts.get(status, 0))
        yield g

        latest = Checkpoint.objects.order_by("-signed_at").values_list("signed_at", flat=True).first()
        if latest is not None:
            yield GaugeMetricFamily(
                "zhifa_ledger_checkpoint_age_seconds", "Seconds since the latest signed ledger checkpoint.",
                value=(now - latest).total_seconds(),
            )  # fmt: skip
        pending = AuditEvent.objects.filter(seq__isnull=True).aggregate(n=Count("pk"), oldest=Min("occurred_at"))
        yield GaugeMetricFamily("zhifa_ledger_pending_events", "Audit events not yet sealed into the chain.",
                                value=pending["n"])  # fmt: skip
        yield GaugeMetricFamily(
            "zhifa_ledger_pending_oldest_age_seconds", "Age of the oldest unsealed audit event (0: none).",
            value=(now - pending["oldest"]).total_seconds() if pending["oldest"] else 0,
        )  # fmt: skip

        g = GaugeMetricFamily("zhifa_deadlines_overdue", "Statutory time limits past due, by kind.", labels=["kind"])
        g.add_metric(
            ["case_duty"],
            CaseDeadline.objects.filter(kind=CaseDeadline.Kind.DUTY, state=CaseDeadline.State.OVERDUE).count(),
        )
        g.add_metric(
            ["legal_review"],
            ReviewRound.objects.filter(
                status__in=[ReviewRound.Status.PENDING, ReviewRound.Status.IN_REVIEW], due_on__lt=today
            ).count(),
        )
        g.add_metric(["disclosure"], Notice.objects.filter(status=Notice.Status.DRAFT, due_date__lt=today).count())
        yield g

        g = GaugeMetricFamily(
            "zhifa_reminders_issued_today", "Deadline reminders issued today, by subject and kind.",
            labels=["subject", "kind"],
        )  # fmt: skip
        for subject, model in (("case", DeadlineReminder), ("review", ReviewReminder)):
            issued = dict(
                model.objects.filter(issued_on=today)
                .values_list("kind")
                .annotate(n=Count("pk"))
                .values_list("kind", "n")
            )
            for kind in ("t-3", "t-1", "overdue"):
                g.add_metric([subject, kind], issued.get(kind, 0))
        yield g

        g = GaugeMetricFamily(
            "zhifa_periodic_task_last_success_timestamp_seconds",
            "When each periodic task last finished without error (Unix time; written by the worker).",
            labels=["task"],
        )
        names = sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})
        found = cache.get_many([TASK_SUCCESS_CACHE_KEY.format(name) for name in names])
        for name in names:
            value = found.get(TASK_SUCCESS_CACHE_KEY.format(name))
            if value is not None:
                g.add_metric([name], float(value))
        yield g
