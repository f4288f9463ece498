"""Audio derivatives: AAC proxy (m4a), waveform peaks (JSON) and a PNG rendering.

The waveform is computed from ffmpeg's decoded output streamed as raw mono PCM (s16le at
a low rate) through a pipe. Memory stays constant: samples are folded into small blocks
(min/max) as they arrive, and the blocks are folded into the final buckets at the end.

waveform.json format (values are signed 16-bit sample units, ``/ 32768`` gives -1..1)::

    {"version": 1, "channels": 1, "bits": 16, "sample_rate": 8000,
     "samples": 23999, "duration_s": 3.0, "length": 1000,
     "data": [min0, max0, min1, max1, ...]}

``length`` is always the requested number of buckets; bucket *i* covers samples
``[i * samples // length, (i + 1) * samples // length)``. The flat ``data`` layout follows
BBC audiowaveform, so peaks.js-style renderers read it directly.
"""

from __future__ import annotations

import json
import sys
from array import array
from pathlib import Path

from PIL import Image, ImageDraw

from media_pipeline._files import atomic_output
from media_pipeline.errors import KindMismatch
from media_pipeline.hashing import sha256_file
from media_pipeline.runner import ffmpeg_base, input_args, run_tool
from media_pipeline.types import DEFAULT_LIMITS, DEFAULT_OPTIONS, Derivative, Limits, MediaInfo, RenderOptions

_BLOCKS_PER_BUCKET = 8
_DEFAULT_BLOCK = 80  # 10 ms at 8 kHz when the duration is unknown


def _require_audio(info: MediaInfo) -> None:
    if not info.audio_codec:
        raise KindMismatch("file has no audio stream")


def _derivative(name: str, dest: Path, mime: str, **extra: object) -> Derivative:
    return Derivative(
        name=name,  # type: ignore[arg-type]
        path=dest,
        mime=mime,
        size_bytes=dest.stat().st_size,
        sha256=sha256_file(dest),
        **extra,  # type: ignore[arg-type]
    )


# --- proxy --------------------------------------------------------------------------------


def proxy_argv(path: Path, dest: Path, info: MediaInfo, *, limits: Limits, options: RenderOptions) -> list[str]:
    if info.audio_codec == "aac" and (info.audio_channels or 0) <= 2:
        codec = ["-c:a", "copy"]  # already browser-playable: remux, don't re-encode
    else:
        codec = ["-c:a", "aac", "-b:a", options.proxy_audio_bitrate, "-flags:a", "+bitexact"]
        if (info.audio_channels or 0) > 2:
            codec += ["-ac", "2"]
    return [
        *ffmpeg_base(limits),
        *input_args(path, limits),
        "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1",
        *codec,
        "-movflags", "+faststart", "-fflags", "+bitexact", "-f", "mp4", str(dest),
    ]  # fmt: skip


