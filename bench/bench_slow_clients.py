"""Slow devices (issue 20 items 1 and 5): N phones on 4G each send one tus chunk at a paced rate, all at once.

    .venv/bin/python bench/bench_slow_clients.py                         # 48 and 200 devices, 3 rounds
    .venv/bin/python bench/bench_slow_clients.py --devices 48 --rounds 3 --candidates make-run,direct

Each device creates its upload (not timed), then all start their PATCH together and send the chunk
(``--chunk-mib``, default 4) at ``--rate-kib`` (default 512 KiB/s) in 64 KiB blocks on an absolute schedule.
The ideal batch time is chunk ÷ rate (8 s): a server that never makes a device wait finishes the batch
then. Reported per candidate (median of the rounds, candidates interleaved with alternating order): batch
seconds, ideal ÷ batch, errors, PATCH p50/p99, and the server's memory (PSS of every process of the
candidate, peak during the batch above idle) per connection.

Candidates, each on its own copy of the same SQLite database (the README's embedded default):

* ``direct`` — the baseline: ``make run`` as it was, gunicorn (3 workers × 4 threads) serving the devices
  itself (``SERVE_PROXY=none bash scripts/serve.sh``: gunicorn + the Celery worker, no proxy);
* ``make-run`` — ``make run`` as it is: ``bash scripts/serve.sh`` (Debian's nginx buffering each request
  body, then the same gunicorn and worker);
* ``asgi`` — the alternative: the same app under gunicorn with uvicorn workers (3, Django's ASGI handler
  reads the body in the event loop before the view runs), beside the same Celery worker; only when
  ``uvicorn-worker`` is installed (not a project dependency: ``pip install uvicorn-worker uvloop httptools``);
* ``peer`` — ``@tus/server`` + ``@tus/file-store`` on Node (no auth, no hash, no fsync), as in bench_uploads.

``--smoke``: 3 devices × 256 KiB at 1 MiB/s, ``direct`` and ``make-run``, one round (CI: it must run).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

from bench_uploads import MIB, NODE_PREFIX, PY, ensure_node, make_file, setup_ours  # noqa: E402
from common import free_port  # noqa: E402

WORK = REPO / "var" / "bench" / "slow"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
BLOCK = 64 * 1024
SEND_BUFFER = 64 * 1024  # about 512 KiB/s x 100 ms of a 4G round trip, plus the radio's queue


# --------------------------------------------------------------------------- processes


def descendants(root: int) -> set[int]:
    """``root`` and every process below it (the candidates' children live in their own sessions)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                text = Path(f"/proc/{entry}/stat").read_text()
                children.setdefault(int(text.rpartition(")")[2].split()[1]), []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def tree_pss(root: int) -> int:
    total = 0
    for pid in descendants(root):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
    return total


class PssSampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.idle = tree_pss(root)
        self.peak = self.idle
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_pss(self.root))
            time.sleep(0.25)

    def finish(self) -> int:
        self._halt.set()
        self.join()
        return max(0, self.peak - self.idle)


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} never answered:\n{log.read_text(errors='replace')[-3000:]}")


