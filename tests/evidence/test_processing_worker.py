"""Real Celery workers (prefork, filesystem broker) processing evidence: the embedded default end to end
(gunicorn + worker, a tus upload, the item becomes ready outside the request), and a worker killed with
SIGKILL mid-transcode.

Design: the evidence is received through the tus API in this (transactional) test, so its rows are committed.
On SQLite the test database lives in memory: it is copied, migrated and populated, to a file with SQLite's
backup API and the workers use that file (on PostgreSQL they use the test database itself). The workers get
their own ``VAR_DIR`` (broker folders), the test's storage root and scratch directory, and a slow x264 preset
for the first worker so the preview transcode is still running when it is killed.

What "loses nothing" means here: the whole first worker (main process and pool child) dies with SIGKILL
while ffmpeg is encoding the preview. The filesystem broker deleted the message when the worker fetched it,
so no redelivery can save it; the item is left ``processing`` under a claim that names the dead process.
ffmpeg dies with its parent (``PR_SET_PDEATHSIG``). A new worker's start-up sweep sees the dead claim,
re-enqueues the item, takes the claim over and finishes it: ``ready`` with every derivative, one
``evidence.processed`` event, and the original untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from support import free_port, start_gunicorn, token_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def _make_video(path: Path, seconds: int = 8) -> bytes:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


class Env:
    def __init__(self, tmp_path: Path, settings) -> None:
        from django.db import connection

        self.var = tmp_path / "var"
        self.var.mkdir()
        self.db_file: Path | None = None
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            self.db_file = self.var / "db.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(self.db_file) as target:
                connection.connection.backup(target)
            database_url = f"sqlite:///{self.db_file}"
        else:
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        self.scratch = tmp_path / "scratch"
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "VAR_DIR": str(self.var),
            "DATABASE_URL": database_url,
            "STORAGE_BACKEND": "local",
            "STORAGE_LOCAL_ROOT": str(settings.STORAGE_LOCAL_ROOT),
            "UPLOAD_SCRATCH_DIR": str(self.scratch),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_BROKER_URL": "filesystem://",
            "LOG_LEVEL": "INFO",
        }
        self.env.pop("S3_BUCKET", None)

    def worker(self, name: str, *, preset: str) -> subprocess.Popen:
        log = open(self.var / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            [str(CELERY), "-A", "backend.config.celery", "worker", "--pool", "prefork", "--concurrency", "1",
             "--loglevel", "INFO", "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO, env={**self.env, "MEDIA_PREVIEW_PRESET": preset}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "backend/manage.py", *args], cwd=REPO, env=self.env, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    def state(self, item_id) -> tuple[str, dict, dict]:
        """(processing_status, media_metadata, derivatives) as the workers see them."""
        if self.db_file is None:
            from backend.evidence.models import EvidenceItem

            item = EvidenceItem.objects.get(pk=item_id)
            return item.processing_status, item.media_metadata, item.derivatives
        with sqlite3.connect(self.db_file, timeout=20) as db:
            row = db.execute(
                "SELECT processing_status, media_metadata, derivatives FROM evidence_evidenceitem WHERE id = ?",
                (item_id.hex,),
            ).fetchone()
        return row[0], json.loads(row[1]), json.loads(row[2])

    def actions(self, item_id) -> list[str]:
        if self.db_file is None:
            from backend.ledger.models import AuditEvent

            return list(AuditEvent.objects.filter(target_id=str(item_id)).values_list("action", flat=True))
        with sqlite3.connect(self.db_file, timeout=20) as db:
            rows = db.execute(
                "SELECT action FROM ledger_auditevent WHERE target_id = ? ORDER BY seq", (str(item_id),)
            ).fetchall()
        return [row[0] for row in rows]

    def log(self, name: str) -> str:
        return (self.var / f"{name}.log").read_text(errors="replace")[-4000:]


def _start_gunicorn(env: Env, port: int) -> subprocess.Popen:
    log = open(env.var / "web.log", "wb")  # noqa: SIM115 - closed with the process
    try:
        return start_gunicorn(port, env.env, threads=4, output=log)
    except AssertionError as exc:
        raise AssertionError(f"gunicorn did not start\n{env.log('web')}") from exc


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


def _wait(predicate, *, timeout: float, what: str, env: Env, worker: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n--- {worker} log ---\n{env.log(worker)}")


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_killing_a_worker_mid_transcode_loses_nothing(as_user, officer_a, case_a, kit, settings, tmp_path, monkeypatch):
    from backend.evidence import tasks
    from backend.evidence.models import EvidenceItem

    # Received here, processed only by the real workers (no eager run in this process).
    monkeypatch.setattr(tasks.evidence_process, "delay", lambda *a, **k: None)
    monkeypatch.setattr(tasks.evidence_provenance, "delay", lambda *a, **k: None)
    data = _make_video(tmp_path / "bodycam.mp4")
    response = kit.upload_file(as_user(officer_a), case_a, data, chunk=4 * 1024 * 1024, kind="video",
                               filename="执法记录仪.mp4", activity="查封扣押")  # fmt: skip
    assert response["Evidence-Status"] == "received"
    item = EvidenceItem.objects.get()
    assert item.processing_status == "pending"

    env = Env(tmp_path, settings)
    assert "1 item(s) selected" in env.manage("reprocess_evidence", "--id", str(item.pk), "--no-progress")
    first = env.worker("w1", preset="veryslow")
    try:
        scratch = str(env.scratch).encode()
        encoders = _wait(
            lambda: _processes_with(b"ffmpeg", b"preview", scratch), timeout=40, what="the preview transcode",
            env=env, worker="w1",
        )  # fmt: skip
        time.sleep(1.0)  # well inside the transcode (veryslow: tens of seconds for this clip)
        assert env.state(item.pk)[0] == "processing"
    finally:
        _kill_group(first)  # SIGKILL the whole worker: main process and pool child, no shutdown handlers
    status, metadata, derivatives = env.state(item.pk)
    assert status == "processing" and derivatives == {}
    assert metadata["claim"]["pid"] != first.pid  # the pool child held it
    _wait(lambda: not any(Path(f"/proc/{pid}").exists() for pid in encoders), timeout=10,
          what="ffmpeg to die with its worker", env=env, worker="w1")  # fmt: skip

    started = time.monotonic()
    second = env.worker("w2", preset="ultrafast")
    try:
        _wait(lambda: env.state(item.pk)[0] == "ready", timeout=45, what="the item to become ready", env=env,
              worker="w2")  # fmt: skip
    finally:
        _kill_group(second)
    recovered_in = time.monotonic() - started
    status, metadata, derivatives = env.state(item.pk)
    assert set(derivatives) == {"poster", "preview", "contact_sheet"}
    for entry in derivatives.values():
        stored = Path(settings.STORAGE_LOCAL_ROOT) / entry["key"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == entry["sha256"]
    assert metadata["duration_s"] == pytest.approx(8.0, abs=0.2)
    assert "claim" not in metadata
    assert "taking over an abandoned claim" in env.log("w2")
    assert env.actions(item.pk).count("evidence.processed") == 1
    original = Path(settings.STORAGE_LOCAL_ROOT) / item.storage_key
    assert hashlib.sha256(original.read_bytes()).hexdigest() == item.sha256
    assert not list(env.scratch.glob("process-*")), "the dead worker's scratch directory was cleaned up"
    print(f"recovered and finished {recovered_in:.1f} s after the new worker started")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_the_embedded_default_processes_an_upload_in_the_worker_not_in_the_request(
    officer_a, officer_b, case_a, kit, settings, tmp_path
):
    """As ``make run`` serves it: gunicorn + a Celery worker on the filesystem broker, SQLite, local disk."""
    from tusclient import client as tus_client

    env = Env(tmp_path, settings)
    worker = env.worker("worker", preset="veryfast")
    port = free_port()
    web = _start_gunicorn(env, port)
    server = f"http://127.0.0.1:{port}"
    try:
        data = _make_video(tmp_path / "clip.mp4", seconds=2)
        token = token_for(officer_a)
        uploader = tus_client.TusClient(
            f"{server}/api/v1/uploads/", headers={"Authorization": f"Bearer {token}"}
        ).uploader(
            str(tmp_path / "clip.mp4"), chunk_size=1024 * 1024,
            metadata=kit.metadata_for(case_a, data, kind="video", filename="clip.mp4", activity="现场检查"),
        )  # fmt: skip
        uploader.upload()
        item_id = uploader.url.rstrip("/").rsplit("/", 1)[1]  # one upload, one item: the ids match
        auth = {"Authorization": f"Bearer {token}"}

        def ready() -> dict | None:
            row = requests.get(f"{server}/api/v1/evidence/{item_id}/", headers=auth, timeout=10).json()
            return row if row["processing_status"] in ("ready", "failed") else None

        row = _wait(ready, timeout=40, what="processing", env=env, worker="worker")
        assert row["processing_status"] == "ready", row["processing_error"]
        assert row["media_metadata"]["duration_s"] == pytest.approx(2.0, abs=0.2)
        preview = requests.get(f"{server}{row['derivatives']['preview']['url']}", headers=auth, timeout=10)
        assert preview.status_code == 200 and preview.content[4:8] == b"ftyp"
        other = {"Authorization": f"Bearer {token_for(officer_b)}"}
        assert requests.get(f"{server}{row['derivatives']['preview']['url']}", headers=other,
                            timeout=10).status_code == 404  # fmt: skip
        # The work ran in the worker process, not in the web request.
        assert f"evidence {item_id} processed in" in env.log("worker")
        assert "processed in" not in env.log("web")
    finally:
        _kill_group(web)
        _kill_group(worker)
