"""Observability: who and what each log line is about, one access line per request, optional error tracking.

Every log record gets ``request_id``, ``user``, ``agency`` and ``route`` (and ``task``/``task_id`` in the Celery
worker) from context variables that :class:`RequestObservabilityMiddleware` and the Celery signals set, so a
line written deep inside a service still says which request wrote it. With ``LOG_FORMAT=json`` (the default
when ``DEBUG`` is off) the console handler writes one JSON object per line (python-json-logger).

The middleware also counts the request in the Prometheus metrics (backend/common/metrics.py) and writes the
access line (logger ``backend.access``): method, route (the URL pattern, never the concrete path with its
ids), status, duration, body bytes.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

access_logger = logging.getLogger("backend.access")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_user: contextvars.ContextVar[str] = contextvars.ContextVar("user", default="-")
_agency: contextvars.ContextVar[str] = contextvars.ContextVar("agency", default="-")
_route: contextvars.ContextVar[str] = contextvars.ContextVar("route", default="-")
_task: contextvars.ContextVar[str] = contextvars.ContextVar("task", default="-")
_task_id: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="-")

_FIELDS = {
    "request_id": _request_id,
    "user": _user,
    "agency": _agency,
    "route": _route,
    "task": _task,
    "task_id": _task_id,
}


class RequestContextFilter(logging.Filter):
    """Adds the current request's (or task's) identifiers to every record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _FIELDS.items():
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True


def bind_user(user: Any) -> None:
    """Called by the authentication class once it knows who is calling (JWT: inside the view)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    _user.set(str(user.pk))
    _agency.set(str(user.agency_id) if getattr(user, "agency_id", None) is not None else "-")


def current_route() -> str:
    return _route.get()


def route_of(request: HttpRequest) -> str:
    """The URL pattern that served the request (``api/v1/cases/<uuid:case_id>/``): bounded, id-free labels."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or "")


class RequestObservabilityMiddleware:
    """Binds the request's identifiers for logging, counts it in the metrics, writes its access line.

    Placed right after RequestIdMiddleware, so it sees every answer, health probes and refusals included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from backend.common import metrics

        tokens = [
            _request_id.set(getattr(request, "request_id", "-")),
            _user.set("-"),
            _agency.set("-"),
            _route.set("-"),
        ]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            # Session users (admin, staff pages) are known only now; JWT users were bound by authentication.
            session_user = getattr(request, "user", None)
            if _user.get() == "-" and session_user is not None:
                bind_user(session_user)
            route = route_of(request)
            _route.set(route)
            elapsed = time.perf_counter() - started
            metrics.observe_request(request, response, route, elapsed)
            if settings.LOG_REQUESTS and not metrics.is_probe(route, request.path):
                access_logger.info(
                    "%s %s %s",
                    request.method,
                    route,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1),
                        "request_bytes": _int(request.META.get("CONTENT_LENGTH")),
                        "client": request.META.get("REMOTE_ADDR", ""),
                        "error_code": metrics.error_code(response),
                    },
                )
            return response
        finally:
            for var, token in zip((_request_id, _user, _agency, _route), tokens, strict=True):
                var.reset(token)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        _route.set(route_of(request))  # log lines written by the view name their route


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --------------------------------------------------------------------------- Celery: the task in every line


def bind_task(task_name: str, task_id: str) -> None:
    _task.set(task_name or "-")
    _task_id.set(task_id or "-")


def unbind_task() -> None:
    _task.set("-")
    _task_id.set("-")


# --------------------------------------------------------------------------- error tracking (optional)


def error_tracking_init(
    *, dsn: str, environment: str, release: str | None = None, traces_sample_rate: float = 0.0
) -> None:
    """Send unhandled errors (web and worker) and ERROR log records to a Sentry-compatible server.

    Off unless ``SENTRY_DSN`` is set (settings.py). Personal data collection stays at the SDK's default
    (off: no cookies, authorization headers, bodies or user names leave the service); the request id, route,
    user id and agency id are attached as tags so an event can be matched with the logs and the audit trail.
    """
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    def before_send(event: dict, hint: dict) -> dict:
        tags = event.setdefault("tags", {})
        for name in ("request_id", "route", "user", "agency", "task"):
            value = _FIELDS[name].get()
            if value != "-":
                tags[name] = value
        return event

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
