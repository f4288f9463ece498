"""probe(path) -> MediaInfo: what a file is and what the device recorded about it.

Images are read with Pillow (header and EXIF only, no pixel decoding); audio and video with
ffprobe through :func:`media_pipeline.runner.run_tool`. Before ffprobe runs, MP4/MOV and
Matroska files get a cheap structural check so that a cut-off upload is reported as
:class:`TruncatedMedia` rather than half-processed.
"""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from media_pipeline import _pillow
from media_pipeline._files import ensure_regular_file
from media_pipeline.errors import (
    DisguisedExecutable,
    MediaBomb,
    TruncatedMedia,
    UnreadableMedia,
    UnsupportedMedia,
)
from media_pipeline.runner import ffprobe_base, input_args, run_tool
from media_pipeline.sniff import sniff
from media_pipeline.types import DEFAULT_LIMITS, GeoPoint, Limits, MediaInfo, Sniffed


def probe(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, sniffed: Sniffed | None = None) -> MediaInfo:
    """Describe an image, audio or video file.

    Args:
        path: the file; opened read-only, never modified.
        limits: tool locations and resource limits.
        sniffed: result of :func:`media_pipeline.sniff.sniff` if the caller already has it.

    Raises:
        UnreadableMedia, TruncatedMedia: corrupt, cut-off or unrecognisable content.
        DisguisedExecutable: the content is a program or script.
        UnsupportedMedia: a document, archive, or a container with no audio/video stream.
        MediaBomb: more pixels, frame size or duration than ``limits`` allow.
        ToolTimeout, ToolFailed, ToolUnavailable: see :func:`media_pipeline.runner.run_tool`.
    """
    p = ensure_regular_file(Path(path))
    sniffed = sniffed or sniff(p)
    if sniffed.kind == "executable":
        raise DisguisedExecutable(f"content is {sniffed.format} ({sniffed.mime})")
    if sniffed.kind == "unknown":
        raise UnreadableMedia("content is not a recognised image, audio or video format")
    if sniffed.kind in ("document", "archive"):
        raise UnsupportedMedia(f"content is {sniffed.format} ({sniffed.mime}), not media")
    if sniffed.kind == "image":
        return probe_image(p, limits=limits, sniffed=sniffed)
    return probe_av(p, limits=limits, sniffed=sniffed)


# --- images ------------------------------------------------------------------------------


def probe_image(path: Path, *, limits: Limits = DEFAULT_LIMITS, sniffed: Sniffed | None = None) -> MediaInfo:
    """Pillow header + EXIF read. Pixels are not decoded."""
    size_bytes = path.stat().st_size
    with _pillow.open_image(path, limits) as im:
        exif = _pillow.exif_fields(im)
        width, height = im.size
        # pillow-heif hands out pixels already turned upright; report the stored size.
        if im.info.get("original_orientation", 1) in (5, 6, 7, 8):
            width, height = height, width
        return MediaInfo(
            kind="image",
            mime=sniffed.mime if sniffed else (im.get_format_mimetype() or "application/octet-stream"),
            container=im.format or "unknown",
            size_bytes=size_bytes,
            width=width,
            height=height,
            pixel_format=im.mode,
            **exif,
        )


# --- audio / video ------------------------------------------------------------------------


def probe_av(path: Path, *, limits: Limits = DEFAULT_LIMITS, sniffed: Sniffed | None = None) -> MediaInfo:
    """ffprobe-based description of an audio or video file."""
    sniffed = sniffed or sniff(path)
    size_bytes = path.stat().st_size
    check_container_complete(path, sniffed, size_bytes)
    argv = [
        *ffprobe_base(limits),
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        *input_args(path, limits),
    ]
    result = run_tool(argv, limits=limits, timeout_s=limits.probe_timeout_s, stdout="capture")
    try:
        data = json.loads(result.stdout or b"{}")
    except ValueError as exc:
        raise UnreadableMedia("ffprobe returned unparsable output") from exc
    return media_info_from_ffprobe(data, sniffed=sniffed, size_bytes=size_bytes, limits=limits)


def media_info_from_ffprobe(
    data: dict[str, Any], *, sniffed: Sniffed, size_bytes: int, limits: Limits = DEFAULT_LIMITS
) -> MediaInfo:
    """Build MediaInfo from ``ffprobe -show_format -show_streams -print_format json`` output."""
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise UnsupportedMedia("no audio or video stream found")
    kind: Literal["video", "audio"] = "video" if video is not None else "audio"
    tags = _lower_keys(fmt.get("tags"))
    duration = _float(fmt.get("duration")) or _float((video or audio or {}).get("duration"))
    width = _int(video.get("width")) if video else None
    height = _int(video.get("height")) if video else None
    if width and height and width * height > limits.max_video_pixels:
        raise MediaBomb(f"video frame is {width}x{height}, limit is {limits.max_video_pixels} pixels")
    if duration and duration > limits.max_duration_s:
        raise MediaBomb(f"duration {duration:.0f} s exceeds limit of {limits.max_duration_s:.0f} s")
    mime = sniffed.mime
    if kind == "audio" and mime.startswith("video/"):
        mime = "audio/" + mime.split("/", 1)[1]  # audio-only mp4/3gp/webm
    video_tags = _lower_keys((video or {}).get("tags"))
    return MediaInfo(
        kind=kind,
        mime=mime,
        container=str(fmt.get("format_name") or sniffed.format),
        size_bytes=size_bytes,
        duration_s=round(duration, 3) if duration else None,
        bit_rate=_int(fmt.get("bit_rate")),
        width=width,
        height=height,
        rotation=_rotation(video) if video else 0,
        fps=_fps(video) if video else None,
        video_codec=video.get("codec_name") if video else None,
        pixel_format=video.get("pix_fmt") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        audio_channels=_int(audio.get("channels")) if audio else None,
        audio_sample_rate=_int(audio.get("sample_rate")) if audio else None,
        creation_time=_creation_time(tags) or _creation_time(video_tags),
        camera_make=tags.get("com.apple.quicktime.make") or tags.get("make"),
        camera_model=tags.get("com.apple.quicktime.model") or tags.get("model"),
        gps=_iso6709(
            tags.get("com.apple.quicktime.location.iso6709") or tags.get("location") or tags.get("location-eng")
        ),
    )


