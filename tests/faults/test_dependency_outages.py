"""Faults with real processes (issue 19 item 4): the S3 endpoint and PostgreSQL go away under a real gunicorn.

The web server and the worker killed mid-work are in test_process_kills.py (the N-wide topology behind
nginx: tests/evidence/test_cluster.py); these are the two outages of the stateful services:

* **S3 stops during an upload.** gunicorn stores evidence in S3 through a TCP relay to the moto server; the
  relay is stopped after the first chunk (the endpoint refuses connections, as a stopped MinIO does). The
  next PATCH answers 503 ``storage_unavailable`` with ``Retry-After``; the offset does not move and nothing
  becomes evidence. The relay comes back on the same address, and the upload resumes at the acknowledged
  offset and completes with the declared SHA-256.
* **PostgreSQL drops the connection in the middle of a case transition** (``pg_terminate_backend`` while the
  transaction has updated the case and waits to write its audit event): 503 ``database_unavailable``, the
  case unchanged, no transition row and no audit event — then the retry succeeds once.

After each: ``ledger_self_audit --all``, ``verify_ledger`` and ``verify_evidence`` pass in a new process, and
what was acknowledged is there. The S3 endpoint "stops" as a relay in front of the moto server: moto keeps its
objects in memory, so stopping moto itself would lose the bucket — a stopped MinIO or S3 keeps its data and
refuses connections, which is what the relay does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from faults.kit import TUS, kill_group, make_case, metadata, self_audit_passes, upload_row
from support import free_port, served_database_url, server_env, start_gunicorn, token_for

REPO = Path(__file__).resolve().parents[2]
CHUNK = 6 * 1024 * 1024  # above S3's 5 MiB minimum part: the first chunk is a real multipart part

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


class Relay:
    """A TCP relay 127.0.0.1:port → target that can be stopped (every connection cut, the port refusing)
    and started again on the same port: the S3 endpoint going away and coming back, with its data kept."""

    def __init__(self, target: int) -> None:
        self.target, self.port = target, free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(1 << 16):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close alone does not
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()


def test_the_s3_endpoint_stops_during_an_upload_and_comes_back(officer_a, agency_a, s3_storage, settings, tmp_path):
    case = make_case(agency_a, officer_a, status="registered")
    moto_port = int(settings.S3_ENDPOINT_URL.rsplit(":", 1)[1])
    relay = Relay(moto_port)
    relay.start()
    var = tmp_path / "web"
    var.mkdir()
    env = server_env(var, served_database_url(var))
    env.update(STORAGE_BACKEND="s3", S3_BUCKET=settings.S3_BUCKET, S3_ENDPOINT_URL=f"http://127.0.0.1:{relay.port}",
               S3_ACCESS_KEY_ID="testing", S3_SECRET_ACCESS_KEY="testing", S3_REGION="us-east-1")  # fmt: skip
    web = start_gunicorn(port := free_port(), env, threads=2)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token_for(officer_a)}"}
    data = b"\x00\x00\x00\x20ftypisom" + os.urandom(CHUNK + 2 * 1024 * 1024)
    http = requests.Session()
    http.trust_env = False
    try:
        created = http.post(f"{base}/api/v1/uploads/", timeout=30, headers={
            **auth, **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(case, data)})  # fmt: skip
        assert created.status_code == 201, created.text
        location = created.headers["Location"]
        patch = {**auth, **TUS, "Content-Type": "application/offset+octet-stream"}
        first = http.patch(location, data=data[:CHUNK], timeout=60, headers={**patch, "Upload-Offset": "0"})
        assert first.status_code == 204 and int(first.headers["Upload-Offset"]) == CHUNK, first.text

        relay.stop()  # the S3 endpoint goes away
        refused = http.patch(location, data=data[CHUNK:], timeout=120, headers={**patch, "Upload-Offset": str(CHUNK)})
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "storage_unavailable"
        assert int(refused.headers["Retry-After"]) > 0
        upload_id = location.rstrip("/").rsplit("/", 1)[-1]
        # Nothing became evidence. The offset is the first chunk's, or — when the body had already been made
        # durable and only the completion (S3 CompleteMultipartUpload) failed — the whole length: a HEAD
        # after the outage finishes the completion (tus: after an error the client asks where it stands).
        offset, status = upload_row(var, upload_id)
        assert status == "receiving" and offset in (CHUNK, len(data)), (offset, status)
        # HEAD during the outage: the acknowledged offset from the database (nothing more), or — where it has
        # to reach S3 to finish a completion — 503 with Retry-After (a HEAD answer has no body).
        head = http.head(location, timeout=30, headers={**auth, **TUS})
        if head.status_code == 200:
            assert int(head.headers["Upload-Offset"]) == offset and head.headers.get("Evidence-Status") != "received"
        else:
            assert head.status_code == 503 and int(head.headers["Retry-After"]) > 0, head.status_code
        listed = http.get(f"{base}/api/v1/evidence/", params={"case": str(case.pk)}, headers=auth, timeout=30).json()
        assert listed["results"] == []  # nothing became evidence

        relay.start()  # it comes back on the same address, its data intact
        head = http.head(location, timeout=30, headers={**auth, **TUS})
        assert head.status_code == 200 and int(head.headers["Upload-Offset"]) == offset
        if offset < len(data):
            rest = http.patch(location, data=data[offset:], timeout=120,
                              headers={**patch, "Upload-Offset": str(offset)})  # fmt: skip
            assert rest.status_code == 204, rest.text
            head = rest
        assert head.headers["Evidence-Status"] == "received"
        item = http.get(f"{base}/api/v1/evidence/{head.headers['Evidence-Item']}/", headers=auth, timeout=30).json()
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        original = http.get(f"{base}/api/v1/evidence/{item['id']}/original/", headers=auth, timeout=60,
                            params={"purpose": "核对存储中断后续传的原始文件"})  # fmt: skip
        assert original.status_code == 200
        assert hashlib.sha256(original.content).digest() == hashlib.sha256(data).digest()
    finally:
        kill_group(web)
        relay.stop()
    relay.start()
    try:
        self_audit_passes(env)
    finally:
        relay.stop()


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql", "pgsql"),
                    reason="pg_terminate_backend: PostgreSQL only (CI sets DATABASE_URL to PostgreSQL)")  # fmt: skip
def test_a_dropped_database_connection_mid_transition_changes_nothing(officer_a, agency_a, tmp_path):
    import psycopg

    from backend.cases.models import Case, CaseTransition
    from backend.ledger.models import AuditEvent

    assert connection.vendor == "postgresql"
    case = make_case(agency_a, officer_a)
    events_before = AuditEvent.objects.count()
    var = tmp_path / "web"
    var.mkdir()
    env = server_env(var, served_database_url(var))
    web = start_gunicorn(port := free_port(), env, threads=2)
    url = f"http://127.0.0.1:{port}/api/v1/cases/{case.pk}/start_verification/"
    auth = {"Authorization": f"Bearer {token_for(officer_a)}"}
    body = {"comment": "到现场核查", "latitude": "42.888", "longitude": "125.144"}
    db = connection.settings_dict
    dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    if db.get("PASSWORD"):
        dsn += f" password={db['PASSWORD']}"
    try:
        with psycopg.connect(dsn) as blocker, psycopg.connect(dsn, autocommit=True) as admin:
            # Hold the audit trail's table against writes (reads go on): the transition's transaction updates
            # the case, then waits here to write its audit event — the moment the connection is dropped.
            blocker.execute("LOCK TABLE ledger_auditevent IN SHARE MODE")
            answer: dict = {}
            thread = threading.Thread(target=lambda: answer.setdefault(
                "r", requests.post(url, json=body, headers=auth, timeout=60)))  # fmt: skip
            thread.start()
            victim = None
            deadline = time.monotonic() + 30
            while victim is None and time.monotonic() < deadline:
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                    "AND query ILIKE 'INSERT INTO \"ledger_auditevent\"%%'", [db["NAME"]]).fetchone()  # fmt: skip
                victim = row[0] if row else None
                time.sleep(0.05)
            assert victim is not None, "the transition never reached its audit event"
            held = admin.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                 "WHERE l.pid = %s AND c.relname = 'cases_case' AND l.mode = 'RowExclusiveLock'",
                                 [victim]).fetchone()[0]  # fmt: skip
            assert held, "the case row was not yet written when the connection was dropped"
            assert admin.execute("SELECT pg_terminate_backend(%s)", [victim]).fetchone()[0]
            blocker.rollback()
            thread.join(60)
        response = answer["r"]
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "database_unavailable" and int(response.headers["Retry-After"]) > 0
        case.refresh_from_db()
        assert case.status == "clue_received"  # all or nothing: the update went with the audit event
        assert not CaseTransition.objects.filter(case=case).exists()
        assert AuditEvent.objects.count() == events_before

        retried = requests.post(url, json=body, headers=auth, timeout=60)  # the client retries: once, in full
        assert retried.status_code == 200 and retried.json()["status"] == "pre_review", retried.text
    finally:
        kill_group(web)
    case.refresh_from_db()
    assert case.status == "pre_review"
    assert CaseTransition.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(case_id=case.pk).exclude(action__startswith="case.created").exists()
    self_audit_passes(env)
    assert Case.objects.filter(pk=case.pk).count() == 1
