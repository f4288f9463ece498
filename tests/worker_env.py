"""Each pytest-xdist worker gets Redis databases of its own (``-p tests.worker_env``, see pyproject addopts).

Loaded as a plugin, so this runs at import — before pytest-django reads the settings and before any test starts
a server or a Celery worker that inherits the environment. Two workers sharing a broker database would take each
other's tasks; sharing the cache database, each other's throttle and lock-out counters. PostgreSQL needs nothing
here (pytest-django suffixes the test database with the worker id), nor does S3 (a fresh bucket per test).
"""

from __future__ import annotations

import os
import re

_DATABASES = 16  # Redis's default number of logical databases


def _shifted(url: str, worker: int) -> str:
    """``redis://host:port/14`` → the database ``2·worker`` below it (wrapping), the rest of the URL unchanged."""
    match = re.fullmatch(r"(rediss?://[^/]*)(?:/(\d+))?(.*)", url)
    if not match:
        return url
    number = int(match.group(2) or 0)
    return f"{match.group(1)}/{(number - 2 * worker) % _DATABASES}{match.group(3)}"


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and _worker[2:].isdecimal() and int(_worker[2:]) > 0:
    for _name in ("REDIS_URL", "CELERY_BROKER_URL", "BENCH_REDIS_URL"):
        if os.environ.get(_name):
            os.environ[_name] = _shifted(os.environ[_name], int(_worker[2:]))
