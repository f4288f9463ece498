"""Exact counters for throttles and the login lock-out, shared by every process of the service.

A throttle is only as good as its counter. Read-then-write on a cache (DRF's ``SimpleRateThrottle``, or
``incr`` on Django's file cache, which is a read and a rewrite of the file) loses increments when requests
arrive together: measured before this module, the file-cache throttle let 1,939 requests through in 30 s
against 300/min. Here an increment is one atomic step:

* Redis (production, ``REDIS_URL``; Redis ≥ 7): ``INCRBY`` and ``EXPIRE … NX`` in one transaction — the
  key's lifetime starts at its first increment and is not extended by later ones.
* The embedded default (file cache): a small SQLite database of its own (``RATE_LIMIT_DB``, one
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per increment, serialised by SQLite's lock across every
  gunicorn worker and the Celery worker of the host). Not the file cache itself: it culls a third of its
  entries whenever it holds more than ``MAX_ENTRIES`` (300), and a flood of usernames would have culled
  the lock-out counters of the others.
* Any other cache (the tests' local memory): the cache under a process lock.

A counter that outlived its window restarts at ``delta``; expired rows are purged now and then.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

_thread_lock = threading.Lock()
_connection: tuple[int, str, sqlite3.Connection] | None = None  # (pid, path, connection): never across fork
_PURGE_EVERY = 1000
_increments = 0


def _store() -> str:
    backend = caches["default"]  # the backend itself: ``cache`` is a proxy of it
    if isinstance(backend, RedisCache):
        return "redis"
    if isinstance(backend, FileBasedCache):
        return "sqlite"
    return "cache"


def _redis_client(key: str) -> Any:
    return cache._cache.get_client(key, write=True)


def _db() -> sqlite3.Connection:
    global _connection
    path = str(settings.RATE_LIMIT_DB)
    pid = os.getpid()
    if _connection is None or _connection[0] != pid or _connection[1] != path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        # Counters need not survive a power cut: WAL without fsync keeps an increment in the tens of µs.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"
        )
        _connection = (pid, path, conn)
    return _connection[2]


_UPSERT = (
    "INSERT INTO counter (key, value, expires) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (key) DO UPDATE SET "
    "value = CASE WHEN counter.expires <= ?4 THEN ?2 ELSE counter.value + ?2 END, "
    "expires = CASE WHEN counter.expires <= ?4 THEN ?3 ELSE counter.expires END "
    "RETURNING value"
)


def counter_incr(key: str, ttl: int, delta: int = 1) -> int:
    """Add ``delta`` to the counter ``key`` and return the new value; a new counter lives ``ttl`` seconds."""
    store = _store()
    if store == "redis":
        full = cache.make_and_validate_key(key)
        pipe = _redis_client(full).pipeline(transaction=True)
        pipe.incrby(full, delta)
        pipe.expire(full, ttl, nx=True)
        return int(pipe.execute()[0])
    now = time.time()
    with _thread_lock:
        if store == "sqlite":
            global _increments
            db = _db()
            value = int(db.execute(_UPSERT, (key, delta, now + ttl, now)).fetchone()[0])
            _increments += 1
            if _increments % _PURGE_EVERY == 0:
                db.execute("DELETE FROM counter WHERE expires <= ?", (now,))
            return value
        entry = cache.get(key)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[1] > now:
            value, expires = int(entry[0]) + delta, float(entry[1])
        else:
            value, expires = delta, now + ttl
        cache.set(key, (value, expires), timeout=max(1, int(expires - now) + 1))
        return value


def counter_get(key: str) -> int:
    return counter_get_many([key]).get(key, 0)


def counter_get_many(keys: Iterable[str]) -> dict[str, int]:
    keys = list(keys)
    store = _store()
    if store == "redis":
        found = cache.get_many(keys)  # written by INCRBY: raw integers
        return {k: int(v) for k, v in found.items()}
    now = time.time()
    if store == "sqlite":
        with _thread_lock:
            marks = ",".join("?" * len(keys))
            rows = _db().execute(
                f"SELECT key, value FROM counter WHERE key IN ({marks}) AND expires > ?",  # nosec B608 - placeholders
                [*keys, now],
            ).fetchall()
        return {k: int(v) for k, v in rows}
    result = {}
    for key, entry in cache.get_many(keys).items():
        if isinstance(entry, tuple) and len(entry) == 2 and entry[1] > now:
            result[key] = int(entry[0])
    return result


def counter_delete(key: str) -> None:
    store = _store()
    if store == "redis":
        cache.delete(key)
        return
    with _thread_lock:
        if store == "sqlite":
            _db().execute("DELETE FROM counter WHERE key = ?", (key,))
        else:
            cache.delete(key)
