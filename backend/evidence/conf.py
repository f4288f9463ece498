"""Evidence intake settings, read once from Django settings or the environment (typed, safe defaults).

The lead owns ``backend/config/settings.py``; every knob here can be set there (same name) or in the
environment. Defaults suit the embedded single-host deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import environ
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_env = environ.Env()

MIB = 1024 * 1024
GIB = 1024 * MIB


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, None) or _env.int(name, default=default))


def _str(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or _env.str(name, default=default))


@dataclass(frozen=True)
class UploadLimits:
    max_size: int  # Tus-Max-Size: the largest upload at all (the largest per-kind limit)
    per_kind: dict[str, int]
    request_body_cap: int  # largest body of one PATCH/POST (proxies refuse bigger bodies)
    max_concurrent_per_user: int  # unfinished uploads one user may hold at once
    expiry_seconds: int  # sliding expiry of an unfinished upload
    lock_stale_seconds: int  # a writer silent this long is considered dead
    checkpoint_bytes: int  # a long PATCH without checksum commits progress every this many bytes
    throttle_rate: str
    patch_throttle_rate: str
    sm3_enabled: bool
    clock_skew_seconds: int  # capture time this far in the future is flagged


@lru_cache(maxsize=1)
def upload_limits() -> UploadLimits:
    """Read once per process (cleared when a test overrides a setting)."""
    per_kind = {
        "photo": _int("EVIDENCE_MAX_PHOTO_BYTES", 100 * MIB),
        "audio": _int("EVIDENCE_MAX_AUDIO_BYTES", 1 * GIB),
        "video": _int("EVIDENCE_MAX_VIDEO_BYTES", 8 * GIB),
        "document": _int("EVIDENCE_MAX_DOCUMENT_BYTES", 200 * MIB),
    }
    return UploadLimits(
        max_size=max(per_kind.values()),
        per_kind=per_kind,
        # 2 GiB: nginx/ingress defaults are far lower; clients use 8–64 MiB chunks. Bigger bodies → 413.
        request_body_cap=_int("EVIDENCE_REQUEST_BODY_CAP", 2 * GIB),
        max_concurrent_per_user=_int("EVIDENCE_MAX_CONCURRENT_UPLOADS", 20),
        # 7 days, sliding: officers can be offline for days (DOMAIN §3.8 allows "as soon as conditions allow").
        expiry_seconds=_int("EVIDENCE_UPLOAD_EXPIRY_SECONDS", 7 * 24 * 3600),
        lock_stale_seconds=_int("EVIDENCE_UPLOAD_LOCK_STALE_SECONDS", 20),
        checkpoint_bytes=_int("EVIDENCE_UPLOAD_CHECKPOINT_BYTES", 64 * MIB),
        throttle_rate=_str("EVIDENCE_UPLOAD_THROTTLE", "600/min"),
        patch_throttle_rate=_str("EVIDENCE_UPLOAD_PATCH_THROTTLE", "6000/min"),
        sm3_enabled=_str("EVIDENCE_SM3", "0").lower() in {"1", "true", "yes", "on"},
        clock_skew_seconds=_int("EVIDENCE_CLOCK_SKEW_SECONDS", 300),
    )


@receiver(setting_changed)
def _settings_changed(**_kwargs: object) -> None:
    upload_limits.cache_clear()
