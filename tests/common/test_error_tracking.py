"""Optional error tracking: with SENTRY_DSN an unhandled error reaches a Sentry-compatible server (here a
local stand-in that records the envelopes), tagged with the request id and route, without personal data.
Off without SENTRY_DSN."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support import free_port

pytestmark = pytest.mark.django_db


class _Ingest(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        _Ingest.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ingest():
    _Ingest.received = []
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), _Ingest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{port}/1", _Ingest.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def tracking(ingest):
    import sentry_sdk

    from backend.common.observability import error_tracking_init

    dsn, received = ingest
    error_tracking_init(dsn=dsn, environment="test")
    yield received
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: off again for the tests that follow


def _events(received: list[bytes]) -> list[dict]:
    events = []
    for envelope in received:
        for line in envelope.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "exception" in item:
                events.append(item)
    return events


def test_an_unhandled_error_in_an_api_view_is_reported_with_request_id_and_route(tracking, as_user, officer_a,
                                                                                  monkeypatch):  # fmt: skip
    import sentry_sdk

    from backend.accounts import apis

    def boom(self, request):
        raise RuntimeError("h8 tracking probe")

    monkeypatch.setattr(apis.MeApi, "get", boom)
    response = as_user(officer_a).get("/api/v1/me/", HTTP_X_REQUEST_ID="probe-123")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    sentry_sdk.flush(timeout=10)
    events = _events(tracking)
    assert events, tracking
    event = events[0]
    assert event["exception"]["values"][-1]["value"] == "h8 tracking probe"
    assert event["tags"]["request_id"] == "probe-123"
    assert event["tags"]["route"] == "/api/v1/me/"
    assert event["tags"]["user"] == str(officer_a.pk)
    assert event["environment"] == "test"
    # send_default_pii is off: no Authorization header, no cookies leave the service.
    assert "Bearer" not in json.dumps(event)


def test_the_settings_turn_error_tracking_on_only_with_a_dsn(ingest):
    dsn, _ = ingest
    probe = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    repo = Path(__file__).resolve().parents[2]
    results = {}
    for value in ("", dsn):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.config.settings", "SENTRY_DSN": value}
        out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=repo, capture_output=True, text=True,
                             check=True)  # fmt: skip
        results[bool(value)] = out.stdout.strip()
    assert results == {False: "False", True: "True"}
