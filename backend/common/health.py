"""Liveness (``/healthz``) and readiness (``/readyz``) probes for load balancers and orchestration.

Probes reach a container by its IP address (the compose health check, a load balancer, a kubelet), not by
the public host name in ``ALLOWED_HOSTS``; Django's host validation answered them 400 DisallowedHost.
:class:`HealthProbeMiddleware`, first in ``MIDDLEWARE``, answers exactly these two paths before anything
reads the ``Host`` header, so every other path keeps its host validation. Anonymous callers learn only
which component is up or down; why is written to the log (``backend.common.health``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from backend.common.storage import get_storage

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_storage() -> None:
    get_storage().check()


def _check_broker() -> None:
    from celery import current_app as app  # the project's (backend/config/celery.py, loaded with Django)

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


READINESS_CHECKS = {"database": _check_database, "storage": _check_storage, "broker": _check_broker}
_NO_STORE = {"Cache-Control": "no-store"}


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"}, headers=_NO_STORE)


def readyz(request: HttpRequest) -> JsonResponse:
    """Database, storage and broker answer: the instance may take traffic (503 naming what is down)."""
    checks: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
            checks[name] = "up"
        except Exception:  # a probe must report, never crash
            logger.warning("readiness: %s is down", name, exc_info=True)
            checks[name] = "down"
    down = [name for name, state in checks.items() if state == "down"]
    if down:
        body = {"status": "unavailable", "code": "not_ready", "message": f"不可用：{', '.join(down)}", "checks": checks}
        return JsonResponse(body, status=503, headers=_NO_STORE)
    return JsonResponse({"status": "ok", "checks": checks}, headers=_NO_STORE)


PROBES: dict[str, Callable[[HttpRequest], JsonResponse]] = {
    "/healthz": healthz,
    "/healthz/": healthz,
    "/readyz": readyz,
    "/readyz/": readyz,
}


class HealthProbeMiddleware:
    """First in ``MIDDLEWARE``: answers the probe paths under any ``Host``, GET and HEAD only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            from rest_framework.exceptions import MethodNotAllowed

            from backend.common.exceptions import error_body

            return JsonResponse(error_body(MethodNotAllowed), status=405, headers={"Allow": "GET, HEAD"})
        response = probe(request)
        if request.method == "HEAD":
            response.content = b""
        return response
