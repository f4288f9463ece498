"""Media pipeline benchmark: each step of ours beside the bare tool doing the same job.

Run:  .venv/bin/python bench/bench_media.py            (about 2 minutes on 2 idle cores)
      .venv/bin/python bench/bench_media.py --quick    (10 s video, fewer repeats; a smoke run)

Sample media are generated at the start of the run (a 12 MP JPEG with EXIF orientation 6,
a 1080p30 H.264/AAC clip with light noise so the encoder has real work and a 2 s GOP like
body cameras), so nothing has to be downloaded. Ours and bare runs are interleaved and
alternate in order, and medians are reported, so drift in machine load affects both sides
alike. Wall time and CPU time (process + children) are both shown: on a shared machine the
wall figures wander, CPU time does not. The preview is also run once with ours and bare
started together, so both see exactly the same load.

Targets (issue 5):
  12 MP JPEG -> 320 px thumbnail   ours <= 1.1 x bare Pillow (draft + exif_transpose + thumbnail)
  ffprobe metadata                 ours <= 1.2 x bare ffprobe subprocess
  poster frame                     ours <= 1.2 x bare ffmpeg subprocess
  1080p30 H.264 -> 720p preview    ours >= 0.9 x bare ffmpeg speed, same preset and CRF

"Ours" includes everything the pipeline adds: magic-number sniffing, the container
completeness check, resource limits and process-group handling in the runner, metadata
stripping, atomic writes and SHA-256 of every output.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

try:
    import media_pipeline as mp
except ImportError:  # not installed in editable mode: run from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import media_pipeline as mp

from media_pipeline.photo import PhotoSpec
from media_pipeline.video import fit_within, poster_time, preview_size


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float  # our process + its children (ffmpeg), user + system


@dataclass
class Row:
    step: str
    ours: Sample
    bare: Sample | None
    target: str = ""
    limit: float | None = None  # max allowed ours/bare wall ratio
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.limit is None or self.bare is None:
            return None
        return self.ours.wall <= self.limit * self.bare.wall

    @property
    def met_cpu(self) -> bool | None:
        """Same target judged on CPU time, which other load on the machine hardly moves."""
        if self.limit is None or self.bare is None or math.isnan(self.ours.cpu):
            return None
        return self.ours.cpu <= self.limit * self.bare.cpu


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def make_jpeg(path: Path) -> None:
    """4000x3000 with photo-like entropy (gradient + noise) and EXIF orientation 6."""
    w, h = 4000, 3000
    noise = Image.effect_noise((w, h), 40)
    grad = Image.linear_gradient("L").resize((w, h))
    rgb = Image.merge("RGB", (Image.blend(noise, grad, 0.6), grad.rotate(90).resize((w, h)), noise))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "BenchCam"
    rgb.save(path, "JPEG", quality=92, exif=exif)


def make_video(path: Path, seconds: int) -> None:
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", str(seconds), "-vf", "noise=alls=6:allf=t",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-g", "60", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ac", "2", str(path),
    )  # fmt: skip


def _cpu_now() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], object]) -> Sample:
    cpu0, wall0 = _cpu_now(), time.perf_counter()
    fn()
    return Sample(time.perf_counter() - wall0, _cpu_now() - cpu0)


def _median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples))


def paired(
    ours: Callable[[], object], bare: Callable[[], object], repeats: int, *, warmup: bool = True
) -> tuple[Sample, Sample]:
    """Medians of each, interleaved, alternating which goes first (one warm-up each)."""
    if warmup:
        ours()
        bare()
    ours_t: list[Sample] = []
    bare_t: list[Sample] = []
    for i in range(repeats):
        if i % 2:
            ours_t.append(timed(ours))
            bare_t.append(timed(bare))
        else:
            bare_t.append(timed(bare))
            ours_t.append(timed(ours))
    return _median(ours_t), _median(bare_t)


def concurrently(ours: Callable[[], object], bare: Callable[[], object]) -> tuple[Sample, Sample]:
    """Start both at once in threads; each one's wall time (CPU is not separable here)."""
    walls: dict[str, float] = {}

    def run(name: str, fn: Callable[[], object]) -> None:
        started = time.perf_counter()
        fn()
        walls[name] = time.perf_counter() - started

    threads = [threading.Thread(target=run, args=("ours", ours)), threading.Thread(target=run, args=("bare", bare))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Sample(walls["ours"], float("nan")), Sample(walls["bare"], float("nan"))


# --- bare equivalents ------------------------------------------------------------------------


def bare_thumbnail(src: Path, dest: Path) -> None:
    with Image.open(src) as im:
        im.draft("RGB", (320, 320))
        upright = ImageOps.exif_transpose(im)
        upright.thumbnail((320, 320))
        upright.save(dest, "JPEG", quality=85)


def bare_ffprobe(src: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(src)],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    ).stdout
    return json.loads(out)


