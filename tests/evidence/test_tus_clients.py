"""Standard tus clients against a real HTTP server: tuspy (in-process and through ``zhifa-field``) and
tus-js-client (npm, Node). Each uploads, resumes after the client is killed mid-upload, and — against a
gunicorn subprocess — resumes after the server process is killed and restarted mid-upload.

Design: the in-process ``live_server`` (pytest-django) serves the client tests; it shares the test database.
The server-restart test needs a server we can kill, so it copies the (migrated, populated) test database to a
file with SQLite's backup API and runs gunicorn on it, exactly as ``make run`` serves the app.
"""

from __future__ import annotations

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
from support import PASSWORD, free_port, start_gunicorn, token_for

from backend.evidence.models import EvidenceItem, Upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
TUS_JS_SCRIPT = Path(__file__).with_name("tus_js_upload.mjs")
MIB = 1024 * 1024


def _random_jpeg(path: Path, size: int) -> bytes:
    data = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(size - 13) + b"\xff\xd9"
    path.write_bytes(data)
    return data


def _field(home: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "ZHIFA_PASSWORD": PASSWORD}
    return subprocess.Popen(
        [PY, "-m", "backend.fieldclient.cli", "--home", str(home), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs,
    )


def _run_field(home: Path, *args: str, timeout: float = 60) -> str:
    proc = _field(home, *args)
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"zhifa-field {args} failed: {out}\n{err}"
    return out


def _queued_url(home: Path) -> str | None:
    for path in (home / "queue").glob("*.json"):
        try:
            return json.loads(path.read_text()).get("upload_url")
        except ValueError:
            return None
    return None


def _offset(url: str, token: str) -> int:
    response = requests.head(url, headers={"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}"}, timeout=10)
    return int(response.headers.get("Upload-Offset", "0")) if response.status_code == 200 else 0


def _wait_for_offset(home: Path, token: str, at_least: int, proc: subprocess.Popen, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        url = _queued_url(home)
        if url:
            offset = _offset(url, token)
            if offset >= at_least:
                return offset
        if proc.poll() is not None:
            raise AssertionError(f"client exited early: {proc.communicate()}")
        time.sleep(0.05)
    raise AssertionError("upload made no progress")


# --------------------------------------------------------------------------- tuspy


def test_tuspy_uploads_with_checksums(live_server, officer_a, case_a, kit, tmp_path):
    from tusclient import client as tus_client

    data = _random_jpeg(tmp_path / "photo.jpg", 700_000)
    client = tus_client.TusClient(f"{live_server.url}/api/v1/uploads/",
                                  headers={"Authorization": f"Bearer {token_for(officer_a)}"})
    uploader = client.uploader(str(tmp_path / "photo.jpg"), chunk_size=256 * 1024, upload_checksum=True,
                               metadata=kit.metadata_for(case_a, data))
    uploader.upload()
    item = EvidenceItem.objects.get()
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.status == "received"


def test_zhifa_field_resumes_after_being_killed_mid_upload(live_server, officer_a, case_a, tmp_path):
    home = tmp_path / "home"
    data = _random_jpeg(tmp_path / "long.jpg", 6 * MIB)
    _run_field(home, "login", "--server", live_server.url, "--username", "officer_a")
    _run_field(home, "register-device", "--model", "DSJ-V9")
    _run_field(home, "capture", str(tmp_path / "long.jpg"), "--case", str(case_a.pk), "--kind", "photo",
               "--activity", "现场检查", "--lat", "42.88", "--lon", "125.14")
    proc = _field(home, "sync", "--chunk-size", str(64 * 1024), "--no-progress")
    token = token_for(officer_a)
    reached = _wait_for_offset(home, token, MIB, proc)
    proc.send_signal(signal.SIGKILL)  # the phone app is killed mid-upload
    proc.wait(timeout=10)
    url = _queued_url(home)
    offset_after_kill = _offset(url, token)
    assert 0 < offset_after_kill < len(data)
    assert offset_after_kill >= reached

    out = _run_field(home, "sync", "--chunk-size", str(1 * MIB), "--no-progress")
    assert "✓" in out
    assert Upload.objects.count() == 1, "the second run continued the same upload"
    item = EvidenceItem.objects.get()
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.signature_status == "valid"
    assert item.device_id is not None


# --------------------------------------------------------------------------- tus-js-client (npm)


@pytest.fixture(scope="session")
def tus_js() -> Path:
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        pytest.skip("npm/node not installed: the tus-js-client tests need Node.js (apt-get install nodejs npm)")
    prefix = REPO / "var" / "node-tus"
    if not (prefix / "node_modules" / "tus-js-client").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), "tus-js-client@4"],
            capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            pytest.skip(f"npm could not install tus-js-client: {result.stderr[-500:]}")
    return prefix / "node_modules"


