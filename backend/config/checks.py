"""System checks: production strictness and environment sanity.

With ``DEBUG`` off the service refuses to start (``refuse_insecure_start``, called by the WSGI/ASGI entry
points and the worker) when a check below reports an error. ``manage.py check`` shows the same list.
"""

from __future__ import annotations

import shutil
import sys
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

# Secret keys (SECRET_KEY, JWT_SIGNING_KEY, METRICS_TOKEN): at least this many characters with DEBUG off.
MIN_SIGNING_KEY_LENGTH = 32

DEMO_USERNAMES = ("officer1", "officer2", "officer3", "reviewer1", "head1", "discloser1", "auditor1", "admin")


@register(Tags.security, deploy=True)
def production_secrets_check(app_configs: Any = None, **kwargs: Any) -> list:
    if settings.DEBUG:
        return []
    errors = []
    if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY or len(settings.SECRET_KEY) < MIN_SIGNING_KEY_LENGTH:
        errors.append(
            Error(
                "SECRET_KEY is not set (or too short) while DEBUG is off.",
                hint="Set SECRET_KEY (≥ 32 random characters) in the environment.",
                id="enf.E001",
            )
        )
    # RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). The access and
    # refresh tokens are bearer credentials to evidence: a short key can be brute-forced offline from one token.
    jwt_key = str(settings.SIMPLE_JWT.get("SIGNING_KEY") or "")
    if len(jwt_key) < MIN_SIGNING_KEY_LENGTH or jwt_key == settings.INSECURE_SECRET_KEY:
        errors.append(
            Error(
                f"JWT_SIGNING_KEY is shorter than {MIN_SIGNING_KEY_LENGTH} characters (or the development key) "
                "while DEBUG is off.",
                hint=f"Set JWT_SIGNING_KEY (or SECRET_KEY, its default) to ≥ {MIN_SIGNING_KEY_LENGTH} random "
                "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'.",
                id="enf.E006",
            )
        )
    metrics_token = settings.METRICS_TOKEN
    if metrics_token and len(metrics_token) < MIN_SIGNING_KEY_LENGTH:
        errors.append(
            Error(
                f"METRICS_TOKEN is shorter than {MIN_SIGNING_KEY_LENGTH} characters while DEBUG is off.",
                hint="Use a long random token, or leave it empty (then /metrics answers staff sessions only).",
                id="enf.E007",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(Error("ALLOWED_HOSTS contains '*' while DEBUG is off.", id="enf.E002"))
    if settings.DEMO_MODE:
        errors.append(Error("DEMO_MODE is on while DEBUG is off.", id="enf.E003"))
    return errors


@register(Tags.security, Tags.database, deploy=True)
def demo_data_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    """Demo accounts share a published password: never in production."""
    if settings.DEBUG or not databases:
        return []
    from django.db import DatabaseError

    from backend.accounts.models import User

    try:
        demo_users = User.objects.filter(username__in=DEMO_USERNAMES, demo_account=True)
        present = list(demo_users.values_list("username", flat=True))
    except DatabaseError:
        return []  # not migrated yet: migrate first
    if present:
        return [
            Error(
                f"Demo accounts are present while DEBUG is off: {', '.join(present)}.",
                hint="Remove them (manage.py seed_demo --remove) or use a fresh database.",
                id="enf.E004",
            )
        ]
    return []


@register(deploy=False)
def binaries_check(app_configs: Any = None, **kwargs: Any) -> list:
    missing = [tool for tool in ("ffmpeg", "ffprobe") if shutil.which(tool) is None]
    if missing:
        return [Warning(f"{', '.join(missing)} not on PATH: media processing will fail.", id="enf.W001")]
    return []


@register(deploy=False)
def storage_check(app_configs: Any = None, **kwargs: Any) -> list:
    if settings.STORAGE_BACKEND == "s3" and not settings.S3_BUCKET:
        return [Error("STORAGE_BACKEND=s3 but S3_BUCKET is empty.", id="enf.E005")]
    return []


@register(Tags.database, deploy=False)
def calendar_coverage_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    """DOMAIN.md §1.5: warn while next year's official holidays are unknown (deadlines into it are provisional)."""
    if not databases:
        return []
    from django.db import DatabaseError
    from django.utils import timezone

    from backend.common.calendar import calendar_coverage_gap

    try:
        year = calendar_coverage_gap(timezone.localdate())
    except DatabaseError:
        return []  # not migrated yet
    if year is None:
        return []
    return [
        Warning(
            f"No official holiday data for {year}: working-day deadlines reaching into it are provisional.",
            hint="Import the State Council's holiday notice for that year (admin: 日历年度 → 导入国务院放假通知, or "
            "manage.py import_holiday_notice) or upgrade chinese-calendar (README: yearly task).",
            id="enf.W002",
        )
    ]


@register(deploy=False)
def idempotency_ttl_check(app_configs: Any = None, **kwargs: Any) -> list:
    """Idempotency-Keys must outlive the longest offline period of the field app (its refresh-token
    lifetime, plus a day of margin), or a request queued offline could be carried out twice."""
    offline = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    if offline + timedelta(days=1) <= settings.IDEMPOTENCY_TTL:
        return []
    return [
        Warning(
            f"IDEMPOTENCY_TTL ({settings.IDEMPOTENCY_TTL.days} days) is shorter than the app's offline period "
            f"({offline.days} days, JWT_REFRESH_DAYS) plus a day: a POST queued offline may be carried out twice.",
            hint="Raise IDEMPOTENCY_TTL_DAYS (default 30) or lower JWT_REFRESH_DAYS.",
            id="idempotency.W001",
        )
    ]


@register(Tags.security, deploy=False)
def trusted_proxies_check(app_configs: Any = None, **kwargs: Any) -> list:
    """TRUSTED_PROXIES must parse; BEHIND_TLS_PROXY alone no longer makes X-Forwarded-Proto count."""
    from backend.common.client_address import trusted_proxies

    try:
        networks = trusted_proxies()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="Comma-separated IP addresses or CIDR networks.", id="proxy.E001")]
    if settings.BEHIND_TLS_PROXY and not networks:
        return [
            Warning(
                "BEHIND_TLS_PROXY is set but TRUSTED_PROXIES is empty: X-Forwarded-Proto and X-Forwarded-For are "
                "ignored from every peer.",
                hint="Set TRUSTED_PROXIES to the reverse proxy's address or network (e.g. 127.0.0.1, 172.18.0.0/16) "
                "and drop BEHIND_TLS_PROXY.",
                id="proxy.W001",
            )
        ]
    return []


