"""End-to-end media worker throughput: items/minute through real Celery workers on a mixed batch.

Run:  .venv/bin/python bench/bench_media_worker.py             (about 3 minutes on 2 idle cores)
      .venv/bin/python bench/bench_media_worker.py --quick     (a smaller batch; a smoke run)
      .venv/bin/python bench/bench_media_worker.py --concurrency 2 --photos 20 --audio 6 --videos 6

What runs: a throwaway embedded deployment under a temporary ``VAR_DIR`` (SQLite file, local storage,
filesystem broker), exactly as ``make run`` has it. The batch's originals are put in storage and their
evidence rows created ``pending``; then every item is enqueued (``evidence_process``) and the clock runs
until the last one is ``ready``. Each item goes the whole way: claim, copy of the original to scratch,
SHA-256 re-verification, ``media_pipeline.process``, derivatives written through the storage interface,
metadata + flags + audit event in one transaction.

Batch (generated at the start, nothing downloaded): 12 MP JPEGs with EXIF (orientation, GPS, time), 60 s
AAC recordings, 10 s 1080p30 H.264/AAC phone clips with light noise. Reported for each worker concurrency
(default: 1 and 2 pool processes): items/minute, MB of originals per second, worker CPU seconds per item
(worker + ffmpeg, from the reaped processes' rusage), and per kind the median in-worker time. Beside it, the
same batch through ``media_pipeline.process`` alone, sequentially in this process, shows what the worker glue
(storage copy, hashing, uploads, database, Celery) costs.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable


# --------------------------------------------------------------------------- sample media


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def make_samples(folder: Path, *, video_s: int, audio_s: int) -> dict[str, Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    photo = folder / "photo.jpg"
    noise = Image.effect_noise((4000, 3000), 40).convert("L")
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Huawei", "P60", 6
    exif.get_ifd(0x8769)[0x9003] = datetime.datetime.now().strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (42.0, 53.0, 15.36), "E", (125.0, 8.0, 37.32)
    image.save(photo, "JPEG", quality=90, exif=exif)
    audio = folder / "audio.m4a"
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=300:sample_rate=44100:duration={audio_s}",
            "-c:a", "aac", "-b:a", "96k", str(audio))  # fmt: skip
    video = folder / "video.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
        "-t", str(video_s), "-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "veryfast",
        "-b:v", "16M", "-maxrate", "16M", "-bufsize", "32M",  # a phone's 1080p30 bit rate
        "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(video),
    )  # fmt: skip
    return {"photo": photo, "audio": audio, "video": video}


# --------------------------------------------------------------------------- a throwaway deployment


def deployment_env(var: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DATABASE_URL", "CELERY_"))},
        "DEBUG": "1",
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "STORAGE_BACKEND": "local",
        "STORAGE_LOCAL_ROOT": str(var / "storage"),
        "UPLOAD_SCRATCH_DIR": str(var / "scratch"),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "INFO",
        "DJANGO_SETTINGS_MODULE": "backend.config.settings",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_people():  # type: ignore[no-untyped-def]
    from backend.accounts.models import Agency, User

    agency = Agency.objects.create(
        name="辽源市市场监督管理局", uscc="11220400MB1234567X", region_code="220400", region_name="吉林省辽源市",
        region_bbox=[124.6, 42.5, 126.0, 43.3], enforcement_categories=["市场监管"], legal_basis="《行政处罚法》",
    )  # fmt: skip
    officer = User.objects.create_user(username="bench", password="bench-password-2026", agency=agency)
    return agency, officer


def make_batch(agency, officer, samples: dict[str, Path], counts: dict[str, int], label: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Store the originals and create ``pending`` evidence rows (what a completed upload leaves); id → kind.

    The same bytes cannot be received twice in one case (duplicates are linked), so each item gets its own case.
    """
    from django.utils import timezone

    from backend.cases.models import Case
    from backend.common.storage import get_storage
    from backend.evidence.models import EvidenceItem

    storage = get_storage()
    mimes = {"photo": "image/jpeg", "audio": "audio/mp4", "video": "video/mp4"}
    digests = {kind: hashlib.sha256(path.read_bytes()).hexdigest() for kind, path in samples.items()}
    ids: dict[str, str] = {}
    now = timezone.now()
    order = [k for k in ("video", "audio", "photo") for _ in range(counts[k])]
    for n, kind in enumerate(order):
        case = Case.objects.create(agency=agency, title=f"基准测试 {label} {n}", party_type="organisation",
                                   party_name="某公司")  # fmt: skip
        item_id = uuid.uuid4()
        key = f"originals/{case.pk}/{item_id}"
        storage.put_file(key, samples[kind], content_type=mimes[kind])
        EvidenceItem.objects.create(
            id=item_id, case=case, kind=kind, sha256=digests[kind], size=samples[kind].stat().st_size,
            status="received", captured_at=now, captured_at_raw=now.isoformat(), received_at=now,
            uploaded_by=officer, latitude="42.8876", longitude="125.1437", activity="现场检查",
            original_filename=samples[kind].name, content_type=mimes[kind], signature_status="absent",
            storage_key=key,
        )  # fmt: skip
        ids[str(item_id)] = kind
    return ids