def _node_upload(tus_js: Path, endpoint: str, file: Path, token: str, metadata: dict, chunk: int,
                 upload_url: str = "") -> subprocess.Popen:
    env = {**os.environ, "TUS_JS_PREFIX": str(tus_js)}
    return subprocess.Popen(
        ["node", str(TUS_JS_SCRIPT), endpoint, str(file), token, json.dumps(metadata), str(chunk), upload_url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_tus_js_client_uploads_and_resumes_after_being_killed(live_server, officer_a, case_a, kit, tmp_path, tus_js):
    data = _random_jpeg(tmp_path / "video.jpg", 4 * MIB)
    token = token_for(officer_a)
    metadata = kit.metadata_for(case_a, data)
    endpoint = f"{live_server.url}/api/v1/uploads/"
    proc = _node_upload(tus_js, endpoint, tmp_path / "video.jpg", token, metadata, 64 * 1024)
    url = None
    for line in proc.stdout:
        if line.startswith("URL "):
            url = line.split()[1]
        if line.startswith("PROGRESS ") and int(line.split()[1]) >= MIB and url:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=10)
    assert url, proc.stderr.read()
    offset = _offset(url, token)
    assert 0 < offset < len(data)

    resumed = _node_upload(tus_js, endpoint, tmp_path / "video.jpg", token, metadata, 1 * MIB, upload_url=url)
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert f"DONE {url}" in out
    progress = [int(line.split()[1]) for line in out.splitlines() if line.startswith("PROGRESS ")]
    assert min(progress) >= offset > 0, "tus-js-client continued from the server's offset"
    item = EvidenceItem.objects.get()
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert Upload.objects.count() == 1


# --------------------------------------------------------------------------- server restart (gunicorn)


def _start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    return start_gunicorn(port, env, threads=2)


def _kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def test_an_upload_resumes_after_the_server_is_killed_and_restarted(officer_a, case_a, tmp_path):
    from django.db import connection

    var = tmp_path / "var"
    var.mkdir()
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it (migrated, with the personas) to a file for gunicorn.
        db_file = var / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(db_file) as target:
            connection.connection.backup(target)
        database_url = f"sqlite:///{db_file}"
    else:
        # PostgreSQL (CI): this transactional test commits its data, so gunicorn can use the test database.
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "VAR_DIR": str(var),
        "DATABASE_URL": database_url,
        "STORAGE_BACKEND": "local",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    env.pop("S3_BUCKET", None)
    port = free_port()
    server = f"http://127.0.0.1:{port}"
    web = _start_gunicorn(port, env)
    try:
        home = tmp_path / "home"
        data = _random_jpeg(tmp_path / "bodycam.jpg", 12 * MIB)
        _run_field(home, "login", "--server", server, "--username", "officer_a")
        _run_field(home, "capture", str(tmp_path / "bodycam.jpg"), "--case", str(case_a.pk), "--kind", "photo")
        client = _field(home, "sync", "--chunk-size", str(128 * 1024), "--no-progress", "--retry-delay", "0.5")
        token = token_for(officer_a)
        _wait_for_offset(home, token, 2 * MIB, client)
        _kill_group(web)  # the server dies mid-upload (no graceful shutdown)
        time.sleep(0.5)
        web = _start_gunicorn(port, env)
        out, err = client.communicate(timeout=90)
        assert client.returncode == 0, f"{out}\n{err}"
        items = requests.get(f"{server}/api/v1/evidence/?case={case_a.pk}",
                             headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["results"]
        assert [row["sha256"] for row in items] == [hashlib.sha256(data).hexdigest()]
        if connection.vendor == "sqlite":
            with sqlite3.connect(db_file) as db:
                uploads = db.execute("select count(*) from evidence_upload").fetchone()[0]
        else:
            uploads = Upload.objects.count()
        assert uploads == 1, "the client continued the same upload after the restart"
    finally:
        _kill_group(web)
