"""gunicorn settings shared by every way the web service runs (``make run``, the Docker image, benchmarks).

    gunicorn -c python:backend.config.gunicorn backend.config.wsgi:application

Command-line flags still override these values. Threads: evidence uploads keep a thread busy for as long
as a (slow, mobile) client takes to send a chunk, so each worker process serves several requests at once.

Each worker, once the application is loaded, does the expensive first-use work before it accepts
requests — the URLconf (every view module) and jieba's dictionary for notice search (about a second,
otherwise paid by the first public search) — and then freezes everything allocated so far out of the
garbage collector (``gc.freeze``). The Django app, the dictionary and the caches are permanent; without
the freeze every full collection walks all of them while holding the GIL for every thread of the worker.
Measured with bench/bench_notices.py (1,000,000 notices, 16 connections): full collections of
90–190 ms and 20–50 ms middle-generation ones showed up as the p99 of cached responses.
"""

from __future__ import annotations

import gc
import logging
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 3600  # long uploads on slow networks; the service itself bounds what a request may do
graceful_timeout = 30

logger = logging.getLogger("backend.config.gunicorn")


def warm_up() -> None:
    """Load what the first requests would otherwise load while a client waits."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    from backend.disclosures.search import load_dictionary

    load_dictionary()


def post_worker_init(worker: Any) -> None:
    try:
        warm_up()
    except Exception:  # a warm-up failure must not stop the worker; the first request will retry it
        logger.exception("worker warm-up failed")
    gc.collect()
    gc.freeze()