def _lower_keys(tags: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def _float(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and f >= 0 else None  # drops NaN and negatives


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fps(stream: dict[str, Any]) -> float | None:
    for key in ("avg_frame_rate", "r_frame_rate"):
        num, _, den = str(stream.get(key) or "").partition("/")
        try:
            value = int(num) / int(den or 1)
        except (ValueError, ZeroDivisionError):
            continue
        if value > 0:
            return round(value, 3)
    return None


def _rotation(stream: dict[str, Any]) -> int:
    """Clockwise degrees a player turns the frame to show it upright (0/90/180/270)."""
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            try:
                # ffprobe reports the display matrix angle counter-clockwise: -90 = turn right.
                return round(-float(side["rotation"]) / 90) * 90 % 360
            except (TypeError, ValueError):
                break
    try:
        return round(float(_lower_keys(stream.get("tags")).get("rotate", 0)) / 90) * 90 % 360
    except ValueError:
        return 0


def _creation_time(tags: dict[str, str]) -> datetime | None:
    # Apple's creationdate carries the local offset; creation_time is (nominally) UTC.
    for key in ("com.apple.quicktime.creationdate", "creation_time", "date"):
        value = tags.get(key)
        if not value:
            continue
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            continue
        if parsed.tzinfo is not None and parsed.year > 1970:
            return parsed
    return None


_ISO6709 = re.compile(r"^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?$")


def _iso6709(value: str | None) -> GeoPoint | None:
    """Decimal-degree ISO 6709 as written by phones: ``+31.2304+121.4737+004.000/``."""
    if not value:
        return None
    match = _ISO6709.match(value.strip())
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    alt = float(match.group(3)) if match.group(3) else None
    return GeoPoint(lat=lat, lon=lon, alt_m=alt)


# --- structural completeness checks ---------------------------------------------------------

_MAX_BOXES = 100_000


def check_container_complete(path: Path, sniffed: Sniffed, size_bytes: int) -> None:
    """Raise TruncatedMedia when the container's own size fields overrun the file.

    An MP4/MOV whose upload or recording was cut off either has no ``moov`` index at all
    or an ``mdat`` box that claims more bytes than exist; a cut Matroska file has a
    Segment longer than the file. ffprobe alone often reports such files as fine.
    """
    with path.open("rb") as fh:
        if sniffed.format in ("mp4", "quicktime", "m4a", "3gp", "3g2"):
            _check_isobmff(fh, size_bytes)
        elif sniffed.format in ("matroska", "webm"):
            _check_matroska(fh, size_bytes)


def _check_isobmff(fh: Any, size: int) -> None:
    offset = 0
    seen_moov = False
    for _ in range(_MAX_BOXES):
        if size - offset < 8:
            break
        fh.seek(offset)
        header = fh.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if not all(32 <= b < 127 for b in box_type):
            return  # trailing vendor data or garbage: leave judgement to ffprobe
        if box_size == 1:
            if len(header) < 16:
                raise TruncatedMedia(f"'{box_type.decode()}' box header is cut off")
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            box_size = size - offset  # box runs to end of file
        if box_size < 8:
            raise UnreadableMedia(f"corrupt '{box_type.decode()}' box at offset {offset}")
        if offset + box_size > size:
            raise TruncatedMedia(
                f"'{box_type.decode()}' box at offset {offset} needs {box_size} bytes, file has only {size - offset}"
            )
        seen_moov = seen_moov or box_type == b"moov"
        offset += box_size
    if not seen_moov:
        raise TruncatedMedia("no 'moov' index box: the recording was not finalised")


def _read_vint(fh: Any, *, keep_marker: bool) -> tuple[int, int, bool]:
    """EBML variable-size integer -> (value, length, all_ones)."""
    first = fh.read(1)
    if not first:
        raise TruncatedMedia("Matroska header is cut off")
    b0 = first[0]
    length = 1
    while length <= 8 and not (b0 & (0x80 >> (length - 1))):
        length += 1
    if length > 8:
        raise UnreadableMedia("corrupt Matroska element size")
    rest = fh.read(length - 1)
    if len(rest) != length - 1:
        raise TruncatedMedia("Matroska header is cut off")
    value = b0 if keep_marker else b0 & (0xFF >> length)
    for b in rest:
        value = (value << 8) | b
    all_ones = not keep_marker and value == (1 << (7 * length)) - 1
    return value, length, all_ones


def _check_matroska(fh: Any, size: int) -> None:
    fh.seek(0)
    ebml_id, _, _ = _read_vint(fh, keep_marker=True)
    ebml_size, _, _ = _read_vint(fh, keep_marker=False)
    if ebml_id != 0x1A45DFA3:
        return
    fh.seek(fh.tell() + ebml_size)
    seg_id, _, _ = _read_vint(fh, keep_marker=True)
    if seg_id != 0x18538067:
        return
    seg_size, _, unknown = _read_vint(fh, keep_marker=False)
    if not unknown and fh.tell() + seg_size > size:
        raise TruncatedMedia(f"Matroska segment needs {seg_size} bytes, file has {size - fh.tell()}")
