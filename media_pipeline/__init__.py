"""Media pipeline for evidence files: identify, describe and derive. No Django here.

Typical use from a worker::

    from media_pipeline import Limits, MediaError, process

    limits = Limits(ffmpeg=settings.FFMPEG, memory_bytes=..., ...)   # read settings once
    try:
        result = process(original_path, "video", scratch_dir, limits)
    except MediaError as err:
        if err.transient:
            raise  # let the task retry with backoff
        mark_failed(code=err.code, reason=err.reason)
    else:
        store(result.info.to_dict(), [d.to_dict() for d in result.derivatives])

Building blocks, usable on their own:

- :func:`sniff` / :func:`kind_matches`: magic-number identification for intake checks.
- :func:`probe`: MediaInfo (codecs, size, duration, rotation, EXIF time/GPS/camera).
- :func:`sha256_file` / :func:`sha256_stream`: chunked hashing.
- :func:`make_photo_derivatives`, :func:`make_poster`, :func:`make_preview`,
  :func:`make_contact_sheet`, :func:`make_proxy`, :func:`make_waveform`.
- :func:`run_tool`: the single entry point for ffmpeg/ffprobe with limits and timeouts.
"""

from media_pipeline.audio import compute_peaks, make_proxy, make_waveform
from media_pipeline.errors import (
    DisguisedExecutable,
    KindMismatch,
    MediaBomb,
    MediaError,
    OutputWriteFailed,
    PermanentMediaError,
    ResourceLimitExceeded,
    ToolFailed,
    ToolTimeout,
    ToolUnavailable,
    TransientMediaError,
    TruncatedMedia,
    UnreadableMedia,
    UnsupportedMedia,
)
from media_pipeline.hashing import HashingReader, sha256_file, sha256_stream
from media_pipeline.photo import PhotoSpec, make_photo_derivatives
from media_pipeline.probe import probe
from media_pipeline.process import OUTPUT_NAMES, process
from media_pipeline.runner import ToolResult, run_tool
from media_pipeline.sniff import kind_matches, sniff
from media_pipeline.types import (
    DEFAULT_LIMITS,
    DEFAULT_OPTIONS,
    Derivative,
    GeoPoint,
    Limits,
    MediaInfo,
    ProcessResult,
    RenderOptions,
    Sniffed,
)
from media_pipeline.video import make_contact_sheet, make_poster, make_preview

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_OPTIONS",
    "OUTPUT_NAMES",
    "Derivative",
    "DisguisedExecutable",
    "GeoPoint",
    "HashingReader",
    "KindMismatch",
    "Limits",
    "MediaBomb",
    "MediaError",
    "MediaInfo",
    "OutputWriteFailed",
    "PermanentMediaError",
    "PhotoSpec",
    "ProcessResult",
    "RenderOptions",
    "ResourceLimitExceeded",
    "Sniffed",
    "ToolFailed",
    "ToolResult",
    "ToolTimeout",
    "ToolUnavailable",
    "TransientMediaError",
    "TruncatedMedia",
    "UnreadableMedia",
    "UnsupportedMedia",
    "compute_peaks",
    "kind_matches",
    "make_contact_sheet",
    "make_photo_derivatives",
    "make_poster",
    "make_preview",
    "make_proxy",
    "make_waveform",
    "probe",
    "process",
    "run_tool",
    "sha256_file",
    "sha256_stream",
    "sniff",
]