def bare_poster(src: Path, dest: Path, seek: float, size: tuple[int, int]) -> None:
    ffmpeg(
        "-ss", f"{seek:.3f}", "-i", str(src), "-frames:v", "1", "-vf", f"scale={size[0]}:{size[1]}",
        "-q:v", "3", "-update", "1", str(dest),
    )  # fmt: skip


def bare_preview(src: Path, dest: Path, size: tuple[int, int], options: mp.RenderOptions) -> None:
    ffmpeg(
        "-i", str(src), "-map", "0:v:0", "-map", "0:a:0?",
        "-vf", f"scale={size[0]}:{size[1]},format=yuv420p",
        "-c:v", "libx264", "-preset", options.preview_preset, "-crf", str(options.preview_crf),
        "-profile:v", "high", "-c:a", "aac", "-b:a", options.preview_audio_bitrate,
        "-movflags", "+faststart", str(dest),
    )  # fmt: skip


# --- report ----------------------------------------------------------------------------------


def fmt_s(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return "-"
    return f"{seconds * 1000:7.1f} ms" if seconds < 1 else f"{seconds:7.2f} s "


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'step':<42} {'ours':>10} {'bare':>10} {'ratio':>6}  {'cpu ours':>10} {'cpu bare':>10} {'ratio':>6}"
        f"  {'target':<16} {'met':<4} {'on cpu':<6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        b = r.bare
        wall_ratio = f"{r.ours.wall / b.wall:5.2f}x" if b else "     -"
        cpu_ratio = f"{r.ours.cpu / b.cpu:5.2f}x" if b and b.cpu > 0 else "     -"
        met = "-" if r.met is None else ("yes" if r.met else "NO")
        met_cpu = "-" if r.met_cpu is None else ("yes" if r.met_cpu else "NO")
        print(
            f"{r.step:<42} {fmt_s(r.ours.wall):>10} {fmt_s(b.wall if b else None):>10} {wall_ratio:>6}"
            f"  {fmt_s(r.ours.cpu):>10} {fmt_s(b.cpu if b else None):>10} {cpu_ratio:>6}"
            f"  {r.target:<16} {met:<4} {met_cpu:<6}"
        )
        if r.note:
            print(f"{'':<44}{r.note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10 s video and fewer repeats")
    parser.add_argument("--video-seconds", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--no-side-by-side", action="store_true", help="skip the concurrent preview comparison")
    parser.add_argument("--smoke", action="store_true", help="2 s video, one repeat each: checks it runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.quick, args.no_side_by_side, args.video_seconds = True, True, 2
    if not shutil.which("ffmpeg") or not shutil.which("ffprobe"):
        print("ffmpeg/ffprobe not found on PATH", file=sys.stderr)
        return 2

    seconds = args.video_seconds or (10 if args.quick else 60)
    photo_repeats = 1 if args.smoke else 7 if args.quick else 21
    probe_repeats = 1 if args.smoke else 7 if args.quick else 21
    poster_repeats = 1 if args.smoke else 5 if args.quick else 11
    preview_rounds = 1
    side_by_side = not args.no_side_by_side
    limits = mp.DEFAULT_LIMITS
    options = mp.DEFAULT_OPTIONS

    work = Path(tempfile.mkdtemp(prefix="bench_media_"))
    try:
        print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
        print(subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0])
        print(f"Pillow {Image.__version__}; work dir {work}")
        load_start = os.getloadavg()[0]
        t0 = time.perf_counter()
        jpeg, video = work / "photo_12mp.jpg", work / f"video_{seconds}s_1080p30.mp4"
        make_jpeg(jpeg)
        make_video(video, seconds)
        print(f"generated samples in {time.perf_counter() - t0:.1f} s "
              f"(JPEG {jpeg.stat().st_size / 1e6:.1f} MB, video {video.stat().st_size / 1e6:.1f} MB)\n")  # fmt: skip
        rows: list[Row] = []

        # 1. 12 MP JPEG -> 320 px thumbnail
        spec = [PhotoSpec("thumbnail", options.thumbnail_px)]
        ours, bare = paired(
            lambda: mp.make_photo_derivatives(jpeg, work / "ours", specs=spec, limits=limits, options=options),
            lambda: bare_thumbnail(jpeg, work / "bare_thumb.jpg"),
            photo_repeats,
        )
        rows.append(Row("12 MP JPEG -> 320 px thumbnail", ours, bare, "ours <= 1.10x", 1.10))
        full = _median([timed(lambda: mp.process(jpeg, "photo", work / "ours_photo", limits, options=options))])
        rows.append(Row("  process(photo): display + thumbnail", full, None, "(info)"))

        # 2. ffprobe metadata
        ours, bare = paired(lambda: mp.probe(video, limits=limits), lambda: bare_ffprobe(video), probe_repeats)
        rows.append(Row("ffprobe metadata (probe -> MediaInfo)", ours, bare, "ours <= 1.20x", 1.20))

        # 3. poster frame
        info = mp.probe(video, limits=limits)
        seek = poster_time(info)
        size = fit_within((info.display_width or 0, info.display_height or 0), options.poster_px)
        ours, bare = paired(
            lambda: mp.make_poster(video, work / "ours" / "poster.jpg", info, limits=limits, options=options),
            lambda: bare_poster(video, work / "bare_poster.jpg", seek, size),
            poster_repeats,
        )
        rows.append(Row("poster frame (JPEG, 1280 px)", ours, bare, "ours <= 1.20x", 1.20))

        cs = timed(
            lambda: mp.make_contact_sheet(
                video, work / "ours" / "contact_sheet.jpg", info, limits=limits, options=options
            )
        )
        rows.append(Row("  contact sheet (4x3 frames)", cs, None, "(info)"))

        # 4. preview transcode: speed = media seconds per wall second.
        # Sequential runs give absolute speeds; a side-by-side run (both started together,
        # sharing the machine) compares them under identical load, which other work on a
        # shared machine cannot skew.
        psize = preview_size(info, options)

        def ours_preview() -> object:
            return mp.make_preview(video, work / "ours" / "preview.mp4", info, limits=limits, options=options)

        def bare_preview_run() -> object:
            bare_preview(video, work / "bare_preview.mp4", psize, options)
            return None

        ours, bare = paired(ours_preview, bare_preview_run, preview_rounds, warmup=False)
        duration = info.duration_s or float(seconds)
        title = f"{seconds} s 1080p30 H.264 -> {psize[1]}p preview"
        rows.append(
            Row(
                title,
                ours,
                bare,
                "speed >= 0.90x",
                1 / 0.90,  # speed ratio >= 0.9  <=>  time ratio <= 1/0.9
                f"speed: ours {duration / ours.wall:.2f}x realtime, bare {duration / bare.wall:.2f}x, "
                f"ours/bare {bare.wall / ours.wall:.2f} (on cpu time {bare.cpu / ours.cpu:.2f})",
            )
        )
        if side_by_side:
            ours_sbs, bare_sbs = concurrently(ours_preview, bare_preview_run)
            rows.append(
                Row(
                    "  same, ours and bare side by side",
                    ours_sbs,
                    bare_sbs,
                    "speed >= 0.90x",
                    1 / 0.90,
                    f"ours/bare speed {bare_sbs.wall / ours_sbs.wall:.2f} under identical load",
                )
            )
        load_end = os.getloadavg()[0]
        print_table(rows)
        print(
            f"\ntotal {time.perf_counter() - t0:.0f} s; ratio = ours/bare time (lower is better), interleaved medians"
        )
        print("'met' judges wall time (the target); 'on cpu' judges the same target on CPU time (process + children)")
        cores = os.cpu_count() or 1
        print(f"load average at start {load_start:.1f}, at end {load_end:.1f} on {cores} cores", end="")
        if max(load_start, load_end) > cores:
            print(" -- machine was busy: wall times are noisy, CPU times are the steadier comparison")
        else:
            print()
        if args.smoke:
            return 0  # a smoke run checks that it runs; no figure is judged (bench/smoke.sh)
        return 0 if all(r.met is not False for r in rows) else 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
