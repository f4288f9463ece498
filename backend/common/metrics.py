"""Prometheus metrics (prometheus-client), served at ``/metrics`` to a scraper with ``METRICS_TOKEN`` or a
staff session.

Two kinds:

* **Counted as requests happen** (every gunicorn worker process counts its own; in multiprocess mode the
  files under ``PROMETHEUS_MULTIPROC_DIR`` are added up at scrape time): requests by route, method and
  status, their latency, the bytes tus PATCHes stored and their latency, and refusals a client must handle
  (409 workflow preconditions, 423 upload locked, 460 checksum mismatch, 412/428 conditional requests, 429)
  by their error ``code``.
* **Read when scraped** (:class:`StateCollector`: a few indexed counts): the Celery queue depth, evidence
  processing states (failed = media failures), the age of the latest signed ledger checkpoint and of the
  oldest unsealed audit event, overdue duty deadlines, review time limits and disclosure notices, reminders
  issued today, and when each periodic task last succeeded (recorded by the worker in the shared cache).

Labels are bounded: routes are URL patterns (``/api/v1/cases/<uuid:case_id>/``), never concrete paths.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# Statuses a client reacts to, counted with their machine-readable code (backend/common/errors.py).
REFUSAL_STATUSES = frozenset({409, 412, 423, 428, 429, 460})
PROBE_PATHS = ("/healthz", "/readyz")
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_PATCH_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
TASK_SUCCESS_CACHE_KEY = "metrics:task-success:{}"

HTTP_REQUESTS = Counter(
    "zhifa_http_requests", "HTTP requests answered, by route pattern, method and status.", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "zhifa_http_request_duration_seconds", "Time to answer, by route pattern and method.", ["route", "method"],
    buckets=_LATENCY_BUCKETS,
)  # fmt: skip
HTTP_REFUSALS = Counter(
    "zhifa_http_refusals", "Refusals a client must handle (409/412/423/428/429/460), by status and error code.",
    ["status", "code"],
)  # fmt: skip
UPLOAD_BYTES = Counter("zhifa_upload_bytes", "Evidence bytes stored by tus PATCH requests (acknowledged offsets).")
UPLOAD_PATCH_LATENCY = Histogram(
    "zhifa_upload_patch_duration_seconds", "Time to answer a tus PATCH, by status.", ["status"], buckets=_PATCH_BUCKETS
)


def is_probe(route: str, path: str) -> bool:
    return path in PROBE_PATHS


def error_code(response: HttpResponse) -> str:
    """The ``code`` of an error answer (DRF's parsed data, or the JSON body); empty for a success."""
    if response.status_code < 400:
        return ""
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return data["code"]
    if response.get("Content-Type", "").startswith("application/json") and not response.streaming:
        try:
            body = json.loads(response.content[:4096])
        except (ValueError, UnicodeDecodeError):
            return ""
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            return body["code"]
    return ""


# Label values must stay few: a client may send any method name.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(request: HttpRequest, response: HttpResponse, route: str, elapsed: float) -> None:
    status = response.status_code
    if is_probe(route, request.path):
        route = request.path
    method = request.method if request.method in _METHODS else "OTHER"
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_LATENCY.labels(route, method).observe(elapsed)
    if status in REFUSAL_STATUSES:
        HTTP_REFUSALS.labels(str(status), error_code(response) or "-").inc()
    if request.method == "PATCH" and request.META.get("HTTP_TUS_RESUMABLE"):
        UPLOAD_PATCH_LATENCY.labels(str(status)).observe(elapsed)
        stored = _int(response.get("Upload-Offset")) - _int(request.META.get("HTTP_UPLOAD_OFFSET"))
        if status == 204 and stored > 0:
            UPLOAD_BYTES.inc(stored)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --------------------------------------------------------------------------- read when scraped


def _queue_depth() -> int | None:
    """Messages waiting in the default Celery queue (Redis list length, or files of the filesystem broker)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
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

        from backend.evidence.models import EvidenceItem

        g = GaugeMetricFamily(
            "zhifa_evidence_processing_items", "Evidence items by processing status (failed: media failures).",
            labels=["status"],
        )  # fmt: skip
        counts = dict(
            EvidenceItem.objects.values_list("processing_status").annotate(n=Count("pk")).values_list(
                "processing_status", "n"
            )
        )
        for status in EvidenceItem.ProcessingStatus.values:
            g.add_metric([status], counts.get(status, 0))
        yield g

        from backend.ledger.models import AuditEvent, Checkpoint

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

        from backend.cases.models import CaseDeadline, DeadlineReminder
        from backend.disclosures.models import Notice
        from backend.reviews.models import ReviewReminder, ReviewRound

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
        g.add_metric(
            ["disclosure"], Notice.objects.filter(status=Notice.Status.DRAFT, due_date__lt=today).count()
        )
        yield g

        g = GaugeMetricFamily(
            "zhifa_reminders_issued_today", "Deadline reminders issued today, by subject and kind.",
            labels=["subject", "kind"],
        )  # fmt: skip
        for subject, model in (("case", DeadlineReminder), ("review", ReviewReminder)):
            issued = dict(
                model.objects.filter(issued_on=today).values_list("kind").annotate(n=Count("pk")).values_list(
                    "kind", "n"
                )
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


def record_task_success(task_name: str) -> None:
    """Called by the worker (celery ``task_success``) for periodic tasks: scraped as the last-success time."""
    if task_name not in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}:
        return
    from django.core.cache import cache

    cache.set(TASK_SUCCESS_CACHE_KEY.format(task_name), time.time(), timeout=None)


# --------------------------------------------------------------------------- exposition


def _multiprocess() -> bool:
    """Whether this process's counters live in files (decided when prometheus_client was imported, with
    PROMETHEUS_MULTIPROC_DIR set: under gunicorn), rather than by the environment now."""
    from prometheus_client import values

    return values.ValueClass is not values.MutexValue and bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _registry() -> CollectorRegistry:
    if _multiprocess():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_ProcessLocal(REGISTRY))
    registry.register(StateCollector())
    return registry


class _ProcessLocal(Collector):
    """This process's counters (a single process: tests, runserver)."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Any]:
        yield from self.source.collect()


def metrics_authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].strip().encode(), token.encode())
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_authorised(request):
        response = HttpResponse(
            json.dumps({"code": "not_authenticated", "message": "需要监控令牌或管理员登录"}, ensure_ascii=False),
            status=401, content_type="application/json",
        )  # fmt: skip
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
