"""Builders for the console tests (importable as ``console.consolekit``): a major case at 待负责人决定, a
photo recorded directly, a review submission."""

from __future__ import annotations

import base64
import datetime
import hashlib
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from backend.cases.models import Case
from backend.evidence.models import EvidenceItem
from backend.ledger.services import AuditContext
from backend.reviews import services as review_services
from backend.reviews.models import ReviewRound

PERSON_ID = "220402199003071231"
PHONE = "13912345678"


def make_deciding_case(agency, officers: list[User], **fields: Any) -> Case:
    """A case at 待负责人决定 (notified 20 days ago, the party waived the statement): decidable once reviewed."""
    today = timezone.localdate()
    measures = [{"kind": "fine", "amount": "20000.00"}]
    values: dict[str, Any] = {
        "agency": agency,
        "created_by": officers[0],
        "title": "销售超过保质期的食品案",
        "case_number": f"辽市监立字〔2026〕{uuid.uuid4().int % 10000:04d}号",
        "party_type": "natural_person",
        "party_name": "王小明",
        "party_id_number": PERSON_ID,
        "party_phone": PHONE,
        "party_address": "吉林省辽源市龙山区向阳街道人民大街88号3单元502室",
        "procedure": "general",
        "status": Case.Status.DECIDING,
        "facts": (
            f"经查，当事人王小明（身份证号码{PERSON_ID}，联系电话{PHONE}）于2026年1月在辽源市龙山区"
            "向阳街道经营食品摊位，销售超过保质期的食品，货值金额人民币1200元。"
        ),
        "violation_type": "销售超过保质期的食品",
        "legal_basis": [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条第一款第（五）项"}],
        "proposed_measures": measures,
        "proposed_fine_amount": Decimal("20000.00"),
        "notified_on": today - datetime.timedelta(days=20),
        "notified_measures": measures,
        "notified_fine_amount": Decimal("20000.00"),
        "statement_waived": True,
        "registered_on": today - datetime.timedelta(days=40),
    }
    values.update(fields)
    case = Case.objects.create(**values)
    case.handling_officers.set(officers)
    return case


def add_photo(case: Case, uploader: User) -> EvidenceItem:
    """A received item recorded directly (intake and processing are tested in tests/evidence)."""
    content = uuid.uuid4().bytes
    now = timezone.now()
    captured = now - datetime.timedelta(hours=2)
    return EvidenceItem.objects.create(
        case=case, kind="photo", sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        status=EvidenceItem.Status.RECEIVED, captured_at=captured, captured_at_raw=captured.isoformat(),
        received_at=now, uploaded_by=uploader, activity="现场检查", signature_status="absent",
        storage_key=f"originals/{uuid.uuid4()}", latitude=Decimal("42.8876"), longitude=Decimal("125.1437"),
    )  # fmt: skip


def submit_for_review(case: Case, officer: User) -> ReviewRound:
    return review_services.review_submit(
        case=case, actor=officer, context=AuditContext(actor=officer),
        discretion="适用《辽源市市场监管行政处罚裁量基准》一般情节。",
        investigation_report="经调查，违法事实清楚，证据确实充分。",
    )  # fmt: skip


def make_video(path: Path) -> bytes:
    """A real 2-second H.264/AAC clip (ffmpeg's test pattern) with an ISO 6709 location."""
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
         "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
         "-metadata", "location=+42.8876+125.1437/", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def upload_evidence(officer: User, case: Case, data: bytes, *, kind: str, filename: str, activity: str) -> EvidenceItem:
    """Upload through the tus API in one request (creation-with-upload), as a field device does; the media
    pipeline runs when the upload commits (eager Celery in the tests)."""
    from support import client_for

    captured = (timezone.now() - datetime.timedelta(minutes=10)).astimezone(datetime.UTC)
    metadata = {
        "case": str(case.pk), "kind": kind, "filename": filename, "sha256": hashlib.sha256(data).hexdigest(),
        "captured_at": captured.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "latitude": "42.8876", "longitude": "125.1437",
        "accuracy_m": "8.5", "activity": activity, "description": "执法记录仪视频",
    }  # fmt: skip
    encoded = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())
    response = client_for(officer).generic(
        "POST", "/api/v1/uploads/", data, content_type="application/offset+octet-stream",
        HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_METADATA=encoded, HTTP_UPLOAD_LENGTH=str(len(data)),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response["Evidence-Status"] == "received", response.content
    return EvidenceItem.objects.get(pk=response["Evidence-Item"])
