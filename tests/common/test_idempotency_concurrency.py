"""Concurrent duplicates of one POST with one ``Idempotency-Key`` create exactly one object.

A phone on a flaky network resends a POST it saw no answer to, sometimes several times at once (the app's
retry timer, a second sync worker, the OS replaying the request). Real concurrency: a gunicorn subprocess
(2 worker processes × 4 threads, each thread with its own database connection) on this test's database —
SQLite in WAL mode as ``make run`` serves it, or PostgreSQL in CI — and 8 client threads released at once
by a barrier, 100 trials (``IDEMPOTENCY_TRIALS`` to change).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from support import free_port, served_database_url, server_env, start_gunicorn, token_for

from backend.cases.models import Case
from backend.common.models import IdempotencyRecord

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TRIALS = int(os.environ.get("IDEMPOTENCY_TRIALS", "100"))
CONCURRENCY = 8


def _case_body(trial: int) -> dict:
    return {
        "title": f"无照经营（第 {trial} 次重发）", "party_type": "natural_person", "party_name": "张三",
        "party_id_number": "220402199202021237", "party_phone": "13800000000",
        "place_address": "辽源市龙山区人民大街 1 号",
    }  # fmt: skip


def _counts(database_url: str) -> tuple[int, int, int]:
    """(cases, idempotency records, records still in progress) as the server wrote them."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            cases = db.execute("select count(*) from cases_case").fetchone()[0]
            records = db.execute("select count(*) from common_idempotencyrecord").fetchone()[0]
            pending = db.execute(
                "select count(*) from common_idempotencyrecord where state = 'in_progress'"
            ).fetchone()[0]
        return cases, records, pending
    return (
        Case.objects.count(),
        IdempotencyRecord.objects.count(),
        IdempotencyRecord.objects.filter(state="in_progress").count(),
    )


def test_concurrent_duplicates_with_one_key_create_exactly_one_case(officer_a, tmp_path: Path):
    var = tmp_path / "var"
    var.mkdir()
    database_url = served_database_url(var)
    port = free_port()
    web = start_gunicorn(port, server_env(var, database_url), workers=2, threads=4)
    url = f"http://127.0.0.1:{port}/api/v1/cases/"
    auth = {"Authorization": f"Bearer {token_for(officer_a)}"}
    local = threading.local()

    def post(barrier: threading.Barrier, key: str, body: dict) -> requests.Response:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        barrier.wait(timeout=30)
        return session.post(url, json=body, headers={**auth, "Idempotency-Key": key}, timeout=60)

    created: set[str] = set()
    try:
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            for trial in range(TRIALS):
                key, body = str(uuid.uuid4()), _case_body(trial)
                barrier = threading.Barrier(CONCURRENCY)
                answers = list(pool.map(post, [barrier] * CONCURRENCY, [key] * CONCURRENCY, [body] * CONCURRENCY))
                statuses = sorted(a.status_code for a in answers)
                assert set(statuses) <= {201, 409}, (trial, statuses, [a.text[:200] for a in answers])
                first = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
                assert len(first) == 1, (trial, statuses)
                ids = {a.json()["id"] for a in answers if a.status_code == 201}
                assert ids == {first[0].json()["id"]}, (trial, ids)
                for answer in answers:
                    if answer.status_code == 409:
                        assert answer.json()["code"] == "idempotency_in_flight"
                        assert int(answer.headers["Retry-After"]) >= 1
                    elif answer is not first[0]:
                        assert answer.headers["Idempotent-Replayed"] == "true"
                        assert answer.json() == first[0].json()
                        assert answer.headers["Location"] == first[0].headers["Location"]
                        assert answer.headers["ETag"] == first[0].headers["ETag"]
                # The app retries the ones that were told to wait: each gets the stored answer.
                retry = requests.post(url, json=body, headers={**auth, "Idempotency-Key": key}, timeout=60)
                assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
                assert retry.json()["id"] in ids
                created |= ids
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
    assert len(created) == TRIALS
    cases, records, pending = _counts(database_url)
    assert cases == TRIALS, f"{cases} cases for {TRIALS} keys"
    assert records == TRIALS and pending == 0
