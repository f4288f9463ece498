"""Pillow access with decompression-bomb limits, HEIF support and typed errors."""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from media_pipeline.errors import MediaBomb, TruncatedMedia, UnreadableMedia
from media_pipeline.types import GeoPoint, Limits

# Image.MAX_IMAGE_PIXELS is a module global in Pillow. We set it from Limits only around
# Image.open (where Pillow checks it; decoding happens later, outside the lock), so
# concurrent threads with different limits do not see each other's value.
_OPEN_LOCK = threading.Lock()
_heif_ready = False

_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, ZeroDivisionError)


def _ensure_heif() -> None:
    global _heif_ready
    if not _heif_ready:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_ready = True


def _bomb(size: tuple[int, int], limits: Limits) -> MediaBomb:
    w, h = size
    return MediaBomb(f"image is {w}x{h} = {w * h} pixels, limit is {limits.max_image_pixels}")


@contextlib.contextmanager
def open_image(path: Path, limits: Limits) -> Iterator[ImageFile.ImageFile]:
    """Open an image lazily (header only) with the pixel limit enforced.

    Pillow's DecompressionBombWarning (over the limit) is turned into an error just like
    DecompressionBombError (over twice the limit): both raise :class:`MediaBomb`.
    """
    _ensure_heif()
    fh = path.open("rb")
    try:
        try:
            with _OPEN_LOCK, warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                saved = Image.MAX_IMAGE_PIXELS
                Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
                try:
                    im = Image.open(fh)
                finally:
                    Image.MAX_IMAGE_PIXELS = saved
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaBomb(str(exc)) from exc
        except UnidentifiedImageError as exc:
            raise UnreadableMedia("not a decodable image") from exc
        except _DECODE_ERRORS as exc:
            raise decode_error(exc) from exc
        # Backstop for formats that learn their size late, and the exact limit rather than
        # Pillow's warn-at-1x / fail-at-2x pair.
        if im.size[0] * im.size[1] > limits.max_image_pixels:
            raise _bomb(im.size, limits)
        try:
            yield im
        finally:
            im.close()
    finally:
        fh.close()


def decode_error(exc: BaseException) -> UnreadableMedia:
    text = str(exc)
    if "truncated" in text.lower():
        return TruncatedMedia(f"image data ends early ({text})")
    return UnreadableMedia(f"image data is corrupt ({type(exc).__name__}: {text})")


@contextlib.contextmanager
def decoding() -> Iterator[None]:
    """Map Pillow's assorted decode exceptions to typed errors."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaBomb(str(exc)) from exc
    except _DECODE_ERRORS as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a real I/O error (disk), not bad image data
        raise decode_error(exc) from exc


def orientation_of(im: Image.Image) -> int:
    """EXIF orientation still to be applied to the decoded pixels (1 = none).

    pillow-heif already applies HEIF transforms while decoding and resets the tag to 1.
    """
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


# --- EXIF -> plain values ------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return f if math.isfinite(f) else None


def _degrees(value: Any) -> float | None:
    """EXIF GPS coordinate: three rationals (deg, min, sec), or a single one."""
    if isinstance(value, tuple | list):
        parts = [_number(v) for v in value[:3]]
        if not parts or any(p is None for p in parts):
            return None
        deg, minutes, seconds = ([*parts, 0.0, 0.0])[:3]
        return deg + minutes / 60 + seconds / 3600  # type: ignore[operator]
    return _number(value)


def _ref(value: Any) -> str:
    return (_text(value) or "").upper()[:1]


def gps_from_exif(exif: Image.Exif) -> GeoPoint | None:
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except _DECODE_ERRORS:
        return None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude))
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude))
    if lat is None or lon is None:
        return None
    if _ref(gps.get(ExifTags.GPS.GPSLatitudeRef)) == "S":
        lat = -lat
    if _ref(gps.get(ExifTags.GPS.GPSLongitudeRef)) == "W":
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None  # out of range, or the 0/0 that some phones write without a fix
    alt = _number(gps.get(ExifTags.GPS.GPSAltitude))
    alt_ref = gps.get(ExifTags.GPS.GPSAltitudeRef)
    if alt is not None and alt_ref in (1, b"\x01"):
        alt = -alt
    return GeoPoint(lat=round(lat, 7), lon=round(lon, 7), alt_m=None if alt is None else round(alt, 2))


def _offset(value: Any) -> timezone | None:
    text = _text(value)
    if not text or len(text) < 6 or text[0] not in "+-":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def exif_fields(im: Image.Image) -> dict[str, Any]:
    """EXIF facts used by MediaInfo: camera, orientation, DateTimeOriginal, GPS."""
    try:
        exif = im.getexif()
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except _DECODE_ERRORS:
        return {}
    out: dict[str, Any] = {
        "camera_make": _text(exif.get(ExifTags.Base.Make)),
        "camera_model": _text(exif.get(ExifTags.Base.Model)),
        "gps": gps_from_exif(exif),
    }
    original_orientation = im.info.get("original_orientation")  # set by pillow-heif
    orientation = original_orientation or exif.get(ExifTags.Base.Orientation)
    out["orientation"] = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else None
    raw = _text(sub.get(ExifTags.Base.DateTimeOriginal) or sub.get(ExifTags.Base.DateTimeDigitized))
    taken: datetime | None = None
    if raw:
        try:
            # EXIF wall-clock time: deliberately naive unless an offset tag says otherwise.
            taken = datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
        except ValueError:
            taken = None  # "0000:00:00 00:00:00" and other placeholders
    out["datetime_original"] = taken
    tz = _offset(sub.get(ExifTags.Base.OffsetTimeOriginal) or sub.get(ExifTags.Base.OffsetTime))
    out["creation_time"] = taken.replace(tzinfo=tz) if taken is not None and tz is not None else None
    return out
