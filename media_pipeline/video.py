"""Video derivatives: poster frame, browser-playable preview, contact sheet.

All three rely on ffmpeg's default ``autorotate``: frames are turned upright (per the
container's display matrix) before our filters run, so sizes are computed from
``MediaInfo.display_width/height`` and outputs carry no rotation flag.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from media_pipeline._files import atomic_output
from media_pipeline.errors import KindMismatch, UnreadableMedia
from media_pipeline.hashing import sha256_file
from media_pipeline.runner import ffmpeg_base, input_args, run_tool
from media_pipeline.types import DEFAULT_LIMITS, DEFAULT_OPTIONS, Derivative, Limits, MediaInfo, RenderOptions


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


def _display_size(info: MediaInfo) -> tuple[int, int]:
    if info.kind != "video" or not info.display_width or not info.display_height:
        raise KindMismatch("file has no video stream")
    return info.display_width, info.display_height


def fit_within(size: tuple[int, int], max_edge: int) -> tuple[int, int]:
    """Even-sided size fitting a ``max_edge`` square; never enlarges."""
    w, h = size
    scale = min(1.0, max_edge / max(w, h))
    return _even(w * scale), _even(h * scale)


def preview_size(info: MediaInfo, options: RenderOptions = DEFAULT_OPTIONS) -> tuple[int, int]:
    """Display size with the short edge capped at ``preview_short_edge`` (720p), both even."""
    w, h = _display_size(info)
    scale = min(1.0, options.preview_short_edge / min(w, h))
    return _even(w * scale), _even(h * scale)


def poster_time(info: MediaInfo) -> float:
    """A frame 10 % in (max 3 s): skips the black first frame many devices record."""
    return round(min((info.duration_s or 0.0) * 0.1, 3.0), 3)


def _derivative(name: str, dest: Path, mime: str, **extra: object) -> Derivative:
    return Derivative(
        name=name,  # type: ignore[arg-type]
        path=dest,
        mime=mime,
        size_bytes=dest.stat().st_size,
        sha256=sha256_file(dest),
        **extra,  # type: ignore[arg-type]
    )


# --- poster -------------------------------------------------------------------------------


def poster_argv(
    path: Path, dest: Path, info: MediaInfo, seek_s: float, *, limits: Limits, options: RenderOptions
) -> list[str]:
    w, h = _display_size(info)
    pw, ph = fit_within((w, h), options.poster_px)
    vf = ["-vf", f"scale={pw}:{ph}"] if (pw, ph) != (w, h) else []
    return [
        *ffmpeg_base(limits),
        *input_args(path, limits, seek_s=seek_s),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1", *vf,
        "-map_metadata", "-1", "-q:v", "3", "-f", "image2", "-update", "1", "-c:v", "mjpeg",
        str(dest),
    ]  # fmt: skip


def make_poster(
    path: str | Path,
    dest: str | Path,
    info: MediaInfo,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> Derivative:
    """One upright JPEG frame at :func:`poster_time`, longest edge <= ``poster_px``."""
    src, dest = Path(path), Path(dest)
    w, h = fit_within(_display_size(info), options.poster_px)
    with atomic_output(dest) as tmp:
        for seek in dict.fromkeys((poster_time(info), 0.0)):  # retry at 0 if the seek overshot
            run_tool(
                poster_argv(src, tmp, info, seek, limits=limits, options=options),
                limits=limits,
                timeout_s=limits.probe_timeout_s,
            )
            if tmp.stat().st_size > 0:
                break
        else:
            raise UnreadableMedia("no decodable video frame")
    return _derivative("poster", dest, "image/jpeg", width=w, height=h)


# --- preview ------------------------------------------------------------------------------


def preview_argv(path: Path, dest: Path, info: MediaInfo, *, limits: Limits, options: RenderOptions) -> list[str]:
    w, h = _display_size(info)
    pw, ph = preview_size(info, options)
    filters = []
    if (pw, ph) != (w, h) or w % 2 or h % 2:
        filters.append(f"scale={pw}:{ph}")
    if info.fps and info.fps > options.preview_max_fps + 0.5:
        filters.append(f"fps={options.preview_max_fps:g}")
    filters.append("format=yuv420p")  # the only chroma layout every browser decodes
    audio = ["-c:a", "aac", "-b:a", options.preview_audio_bitrate]
    if (info.audio_channels or 0) > 2:
        audio += ["-ac", "2"]
    return [
        *ffmpeg_base(limits),
        *input_args(path, limits),
        "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-vf", ",".join(filters),
        "-c:v", "libx264", "-preset", options.preview_preset, "-crf", str(options.preview_crf),
        "-profile:v", "high",
        *audio,
        # faststart: index at the front so browsers start playing before the download ends.
        # bitexact: no encoder version strings or timestamps, so re-runs give the same bytes.
        "-movflags", "+faststart", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-f", "mp4", str(dest),
    ]  # fmt: skip


def make_preview(
    path: str | Path,
    dest: str | Path,
    info: MediaInfo,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> Derivative:
    """H.264 (High, yuv420p) + AAC MP4, short edge <= 720, upright, metadata stripped."""
    src, dest = Path(path), Path(dest)
    w, h = preview_size(info, options)
    with atomic_output(dest) as tmp:
        run_tool(
            preview_argv(src, tmp, info, limits=limits, options=options),
            limits=limits,
            timeout_s=limits.transcode_timeout(info.duration_s),
        )
    return _derivative("preview", dest, "video/mp4", width=w, height=h, duration_s=info.duration_s)


# --- contact sheet ------------------------------------------------------------------------

_SHEET_BG = (20, 20, 20)
_GAP = 4


def contact_sheet_times(info: MediaInfo, count: int) -> list[float]:
    """Centres of ``count`` equal slices of the video."""
    duration = info.duration_s or 0.0
    if duration <= 0:
        return [0.0]
    return [round(duration * (i + 0.5) / count, 3) for i in range(count)]


# Clips with at most this many frames per cell are decoded in one pass instead of seeking:
# each seek decodes from the previous keyframe anyway, so for short clips (or long GOPs)
# one multi-threaded pass over the whole clip is cheaper than n single-threaded seeks.
_SINGLE_PASS_FRAMES_PER_CELL = 30


def _cell_filter(cw: int, ch: int) -> str:
    return (
        f"scale={cw}:{ch}:force_original_aspect_ratio=decrease,pad={cw}:{ch}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=rgb24"
    )


def _raw_output(n: int) -> list[str]:
    return ["-fps_mode", "passthrough", "-frames:v", str(n), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]


def contact_sheet_argv(
    path: Path, info: MediaInfo, cell: tuple[int, int], *, limits: Limits, options: RenderOptions
) -> tuple[list[str], list[float]]:
    """The ffmpeg command streaming the sheet's frames as raw RGB, and each frame's time."""
    n = options.contact_sheet_cols * options.contact_sheet_rows
    times = contact_sheet_times(info, n)
    cw, ch = cell
    fps, duration = info.fps or 0.0, info.duration_s or 0.0
    if fps > 0 and 0 < duration * fps <= _SINGLE_PASS_FRAMES_PER_CELL * n:
        last = max(0, int(duration * fps) - 1)
        numbers = sorted({min(last, int(t * fps)) for t in times})
        pick = "+".join(f"eq(n,{k})" for k in numbers)
        argv = [
            *ffmpeg_base(limits), *input_args(path, limits), "-map", "0:v:0",
            "-vf", f"select='{pick}',{_cell_filter(cw, ch)}", "-threads", "1", *_raw_output(len(numbers)),
        ]  # fmt: skip
        return argv, [round(k / fps, 3) for k in numbers]
    # Long clip: one fast input seek per frame, all in one process. Read only a few frames
    # past each seek point: ffmpeg decodes all inputs at once and the concat filter queues
    # the later inputs' frames until their turn, so a long read window costs
    # inputs x frames x frame size of memory. One decoder thread per input for the same reason.
    read_s = max(0.1, 3 / (fps or 10.0))
    argv = [*ffmpeg_base(limits)]
    for t in times:
        argv += ["-threads", "1", *input_args(path, limits, seek_s=t, read_s=read_s)]
    chains = [f"[{i}:v:0]trim=end_frame=1,{_cell_filter(cw, ch)}[f{i}]" for i in range(len(times))]
    inputs = "".join(f"[f{i}]" for i in range(len(times)))
    graph = ";".join(chains) + f";{inputs}concat=n={len(times)}:v=1:a=0[out]"
    argv += ["-filter_complex", graph, "-map", "[out]", "-threads", "1", *_raw_output(len(times))]
    return argv, times


def make_contact_sheet(
    path: str | Path,
    dest: str | Path,
    info: MediaInfo,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> Derivative:
    """A grid of frames (cols x rows) from evenly spaced times, each labelled with its time.

    One ffmpeg process streams the scaled, upright frames as raw RGB to us (short clips in
    a single decoding pass, long ones with one fast seek per frame); Pillow lays out the
    grid and draws the time labels.
    """
    src, dest = Path(path), Path(dest)
    cw, ch = fit_within(_display_size(info), options.contact_sheet_cell_px)
    argv, times = contact_sheet_argv(src, info, (cw, ch), limits=limits, options=options)
    frame_bytes = cw * ch * 3
    wanted = frame_bytes * len(times)
    raw = bytearray()

    def collect(chunk: bytes) -> None:
        raw.extend(chunk[: max(0, wanted - len(raw))])

    run_tool(argv, limits=limits, timeout_s=limits.transcode_timeout(info.duration_s), stdout=collect)
    frames = [
        Image.frombuffer("RGB", (cw, ch), bytes(raw[i : i + frame_bytes]), "raw", "RGB", 0, 1)
        for i in range(0, len(raw) - frame_bytes + 1, frame_bytes)
    ]
    if not frames:
        raise UnreadableMedia("no decodable video frame for the contact sheet")
    sheet = _layout(frames, times, cw, ch, options.contact_sheet_cols)
    with atomic_output(dest) as tmp:
        sheet.save(tmp, "JPEG", quality=options.jpeg_quality)
    return _derivative("contact_sheet", dest, "image/jpeg", width=sheet.width, height=sheet.height)


def _timestamp(seconds: float, *, fine: bool) -> str:
    """``HH:MM:SS`` (``HH:MM:SS.ss`` when frames are less than a second apart)."""
    s = int(seconds)
    text = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{text}.{int((seconds - s) * 100):02d}" if fine else text


def _layout(frames: list[Image.Image], times: list[float], cw: int, ch: int, cols: int) -> Image.Image:
    cols = min(cols, len(frames))
    rows = math.ceil(len(frames) / cols)
    sheet = Image.new("RGB", (cols * cw + (cols + 1) * _GAP, rows * ch + (rows + 1) * _GAP), _SHEET_BG)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=max(10, ch // 12))
    fine = len(times) > 1 and times[1] - times[0] < 1.0
    for i, (frame, t) in enumerate(zip(frames, times, strict=False)):
        x = _GAP + (i % cols) * (cw + _GAP)
        y = _GAP + (i // cols) * (ch + _GAP)
        sheet.paste(frame, (x, y))
        label = _timestamp(t, fine=fine)
        left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
        pad = 3
        box = (x, y + ch - (bottom - top) - 2 * pad, x + (right - left) + 2 * pad, y + ch)
        draw.rectangle(box, fill=(0, 0, 0))
        draw.text((box[0] + pad - left, box[1] + pad - top), label, fill=(255, 255, 255), font=font)
    return sheet