def insecure_configuration_errors() -> list[str]:
    from django.core import checks

    problems = checks.run_checks(
        tags=[Tags.security, "ledger"], databases=["default"], include_deployment_checks=True
    )
    problems += storage_check()
    return [f"{p.id}: {p.msg}" for p in problems if p.is_serious()]


def refuse_insecure_start() -> None:
    """Raise ImproperlyConfigured when DEBUG is off and the configuration is insecure."""
    if settings.DEBUG:
        return
    errors = insecure_configuration_errors()
    if errors:
        raise ImproperlyConfigured("Refusing to start on an insecure configuration:\n  " + "\n  ".join(errors))


# EX_CONFIG (sysexits.h): the exit status of a process that refused its configuration.
EXIT_INSECURE_CONFIGURATION = 78


def exit_if_insecure(process: str) -> None:
    """For processes whose framework swallows exceptions of start-up hooks (Celery's signals log them and go
    on): print why and leave with :data:`EXIT_INSECURE_CONFIGURATION`."""
    try:
        refuse_insecure_start()
    except ImproperlyConfigured as exc:
        print(f"{process}: {exc}", file=sys.stderr, flush=True)  # logging may not be configured yet
        raise SystemExit(EXIT_INSECURE_CONFIGURATION) from exc


@register(deploy=False)
def domain_event_wiring_check(app_configs: Any = None, **kwargs: Any) -> list:
    """Every required domain event has a subscriber (backend/common/events.py): a lower app relies on it."""
    from backend.common.events import unwired_required_events

    return [
        Error(f"Domain event {name} has no subscriber.", hint="Subscribe a handler in the app's AppConfig.ready().",
              id="enf.E010")
        for name in unwired_required_events()
    ]