def stop_tree(proc: subprocess.Popen) -> None:
    """SIGTERM to the candidate (serve.sh relays it to its children), SIGKILL to whatever is left."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=60)
    for pid in descendants(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


class Candidate:
    def __init__(self, name: str, proc: subprocess.Popen, endpoint: str, token: str) -> None:
        self.name, self.proc, self.endpoint, self.token = name, proc, endpoint, token


def start_candidate(name: str, template_db: Path, base_env: dict, token: str) -> Candidate | None:
    var = WORK / name
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    log = var / "server.log"
    out = open(log, "wb")  # noqa: SIM115 - kept open for the child
    port = free_port()
    env = {**base_env, "VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}"}
    if name != "peer":
        shutil.copy(template_db, var / "db.sqlite3")
    if name in ("direct", "make-run"):
        upstream = free_port()
        env.update({"PORT": str(port), "UPSTREAM_PORT": str(upstream), "SEED_DEMO": "0",
                    "SERVE_PROXY": "none" if name == "direct" else "nginx"})  # fmt: skip
        if name == "direct":
            env["UPSTREAM_PORT"] = str(port)
        cmd = ["bash", "scripts/serve.sh"]
    elif name == "asgi":
        try:
            import uvicorn_worker  # noqa: F401
        except ImportError:
            print("asgi: uvicorn-worker is not installed (pip install uvicorn-worker uvloop httptools): skipped")
            return None
        # Beside the same Celery worker as make run, so that every candidate of ours carries the same load.
        web = (f"{GUNICORN} -c python:backend.config.gunicorn -k uvicorn_worker.UvicornWorker "
               f"backend.config.asgi:application --bind 127.0.0.1:{port} --workers 3")  # fmt: skip
        worker = (f"{REPO / '.venv' / 'bin' / 'celery'} -A backend.config.celery worker --beat --schedule "
                  f"{var / 'celerybeat-schedule'} --loglevel INFO --concurrency 2")  # fmt: skip
        subprocess.run([str(PY), "backend/manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env,
                       check=True)
        cmd = [str(PY), "scripts/supervise.py", "--run", "web", web, "--run", "worker", worker]
    else:
        if not ensure_node():
            return None
        (var / "files").mkdir()
        env["BENCH_NODE_PREFIX"] = str(NODE_PREFIX / "node_modules")
        cmd = ["node", str(BENCH / "upload_peer_server.mjs"), str(port), str(var / "files")]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    if name == "peer":
        endpoint = f"http://127.0.0.1:{port}/files"
        wait_http(endpoint, proc, log)
        return Candidate(name, proc, endpoint, "")
    wait_http(f"http://127.0.0.1:{port}/healthz", proc, log)
    return Candidate(name, proc, f"http://127.0.0.1:{port}/api/v1/uploads/", token)


# --------------------------------------------------------------------------- one device


class Device:
    """One phone: its own connection, one upload, one paced PATCH."""

    def __init__(self, candidate: Candidate, case: str, digest: str, size: int) -> None:
        """``size``: the whole upload's length (the chunk, or twice it when the chunk is not the last)."""
        self.candidate, self.size = candidate, size
        url = urlsplit(candidate.endpoint)
        self.url = url
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
        self.auth = {"Authorization": f"Bearer {candidate.token}"} if candidate.token else {}
        metadata = {"case": case, "kind": "video", "filename": "slow.mp4", "sha256": digest,
                    "captured_at": datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
        self.metadata = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in metadata.items())
        self.location = ""
        self.error = ""
        self.patch_s = 0.0

    def create(self) -> None:
        try:
            self.conn.request("POST", urlsplit(self.candidate.endpoint).path, headers={
                "Tus-Resumable": "1.0.0", "Upload-Length": str(self.size), "Upload-Metadata": self.metadata,
                "Content-Length": "0", **self.auth})  # fmt: skip
            response = self.conn.getresponse()
            response.read()
            if response.status != 201:
                raise RuntimeError(f"create answered {response.status}")
            self.location = urlsplit(response.getheader("Location")).path
        except Exception as exc:
            self.error = f"create: {exc}"
        finally:
            self.conn.close()
        # The chunk goes on a new connection, as a phone resuming a queued upload would open one (a kept-alive
        # connection could have been closed by the server meanwhile: gunicorn keeps idle ones 2 s).
        self.conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=600)

    def patch(self, body: bytes, rate: float, start_at: float) -> None:
        if self.error:
            return

        def paced():
            # A link of fixed capacity: a block leaves no sooner than one interval after the previous one, and
            # time spent blocked (the server not reading) is not made up for later — a radio link that idled
            # cannot send faster afterwards.
            interval = BLOCK / rate
            due = time.monotonic()
            for offset in range(0, len(body), BLOCK):
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                yield body[offset : offset + BLOCK]
                due = max(due + interval, time.monotonic())

        delay = start_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        started = time.monotonic()
        try:
            # What a phone has in flight is about its link's bandwidth-delay product, not the megabytes a
            # loopback socket would buffer: a small send buffer, so that bytes the server does not read wait on
            # the device (as over 4G) instead of in this machine's kernel.
            self.conn.connect()
            self.conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
            self.conn.request("PATCH", self.location, body=paced(), headers={
                "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Length": str(len(body)),
                "Content-Type": "application/offset+octet-stream", **self.auth})  # fmt: skip
            response = self.conn.getresponse()
            response.read()
            if response.status != 204 or int(response.getheader("Upload-Offset", "-1")) != len(body):
                raise RuntimeError(f"PATCH answered {response.status} offset {response.getheader('Upload-Offset')}")
        except Exception as exc:
            self.error = f"patch: {exc}"
        finally:
            self.patch_s = time.monotonic() - started
            self.conn.close()


