"""Faults with real processes (issue 19 item 4): the web server and the media worker die with SIGKILL.

The embedded default as ``make run`` serves it — gunicorn with the production config, a Celery worker on the
filesystem broker, local disk, the database of the test (PostgreSQL in CI, a file copy of SQLite otherwise):

* **The web server dies in the middle of an upload.** The first chunk is acknowledged (204, Upload-Offset);
  the second is being streamed when gunicorn is killed with part of its body sent. A new gunicorn (a restart
  on another port) answers HEAD with an offset no smaller than what was acknowledged and no larger than what
  was sent (tus: bytes that arrived may be kept), takes over the dead writer's lock at once (its process is
  gone), and the client resumes from that offset: the file becomes evidence with the declared SHA-256 and
  the stored original is byte for byte the file.
* **The worker dies in the middle of a transcode.** An upload through gunicorn is queued for the worker; the
  worker is killed (main process, pool child and ffmpeg) while ffmpeg encodes the preview. The item stays
  ``processing``; a restarted worker takes the dead claim over and finishes: ``ready`` with every derivative,
  one ``evidence.processed`` event, the original untouched.

After each: ``ledger_self_audit --all``, ``verify_ledger`` and ``verify_evidence`` pass in a new process.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection
from faults.kit import REPO, TUS, kill_group, make_case, make_video, metadata, self_audit_passes, upload_row
from support import free_port, served_database_url, server_env, start_gunicorn, token_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
CELERY = Path(sys.executable).with_name("celery")
MIB = 1024 * 1024


def _wait(predicate: Callable[[], Any], *, timeout: float, what: str, log: Callable[[], str] = str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{log()}")


def _session() -> requests.Session:
    http = requests.Session()
    http.trust_env = False
    return http


def test_the_web_server_killed_mid_upload_resumes_through_a_new_one(officer_a, agency_a, tmp_path):
    case = make_case(agency_a, officer_a, status="registered")
    var = tmp_path / "var"
    var.mkdir()
    env = server_env(var, served_database_url(var), STORAGE_LOCAL_ROOT=str(var / "storage"),
                     UPLOAD_SCRATCH_DIR=str(var / "scratch"))  # fmt: skip
    auth = {"Authorization": f"Bearer {token_for(officer_a)}"}
    data = b"\x00\x00\x00\x20ftypisom" + os.urandom(10 * MIB)
    first_chunk, sent_of_second = 4 * MIB, 3 * MIB
    http = _session()

    web = start_gunicorn(port := free_port(), env, threads=2)
    try:
        created = http.post(f"http://127.0.0.1:{port}/api/v1/uploads/", timeout=30, headers={
            **auth, **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(case, data)})  # fmt: skip
        assert created.status_code == 201, created.text
        path = "/" + created.headers["Location"].split("/", 3)[3]
        patch = {**auth, **TUS, "Content-Type": "application/offset+octet-stream"}
        first = http.patch(f"http://127.0.0.1:{port}{path}", data=data[:first_chunk], timeout=60,
                           headers={**patch, "Upload-Offset": "0"})  # fmt: skip
        assert first.status_code == 204, first.text
        acknowledged = int(first.headers["Upload-Offset"])
        assert acknowledged == first_chunk

        # The second chunk, by hand: headers announcing all of it, then part of the body, then the server dies.
        rest = len(data) - first_chunk
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        head = "".join(f"{k}: {v}\r\n" for k, v in {**patch, "Upload-Offset": str(first_chunk),
                                                     "Content-Length": str(rest), "Host": f"127.0.0.1:{port}"}.items())
        sock.sendall(f"PATCH {path} HTTP/1.1\r\n{head}\r\n".encode() + data[first_chunk : first_chunk + sent_of_second])
        upload_id = path.rstrip("/").rsplit("/", 1)[-1]
        # Until the server has taken at least the first MiB of it (its writer holds the upload's lock).
        time.sleep(1.5)
    finally:
        kill_group(web)  # SIGKILL: no request finishes, no lock is released, no shutdown handler runs
    with contextlib.suppress(OSError):
        sock.close()

    offset, status = upload_row(var, upload_id)
    assert status == "receiving" and first_chunk <= offset <= first_chunk + sent_of_second, (offset, status)

    web = start_gunicorn(port := free_port(), env, threads=2)  # the restart (any instance will do)
    base = f"http://127.0.0.1:{port}"
    try:
        head = http.head(f"{base}{path}", timeout=30, headers={**auth, **TUS})
        assert head.status_code == 200
        resumed_at = int(head.headers["Upload-Offset"])
        assert acknowledged <= resumed_at <= first_chunk + sent_of_second  # nothing acknowledged is lost
        done = http.patch(f"{base}{path}", data=data[resumed_at:], timeout=120,
                          headers={**patch, "Upload-Offset": str(resumed_at)})  # fmt: skip
        assert done.status_code == 204, done.text  # no 423: the dead writer's lock is taken over at once
        assert done.headers["Evidence-Status"] == "received"
        item = http.get(f"{base}/api/v1/evidence/{done.headers['Evidence-Item']}/", headers=auth, timeout=30).json()
        assert item["sha256"] == hashlib.sha256(data).hexdigest() and item["size"] == len(data)
        original = http.get(f"{base}/api/v1/evidence/{item['id']}/original/", headers=auth, timeout=60,
                            params={"purpose": "核对服务重启后续传的原始文件"})  # fmt: skip
        assert original.status_code == 200 and original.content == data
    finally:
        kill_group(web)
    print(f"acknowledged {acknowledged}, kept {offset} of {first_chunk + sent_of_second} sent, resumed at {resumed_at}")
    self_audit_passes(env, originals=1)


def _processes_with(*needles: bytes) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if all(needle in cmdline for needle in needles):
            found.append(int(entry.name))
    return found


def _actions(var: Path, item_id: str) -> list[str]:
    """The audit actions on an item as the servers wrote them."""
    from backend.ledger.models import AuditEvent

    if connection.vendor == "sqlite":
        with contextlib.closing(sqlite3.connect(var / "db.sqlite3", timeout=20)) as db:
            rows = db.execute(f"SELECT action FROM {AuditEvent._meta.db_table} WHERE target_id = ?",
                              [item_id]).fetchall()  # fmt: skip
        return [row[0] for row in rows]
    return list(AuditEvent.objects.filter(target_id=item_id).values_list("action", flat=True))


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_a_worker_killed_mid_transcode_finishes_the_job_after_a_restart(officer_a, agency_a, tmp_path):
    case = make_case(agency_a, officer_a, status="registered")
    var = tmp_path / "var"
    var.mkdir()
    scratch = var / "scratch"
    # As `make run`: the filesystem broker under VAR_DIR, jobs run by the worker, not in the request.
    env = server_env(var, served_database_url(var), STORAGE_LOCAL_ROOT=str(var / "storage"),
                     UPLOAD_SCRATCH_DIR=str(scratch), CELERY_TASK_ALWAYS_EAGER="0", CELERY_BROKER_URL="filesystem://",
                     LOG_LEVEL="INFO")  # fmt: skip

    def worker(name: str, preset: str) -> subprocess.Popen:
        log = open(var / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            [str(CELERY), "-A", "backend.config.celery", "worker", "--pool", "prefork", "--concurrency", "1",
             "--loglevel", "INFO", "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO, env={**env, "MEDIA_PREVIEW_PRESET": preset}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def log(name: str) -> Callable[[], str]:
        return lambda: f"--- {name} ---\n" + (var / f"{name}.log").read_text(errors="replace")[-4000:]

    data = make_video(tmp_path / "bodycam.mp4", seconds=6)
    auth = {"Authorization": f"Bearer {token_for(officer_a)}"}
    http = _session()
    web = start_gunicorn(port := free_port(), env, threads=2, output=open(var / "web.log", "wb"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    first = worker("w1", "veryslow")  # slow enough that the preview is surely being encoded when it dies
    second = None
    try:
        created = http.post(f"{base}/api/v1/uploads/", timeout=30, headers={
            **auth, **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(case, data)})  # fmt: skip
        assert created.status_code == 201, created.text
        done = http.patch(created.headers["Location"], data=data, timeout=120, headers={
            **auth, **TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})  # fmt: skip
        assert done.status_code == 204 and done.headers["Evidence-Status"] == "received", done.text
        item_id = done.headers["Evidence-Item"]
        assert item_id not in log("web")()  # acknowledged at once: the work is queued, not done in the request

        def item() -> dict[str, Any]:
            return http.get(f"{base}/api/v1/evidence/{item_id}/", headers=auth, timeout=30).json()

        encoders = _wait(lambda: _processes_with(b"ffmpeg", b"preview", str(scratch).encode()), timeout=60,
                         what="the preview transcode", log=log("w1"))  # fmt: skip
        time.sleep(1.0)  # well inside the transcode (veryslow: tens of seconds for this clip)
        assert item()["processing_status"] == "processing"
        kill_group(first)  # the whole worker: main process and pool child; ffmpeg dies with its parent
        _wait(lambda: not any(Path(f"/proc/{pid}").exists() for pid in encoders), timeout=10,
              what="ffmpeg to die with its worker", log=log("w1"))  # fmt: skip
        assert item()["processing_status"] == "processing" and not item()["derivatives"]

        second = worker("w2", "ultrafast")  # the restart
        ready = _wait(lambda: (row := item())["processing_status"] in ("ready", "failed") and row, timeout=90,
                      what="the item to be processed after the restart", log=log("w2"))  # fmt: skip
        assert ready["processing_status"] == "ready", ready.get("processing_error")
        assert set(ready["derivatives"]) == {"poster", "preview", "contact_sheet"}
        assert ready["media_metadata"]["duration_s"] == pytest.approx(6.0, abs=0.2)
        preview = http.get(f"{base}{ready['derivatives']['preview']['url']}", headers=auth, timeout=30)
        assert preview.status_code == 200 and preview.content[4:8] == b"ftyp"
        assert ready["sha256"] == hashlib.sha256(data).hexdigest()
        assert "taking over an abandoned claim" in log("w2")()
    finally:
        kill_group(web)
        kill_group(first)
        if second is not None:
            kill_group(second)
    assert _actions(var, item_id).count("evidence.processed") == 1  # done once, by the restarted worker
    report = self_audit_passes(env, originals=1)
    assert not list(scratch.glob("process-*")), "the dead worker's scratch directory was cleaned up"
    print(json.dumps({k: report[k] for k in report if k != "problems"}, ensure_ascii=False)[:400])
