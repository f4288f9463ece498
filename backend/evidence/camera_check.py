"""What the file itself says against what the device declared: the camera's recording time and GPS compared with
the upload's ``captured_at`` and coordinates, as flags for people to look at (never a refusal)."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from media_pipeline import MediaInfo

# Flags this module owns on ``EvidenceItem.flags`` (recomputed on every run, never duplicated).
MEDIA_FLAG_CODES = frozenset({"exif_time_mismatch", "exif_gps_mismatch"})


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius = 6_371_008.8  # mean Earth radius, metres
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(a)))


def camera_time(info: MediaInfo) -> tuple[datetime.datetime | None, str]:
    """The file's own recording time as an aware datetime, and where it came from.

    EXIF ``DateTimeOriginal`` is the camera's wall clock without a zone: with ``OffsetTimeOriginal`` the
    pipeline already made it aware (``creation_time``); without it we read it in ``MEDIA_CAMERA_TIMEZONE``
    (Asia/Shanghai: devices here are set to Beijing time). Container times (MP4 ``creation_time``, Apple's
    ``creationdate``) carry their own zone.
    """
    if info.creation_time is not None:
        return info.creation_time, ("exif_offset" if info.kind == "image" else "container")
    if info.datetime_original is not None:
        zone = ZoneInfo(settings.MEDIA_CAMERA_TIMEZONE)
        return info.datetime_original.replace(tzinfo=zone), "exif_local"
    return None, ""


def camera_discrepancies(
    *,
    info: MediaInfo,
    captured_at: datetime.datetime,
    latitude: Decimal | float | None,
    longitude: Decimal | float | None,
    accuracy_m: float | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Compare the camera's own time/GPS with what the device declared at upload.

    Returns ``(check, flags)``: ``check`` goes into ``media_metadata["camera_check"]`` (always, so a
    reviewer sees both values); ``flags`` are ``exif_time_mismatch`` / ``exif_gps_mismatch`` entries for
    ``EvidenceItem.flags`` — marks for a person to look at, never a refusal.
    """
    check: dict[str, Any] = {}
    flags: list[dict[str, Any]] = []
    when, source = camera_time(info)
    if when is not None:
        delta = (when - captured_at).total_seconds()
        tolerance = float(settings.MEDIA_EXIF_TIME_TOLERANCE_S)
        if info.kind != "image" and info.duration_s:
            # A recording's container time may be its start or its end: allow the duration too.
            tolerance += float(info.duration_s)
        check.update(
            camera_time=when.isoformat(),
            camera_time_source=source,
            declared_captured_at=captured_at.isoformat(),
            time_difference_s=round(delta, 3),
            time_tolerance_s=tolerance,
        )
        if source == "exif_local":
            check["camera_time_assumed_zone"] = settings.MEDIA_CAMERA_TIMEZONE
        if abs(delta) > tolerance:
            flag: dict[str, Any] = {
                "code": "exif_time_mismatch",
                "message": f"文件内记录的拍摄时间与终端申报时间相差 {_human_duration(abs(delta))}",
                "camera_time": when.isoformat(),
                "declared": captured_at.isoformat(),
                "difference_s": round(delta, 3),
                "source": source,
            }
            hours = round(abs(delta) / 3600)
            if hours >= 1 and abs(abs(delta) - hours * 3600) <= tolerance:
                flag["message"] += f"（恰约 {hours} 小时，可能是相机时区设置错误）"
                flag["whole_hours"] = hours if delta > 0 else -hours
            flags.append(flag)
    if info.gps is not None and latitude is not None and longitude is not None:
        distance = _haversine_m(float(latitude), float(longitude), info.gps.lat, info.gps.lon)
        allowed = float(settings.MEDIA_EXIF_GPS_TOLERANCE_M) + float(accuracy_m or 0.0)
        check.update(
            camera_gps={"lat": info.gps.lat, "lon": info.gps.lon, "alt_m": info.gps.alt_m},
            declared_gps={"lat": float(latitude), "lon": float(longitude), "accuracy_m": accuracy_m},
            distance_m=round(distance, 1),
            distance_tolerance_m=allowed,
        )
        if distance > allowed:
            flags.append(
                {
                    "code": "exif_gps_mismatch",
                    "message": f"文件内记录的拍摄位置与终端申报位置相距约 {_human_distance(distance)}",
                    "camera_gps": {"lat": info.gps.lat, "lon": info.gps.lon},
                    "declared": {"lat": float(latitude), "lon": float(longitude)},
                    "distance_m": round(distance, 1),
                }
            )
    return check, flags


def _human_duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} 秒"
    if seconds < 7200:
        return f"{seconds / 60:.0f} 分钟"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} 小时"
    return f"{seconds / 86400:.0f} 天"


def _human_distance(metres: float) -> str:
    return f"{metres:.0f} 米" if metres < 2000 else f"{metres / 1000:.1f} 公里"


def merge_flags(current: list[dict[str, Any]], media_flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Intake and provenance flags stay; this module's flags are replaced by the latest run's."""
    kept = [f for f in (current or []) if f.get("code") not in MEDIA_FLAG_CODES]
    return kept + list(media_flags)
