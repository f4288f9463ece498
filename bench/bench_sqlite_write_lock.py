"""Concurrent read-then-write transactions on SQLite (the embedded default): does ``transaction.atomic()`` need
help to take the write lock at its start?

    .venv/bin/python bench/bench_sqlite_write_lock.py [--writers 8] [--transactions 50] [--smoke]

Each writer thread runs transactions shaped like the evidence services' (``upload_complete``: read the upload
row, then insert the item and update the row): a SELECT, a short pause (the work between the read and the first
write), an INSERT and an UPDATE, commit. Four candidates, each on a fresh WAL database file, through Django's
own SQLite backend so the ``OPTIONS`` are applied exactly as in ``backend/config/settings.py``:

* ``deferred + atomic``: SQLite's default mode, plain ``atomic()`` (what the helper was written against);
* ``deferred + helper``: the removed ``evidence.services.write_transaction()`` (a no-op UPDATE first);
* ``immediate + atomic``: ``"transaction_mode": "IMMEDIATE"`` (our settings) and plain ``atomic()``;
* ``immediate + helper``: both.

Counted: transactions that failed with ``database is locked`` and rows written (every committed transaction
writes one). Printed, and written to ``var/bench/sqlite_write_lock.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import django
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _configure(directory: Path) -> None:
    databases = {}
    for mode in ("DEFERRED", "IMMEDIATE"):
        databases[mode.lower()] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(directory / f"{mode.lower()}.sqlite3"),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": mode,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    databases["default"] = databases["immediate"]
    settings.configure(DATABASES=databases, USE_TZ=True, INSTALLED_APPS=[])
    django.setup()


def _helper(alias: str) -> Callable[[], AbstractContextManager[None]]:
    """The removed ``write_transaction()``: ``atomic()`` opened by a no-op write on SQLite."""
    from django.db import connections, transaction

    @contextmanager
    def write_transaction() -> Iterator[None]:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute('UPDATE "upload" SET "offset" = "offset" WHERE 0')
            yield

    return write_transaction


def _plain(alias: str) -> Callable[[], AbstractContextManager[None]]:
    from django.db import transaction

    return lambda: transaction.atomic(using=alias)


def _run(alias: str, opener: Callable[[], AbstractContextManager[None]], writers: int, count: int) -> dict:
    from django.db import OperationalError, connections

    with connections[alias].cursor() as cursor:
        cursor.execute('DROP TABLE IF EXISTS "upload"')
        cursor.execute('DROP TABLE IF EXISTS "item"')
        cursor.execute('CREATE TABLE "upload" (id INTEGER PRIMARY KEY, "offset" INTEGER, status TEXT)')
        cursor.execute('CREATE TABLE "item" (id INTEGER PRIMARY KEY AUTOINCREMENT, upload INTEGER, writer INTEGER)')
        cursor.executemany('INSERT INTO "upload" VALUES (%s, 0, %s)', [(i, "receiving") for i in range(writers)])
    locked = [0] * writers
    other: list[str] = []
    start = threading.Barrier(writers)

    def writer(n: int) -> None:
        start.wait()
        try:
            for _ in range(count):
                try:
                    with opener(), connections[alias].cursor() as cursor:
                        cursor.execute('SELECT status, "offset" FROM "upload" WHERE id = %s', [n])
                        cursor.fetchone()
                        time.sleep(0.002)  # the work between the read and the first write
                        cursor.execute('INSERT INTO "item" (upload, writer) VALUES (%s, %s)', [n, n])
                        cursor.execute('UPDATE "upload" SET "offset" = "offset" + 1 WHERE id = %s', [n])
                except OperationalError as exc:
                    if "locked" in str(exc):
                        locked[n] += 1
                    else:
                        other.append(str(exc))
        finally:
            connections[alias].close()

    began = time.monotonic()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    with connections[alias].cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "item"')
        (rows,) = cursor.fetchone()
    return {
        "transactions": writers * count,
        "locked_errors": sum(locked),
        "other_errors": len(other),
        "rows_written": rows,
        "seconds": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=50, help="per writer")
    parser.add_argument("--smoke", action="store_true", help="2 writers x 5 transactions")
    args = parser.parse_args()
    writers, count = (2, 5) if args.smoke else (args.writers, args.transactions)
    with tempfile.TemporaryDirectory() as tmp:
        _configure(Path(tmp))
        results = {}
        for alias in ("deferred", "immediate"):
            for name, opener in (("atomic", _plain(alias)), ("helper", _helper(alias))):
                results[f"{alias} + {name}"] = _run(alias, opener, writers, count)
    print(f"{writers} writers x {count} read-then-write transactions, SQLite WAL, busy timeout 20 s")
    print(f"{'candidate':<22} {'locked errors':>14} {'rows written':>13} {'seconds':>8}")
    for name, row in results.items():
        print(f"{name:<22} {row['locked_errors']:>14} {row['rows_written']:>13} {row['seconds']:>8}")
    out = ROOT / "var" / "bench" / "sqlite_write_lock.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"writers": writers, "transactions": count, "results": results}, indent=2))


if __name__ == "__main__":
    main()
