"""Helpers shared by the benchmarks: ports, databases, and bulk loading that follows the models.

``copy_model_rows`` builds every row from the model's own fields (values given by the benchmark, the
field's default otherwise, NULL where the column allows it) and writes them with PostgreSQL ``COPY``. A
column added by a later migration is therefore loaded with its default, and one that has no default and
is NOT NULL stops the loader with its name — in the smoke run of ``.ci/run``, not months later.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _port_range() -> range | None:
    """``BENCH_PORTS=18700-18799``: the servers a benchmark starts use only these ports (shared machines)."""
    spec = os.environ.get("BENCH_PORTS", "")
    if not spec:
        return None
    low, _, high = spec.partition("-")
    return range(int(low), int(high or low) + 1)


_taken: set[int] = set()


def free_port() -> int:
    ports = _port_range()
    if ports is None:
        with socket.socket() as s:
            s.bind((HOST, 0))
            return s.getsockname()[1]
    for port in ports:
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError(f"no free port left in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def admin_url(url: str) -> str:
    return urlparse(url)._replace(path="/postgres").geturl()


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


def migrate(url: str, env: Mapping[str, str] | None = None) -> None:
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "backend/manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT, env={**os.environ, **(env or {}), "DATABASE_URL": url,
                       "DJANGO_SETTINGS_MODULE": "backend.config.settings"},
        check=True, timeout=900,
    )


_MISSING = object()


def _field_value(field: Any, row: Mapping[str, Any], now: Any) -> Any:
    for key in (field.attname, field.name):
        if key in row:
            return row[key]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed and field.blank:
        return ""
    return _MISSING


def copy_model_rows(model: type, rows: Iterable[Mapping[str, Any]], *, using: str = "default") -> int:
    """``COPY`` rows into ``model``'s table. Each row maps field names (or attnames, e.g. ``agency_id``)
    to Python values; every other concrete field takes its default (or NULL / "" where allowed).
    Raises ``ValueError`` naming a NOT NULL field that has neither a value nor a default."""
    from django.db import connections
    from django.utils import timezone

    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    now = timezone.now()
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for field in fields:
                    value = _field_value(field, row, now)
                    if value is _MISSING:
                        raise ValueError(
                            f"bench loader: {model._meta.label}.{field.name} is NOT NULL and has no default; "
                            f"the benchmark must give it a value")
                    values.append(field.get_db_prep_save(value, connection=connection))
                copy.write_row(values)
                count += 1
    return count


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def stop_group(proc: subprocess.Popen) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def group_cpu_seconds(pid: int) -> float:
    """User + system CPU of every live process in ``pid``'s process group plus what their reaped
    children used (``/proc/<pid>/stat`` fields 14-17)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) != pid:  # field 5: process group
            continue
        total += sum(int(x) for x in fields[11:15])
    return total / ticks
