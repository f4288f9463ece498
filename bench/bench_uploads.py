"""Upload benchmark (issue 4, "Performance"): our tus server vs an ideal Python sink vs the tus peer.

For each file size (512 MiB, 1 GiB by default) it uploads the same file through

* **ours**: gunicorn serving the project exactly as ``make run`` does (3 workers × 4 threads, SQLite + local
  disk, DEBUG=1), with JWT auth, metadata validation, per-chunk checksum verification, running SHA-256 with
  persisted state, fsync before every acknowledgement, the final move to ``originals/`` and the audit record;
* **sink**: ``bench/upload_sink.py``, the least an evidence ingest must do (stream, SHA-256, checksum, write,
  fsync) under the same gunicorn (1 worker × 4 threads: its state lives in process memory);
* **peer**: ``@tus/server`` + ``@tus/file-store`` from npm (no checksum, no fsync), installed under
  ``var/bench-node`` by this script,

with two clients (tuspy with ``Upload-Checksum: sha1`` on every chunk, and tus-js-client on Node) and two chunk
modes (8 MiB chunks; one single PATCH). It prints MB/s (MiB/s), the peak RSS (and PSS) of the server process group,
the largest RSS growth of any one server process during the upload, and the ratios ours/peer and ours/sink.
``--s3`` adds our server on the S3 path (moto standalone server, multipart upload).

    .venv/bin/python bench/bench_uploads.py                 # full run (about 15 minutes on 2 cores)
    .venv/bin/python bench/bench_uploads.py --sizes 64 --s3 # quick look

Results are also written to ``bench/results/uploads-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))
WORK = REPO / "var" / "bench"
NODE_PREFIX = REPO / "var" / "bench-node"
PY = REPO / ".venv" / "bin" / "python"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
MIB = 1024 * 1024
CHUNK = 8 * MIB
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


# --------------------------------------------------------------------------- helpers


from common import free_port  # noqa: E402  (BENCH_PORTS, shared machines)


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def start(cmd: list[str], *, env: dict, port: int, cwd: Path = REPO, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - kept open for the child
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=out, start_new_session=True)
    wait_port(port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def group_memory(pgid: int) -> dict[int, tuple[int, int]]:
    """(RSS, PSS) in bytes of every process in the process group. PSS divides shared pages among the
    processes sharing them: with a preloaded app the workers share most of the master's pages, and a sum of
    RSS would count those once per process."""
    result = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) != pgid:
                continue
            values = {}
            for line in Path(f"/proc/{entry}/smaps_rollup").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    values[key] = int(rest.split()[0]) * 1024
            result[int(entry)] = (values.get("Rss", 0), values.get("Pss", 0))
        except (OSError, ValueError, IndexError):
            continue
    return result


class RssSampler(threading.Thread):
    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self.pgid = pgid
        self.baseline = {pid: rss for pid, (rss, _pss) in group_memory(pgid).items()}
        self.peak_total = sum(self.baseline.values())
        self.peak_pss = 0
        self.peak_growth = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            memory = group_memory(self.pgid)
            self.peak_total = max(self.peak_total, sum(rss for rss, _pss in memory.values()))
            self.peak_pss = max(self.peak_pss, sum(pss for _rss, pss in memory.values()))
            for pid, (rss, _pss) in memory.items():
                self.peak_growth = max(self.peak_growth, rss - self.baseline.get(pid, rss))
            time.sleep(0.02)

    def finish(self) -> tuple[float, float, float]:
        self._halt.set()
        self.join()
        return self.peak_total / MIB, self.peak_pss / MIB, self.peak_growth / MIB


def make_file(size: int) -> tuple[Path, str]:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"bench-{size // MIB}MiB.mp4"
    digest_file = path.with_suffix(".sha256")
    if path.exists() and path.stat().st_size == size and digest_file.exists():
        return path, digest_file.read_text().strip()
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        fh.write(MP4_HEAD)
        digest.update(MP4_HEAD)
        written = len(MP4_HEAD)
        while written < size:
            block = os.urandom(min(CHUNK, size - written))
            fh.write(block)
            digest.update(block)
            written += len(block)
    digest_file.write_text(digest.hexdigest())
    return path, digest.hexdigest()


def hash_ceiling() -> dict:
    """How fast one core of this machine computes SHA-256 (OpenSSL through hashlib, 1 MiB updates, best of 3).

    Every byte the service accepts is hashed, so no configuration of ours (nor the sink) can receive faster
    than this on one core, whatever else is optimised; the peer hashes nothing. On CPUs with SHA extensions
    (``sha_ni``) this is 1–2 GB/s; without them ~350 MiB/s, slower than the peer with some clients.
    """
    block = os.urandom(MIB)
    best = 0.0
    for _ in range(3):
        digest = hashlib.sha256()
        started = time.perf_counter()
        for _ in range(64):
            digest.update(block)
        best = max(best, 64 / (time.perf_counter() - started))
    flags = ""
    with contextlib.suppress(OSError):
        flags = next((line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), "")
    return {"sha256_mib_s": round(best, 1), "sha_extensions": " sha_ni" in f"{flags} "}


def ensure_node() -> bool:
    if not shutil.which("node") or not shutil.which("npm"):
        print("node/npm not found: skipping the peer and tus-js-client", file=sys.stderr)
        return False
    if not (NODE_PREFIX / "node_modules" / "@tus" / "file-store").exists():
        NODE_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_PREFIX),
             "@tus/server@2", "@tus/file-store@2", "tus-js-client@4"],
            check=True, capture_output=True,
        )
    return True


SETUP = r"""
import datetime, json
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken
from backend.accounts.models import Agency, OfficerCredential, Role, User, UserRole
from backend.accounts.serializers import add_identity_claims
from backend.cases.models import Case
agency, _ = Agency.objects.get_or_create(uscc="BENCH0000000000001", defaults={"name": "基准测试局"})
user = User.objects.filter(username="bench").first() or User.objects.create_user(
    username="bench", password="bench-password-2026", agency=agency)
