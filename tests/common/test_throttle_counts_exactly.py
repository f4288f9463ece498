"""Throttles count exactly, whatever the concurrency: on the embedded default's file cache (a host-wide lock)
and on Redis (INCR). Real processes: gunicorn with 2 workers × 4 threads, 16 concurrent clients.

Before: the file-cache throttle let 1,939 requests through in 30 s against 300/min (the increments were a
read and a rewrite of the cache file; concurrent requests overwrote each other's counts).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from support import free_port, served_database_url, server_env, start_gunicorn, token_for

LIMIT = 40
REQUESTS = 200
CLIENTS = 16

STORES = ["file"] + (["redis"] if os.environ.get("REDIS_URL") else [])


def _burst(url: str, headers: dict | None = None) -> dict[int, int]:
    session_per_thread: dict[int, requests.Session] = {}

    def one(_: int) -> int:
        import threading

        session = session_per_thread.setdefault(threading.get_ident(), requests.Session())
        return session.get(url, headers=headers or {}, timeout=60).status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        codes = list(pool.map(one, range(REQUESTS)))
    return {code: codes.count(code) for code in set(codes)}


def _early_in_a_minute() -> None:
    """The public throttle counts per clock minute: start a burst well before the next one begins."""
    into = time.time() % 60
    if into > 35:
        time.sleep(60 - into + 0.5)


@pytest.fixture
def served(tmp_path: Path, request):
    var = tmp_path / "var"
    var.mkdir()
    servers = []

    def start(store: str, **extra: str) -> str:
        # Copied now, with what the test created so far (SQLite: the test database is in memory).
        env = server_env(var, served_database_url(var), WEB_CONCURRENCY="2", **extra)
        env["CACHE_KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"  # fresh counters on a shared Redis
        if store == "file":
            env.pop("REDIS_URL", None)
        port = free_port()
        log = open(var / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - read after the test on failure
        servers.append(start_gunicorn(port, env, workers=2, threads=4, output=log))
        return f"http://127.0.0.1:{port}"

    yield start
    for web in servers:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", STORES)
def test_no_more_anonymous_public_requests_pass_than_the_limit(served, store):
    base = served(store, THROTTLE_PUBLIC=f"{LIMIT}/min")
    _early_in_a_minute()
    counts = _burst(f"{base}/api/v1/public/notices/")
    assert counts.get(200, 0) == LIMIT, counts
    # A rare 500 here is not the throttle: on SQLite a worker thread's first connection can fail with
    # "database is locked" in its init_command (PRAGMA journal_mode=WAL) while others connect — a separate
    # finding (settings DATABASES), left to its owner. Every other answer is a refusal.
    assert counts.get(429, 0) + counts.get(500, 0) == REQUESTS - LIMIT, counts
    assert counts.get(500, 0) <= 2, counts


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", STORES)
def test_no_more_requests_of_one_user_pass_than_the_limit(served, store, officer_a):
    base = served(store, THROTTLE_USER=f"{LIMIT}/min")
    counts = _burst(f"{base}/api/v1/me/", {"Authorization": f"Bearer {token_for(officer_a)}"})
    assert counts.get(200, 0) == LIMIT, counts
    assert counts.get(429, 0) == REQUESTS - LIMIT, counts


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simultaneous_password_guesses_check_no_more_passwords_than_the_lock_out_allows(served, officer_a):
    """The attempt is counted before the password is checked: 5 failures allowed → 5 checked, not 40."""
    base = served("file", THROTTLE_LOGIN="1000/min", LOGIN_MAX_FAILURES="5")

    def guess(i: int) -> int:
        return requests.post(f"{base}/api/v1/auth/token/", json={"username": "officer_a", "password": f"guess{i}"},
                             timeout=60).status_code  # fmt: skip

    with ThreadPoolExecutor(CLIENTS) as pool:
        codes = list(pool.map(guess, range(40)))
    assert codes.count(401) == 5, codes  # wrong password: checked
    assert codes.count(429) == 35, codes  # locked: never checked


def test_counters_of_the_local_store_lose_no_increment_across_processes(tmp_path: Path):
    """Four processes increment one counter on the file cache 250 times each, all at once."""
    script = (
        "import django; django.setup()\n"
        "from backend.common.ratelimit import counter_incr\n"
        "for _ in range(250): counter_incr('shared', 60)\n"
    )
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "backend.config.settings"}
    env.pop("REDIS_URL", None)
    repo = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, cwd=repo) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    read = (
        "import django; django.setup()\n"
        "from backend.common.ratelimit import counter_get\n"
        "print(counter_get('shared'))"
    )
    out = subprocess.run([sys.executable, "-c", read], env=env, cwd=repo, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1000"


@pytest.mark.django_db
def test_a_counter_expires_with_its_first_increment_not_its_last(settings, monkeypatch):
    from backend.common import ratelimit

    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert ratelimit.counter_incr("k", 10) == 1
    now[0] += 9
    assert ratelimit.counter_incr("k", 10) == 2  # within its life: counted on
    now[0] += 1.5
    assert ratelimit.counter_incr("k", 10) == 1  # 10.5 s after the first: a new counter


@pytest.fixture
def file_cache_store(settings, tmp_path):
    """The embedded default: file cache, counters in their own SQLite file."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path / "cache")}}  # fmt: skip
    settings.RATE_LIMIT_DB = tmp_path / "counters.sqlite3"
    cache.clear()
    from backend.common import ratelimit

    return ratelimit


def test_the_embedded_store_restarts_a_counter_once_its_window_is_over(file_cache_store, monkeypatch):
    ratelimit = file_cache_store
    now = [2_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert [ratelimit.counter_incr("w", 10) for _ in range(3)] == [1, 2, 3]
    now[0] += 9.9
    assert ratelimit.counter_get("w") == 3
    now[0] += 0.2
    assert ratelimit.counter_get("w") == 0
    assert ratelimit.counter_incr("w", 10) == 1
    ratelimit.counter_delete("w")
    assert ratelimit.counter_get("w") == 0


def test_a_flood_of_other_keys_does_not_evict_a_lock_out_counter(file_cache_store):
    """The file cache culls a third of its entries past 300; the counters' own store does not."""
    ratelimit = file_cache_store
    for _ in range(5):
        ratelimit.counter_incr("login-failures:victim", 900)
    for i in range(1000):
        ratelimit.counter_incr(f"login-failures:flood{i}", 900)
    assert ratelimit.counter_get("login-failures:victim") == 5