def make_proxy(
    path: str | Path,
    dest: str | Path,
    info: MediaInfo,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> Derivative:
    """AAC in an MP4 (``.m4a``) container with faststart; metadata stripped."""
    _require_audio(info)
    src, dest = Path(path), Path(dest)
    with atomic_output(dest) as tmp:
        run_tool(
            proxy_argv(src, tmp, info, limits=limits, options=options),
            limits=limits,
            timeout_s=limits.transcode_timeout(info.duration_s),
        )
    return _derivative("proxy", dest, "audio/mp4", duration_s=info.duration_s)


# --- waveform -----------------------------------------------------------------------------


class PeakAccumulator:
    """Fold a stream of s16le mono PCM into min/max peaks in bounded memory."""

    def __init__(self, *, expected_samples: int, buckets: int) -> None:
        if buckets < 1:
            raise ValueError("buckets must be >= 1")
        self.buckets = buckets
        self.block = (
            max(1, expected_samples // (buckets * _BLOCKS_PER_BUCKET)) if expected_samples > 0 else _DEFAULT_BLOCK
        )
        self.mins = array("h")
        self.maxs = array("h")
        self.samples = 0
        self._pending = bytearray()

    def feed(self, data: bytes) -> None:
        self._pending += data
        step = self.block * 2
        usable = len(self._pending) // step * step
        if usable:
            self._fold(bytes(self._pending[:usable]))
            del self._pending[:usable]

    def _fold(self, data: bytes) -> None:
        pcm = array("h")
        pcm.frombytes(data)
        if sys.byteorder == "big":
            pcm.byteswap()
        b = self.block
        mins, maxs = self.mins, self.maxs
        for i in range(0, len(pcm), b):
            chunk = pcm[i : i + b]
            mins.append(min(chunk))
            maxs.append(max(chunk))
        self.samples += len(pcm)

    def finish(self) -> list[tuple[int, int]]:
        """Exactly ``buckets`` (min, max) pairs; silence (0, 0) if there was no audio."""
        tail = len(self._pending) // 2 * 2
        if tail:
            self._fold(bytes(self._pending[:tail]))
        self._pending.clear()
        blocks = len(self.mins)
        if blocks == 0:
            return [(0, 0)] * self.buckets
        out = []
        n = self.buckets
        for i in range(n):
            lo = min(i * blocks // n, blocks - 1)
            hi = max(lo + 1, (i + 1) * blocks // n)
            out.append((min(self.mins[lo:hi]), max(self.maxs[lo:hi])))
        return out


def waveform_argv(path: Path, *, limits: Limits, options: RenderOptions) -> list[str]:
    return [
        *ffmpeg_base(limits),
        *input_args(path, limits),
        "-map", "0:a:0", "-vn", "-sn", "-dn",
        "-ac", "1", "-ar", str(options.waveform_sample_rate),
        "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1",
    ]  # fmt: skip


def compute_peaks(
    path: str | Path,
    info: MediaInfo,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> dict[str, object]:
    """Decode the first audio stream and return the waveform.json document (a dict)."""
    _require_audio(info)
    rate = options.waveform_sample_rate
    acc = PeakAccumulator(expected_samples=int((info.duration_s or 0) * rate), buckets=options.waveform_buckets)
    run_tool(
        waveform_argv(Path(path), limits=limits, options=options),
        limits=limits,
        timeout_s=limits.transcode_timeout(info.duration_s),
        stdout=acc.feed,
    )
    peaks = acc.finish()
    return {
        "version": 1,
        "channels": 1,
        "bits": 16,
        "sample_rate": rate,
        "samples": acc.samples,
        "duration_s": round(acc.samples / rate, 3),
        "length": len(peaks),
        "data": [v for pair in peaks for v in pair],
    }


def make_waveform(
    path: str | Path,
    json_dest: str | Path,
    png_dest: str | Path | None,
    info: MediaInfo,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> list[Derivative]:
    """Write waveform.json (and waveform.png unless ``png_dest`` is None)."""
    doc = compute_peaks(path, info, limits=limits, options=options)
    json_dest = Path(json_dest)
    with atomic_output(json_dest) as tmp:
        tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    made = [_derivative("waveform", json_dest, "application/json", duration_s=doc["duration_s"])]
    if png_dest is not None:
        png_dest = Path(png_dest)
        image = render_waveform_png(doc["data"], options.waveform_png_size)  # type: ignore[arg-type]
        with atomic_output(png_dest) as tmp:
            image.save(tmp, "PNG")
        made.append(_derivative("waveform_png", png_dest, "image/png", width=image.width, height=image.height))
    return made


def render_waveform_png(data: list[int], size: tuple[int, int]) -> Image.Image:
    """Symmetric bar rendering of interleaved [min, max, ...] peaks."""
    width, height = size
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    mid = (height - 1) / 2
    draw.line([(0, round(mid)), (width - 1, round(mid))], fill=(210, 214, 220))
    n = len(data) // 2
    if n == 0:
        return image
    for x in range(width):
        i = x * n // width
        lo, hi = data[2 * i], data[2 * i + 1]
        y_top = round(mid - hi / 32768 * mid)
        y_bottom = round(mid - lo / 32768 * mid)
        draw.line([(x, y_top), (x, max(y_top, y_bottom))], fill=(37, 99, 235))
    return image