UserRole.objects.get_or_create(user=user, role=Role.FIELD_OFFICER)
today = timezone.localdate()
OfficerCredential.objects.get_or_create(number="BENCH-1", defaults=dict(
    user=user, category="bench", issued_on=today - datetime.timedelta(days=1),
    valid_until=today + datetime.timedelta(days=30)))
cases = [str(Case.objects.create(agency=agency, title=f"bench {i}", party_type="natural_person", party_name="x").pk)
         for i in range(N)]
refresh = RefreshToken.for_user(user)
add_identity_claims(refresh, user)  # the token version: a token without it is revoked by the role grant
print("BENCH" + json.dumps({"token": str(refresh.access_token), "cases": cases}))
"""


def setup_ours(env: dict, cases: int) -> dict:
    subprocess.run([str(PY), "backend/manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    out = subprocess.run(
        [str(PY), "backend/manage.py", "shell", "-c", SETUP.replace("range(N)", f"range({cases})")],
        cwd=REPO, env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out[out.index("BENCH") + 5 :])


def run_client(client: str, endpoint: str, path: Path, token: str, metadata: dict, chunk: int) -> float:
    env = {**os.environ, "BENCH_NODE_PREFIX": str(NODE_PREFIX / "node_modules")}
    if client == "tuspy":
        cmd = [str(PY), str(BENCH / "upload_client_tuspy.py")]
    else:
        cmd = ["node", str(BENCH / "upload_client_tusjs.mjs")]
    cmd += [endpoint, str(path), token, json.dumps(metadata), str(chunk)]
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or "DONE" not in result.stdout:
        raise RuntimeError(f"{client} failed: {result.stdout[-500:]} {result.stderr[-1500:]}")
    return elapsed


def clean_storage(var: Path) -> None:
    for sub in ("storage/originals", "storage/incoming", "peer", "sink"):
        target = var / sub
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
    (var / "peer").mkdir(parents=True, exist_ok=True)


def warm_up(endpoint: str, token: str, cases: list[str], kind_file: Path, rounds: int = 4) -> None:
    """Touch every gunicorn worker (imports, boto3 models, DB connections) before measuring memory: small
    uploads three at a time, so that each of the three workers takes some."""
    from concurrent.futures import ThreadPoolExecutor

    digest = hashlib.sha256(kind_file.read_bytes()).hexdigest()

    def one(case: str) -> None:
        metadata = {"case": case, "kind": "video", "filename": "warm.mp4",
                    "captured_at": datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "sha256": digest}
        run_client("tuspy", endpoint, kind_file, token, metadata, 0)

    with ThreadPoolExecutor(max_workers=3) as pool:
        for _ in range(rounds):
            list(pool.map(one, [cases.pop() for _ in range(3)]))


# --------------------------------------------------------------------------- a fleet of devices on fast links


def _tus_upload(endpoint: str, path: Path, token: str, metadata: dict, chunk: int) -> int:
    """One device: create the upload, then PATCH ``chunk``-sized pieces over one keep-alive connection (plain
    tus 1.0, no checksum header, so ours and the peer receive the same requests). Returns the bytes sent."""
    import base64
    import http.client
    from urllib.parse import urlsplit

    size = path.stat().st_size
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    meta = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in metadata.items())
    conn.request("POST", url.path, headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(size),
                                            "Upload-Metadata": meta, "Content-Length": "0", **auth})
    response = conn.getresponse()
    response.read()
    if response.status != 201:
        raise RuntimeError(f"create answered {response.status}")
    location = urlsplit(response.getheader("Location")).path
    offset = 0
    with open(path, "rb") as fh:
        while offset < size:
            body = fh.read(chunk)
            conn.request("PATCH", location, body=body, headers={
                "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream", **auth})
            response = conn.getresponse()
            response.read()
            if response.status != 204:
                raise RuntimeError(f"PATCH at {offset} answered {response.status}")
            offset += len(body)
    conn.close()
    return size


def fleet_run(server: str, proc: subprocess.Popen, endpoint: str, path: Path, digest: str, token: str,
              cases: list[str], devices: int, chunk: int) -> dict:
    """``devices`` uploads at once; aggregate MiB/s and the server's CPU (its whole process group) per MiB."""
    from concurrent.futures import ThreadPoolExecutor

    from common import group_cpu_seconds

    def one(n: int) -> int:
        metadata = {"case": cases.pop(), "kind": "video", "filename": f"device-{n}.mp4",
                    "captured_at": datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "sha256": digest}
        return _tus_upload(endpoint, path, token if server.startswith("ours") else "", metadata, chunk)

    cpu_before = group_cpu_seconds(proc.pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=devices) as pool:
        sent = sum(pool.map(one, range(devices)))
    elapsed = time.perf_counter() - started
    time.sleep(0.5)  # work finishing after the last response (the final move, the audit record) is counted
    cpu = group_cpu_seconds(proc.pid) - cpu_before
    mib = sent / MIB
    return {"server": server, "devices": devices, "mib": round(mib, 1), "seconds": round(elapsed, 2),
            "mib_s": round(mib / elapsed, 1), "cpu_ms_per_mib": round(cpu * 1000 / mib, 2)}


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="512,1024", help="file sizes in MiB, comma separated")
    parser.add_argument("--clients", default="tuspy,tusjs")
    parser.add_argument("--servers", default="ours,sink,peer",
                        help="ours, ours-pdb (ours with persistent SQLite connections), sink, peer")
    parser.add_argument("--modes", default="chunked,single", help="chunked = 8 MiB chunks; single = one PATCH")
    parser.add_argument("--s3", action="store_true", help="also run ours on S3 (moto standalone server)")
    parser.add_argument("--s3-size", type=int, default=256, help="file size (MiB) for the S3 runs (moto is slow)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (the median is reported)")
    parser.add_argument("--devices", default="5,50",
                        help="fleet scenario: devices uploading at once, comma separated (empty: skip)")
    parser.add_argument("--device-mib", type=int, default=16, help="fleet scenario: MiB each device uploads")
    parser.add_argument("--smoke", action="store_true",
                        help="8 MiB, tuspy, ours and the sink, 3 devices x 2 MiB, no npm: checks it runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.clients, args.servers, args.modes, args.repeat = "8", "tuspy", "ours,sink", "chunked", 1
        args.s3, args.devices, args.device_mib = False, "3", 2
    sizes = [int(s) * MIB for s in args.sizes.split(",") if s]  # empty: only the fleet scenario
    fleet_sizes = [int(d) for d in args.devices.split(",") if d]
    clients = args.clients.split(",")
    servers = args.servers.split(",")
    modes = args.modes.split(",")
    ceiling = hash_ceiling()
    print(f"SHA-256 on one core of this machine: {ceiling['sha256_mib_s']} MiB/s "
          f"(CPU SHA extensions: {'yes' if ceiling['sha_extensions'] else 'no'})", flush=True)
    have_node = "peer" in servers or "tusjs" in clients
    have_node = have_node and ensure_node()
    if not have_node:
        clients = [c for c in clients if c != "tusjs"]
        servers = [s for s in servers if s != "peer"]

    var = WORK / "run"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DATABASE_URL", "STORAGE_"))}
    ours_env = {
        **base_env,
        "DEBUG": "1",
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "JWT_ACCESS_MINUTES": "600",
        "DJANGO_SETTINGS_MODULE": "backend.config.settings",
        # One bench user stands for the fleet's officers: its per-user limit of unfinished uploads is not
        # what the fleet scenario measures.
        "EVIDENCE_MAX_CONCURRENT_UPLOADS": "1000",
    }
    setup = setup_ours(ours_env, cases=200 + args.repeat * sum(fleet_sizes))
    token, cases = setup["token"], setup["cases"]
    warm_file = WORK / "warm.mp4"
    warm_file.write_bytes(MP4_HEAD + os.urandom(64 * 1024))
    results: list[dict] = []

    def gunicorn(app: str, port: int, env: dict, workers: str, threads: str, cwd: Path = REPO) -> subprocess.Popen:
        config = ["-c", "python:backend.config.gunicorn"] if app.startswith("backend.") else []  # as make run
        return start([str(GUNICORN), *config, app, "--bind", f"127.0.0.1:{port}", "--workers", workers,
                      "--threads", threads, "--timeout", "3600", "--graceful-timeout", "30"],
                     env=env, port=port, cwd=cwd,
                     log=var / f"{app.split(':')[0]}.log")

    def one_run(server: str, proc: subprocess.Popen, endpoint: str, path: Path, digest: str, size: int,
                client: str, mode: str) -> dict:
        metadata = {"case": cases.pop(), "kind": "video", "filename": path.name,
                    "captured_at": datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "sha256": digest}
        sampler = RssSampler(proc.pid)
        sampler.start()
        try:
            elapsed = run_client(client, endpoint, path, token if server.startswith("ours") else "", metadata,
                                 CHUNK if mode == "chunked" else 0)
        finally:
            peak, peak_pss, growth = sampler.finish()
            clean_storage(var)
        return {"server": server, "client": client, "mode": mode, "size_mib": size // MIB,
                "seconds": round(elapsed, 2), "mib_s": round(size / MIB / elapsed, 1),
                "peak_rss_mib": round(peak, 1), "peak_pss_mib": round(peak_pss, 1),
                "rss_growth_mib": round(growth, 1)}

    # All servers run side by side and the runs are interleaved (ours, sink, peer, ours, ...) so that the
    # load of a shared machine hits them alike; each figure is the median of --repeat runs.
    running: dict[str, tuple[subprocess.Popen, str]] = {}
    moto = None
    try:
        for server in servers + (["ours-s3"] if args.s3 else []):
            port = free_port()
            if server in ("ours", "ours-pdb"):
                env = ours_env
                if server == "ours-pdb":  # the same with persistent SQLite connections (CONN_MAX_AGE)
                    env = {**ours_env, "DATABASE_URL": ours_env["DATABASE_URL"] + "?conn_max_age=600"}
                proc = gunicorn("backend.config.wsgi:application", port, env, "3", "4")
                endpoint = f"http://127.0.0.1:{port}/api/v1/uploads/"
                warm_up(endpoint, token, cases, warm_file)
            elif server == "ours-s3":
                import boto3

                moto_port = free_port()
                moto = start([str(PY.with_name("moto_server")), "-H", "127.0.0.1", "-p", str(moto_port)],
                             env=base_env, port=moto_port)
                s3_url = f"http://127.0.0.1:{moto_port}"
                boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", aws_access_key_id="bench",
                             aws_secret_access_key="bench").create_bucket(Bucket="bench")
                env = {**ours_env, "STORAGE_BACKEND": "s3", "S3_BUCKET": "bench", "S3_ENDPOINT_URL": s3_url,
                       "S3_ACCESS_KEY_ID": "bench", "S3_SECRET_ACCESS_KEY": "bench"}
                proc = gunicorn("backend.config.wsgi:application", port, env, "3", "4")
                endpoint = f"http://127.0.0.1:{port}/api/v1/uploads/"
                warm_up(endpoint, token, cases, warm_file)
            elif server == "sink":
                env = {**base_env, "SINK_DIR": str(var / "sink")}
                proc = gunicorn("upload_sink:app", port, env, "1", "4", cwd=BENCH)
                endpoint = f"http://127.0.0.1:{port}/files/"
            else:
                env = {**base_env, "BENCH_NODE_PREFIX": str(NODE_PREFIX / "node_modules")}
                (var / "peer").mkdir(parents=True, exist_ok=True)
                proc = start(["node", str(BENCH / "upload_peer_server.mjs"), str(port), str(var / "peer")],
                             env=env, port=port, log=var / "peer.log")
                endpoint = f"http://127.0.0.1:{port}/files"
            running[server] = (proc, endpoint)

        for size in sizes:
            path, digest = make_file(size)
            for client in clients:
                for mode in modes:
                    runs: dict[str, list[dict]] = {}
                    for _ in range(args.repeat):
                        for server, (proc, endpoint) in running.items():
                            if server == "ours-s3":
                                if size != sizes[0] or mode != "chunked":
                                    continue
                                s3_path, s3_digest = make_file(args.s3_size * MIB)
                                runs.setdefault(server, []).append(one_run(
                                    server, proc, endpoint, s3_path, s3_digest, args.s3_size * MIB, client, mode))
                                continue
                            runs.setdefault(server, []).append(
                                one_run(server, proc, endpoint, path, digest, size, client, mode))
                    for server, rows in runs.items():
                        rows.sort(key=lambda r: r["mib_s"])
                        row = dict(rows[len(rows) // 2])
                        row["all_mib_s"] = [r["mib_s"] for r in rows]
                        row["rss_growth_mib"] = max(r["rss_growth_mib"] for r in rows)
                        row["peak_rss_mib"] = max(r["peak_rss_mib"] for r in rows)
                        row["peak_pss_mib"] = max(r["peak_pss_mib"] for r in rows)
                        results.append(row)
                        print(f"{row['size_mib']:>5} MiB  {server:<8} {client:<6} {mode:<8} "
                              f"{row['mib_s']:>8.1f} MiB/s (runs {row['all_mib_s']})  peak RSS "
                              f"{row['peak_rss_mib']:>7.1f} MiB (PSS {row['peak_pss_mib']:>6.1f})  growth "
                              f"{row['rss_growth_mib']:>6.1f} MiB", flush=True)
        for devices in fleet_sizes:
            fleet_file, fleet_digest = make_file(args.device_mib * MIB)
            fleet_runs: dict[str, list[dict]] = {}
            for round_no in range(args.repeat):  # servers interleaved, order alternating
                order = [s for s in running if s in ("ours", "peer")]
                for server in order if round_no % 2 == 0 else order[::-1]:
                    proc, endpoint = running[server]
                    fleet_runs.setdefault(server, []).append(fleet_run(
                        server, proc, endpoint, fleet_file, fleet_digest, token, cases, devices, CHUNK))
                    clean_storage(var)
            sha_ms = 1000 / ceiling["sha256_mib_s"]
            for server, rows in fleet_runs.items():
                row = {"server": server, "devices": devices, "device_mib": args.device_mib,
                       "mib_s": statistics.median(r["mib_s"] for r in rows),
                       "cpu_ms_per_mib": statistics.median(r["cpu_ms_per_mib"] for r in rows), "runs": rows}
                # Only ours hashes every byte (running SHA-256); the same cost measured on this machine's core.
                row["cpu_ms_per_mib_without_sha256"] = round(
                    row["cpu_ms_per_mib"] - (sha_ms if server == "ours" else 0), 2)
                results.append({"fleet": row})
                print(f"fleet {devices} devices x {args.device_mib} MiB  {server:<6} {row['mib_s']:>7.1f} MiB/s "
                      f"aggregate  server CPU {row['cpu_ms_per_mib']:.2f} ms/MiB "
                      f"({row['cpu_ms_per_mib_without_sha256']:.2f} without SHA-256 at {sha_ms:.2f} ms/MiB)  "
                      f"runs {[r['mib_s'] for r in rows]}", flush=True)
    finally:
        for proc, _endpoint in running.values():
            stop(proc)
        if moto is not None:
            stop(moto)

    print("\nratios (ours ÷ peer, ours ÷ sink):")
    for row in results:
        if "fleet" in row or row["server"] not in ("ours", "ours-pdb"):
            continue
        peer = next((r for r in results if r.get("server") == "peer" and all(
            r[k] == row[k] for k in ("client", "mode", "size_mib"))), None)
        sink = next((r for r in results if r.get("server") == "sink" and all(
            r[k] == row[k] for k in ("client", "mode", "size_mib"))), None)
        ratio_peer = f"{row['mib_s'] / peer['mib_s']:.2f}×" if peer else "n/a"
        ratio_sink = f"{row['mib_s'] / sink['mib_s']:.2f}×" if sink else "n/a"
        # How close the peer runs to the speed of hashing alone: near 1.0, ≥ 1.0× the peer is out of reach.
        peer_hash = f"{peer['mib_s'] / ceiling['sha256_mib_s']:.2f}" if peer else "n/a"
        print(f"{row['size_mib']:>5} MiB  {row['server']:<8} {row['client']:<6} {row['mode']:<8} "
              f"vs peer {ratio_peer:>6}  vs sink {ratio_sink:>6}  (peer ÷ one-core SHA-256 {peer_hash})")
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"uploads-{'smoke-' if args.smoke else ''}{stamp}.json"
    (out_dir / name).write_text(json.dumps({"machine": ceiling, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
