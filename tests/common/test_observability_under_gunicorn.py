"""Under gunicorn (2 worker processes): /metrics adds up the counters of every worker (prometheus_client's
multiprocess mode), and the logs are JSON lines carrying the request id, user, agency and route.

Before: plain-text logs without any of these; no metrics.
"""

from __future__ import annotations

import json
import os
import signal
import uuid
from pathlib import Path

import pytest
import requests
from support import free_port, served_database_url, server_env, start_gunicorn, token_for
from support_metrics import samples, value

TOKEN = "t" * 40


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_metrics_sum_over_workers_and_log_lines_say_who_and_what(tmp_path: Path, officer_a):
    var = tmp_path / "var"
    var.mkdir()
    env = server_env(var, served_database_url(var), METRICS_TOKEN=TOKEN, LOG_FORMAT="json", WEB_CONCURRENCY="2")
    port = free_port()
    log_path = var / "server.log"
    with open(log_path, "wb") as log:
        web = start_gunicorn(port, env, workers=2, threads=2, output=log)
        base = f"http://127.0.0.1:{port}"
        try:
            assert requests.get(f"{base}/metrics", timeout=30).status_code == 401
            for _ in range(30):  # fresh connections: spread over both workers
                assert requests.get(f"{base}/api/v1/public/notices/", timeout=30).status_code == 200
            request_id = f"h8-{uuid.uuid4().hex[:12]}"
            me = requests.get(f"{base}/api/v1/me/", timeout=30, headers={
                "Authorization": f"Bearer {token_for(officer_a)}", "X-Request-ID": request_id})  # fmt: skip
            assert me.status_code == 200
            assert me.headers["X-Request-ID"] == request_id
            scraped = samples(requests.get(f"{base}/metrics", timeout=30,
                                           headers={"Authorization": f"Bearer {TOKEN}"}).text)  # fmt: skip
            # One file per process that counted: the master's (metrics created when the app was preloaded) aside.
            workers = {p.name for p in (var / "metrics").glob("counter_*.db")} - {f"counter_{web.pid}.db"}
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=30)

    labels = {"route": "/api/v1/public/notices/", "method": "GET", "status": "200"}
    assert value(scraped, "zhifa_http_requests_total", **labels) == 30
    assert len(workers) == 2, workers  # both workers counted, and the scrape added them up
    assert value(scraped, "zhifa_http_requests_total", route="/metrics", method="GET", status="401") == 1

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert mine, lines[-5:]
    access = next(line for line in mine if line["logger"] == "backend.access")
    assert access["user"] == str(officer_a.pk)
    assert access["agency"] == str(officer_a.agency_id)
    assert access["route"] == "/api/v1/me/"
    assert access["status"] == 200
    assert access["method"] == "GET"
    assert access["level"] == "INFO"
    assert isinstance(access["duration_ms"], float)
