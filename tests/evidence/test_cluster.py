"""N-wide on this machine (issue 20 item 3): the compose stack's topology with real processes, not Docker.

The compose stack's nginx (docker/nginx.conf + nginx/zhifa-proxy.conf: TLS, buffering, forwarded headers)
in front of two gunicorn instances, each with its own scratch directory as if on its own host; the shared
state only where compose keeps it: the database (PostgreSQL in CI), Redis (the broker) and S3 (a moto
server). Two Celery workers and the single scheduler (beat) on that broker.

One officer's video, end to end:

1. The upload is created and its first chunk sent through the proxy; the instance that served it dies
   (SIGKILL, as a crashed host). The client asks the proxy where it stands and resumes: the other instance
   answers the offset from the database and S3, takes the rest, and the file becomes evidence with the
   declared SHA-256. Every tus ``Location`` is ``https://`` (TLS at the proxy, X-Forwarded-Proto trusted
   from it only).
2. The completed upload is queued on Redis; worker 1 (a slow x264 preset, so that it is surely mid-job)
   claims it and is killed with SIGKILL while ffmpeg encodes the preview. Worker 2, already running, is
   given the item by the scheduler's recovery sweep, takes the dead worker's claim over and finishes:
   ``ready`` with every derivative.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from deploy.procs import members
from deploy.proxy import nginx_binary, render_compose_nginx, start_nginx
from support import free_port, served_database_url, start_gunicorn, token_for

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
BROKER = os.environ.get("CELERY_BROKER_URL", "")
_NGINX = nginx_binary()

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(_NGINX is None, reason="nginx is not installed and could not be (scripts/system-deps.sh)"),
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed"),
    pytest.mark.skipif(
        not BROKER.startswith("redis://"), reason="needs Redis as the broker: set CELERY_BROKER_URL=redis://… (CI does)"
    ),
]
CHUNK = 6 * 1024 * 1024  # above S3's 5 MiB minimum part: the first chunk is a real multipart part


def _make_video(path: Path, seconds: int = 4) -> bytes:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(path)],
        check=True, timeout=60,
    )  # fmt: skip
    return path.read_bytes()


def _wait(predicate, *, timeout: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tails = "\n".join(f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists())
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


def _kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


class Cluster:
    def __init__(self, tmp_path: Path, s3_storage, settings) -> None:
        self.tmp = tmp_path
        self.procs: list[subprocess.Popen] = []
        shared = tmp_path / "shared"
        shared.mkdir()
        database_url = served_database_url(shared)  # PostgreSQL: the test database itself; SQLite: one file
        self.base_env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": BROKER,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": settings.S3_BUCKET,
            "S3_ENDPOINT_URL": settings.S3_ENDPOINT_URL,
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "S3_REGION": "us-east-1",
            "TRUSTED_PROXIES": "127.0.0.1",
            "LEDGER_SIGNING_KEY_FILE": str(shared / "ledger-signing.key"),
            "MEDIA_HEARTBEAT_S": "1",
            "MEDIA_RECOVERY_INTERVAL_S": "2",
            "LOG_LEVEL": "INFO",
        }
        self.ports = {name: free_port() for name in ("a", "b")}

        def start_web(name: str) -> subprocess.Popen:
            log = self.var(name) / "web.log"
            env = self.env(name, GUNICORN_CMD_ARGS=f"--access-logfile {log}")
            with open(log, "ab") as out:
                return start_gunicorn(self.ports[name], env, threads=4, output=out)

        with ThreadPoolExecutor(2) as pool:  # both instances start at once
            self.web = dict(zip(("a", "b"), pool.map(start_web, ("a", "b")), strict=True))
        self.procs.extend(self.web.values())
        https = free_port()
        conf = render_compose_nginx(tmp_path, http_port=free_port(), https_port=https,
                                    upstreams=[self.ports["a"], self.ports["b"]])  # fmt: skip
        self.procs.append(start_nginx(conf, tmp_path / "nginx.log"))
        self.url = f"https://localhost:{https}"

    def var(self, name: str) -> Path:
        path = self.tmp / name
        path.mkdir(exist_ok=True)
        return path

    def env(self, name: str, **extra: str) -> dict:
        var = self.var(name)
        return {**self.base_env, "VAR_DIR": str(var), "UPLOAD_SCRATCH_DIR": str(var / "scratch"), **extra}

    def celery(self, name: str, *args: str, **extra: str) -> subprocess.Popen:
        out = open(self.var(name) / "celery.log", "ab")  # noqa: SIM115 - kept open for the child
        proc = subprocess.Popen(
            [str(CELERY), "-A", "backend.config.celery", *args, "--loglevel", "INFO"], cwd=REPO,
            env=self.env(name, **extra), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def worker(self, name: str, preset: str) -> subprocess.Popen:
        return self.celery(name, "worker", "--pool", "prefork", "--concurrency", "1", "-n", f"{name}@%h",
                           "--without-gossip", "--without-mingle", MEDIA_PREVIEW_PRESET=preset)  # fmt: skip

    def log(self, name: str, file: str) -> Path:
        return self.var(name) / file

    def served_by(self, method: str, path: str, *, expected: int = 1) -> list[str]:
        """Which instances' access logs show ``method path``: waits a little for ``expected`` of them, as an access
        line is written after its response has been sent."""
        deadline = time.monotonic() + 10
        while True:
            found = [name for name in ("a", "b")
                     if f'"{method} {path}' in self.log(name, "web.log").read_text(errors="replace")]  # fmt: skip
            if len(found) >= expected or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def close(self) -> None:
        for proc in reversed(self.procs):
            _kill_group(proc)


@pytest.fixture
def cluster(tmp_path, s3_storage, settings, officer_a, case_a):  # personas first: they must be in the database
    cluster = Cluster(tmp_path, s3_storage, settings)
    yield cluster
    cluster.close()


def _tus(token: str, **headers: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0", **headers}


def test_an_upload_resumes_on_the_other_instance_and_a_killed_worker_is_taken_over(
    cluster, officer_a, case_a, kit, tmp_path
):
    data = _make_video(tmp_path / "bodycam.mp4")
    assert len(data) > CHUNK + 1024 * 1024, len(data)
    token = token_for(officer_a)
    http = requests.Session()
    http.trust_env = False  # no CA bundle from the environment: the proxy's own certificate is the one to check
    http.verify = str(tmp_path / "fullchain.pem")
    metadata = kit.metadata_for(case_a, data, kind="video", filename="执法记录仪.mp4", activity="查封扣押")
    headers = _tus(token, **{"Upload-Length": str(len(data)), "Upload-Metadata": kit.encode_md(metadata)})
    created = http.post(f"{cluster.url}/api/v1/uploads/", timeout=30, headers=headers)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location.startswith(f"{cluster.url}/api/v1/uploads/"), location  # https: the proxy's scheme, trusted
    path = location.removeprefix(cluster.url)

    checksum = kit.checksum("sha256", data[:CHUNK])
    first = http.patch(location, data=data[:CHUNK], timeout=60, headers=_tus(
        token, **{"Upload-Offset": "0", "Content-Type": kit.OCTET, "Upload-Checksum": checksum}))  # fmt: skip
    assert first.status_code == 204, first.text
    assert int(first.headers["Upload-Offset"]) == CHUNK
    started_on = cluster.served_by("PATCH", path)
    assert len(started_on) == 1, started_on
    (dead,) = started_on
    other = "b" if dead == "a" else "a"
    _kill_group(cluster.web[dead])  # the instance that holds nothing the other lacks: bytes in S3, state in the DB

    http.close()  # the phone comes back on a new connection
    head = http.head(location, timeout=30, headers=_tus(token))
    assert head.status_code == 200 and int(head.headers["Upload-Offset"]) == CHUNK
    rest = http.patch(location, data=data[CHUNK:], timeout=60, headers=_tus(
        token, **{"Upload-Offset": str(CHUNK), "Content-Type": kit.OCTET}))  # fmt: skip
    assert rest.status_code == 204, rest.text
    assert rest.headers["Evidence-Status"] == "received"
    assert set(cluster.served_by("PATCH", path, expected=2)) == {"a", "b"}  # resumed on the other instance
    assert cluster.served_by("HEAD", path) == [other]
    item_id = rest.headers["Evidence-Item"]
    auth = {"Authorization": f"Bearer {token}"}
    item = http.get(f"{cluster.url}/api/v1/evidence/{item_id}/", headers=auth, timeout=30).json()
    assert item["sha256"] == hashlib.sha256(data).hexdigest()
    original = http.get(f"{cluster.url}/api/v1/evidence/{item_id}/original/", headers=auth, timeout=60,
                        params={"purpose": "核对跨实例续传的原始文件"})  # fmt: skip
    assert original.status_code == 200 and hashlib.sha256(original.content).digest() == hashlib.sha256(data).digest()

    # ---- 2. worker 1 takes the job and dies in the middle of it; worker 2 takes it over
    logs = [cluster.log(n, "celery.log") for n in ("w1", "w2", "beat")]
    w1 = cluster.worker("w1", preset="veryslow")
    scratch = str(cluster.var("w1") / "scratch").encode()

    def encoding() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    cmdline = (entry / "cmdline").read_bytes()
                    if cmdline.startswith(b"ffmpeg") and b"preview" in cmdline and scratch in cmdline:
                        found.append(int(entry.name))
        return found

    _wait(encoding, timeout=60, what="worker 1 to start the preview transcode", logs=logs)
    w2 = cluster.worker("w2", preset="ultrafast")
    _wait(lambda: re.search(rb"w2@\S+ ready", cluster.log("w2", "celery.log").read_bytes()), timeout=60,
          what="worker 2 to start", logs=logs)  # fmt: skip
    state = http.get(f"{cluster.url}/api/v1/evidence/{item_id}/", headers=auth, timeout=30).json()
    assert state["processing_status"] == "processing"  # still mid-job under worker 1
    doomed = members([w1.pid])
    _kill_group(w1)
    assert not members([w1.pid]) and doomed
    cluster.celery("beat", "beat", "--schedule", str(cluster.var("beat") / "celerybeat-schedule"))  # the one scheduler

    def done() -> dict | None:
        row = http.get(f"{cluster.url}/api/v1/evidence/{item_id}/", headers=auth, timeout=30).json()
        return row if row["processing_status"] in ("ready", "failed") else None

    row = _wait(done, timeout=90, what="worker 2 to finish the item", logs=logs)
    assert row["processing_status"] == "ready", row.get("processing_error")
    assert set(row["derivatives"]) == {"poster", "preview", "contact_sheet"}
    assert "taking over an abandoned claim" in cluster.log("w2", "celery.log").read_text()
    assert w2.poll() is None
