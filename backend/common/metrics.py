"""Prometheus metrics (prometheus-client), served at ``/metrics`` to a scraper with ``METRICS_TOKEN`` or a
staff session.

Two kinds:

* **Counted as requests happen** (every gunicorn worker process counts its own; in multiprocess mode the
  files under ``PROMETHEUS_MULTIPROC_DIR`` are added up at scrape time): requests by route, method and
  status, their latency, the bytes tus PATCHes stored and their latency, and refusals a client must handle
  (409 workflow preconditions, 423 upload locked, 460 checksum mismatch, 412/428 conditional requests, 429)
  by their error ``code``.
* **Read when scraped** (``backend.config.metrics.StateCollector``, passed to :func:`metrics_view` by the
  URLconf because it reads every app: a few indexed counts): the Celery queue depth, evidence
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
        return str(data["code"])
    if response.get("Content-Type", "").startswith("application/json") and not response.streaming:
        try:
            body = json.loads(response.content[:4096])
        except (ValueError, UnicodeDecodeError):
            return ""
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            return str(body["code"])
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


def _registry(state: Collector | None) -> CollectorRegistry:
    if _multiprocess():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_ProcessLocal(REGISTRY))
    if state is not None:
        registry.register(state)
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


def metrics_view(request: HttpRequest, state: Collector | None = None) -> HttpResponse:
    """The scrape; ``state``: the gauges read at scrape time (backend/config/urls.py passes them)."""
    if not metrics_authorised(request):
        response = HttpResponse(
            json.dumps({"code": "not_authenticated", "message": "需要监控令牌或管理员登录"}, ensure_ascii=False),
            status=401, content_type="application/json",
        )  # fmt: skip
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry(state)), content_type=CONTENT_TYPE_LATEST)
