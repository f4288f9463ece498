"""gunicorn settings shared by every way the web service runs (``make run``, the Docker image, benchmarks).

    gunicorn -c python:backend.config.gunicorn backend.config.wsgi:application

Command-line flags still override these values. Threads: evidence uploads keep a thread busy for as long
as a (slow, mobile) client takes to send a chunk, so each worker process serves several requests at once.

The application is loaded once, in the master (``preload_app``), which then does the expensive first-use
work — the URLconf (every view module) and jieba's dictionary for notice search (about a second, otherwise
paid by the first public search in every worker) — closes its database connections and freezes
everything allocated so far out of the garbage collector (``gc.freeze``) before forking the workers.
The Django app, the dictionary and the caches are permanent: frozen, no collection walks them while
holding the GIL for every thread of a worker, and the workers keep sharing their pages with the master
instead of each loading (and dirtying) a copy. Measured with bench/bench_notices.py (1,000,000 notices,
16 connections): full collections of 90–190 ms and 20–50 ms middle-generation ones were the p99 of
cached responses; search p99 went from 127–551 ms to 50–94 ms.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 3600  # long uploads on slow networks; the service itself bounds what a request may do
graceful_timeout = 30
# Idle keep-alive connections are kept 75 s (gunicorn's default: 2 s). Behind nginx, which reuses its upstream
# connections for up to 60 s (nginx/embedded.conf.template), a shorter timeout here races it: gunicorn closes a
# connection just as nginx sends a POST on it, and nginx, which never replays a non-idempotent request, answers
# 502 (seen as a failed tus creation in bench/bench_slow_clients.py). Idle connections hold no thread.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
preload_app = True
# gunicorn believes X-Forwarded-Proto (wsgi.url_scheme) only from these peers — the same TRUSTED_PROXIES as
# Django (backend/common/client_address.py); its own default would trust 127.0.0.1. Empty: nobody.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")
# gunicorn ≥ 25 opens a control socket (gunicornc: worker counts, reload, shutdown) at one per-user default
# path, $HOME/.gunicorn/gunicorn.ctl: every instance of a host (two web instances, the benchmarks, the tests)
# would take over the same socket, and a command meant for one would reach another. Off unless a path is
# given, one per instance.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

logger = logging.getLogger("backend.config.gunicorn")


def _metrics_dir() -> Path:
    """Prometheus multiprocess mode: every worker writes its counters under this folder, /metrics adds them up.
    Set before the application is loaded (the values' class is chosen when prometheus_client is imported);
    emptied when the server starts, so counters begin at zero with the new master."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
    from django.conf import settings  # the one source: PROMETHEUS_MULTIPROC_DIR, else VAR_DIR/metrics

    folder = Path(settings.METRICS_MULTIPROC_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


# Only when gunicorn itself loads this file (a test importing it must not switch its own process over).
if Path(sys.argv[0]).name == "gunicorn" or Path(sys.argv[0]).parent.name == "gunicorn":
    _metrics_dir()


def warm_up() -> None:
    """Load what the first requests would otherwise load while a client waits."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    from backend.disclosures.search import load_dictionary
    from backend.redaction.taggers import default_tagger

    load_dictionary()
    default_tagger()  # the redaction's segmenter and tag table (a few seconds), used when a case is decided


_prepared = False


def prepare_process() -> None:
    """Warm up, drop database connections (a forked child must never share one), freeze the heap. Once."""
    global _prepared
    if _prepared:
        return
    try:
        warm_up()
    except Exception:  # a warm-up failure must not stop the service; the first request will retry it
        logger.exception("warm-up failed")
    from django.db import connections

    connections.close_all()
    gc.collect()
    gc.freeze()
    _prepared = True


def pre_fork(server: Any, worker: Any) -> None:
    prepare_process()  # in the master, before the first worker is forked (a no-op afterwards)


def post_worker_init(worker: Any) -> None:
    prepare_process()  # already done when the app was preloaded (the flag is inherited through fork)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # its live gauges leave the sums; its counters stay
