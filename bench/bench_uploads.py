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
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
WORK = REPO / "var" / "bench"
NODE_PREFIX = REPO / "var" / "bench-node"
PY = REPO / ".venv" / "bin" / "python"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
MIB = 1024 * 1024
CHUNK = 8 * MIB
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
from backend.cases.models import Case
agency, _ = Agency.objects.get_or_create(uscc="BENCH0000000000001", defaults={"name": "基准测试局"})
user = User.objects.filter(username="bench").first() or User.objects.create_user(
    username="bench", password="bench-password-2026", agency=agency)
UserRole.objects.get_or_create(user=user, role=Role.FIELD_OFFICER)
today = timezone.localdate()
OfficerCredential.objects.get_or_create(number="BENCH-1", defaults=dict(
    user=user, category="bench", issued_on=today - datetime.timedelta(days=1),
    valid_until=today + datetime.timedelta(days=30)))
cases = [str(Case.objects.create(agency=agency, title=f"bench {i}", party_type="person", party_name="x").pk)
         for i in range(N)]
print("BENCH" + json.dumps({"token": str(RefreshToken.for_user(user).access_token), "cases": cases}))
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
    args = parser.parse_args()
    sizes = [int(s) * MIB for s in args.sizes.split(",")]
    clients = args.clients.split(",")
    servers = args.servers.split(",")
    modes = args.modes.split(",")
    ceiling = hash_ceiling()
    print(f"SHA-256 on one core of this machine: {ceiling['sha256_mib_s']} MiB/s "
          f"(CPU SHA extensions: {'yes' if ceiling['sha_extensions'] else 'no'})", flush=True)
    have_node = ensure_node()
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
    }
    setup = setup_ours(ours_env, cases=200)
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
    finally:
        for proc, _endpoint in running.values():
            stop(proc)
        if moto is not None:
            stop(moto)

    print("\nratios (ours ÷ peer, ours ÷ sink):")
    for row in results:
        if row["server"] not in ("ours", "ours-pdb"):
            continue
        peer = next((r for r in results if r["server"] == "peer" and all(
            r[k] == row[k] for k in ("client", "mode", "size_mib"))), None)
        sink = next((r for r in results if r["server"] == "sink" and all(
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
    (out_dir / f"uploads-{stamp}.json").write_text(json.dumps({"machine": ceiling, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
