"""The README's ``make run`` (scripts/serve.sh) as a user runs it: the real script, nginx in front, gunicorn
and the Celery worker with beat, on the embedded defaults (SQLite, local storage, filesystem broker) in a
temporary ``VAR_DIR``.

- Kill gunicorn's main process: the worker (main process and pool children) and nginx are gone soon after,
  and the script exits non-zero saying which process died and how.
- SIGTERM to the script's whole process group (what a terminal's Ctrl-C or a service manager sends): every
  process is gone within the bound, none had to be killed, and the script exits 0. Before this, the group's
  SIGTERM also reached Celery's pool children directly and the Celery main process hung until SIGKILL.

The database is migrated once for the module (the script's own migrate is then a no-op); demo data is
skipped (SEED_DEMO=0) to keep each start to seconds.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from deploy.procs import alive, members, wait_gone
from deploy.proxy import nginx_binary
from support import free_port

REPO = Path(__file__).resolve().parents[2]
# What the script may take to stop everything after SIGTERM: gunicorn's idle workers stop at once, Celery's
# warm shutdown with beat takes 5-8 s on this machine; well below the script's SIGKILL bound (40 s).
STOP_BOUND_S = 25
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
    pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed and could not be (system-deps.sh)"),
]
# Variables that would point the script at the production services; the embedded defaults are wanted here.
PRODUCTION_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "TRUSTED_PROXIES", "S3_BUCKET",
                        "S3_ENDPOINT_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE")  # fmt: skip


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory) -> dict:
    var = tmp_path_factory.mktemp("serve-var")
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_VARIABLES}
    env.update({"VAR_DIR": str(var), "DEBUG": "1", "SEED_DEMO": "0", "WORKER_CONCURRENCY": "2",
                "PYTHONUNBUFFERED": "1"})  # fmt: skip
    done = subprocess.run(
        [sys.executable, "backend/manage.py", "migrate", "--noinput", "-v0"], cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.config.settings"}, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return env


class Served:
    """``bash scripts/serve.sh`` in its own session, output to a file, started and ready."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in cleanup()
        self.proc = subprocess.Popen(
            ["bash", "scripts/serve.sh"], cwd=REPO, env={**env, "PORT": str(self.port)}, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.pids = self._wait_ready()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_ready(self, timeout: float = 180) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve.sh exited early\n{self.output()[-4000:]}"
            out = self.output()
            pids = {name: int(pid) for name, pid in re.findall(r"^serve: (\w+) started \(pid (\d+)\)", out, re.M)}
            if {"web", "worker", "proxy"} <= set(pids) and re.search(r"celery@\S+ ready", out):
                try:  # through nginx to gunicorn
                    if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                        return pids
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        raise AssertionError(f"serve.sh did not become ready\n{self.output()[-4000:]}")

    def every_process(self) -> set[int]:
        """The script (now the supervisor), nginx's, gunicorn's and Celery's main processes and their children."""
        found = members([self.proc.pid, *self.pids.values()])
        assert {self.pids["web"], self.pids["worker"], self.pids["proxy"]} <= found
        return found

    def cleanup(self) -> None:
        for pid in self.every_process_left():
            os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.log.close()

    def every_process_left(self) -> set[int]:
        return members([self.proc.pid, *self.pids.values()])


@pytest.fixture
def serve(embedded_env, tmp_path):
    started: list[Served] = []

    def start() -> Served:
        served = Served(embedded_env, tmp_path / f"serve-{len(started)}.log")
        started.append(served)
        return served

    yield start
    for served in started:
        served.cleanup()


def test_gunicorn_dying_stops_the_worker_and_the_proxy_and_the_script_fails_saying_so(serve):
    served = serve()
    answer = requests.get(f"http://127.0.0.1:{served.port}/healthz", timeout=5)
    assert answer.headers["Server"] == "nginx"  # the port is nginx's; gunicorn is behind it
    worker_processes = members([served.pids["worker"]])
    assert len(worker_processes) >= 3  # Celery's main process and its two pool children
    proxy_processes = members([served.pids["proxy"]])
    assert len(proxy_processes) >= 2  # nginx's master and worker
    os.kill(served.pids["web"], signal.SIGKILL)
    returncode = served.proc.wait(timeout=STOP_BOUND_S)
    assert returncode != 0
    assert wait_gone(worker_processes | proxy_processes, 5) == set()
    assert served.every_process_left() == set()
    out = served.output()
    assert f"serve: web (pid {served.pids['web']}) was killed by SIGKILL on its own" in out
    assert "web died; worker, proxy must not run without it: stopping worker" in out


def test_sigterm_to_the_process_group_stops_everything_cleanly_within_the_bound(serve):
    served = serve()
    everything = served.every_process()
    for leader in ("web", "worker", "proxy"):  # each main process and at least one child of it
        assert len(members([served.pids[leader]])) >= 2, leader
    started = time.monotonic()
    os.killpg(served.proc.pid, signal.SIGTERM)
    assert served.proc.wait(timeout=STOP_BOUND_S) == 0, served.output()[-3000:]
    assert wait_gone(everything, STOP_BOUND_S - (time.monotonic() - started)) == set()
    out = served.output()
    assert "serve: SIGTERM received: stopping web" in out
    assert "serve: web stopped (exited with status 0)" in out
    assert "serve: worker stopped (exited with status 0)" in out
    assert "serve: proxy stopped (exited with status 0)" in out
    assert "SIGKILL to its process group" not in out  # nothing had to be killed
    assert not alive(served.proc.pid)