def start_worker(
    env: dict[str, str], var: Path, concurrency: int, name: str, polling: float | None
) -> tuple[subprocess.Popen, Path]:
    log = var / f"{name}.log"
    argv = ["worker", "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO",
            "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    if polling is None:  # exactly as `make run` starts it
        command = [str(Path(PY).with_name("celery")), "-A", "backend.config.celery", *argv]
    else:  # the same worker with another filesystem-broker polling interval (kombu's default is 1 s)
        command = [PY, "-c", (
            "import sys; from backend.config.celery import app; options = app.conf.broker_transport_options; "
            f"app.conf.broker_transport_options = {{**options, 'polling_interval': {polling}}}; "
            "app.worker_main(sys.argv[1:])"
        ), *argv]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "evidence_processing_recover" in text and "succeeded" in text.split("evidence_processing_recover")[-1]:
            return proc, log
        if proc.poll() is not None:
            raise SystemExit(f"worker exited:\n{text[-3000:]}")
        time.sleep(0.2)
    raise SystemExit(f"worker did not become ready:\n{log.read_text(errors='replace')[-3000:]}")


def stop_worker(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)  # warm shutdown: children are reaped, so their rusage is counted
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_workers(agency, officer, samples, counts, concurrency: int, env, var: Path, polling: float | None) -> dict:  # type: ignore[no-untyped-def]
    from backend.evidence.models import EvidenceItem
    from backend.evidence.tasks import evidence_process

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Started first: its start-up recovery sweep must not see (and enqueue a second time) the batch.
    worker, log = start_worker(env, var, concurrency, f"bench-c{concurrency}-p{polling}", polling)
    try:
        kinds = make_batch(agency, officer, samples, counts, f"c{concurrency}-p{polling}")
        ids = list(kinds)
        total_bytes = sum(EvidenceItem.objects.filter(pk__in=ids).values_list("size", flat=True))
        started = time.monotonic()
        for item_id in ids:
            evidence_process.delay(item_id)
        while True:
            done = EvidenceItem.objects.filter(pk__in=ids, processing_status__in=("ready", "failed")).count()
            if done == len(ids):
                break
            if worker.poll() is not None:
                raise SystemExit(f"worker died:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        stop_worker(worker)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows = list(EvidenceItem.objects.filter(pk__in=ids).values("kind", "processing_status", "processing_error"))
    failed = [r for r in rows if r["processing_status"] != "ready"]
    per_kind: dict[str, list[float]] = {}
    for line in log.read_text(errors="replace").splitlines():
        if " processed in " in line:
            item_id = line.split("evidence ", 1)[1].split(" ", 1)[0]
            seconds = float(line.split(" processed in ", 1)[1].split(" s", 1)[0])
            per_kind.setdefault(kinds.get(item_id, "?"), []).append(seconds)
    return {
        "concurrency": concurrency,
        "broker_polling_s": polling,
        "items": len(ids),
        "failed": len(failed),
        "failures": failed[:3],
        "elapsed_s": elapsed,
        "items_per_minute": len(ids) / elapsed * 60,
        "mb_per_s": total_bytes / elapsed / 1e6,
        "worker_cpu_s": cpu,
        "cpu_s_per_item": cpu / len(ids),
        "median_in_worker_s": {k: statistics.median(v) for k, v in sorted(per_kind.items())},
    }


def run_inline(samples: dict[str, Path], counts: dict[str, int], scratch: Path) -> dict:
    """The same batch through media_pipeline.process alone, one after another (no storage, DB or Celery)."""
    from backend.evidence.processing import media_limits, render_options
    from media_pipeline import process

    limits, options = media_limits(), render_options()
    per_kind: dict[str, list[float]] = {}
    started = time.monotonic()
    for kind in ("video", "audio", "photo"):
        for n in range(counts[kind]):
            t0 = time.monotonic()
            out = scratch / f"inline-{kind}-{n}"
            process(samples[kind], kind, out, limits, options=options)
            per_kind.setdefault(kind, []).append(time.monotonic() - t0)
            shutil.rmtree(out, ignore_errors=True)
    elapsed = time.monotonic() - started
    items = sum(counts.values())
    return {
        "items": items,
        "elapsed_s": elapsed,
        "items_per_minute": items / elapsed * 60,
        "median_s": {k: statistics.median(v) for k, v in sorted(per_kind.items())},
    }


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--audio", type=int, default=4)
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--video-seconds", type=int, default=10)
    parser.add_argument("--audio-seconds", type=int, default=60)
    parser.add_argument("--concurrency", type=int, action="append", help="pool processes (repeatable; default 1 and 2)")
    parser.add_argument("--no-inline", action="store_true", help="skip the pipeline-only baseline")
    parser.add_argument(
        "--broker-polling", type=float, action="append",
        help="also run with this filesystem-broker polling interval in seconds (repeatable; default: as deployed)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="4 photos, 2 audio, 2 videos of 4 s; concurrency 2")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--smoke", action="store_true", help="one small item of each kind: checks it runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.photos, args.audio, args.videos, args.video_seconds, args.audio_seconds = 1, 1, 1, 1, 2
        args.concurrency = args.concurrency or [1]
    elif args.quick:
        args.photos, args.audio, args.videos, args.video_seconds, args.audio_seconds = 4, 2, 2, 4, 20
        args.concurrency = args.concurrency or [2]
    concurrencies = args.concurrency or [1, 2]
    counts = {"photo": args.photos, "audio": args.audio, "video": args.videos}

    root = Path(tempfile.mkdtemp(prefix="bench-media-worker-"))
    try:
        var = root / "var"
        var.mkdir()
        env = deployment_env(var)
        setup_django(env)
        load0 = os.getloadavg()
        print(f"generating samples (12 MP JPEG, {args.audio_seconds} s AAC, {args.video_seconds} s 1080p30 H.264)…")
        samples = make_samples(root / "samples", video_s=args.video_seconds, audio_s=args.audio_seconds)
        sizes = {k: p.stat().st_size / 1e6 for k, p in samples.items()}
        print("  " + ", ".join(f"{k} {v:.1f} MB" for k, v in sizes.items()))
        agency, officer = make_people()
        results = []
        for polling in [None, *(args.broker_polling or [])]:
            for concurrency in concurrencies:
                label = "as deployed" if polling is None else f"broker polling {polling} s"
                print(f"worker, concurrency {concurrency}, {label}: {sum(counts.values())} items "
                      f"({counts['photo']} photos, {counts['audio']} audio, {counts['video']} videos)…")  # fmt: skip
                result = run_workers(agency, officer, samples, counts, concurrency, env, var, polling)
                results.append(result)
                print(f"  {result['items_per_minute']:.1f} items/min, {result['elapsed_s']:.1f} s, "
                      f"{result['mb_per_s']:.1f} MB/s of originals, {result['cpu_s_per_item']:.2f} CPU s/item, "
                      f"failed {result['failed']}")  # fmt: skip
        inline = None
        if not args.no_inline:
            print("pipeline only (media_pipeline.process, sequential, this process)…")
            inline = run_inline(samples, counts, root)
            print(f"  {inline['items_per_minute']:.1f} items/min, {inline['elapsed_s']:.1f} s")
        load1 = os.getloadavg()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print()
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {load0[0]:.1f} → {load1[0]:.1f}")  # fmt: skip
    print()
    print("| run | items | wall | items/min | MB/s originals | CPU s/item | median photo | median audio "
          "| median video |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        med = r["median_in_worker_s"]
        polled = "" if r["broker_polling_s"] is None else f", polling {r['broker_polling_s']} s"
        print(f"| worker ×{r['concurrency']}{polled} | {r['items']} | {r['elapsed_s']:.1f} s | "
              f"**{r['items_per_minute']:.1f}** | {r['mb_per_s']:.1f} | {r['cpu_s_per_item']:.2f} | "
              f"{med.get('photo', 0):.2f} s | "
              f"{med.get('audio', 0):.2f} s | {med.get('video', 0):.2f} s |")  # fmt: skip
    if inline:
        med = inline["median_s"]
        print(f"| pipeline only, sequential | {inline['items']} | {inline['elapsed_s']:.1f} s | "
              f"{inline['items_per_minute']:.1f} | – | – | {med.get('photo', 0):.2f} s | {med.get('audio', 0):.2f} s | "
              f"{med.get('video', 0):.2f} s |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"results": results, "inline": inline, "load": [load0, load1]}, indent=2))


if __name__ == "__main__":
    main()
