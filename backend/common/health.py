"""Liveness (``/healthz``) and readiness (``/readyz``) probes for load balancers and orchestration."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from backend.common.storage import get_storage


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_storage() -> None:
    get_storage().check()


def _check_broker() -> None:
    from backend.config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


READINESS_CHECKS = {"database": _check_database, "storage": _check_storage, "broker": _check_broker}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    down: list[str] = []
    for name, check in READINESS_CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a probe must report, never crash
            results[name] = f"down: {type(exc).__name__}: {exc}"[:300]
            down.append(name)
    if down:
        return JsonResponse(
            {"status": "unavailable", "code": "not_ready", "message": f"不可用：{', '.join(down)}", "checks": results},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": results})
