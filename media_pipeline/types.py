"""Frozen value types passed into and out of the media pipeline.

Nothing here reads settings or touches the disk: callers (the Django side) build a
:class:`Limits` and a :class:`RenderOptions` once from their own settings and pass them in.
All dataclasses are frozen and slotted so results can be cached, compared and shared
between threads without defensive copies.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

MediaKind = Literal["image", "video", "audio"]
"""What a file *is*, as found by probing."""

DeclaredKind = Literal["photo", "video", "audio", "document"]
"""What the uploader *says* it is (the evidence item's kind)."""

SniffKind = Literal["image", "video", "audio", "document", "executable", "archive", "unknown"]
"""What the first bytes of a file look like."""

# Demuxers ffmpeg/ffprobe may use. Anything else (hls, concat, image2 sequences, tty, dash,
# sdp, ...) is refused: several of those follow references to *other* files or URLs, which
# is how crafted "videos" have been used to read server files into a rendered preview.
# ffmpeg matches any one of a demuxer's comma-separated names, so "mov" covers
# "mov,mp4,m4a,3gp,3g2,mj2" and "matroska" covers "matroska,webm".
DEFAULT_DEMUXERS: tuple[str, ...] = (
    "mov", "matroska", "avi", "mp3", "aac", "wav", "w64", "aiff", "caf", "ogg", "flac",
    "amr", "amrnb", "amrwb", "mpegts", "mpeg", "flv", "asf", "h264", "hevc", "m4v", "dv",
    "ac3", "eac3",
)  # fmt: skip

# Pillow's own default (about 89.5 MP; a 12 MP phone photo is far below, a 108 MP one above).
PILLOW_DEFAULT_MAX_PIXELS = 1024 * 1024 * 1024 // 4 // 3


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits and tool locations for one pipeline run.

    Every external tool invocation goes through :func:`media_pipeline.runner.run_tool`, which
    applies these limits to the child process (wall clock, address space, CPU time, size
    of any file it writes). Pillow work happens in-process and is bounded by
    ``max_image_pixels`` instead.
    """

    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    # Wall clock for ffprobe and for one-frame jobs (poster, contact sheet).
    probe_timeout_s: float = 30.0
    # Wall clock for a whole transcode = base + per_media_second x media duration.
    # 2 s per media second leaves room for 4K HEVC sources on a 2-core worker.
    transcode_timeout_base_s: float = 60.0
    transcode_timeout_per_media_s: float = 2.0
    # RLIMIT_AS for each child. ffmpeg maps ~200 MB of shared libraries before it reads
    # a byte; x264 at 720p with frame threads stays well under 1.5 GB.
    memory_bytes: int = 3 * 1024**3
    # RLIMIT_CPU (seconds). None derives it from the wall-clock timeout and the number of
    # cores, so it only fires if the watchdog itself failed (e.g. the worker was killed).
    cpu_seconds: int | None = None
    # RLIMIT_FSIZE: no single file a tool writes may grow beyond this.
    max_output_bytes: int = 4 * 1024**3
    # Cap on what we read back from a tool's stdout into memory (ffprobe JSON).
    max_capture_bytes: int = 16 * 1024**2
    # How much of stderr is kept for error reports.
    stderr_tail_chars: int = 4000
    # Images: Pillow refuses anything larger (decompression bombs).
    max_image_pixels: int = PILLOW_DEFAULT_MAX_PIXELS
    # ... and anything whose decoded pixels (at the scale actually decoded: JPEGs reduce on load) need
    # more memory than this. Pillow keeps 4 bytes per pixel for RGB/RGBA/CMYK/I/F, 2 for I;16, 1 for L/P/1:
    # a 490 KB PNG of 100 MP RGBA decodes to 400 MB, then is copied while flattened.
    max_image_decoded_bytes: int = 480 * 1024**2
    # Still images are decoded in a child Python under RLIMIT_AS = image_memory_bytes (run_tool), so the
    # worker's own memory never grows with an image, whatever slips past the checks above.
    image_memory_bytes: int = 2 * 1024**3
    image_timeout_s: float = 120.0
    image_sandbox: bool = True
    python: str = sys.executable
    # Video: refuse frames larger than 8K x 8K and absurd durations before decoding.
    max_video_pixels: int = 8192 * 8192
    max_duration_s: float = 24 * 3600.0
    allowed_demuxers: tuple[str, ...] = DEFAULT_DEMUXERS

    def transcode_timeout(self, duration_s: float | None) -> float:
        """Wall-clock budget for a job that decodes the whole file."""
        return self.transcode_timeout_base_s + self.transcode_timeout_per_media_s * (duration_s or 0.0)

    def cpu_limit(self, timeout_s: float) -> int:
        """RLIMIT_CPU for a child given its wall-clock budget."""
        if self.cpu_seconds is not None:
            return self.cpu_seconds
        return int(timeout_s * max(1, os.cpu_count() or 1) * 1.5) + 10


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Sizes and quality of the derivatives. Defaults suit a browser review UI."""

    thumbnail_px: int = 320  # longest edge
    display_px: int = 1600  # longest edge
    jpeg_quality: int = 85
    poster_px: int = 1280  # longest edge of the video poster frame
    preview_short_edge: int = 720  # "720p" for landscape and portrait alike
    preview_max_fps: float = 30.0
    preview_preset: str = "veryfast"
    preview_crf: int = 23
    preview_audio_bitrate: str = "128k"
    contact_sheet_cols: int = 4
    contact_sheet_rows: int = 3
    contact_sheet_cell_px: int = 320  # longest edge of one cell
    proxy_audio_bitrate: str = "128k"
    waveform_buckets: int = 1000
    waveform_sample_rate: int = 8000
    waveform_png_size: tuple[int, int] = (1000, 160)


DEFAULT_LIMITS = Limits()
DEFAULT_OPTIONS = RenderOptions()


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """WGS-84 position as recorded by the device (EXIF GPS or ISO 6709 in a video)."""

    lat: float
    lon: float
    alt_m: float | None = None


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What a file's leading bytes say it is (see :func:`media_pipeline.sniff.sniff`)."""

    kind: SniffKind
    mime: str
    format: str  # short label: "jpeg", "heic", "mp4", "quicktime", "elf", ...


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """Facts about one media file.

    ``width``/``height`` are the pixel dimensions *as stored*; a phone held upright stores a
    landscape frame plus ``rotation`` (video, degrees clockwise) or EXIF ``orientation``
    (images). Use :attr:`display_width`/:attr:`display_height` for what a viewer sees.
    """

    kind: MediaKind
    mime: str
    container: str  # ffprobe format_name ("mov,mp4,m4a,3gp,3g2,mj2") or Pillow format ("JPEG")
    size_bytes: int
    duration_s: float | None = None
    bit_rate: int | None = None
    width: int | None = None
    height: int | None = None
    rotation: int = 0  # 0/90/180/270, clockwise, needed to display upright
    fps: float | None = None
    video_codec: str | None = None
    pixel_format: str | None = None
    audio_codec: str | None = None
    audio_channels: int | None = None
    audio_sample_rate: int | None = None
    # Time the device says it recorded, timezone-aware. None when unknown or when the
    # device wrote a wall-clock time without an offset (see datetime_original).
    creation_time: datetime | None = None
    # Image EXIF. datetime_original is the camera's wall clock (naive: EXIF has no zone
    # unless OffsetTimeOriginal is set, in which case creation_time is filled too).
    datetime_original: datetime | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    orientation: int | None = None  # EXIF 1..8
    gps: GeoPoint | None = None

    @property
    def display_width(self) -> int | None:
        return self.height if self._quarter_turn else self.width

    @property
    def display_height(self) -> int | None:
        return self.width if self._quarter_turn else self.height

    @property
    def _quarter_turn(self) -> bool:
        return self.rotation in (90, 270) or (self.orientation or 1) in (5, 6, 7, 8)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO 8601 strings), e.g. for a JSONField."""
        out: dict[str, Any] = {}
        for f in fields(self):
            name, value = f.name, getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, GeoPoint):
                value = {"lat": value.lat, "lon": value.lon, "alt_m": value.alt_m}
            out[name] = value
        out["display_width"] = self.display_width
        out["display_height"] = self.display_height
        return out


DerivativeName = Literal[
    "thumbnail", "display", "poster", "preview", "contact_sheet", "proxy", "waveform", "waveform_png"
]


@dataclass(frozen=True, slots=True)
class Derivative:
    """One file the pipeline wrote. ``name`` is stable and doubles as the storage role."""

    name: DerivativeName
    path: Path
    mime: str
    size_bytes: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "filename": self.path.name,
            "mime": self.mime,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "duration_s": self.duration_s,
        }


@dataclass(frozen=True, slots=True)
class ProcessResult:
    """What :func:`media_pipeline.process` found and made."""

    declared_kind: str
    sniffed: Sniffed
    info: MediaInfo
    derivatives: tuple[Derivative, ...]
    # (step, seconds) in the order they ran, for logs and benchmarks.
    timings: tuple[tuple[str, float], ...] = field(default=())

    def derivative(self, name: str) -> Derivative | None:
        return next((d for d in self.derivatives if d.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "declared_kind": self.declared_kind,
            "sniffed": {"kind": self.sniffed.kind, "mime": self.sniffed.mime, "format": self.sniffed.format},
            "info": self.info.to_dict(),
            "derivatives": [d.to_dict() for d in self.derivatives],
            "timings": {step: round(seconds, 4) for step, seconds in self.timings},
        }
