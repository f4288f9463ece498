"""Demo evidence (embedded default only; ``manage.py seed_demo``): a photo and an audio note in an open
demo case, put through the real tus services (hash, signature-less capture, custody), so the console and
the API show real originals. The README demo adds more with ``zhifa-field``.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import math
import struct
import wave
from typing import Any

from django.utils import timezone

from backend.evidence import services
from backend.evidence.models import EvidenceItem
from backend.ledger.services import AuditContext


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (200, 210, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 80, 580, 400), outline=(40, 40, 40), width=6)
    draw.text((80, 100), "DEMO  shelf 3 / expired goods", fill=(10, 10, 10))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _audio() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(16000))
        wav.writeframes(frames)
    return out.getvalue()


def _put(*, officer: Any, case: Any, data: bytes, kind: str, filename: str, activity: str, minutes_ago: int) -> None:
    captured = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    metadata = {
        "case": str(case.pk),
        "kind": kind,
        "filename": filename,
        "captured_at": captured.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "sha256": hashlib.sha256(data).hexdigest(),
        "latitude": "42.8876",
        "longitude": "125.1437",
        "accuracy_m": "10",
        "activity": activity,
        "description": "演示数据",
    }
    context = AuditContext(actor=officer)
    upload = services.upload_create(user=officer, length=len(data), metadata=metadata, context=context)
    stream = io.BytesIO(data)
    services.upload_append(
        upload=upload,
        offset=0,
        read=stream.read,
        content_length=len(data),
        checksum=None,
        new_length=None,
        context=context,
    )


def seed_demo_data(state: dict[str, Any]) -> None:
    officer = state.get("users", {}).get("officer1")
    cases = [c for c in (state.get("cases") or {}).values() if getattr(c, "is_open", False)]
    if officer is None or not cases:
        return
    case = cases[0]
    if EvidenceItem.objects.filter(case=case).exists():
        return
    _put(
        officer=officer,
        case=case,
        data=_photo(),
        kind="photo",
        filename="现场照片-货架.jpg",
        activity="现场检查",
        minutes_ago=30,
    )
    _put(
        officer=officer,
        case=case,
        data=_audio(),
        kind="audio",
        filename="询问录音.wav",
        activity="询问",
        minutes_ago=20,
    )