def batch(candidate: Candidate, cases: list[str], body: bytes, digest: str, rate: float, completing: bool) -> dict:
    """One batch. ``completing``: the chunk is the whole upload, so its PATCH also completes it (the final
    move, the evidence item, the audit record); otherwise it is the first of two (a recording in progress)."""
    length = len(body) if completing else 2 * len(body)
    devices = [Device(candidate, case, digest, length) for case in cases]
    with ThreadPoolExecutor(max_workers=min(32, len(devices))) as pool:
        list(pool.map(Device.create, devices))
    sampler = PssSampler(candidate.proc.pid)
    sampler.start()
    start_at = time.monotonic() + 0.5  # every thread is waiting on the same instant
    threads = [threading.Thread(target=d.patch, args=(body, rate, start_at)) for d in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = max(d.patch_s for d in devices)
    growth = sampler.finish()
    ideal = len(body) / rate
    times = sorted(d.patch_s for d in devices)
    errors = [d.error for d in devices if d.error]
    return {
        "candidate": candidate.name, "devices": len(devices), "completing": completing, "seconds": round(seconds, 2),
        "ideal_s": round(ideal, 2), "ideal_over_batch": round(ideal / seconds, 3), "errors": len(errors),
        "first_error": errors[0] if errors else "", "patch_p50_s": round(times[len(times) // 2], 2),
        "patch_p99_s": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
        "mem_per_connection_kib": round(growth / len(devices) / 1024, 1),
    }  # fmt: skip


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", default="48,200", help="devices per batch, comma separated")
    parser.add_argument("--chunk-mib", type=float, default=4)
    parser.add_argument("--rate-kib", type=float, default=512, help="each device's upload rate, KiB/s")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kinds", default="middle,completing",
                        help="middle: the chunk is the first of two; completing: it is the whole upload (its PATCH "
                        "also completes the upload)")
    parser.add_argument("--candidates", default="direct,make-run,asgi,peer")
    parser.add_argument("--smoke", action="store_true", help="3 devices x 256 KiB, direct and make-run, 1 round")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the candidates (finally) when stopped
    if args.smoke:
        args.devices, args.chunk_mib, args.rate_kib, args.rounds = "3", 0.25, 1024, 1
        args.candidates = "direct,make-run"
    device_counts = [int(d) for d in args.devices.split(",") if d]
    size = int(args.chunk_mib * MIB)
    rate = args.rate_kib * 1024
    path, digest = make_file(size)
    body = path.read_bytes()
    print(f"{args.rounds} round(s); devices {device_counts}; one {size / MIB:g} MiB chunk each at "
          f"{args.rate_kib:g} KiB/s (ideal batch {size / rate:.1f} s); load average {os.getloadavg()[0]:.1f}",
          flush=True)  # fmt: skip

    shutil.rmtree(WORK, ignore_errors=True)
    template = WORK / "template"
    template.mkdir(parents=True)
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("S3_", "DATABASE_URL", "STORAGE_", "CELERY_", "REDIS_URL", "TRUSTED_PROXIES"))}
    base_env.update({
        "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "backend.config.settings", "JWT_ACCESS_MINUTES": "600",
        "PYTHONUNBUFFERED": "1",
        # One bench officer stands for the fleet: the per-officer limits are not what is measured here.
        "EVIDENCE_MAX_CONCURRENT_UPLOADS": "100000", "EVIDENCE_UPLOAD_THROTTLE": "1000000/min",
        "EVIDENCE_UPLOAD_PATCH_THROTTLE": "1000000/min", "THROTTLE_USER": "1000000/min",
    })  # fmt: skip
    kinds = [k for k in args.kinds.split(",") if k]
    per_round = sum(device_counts) * len(kinds)
    setup = setup_ours({**base_env, "VAR_DIR": str(template), "DATABASE_URL": f"sqlite:///{template / 'db.sqlite3'}"},
                       cases=per_round * args.rounds)  # fmt: skip
    all_cases = setup["cases"]

    candidates: list[Candidate] = []
    results: list[dict] = []
    try:
        for name in args.candidates.split(","):
            candidate = start_candidate(name, template / "db.sqlite3", base_env, setup["token"])
            if candidate is not None:
                candidates.append(candidate)
                print(f"started {name}: {candidate.endpoint}", flush=True)
        cursor = 0
        for devices, kind in [(d, k) for d in device_counts for k in kinds]:
            rows: dict[str, list[dict]] = {}
            for round_no in range(args.rounds):
                order = candidates if round_no % 2 == 0 else candidates[::-1]
                cases = all_cases[cursor : cursor + devices]
                cursor += devices
                for candidate in order:
                    row = batch(candidate, cases, body, digest, rate, kind == "completing")
                    rows.setdefault(candidate.name, []).append(row)
                    print(f"  round {round_no + 1} {devices:>4} devices {kind:<10} {candidate.name:<9} "
                          f"{row['seconds']:>7.2f} s  ideal/batch {row['ideal_over_batch']:.2f}  errors {row['errors']}"
                          + (f" ({row['first_error']})" if row["errors"] else ""), flush=True)  # fmt: skip
                    time.sleep(1)
            for runs in rows.values():
                runs.sort(key=lambda r: r["seconds"])
                median = dict(runs[len(runs) // 2])
                median["rounds_s"] = [r["seconds"] for r in runs]
                median["errors"] = sum(r["errors"] for r in runs)
                results.append(median)
    finally:
        for candidate in candidates:
            stop_tree(candidate.proc)

    print(f"\nmedians of {args.rounds} round(s) (each chunk {size / MIB:g} MiB at {args.rate_kib:g} KiB/s, "
          f"ideal {size / rate:.1f} s):")  # fmt: skip
    print("| devices | chunk | candidate | batch s | ideal ÷ batch | errors | PATCH p50 | PATCH p99 "
          "| memory per connection |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in results:
        kind = "completing" if row["completing"] else "middle"
        print(f"| {row['devices']} | {kind} | {row['candidate']} | {row['seconds']:.1f} | "
              f"{row['ideal_over_batch']:.2f} | {row['errors']} | {row['patch_p50_s']:.1f} s | "
              f"{row['patch_p99_s']:.1f} s | {row['mem_per_connection_kib']:.0f} KiB |")  # fmt: skip
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"slow-clients-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=1))
    failed = sum(r["errors"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
