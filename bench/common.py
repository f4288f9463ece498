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
    """Drop and create the database. With ``BENCH_DB_TEMPLATE`` (bench/smoke.sh) it is copied from that
    migrated database, and :func:`migrate` has nothing left to do."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    template = os.environ.get("BENCH_DB_TEMPLATE", "")
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if drop_only:
            return
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


def migrate(url: str, env: Mapping[str, str] | None = None) -> None:
    if os.environ.get("BENCH_DB_TEMPLATE"):
        return  # copied from the migrated template
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "backend/manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backend.config.settings"},
        check=True,
        timeout=900,
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
    import itertools

    from django.db import connections
    from django.db.models import AutoField, BigAutoField, SmallAutoField
    from django.utils import timezone

    connection = connections[using]
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not getattr(f, "generated", False)
        # an auto-increment key comes from the table's own sequence unless the rows give it
        and not (
            isinstance(f, AutoField | BigAutoField | SmallAutoField) and f.attname not in first and f.name not in first
        )
    ]
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
                            f"the benchmark must give it a value"
                        )
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


# --------------------------------------------------------------------------- servers and load


def bench_env(db_url: str, **extra: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) for a gunicorn started by a benchmark, with bench/bench_urls.py."""
    import uuid

    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        DEBUG="0",
        SECRET_KEY="bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        THROTTLE_PUBLIC="100000000/min",
        THROTTLE_ANON="100000000/min",
        THROTTLE_USER="100000000/min",
        LOG_LEVEL="WARNING",
        VAR_DIR=str(ROOT / "var" / "bench" / "server"),
    )
    from backend.ledgercore.signed_note import generate_key

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    with contextlib.suppress(OSError), socket.create_connection((HOST, 6379), timeout=0.5) as s:
        s.sendall(b"PING\r\n")
        if s.recv(16).startswith(b"+PONG"):
            env["REDIS_URL"] = redis_url  # throttles and cache on Redis, as in production
    env["LEDGER_ORIGIN"] = "bench.example/ledger"
    env["LEDGER_SIGNING_KEY"] = generate_key("bench.example/ledger").signer_key
    env.update(extra)
    Path(env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    return env


def start_gunicorn(
    env: Mapping[str, str],
    port: int,
    *,
    workers: int = 3,
    threads: int = 4,
    ready_path: str = "/bench/plain/",
    settle: float = 3.0,
) -> subprocess.Popen:
    """gunicorn as ``make run`` starts it (backend/config/gunicorn.py: preload, gthread), on ``port``."""
    import urllib.request

    log_path = Path(env["VAR_DIR"]) / f"gunicorn-{port}.log"
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "python:backend.config.gunicorn",
            "backend.config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=open(log_path, "a"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{ready_path}", timeout=2) as r:
                if r.status == 200:
                    time.sleep(settle)  # the other workers finish warming up
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_group(proc)
    raise RuntimeError(f"gunicorn did not come up on {port}; see {log_path}")


WRK_LUA = """
paths = {%s}
method = %s
body = %s
headers = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(method, paths[(counter %% #paths) + 1], headers, body)
end
"""


def wrk(
    port: int,
    paths: list[str],
    *,
    duration: float,
    connections: int,
    method: str = "GET",
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """requests/s, p50/p99 (ms) and errors from one wrk run against ``127.0.0.1:port``."""
    import json
    import re
    import tempfile

    lua = WRK_LUA % (
        ", ".join(json.dumps(p) for p in paths),
        json.dumps(method),
        json.dumps(body) if body is not None else "nil",
        ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items()),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                "--latency",
                "--timeout",
                "20s",
                "-s",
                script,
                f"http://{HOST}:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(script)

    def ms(value: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)", value)
        return float("nan") if not m else float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[m.group(2)]

    pct = {p: ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(total.group(1)),
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def median(values: Iterable[float]) -> float:
    import statistics

    return statistics.median(list(values))


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import platform

    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    pg_version = ""
    with contextlib.suppress(Exception):
        pg_version = subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=5).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": pg_version,
        "load_before": os.getloadavg()[0],
    }
