"""Test helpers shared by all test folders: factories for the personas and authenticated clients."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts.models import Agency, OfficerCredential, User, UserRole
from backend.accounts.serializers import add_identity_claims

PASSWORD = "correct-horse-battery-2026"


def make_agency(name: str, uscc: str, parent: Agency | None = None) -> Agency:
    return Agency.objects.create(
        name=name,
        uscc=uscc,
        region_code="220400",
        region_name="吉林省辽源市",
        region_bbox=[124.6, 42.5, 126.0, 43.3],
        parent=parent,
        enforcement_categories=["市场监管"],
        legal_basis="《中华人民共和国行政处罚法》",
    )


def make_user(
    username: str,
    agency: Agency | None,
    roles: list[str],
    *,
    credential: str | None = None,
    valid_until: datetime.date | None = None,
    credential_status: str = OfficerCredential.Status.ACTIVE,
    full_name: str = "",
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, agency=agency, full_name=full_name or username
    )
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    if credential:
        today = timezone.localdate()
        OfficerCredential.objects.create(
            user=user,
            number=credential,
            category="市场监管综合执法",
            issued_on=today - datetime.timedelta(days=400),
            valid_until=valid_until or today + datetime.timedelta(days=400),
            status=credential_status,
        )
    return user


def token_for(user: User, *, device_id: str | None = None) -> str:
    refresh = RefreshToken.for_user(user)
    add_identity_claims(refresh, user)
    if device_id:
        refresh["device"] = str(device_id)
    return str(refresh.access_token)


def client_for(user: User | None, *, device_id: str | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, device_id=device_id)}")
    return client


# --------------------------------------------------------------------------- a real gunicorn for end-to-end tests


def free_port() -> int:
    """A free TCP port on 127.0.0.1: from ``TEST_PORT_RANGE`` (e.g. ``18400-18499``, for machines where each
    engineer has a port range) when set, else one the kernel picks."""
    import os
    import random
    import socket

    low, _, high = os.environ.get("TEST_PORT_RANGE", "").partition("-")
    candidates = random.sample(range(int(low), int(high) + 1), int(high) - int(low) + 1) if high else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in TEST_PORT_RANGE={os.environ['TEST_PORT_RANGE']}")


def start_gunicorn(port: int, env: dict, *, threads: int = 2, workers: int = 1, output=None):
    """The project's WSGI app under gunicorn with its production config (``backend.config.gunicorn``),
    one worker by default; returns the process (its own process group) once ``/healthz`` answers."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import requests

    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:backend.config.gunicorn",
         "backend.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--timeout", "120"],
        cwd=repo, env=env, stdout=output or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if output else subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    raise AssertionError("gunicorn did not start")


def served_database_url(var_dir) -> str:
    """A ``DATABASE_URL`` through which a server subprocess sees this test's database.

    SQLite: the test database lives in memory, so it is copied (migrated, with the personas) to
    ``var_dir/db.sqlite3`` with SQLite's backup API — read the server's writes from that file afterwards.
    PostgreSQL: a transactional test (``django_db(transaction=True)``) commits its data, so the server uses
    the test database itself.
    """
    import sqlite3

    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        db_file = var_dir / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(db_file) as target:
            connection.connection.backup(target)
        return f"sqlite:///{db_file}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def server_env(var_dir, database_url: str, **extra: str) -> dict:
    """The environment of a gunicorn subprocess serving ``database_url`` (embedded defaults otherwise)."""
    import os

    env = {
        **os.environ,
        "DEBUG": "1",
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "STORAGE_BACKEND": "local",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        **extra,
    }
    env.pop("S3_BUCKET", None)
    # Each server counts its metrics under its own VAR_DIR (importing backend.config.gunicorn in a test sets
    # this variable for the test process).
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def sequence_ledger() -> int:
    """What follows a commit in production: the ledger sequencer chains the events the transaction recorded
    (``on_commit``, backend/ledger/sequencer.py). Tests run inside one outer transaction whose commit hooks
    never fire, so a test that reads the chain, the log or ``seq`` calls this where the commit would be."""
    from backend.ledger.sequencer import ledger_sequence

    return ledger_sequence()


def pin_clock(monkeypatch, moment: datetime.datetime) -> None:
    """Make the server read ``moment`` as the current time (``django.utils.timezone.now``, which every
    service, ``localdate()`` and the audit trail use). Access tokens keep the real clock (simplejwt)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def replace_subscribers(monkeypatch, table: dict) -> None:
    """Stand-ins for the handlers of some domain events or questions (backend/common/events.py) for one test;
    the installation's real handlers come back after it. ``table``: event class → handler taking the event."""
    from backend.common import events

    for event_type, handler in table.items():
        monkeypatch.setitem(events._subscribers, event_type, [handler])


# --------------------------------------------------------------------------- identifiers with valid check characters

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z


def valid_id_number(first17: str) -> str:
    """A 居民身份证号码 with its check character (GB 11643-1999, ISO 7064 MOD 11-2), from its first 17 digits
    (region code, birth date YYYYMMDD, sequence): ``valid_id_number("22040219900101123")``."""
    assert len(first17) == 17 and first17.isascii() and first17.isdigit(), first17
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def valid_uscc(first16: str) -> str:
    """A 统一社会信用代码 (GB 32100-2015) from its first 16 characters — registration office and type (2), region
    (6), the first 8 of the organisation code — with the organisation code's GB 11714 check character and the
    code's own: ``valid_uscc("91220400MA0Y1234")``."""
    assert len(first16) == 16 and all(c in _USCC_CHARS for c in first16), first16
    body = first16[8:]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    org = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True))
    org_check = {10: "X", 11: "0"}.get(11 - org % 11, str(11 - org % 11))
    code = first16 + org_check
    total = sum(_USCC_CHARS.index(c) * (3**i % 31) for i, c in enumerate(code))
    return code + _USCC_CHARS[(31 - total % 31) % 31]
