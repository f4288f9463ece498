"""Builders for the console tests (importable as ``console.consolekit``): a major case at 待负责人决定, a
photo recorded directly, a review submission."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from backend.cases.models import Case
from backend.evidence.models import EvidenceItem
from backend.ledger.services import AuditContext
from backend.reviews import services as review_services
from backend.reviews.models import ReviewRound

PERSON_ID = "220402199003071234"
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
        "party_type": "person",
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
