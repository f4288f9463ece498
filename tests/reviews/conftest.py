"""Fixtures for the reviews tests: a published catalog, cases at a given stage, evidence, review helpers."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from factories import CaseFactory
from support import make_user

from backend.accounts.models import Role, User
from backend.cases.models import Case
from backend.ledger.services import AuditContext
from backend.reviews import services
from backend.reviews.models import MajorCatalog, ReviewRound

TODAY = timezone.localdate


@pytest.fixture
def reviewer_a2(agency_a) -> User:
    user = make_user("reviewer_a2", agency_a, [Role.LEGAL_REVIEWER], full_name="钱审")
    user.legal_qualification_no = "A2019220000002"
    user.save()
    return user


@pytest.fixture
def catalog_a(agency_a, reviewer_a, head_a) -> MajorCatalog:
    """The 长治 市场监管 example (DOMAIN §7), published today."""
    catalog = services.catalog_create(agency=agency_a, actor=reviewer_a, title="重大执法决定法制审核目录清单")
    rules: list[dict[str, Any]] = [
        {
            "code": "fine_person",
            "kind": "fine_amount",
            "description": "对自然人罚款一万元以上",
            "party_types": ["natural_person", "sole_trader"],
            "amount": Decimal("10000"),
            "inclusive": True,
        },
        {
            "code": "fine_org",
            "kind": "fine_amount",
            "description": "对法人或者其他组织罚款超过十万元",
            "party_types": ["organisation"],
            "amount": Decimal("100000"),
            "inclusive": False,
        },
        {
            "code": "confiscation",
            "kind": "confiscation_amount",
            "description": "没收违法所得、非法财物价值五万元以上",
            "amount": Decimal("50000"),
        },
        {
            "code": "measures",
            "kind": "measure",
            "description": "责令停产停业、责令关闭、限制从业、降低资质等级、吊销许可证件",
            "measures": ["suspend_business", "close", "restrict_practice", "downgrade", "revoke_licence"],
        },
        {"code": "hearing", "kind": "hearing_held", "description": "经过听证程序的"},
        {
            "code": "discretion",
            "kind": "flag",
            "description": "减轻处罚或超出裁量基准从重处罚的",
            "flag": "discretion_deviation",
        },
        {
            "code": "food_law",
            "kind": "named_law",
            "description": "依据《中华人民共和国食品安全法》吊销许可的",
            "law_name": "中华人民共和国食品安全法",
            "measures": ["revoke_licence"],
        },
    ]
    for rule in rules:
        services.catalog_rule_add(catalog=catalog, actor=reviewer_a, **rule)
    return services.catalog_publish(catalog=catalog, actor=head_a, document_number="辽市监〔2026〕1号")


@pytest.fixture
def make_case(agency_a, officer_a, officer_a2) -> Callable[..., Case]:
    def _make(*, officers: list[User] | None = None, fine: str | None = "5000.00", **fields: Any) -> Case:
        # The one way to make a case (tests/factories.py): investigation concluded, a proposed fine, created today.
        measures = [{"kind": "fine", "amount": fine}] if fine is not None else []
        values: dict[str, Any] = {
            "agency": agency_a,
            "created_by": officer_a,
            "party_name": "辽源市某商贸有限公司",
            "party_uscc": "91220400MA0000007N",
            "party_legal_rep": "",
            "party_address": "",
            "proposed_measures": measures,
            "proposed_fine_amount": Decimal(fine) if fine is not None else None,
            "registered_on": TODAY() - datetime.timedelta(days=20),
            "investigation_concluded_on": TODAY(),
            "handling_officers": officers if officers is not None else [officer_a, officer_a2],
        }
        return CaseFactory(concluded=True, **{**values, **fields})

    return _make


@pytest.fixture
def add_evidence() -> Callable[..., Any]:
    """Create a received evidence item directly (the evidence app's intake is tested there)."""
    from backend.evidence.models import EvidenceItem

    def _add(
        case: Case,
        uploader: User,
        *,
        kind: str = "photo",
        activity: str = "现场检查",
        captured_at: datetime.datetime | None = None,
        flags: list | None = None,
    ) -> EvidenceItem:
        content = uuid.uuid4().bytes
        now = timezone.now()
        captured = captured_at or now - datetime.timedelta(hours=2)
        return EvidenceItem.objects.create(
            case=case,
            kind=kind,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            status=EvidenceItem.Status.RECEIVED,
            captured_at=captured,
            captured_at_raw=captured.isoformat(),
            received_at=now,
            uploaded_by=uploader,
            activity=activity,
            signature_status="absent",
            storage_key=f"evidence/{uuid.uuid4()}",
            flags=flags or [],
        )

    return _add


def ctx(user: User) -> AuditContext:
    return AuditContext(actor=user)


@pytest.fixture
def submit() -> Callable[..., ReviewRound]:
    def _submit(case: Case, officer: User, **kwargs: Any) -> ReviewRound:
        kwargs.setdefault("discretion", "适用《辽源市市场监管行政处罚裁量基准》一般情节。")
        kwargs.setdefault("investigation_report", "经调查，违法事实清楚，证据确实充分。")
        return services.review_submit(case=case, actor=officer, context=ctx(officer), **kwargs)

    return _submit


def _fill_all(round_: ReviewRound, reviewer: User, result: str = "conforms", **overrides: str) -> None:
    items = []
    for entry in round_.checklist.all():
        value = overrides.get(entry.code, result)
        items.append({"code": entry.code, "result": value, "note": "见卷宗" if value == "nonconforming" else ""})
    services.review_checklist_fill(round_=round_, actor=reviewer, items=items, context=ctx(reviewer))


@pytest.fixture
def fill_all() -> Callable[..., None]:
    """``fill_all(round, reviewer, result="conforms", **{code: result})``: fill every checklist item."""
    return _fill_all


@pytest.fixture
def approve(reviewer_a) -> Callable[..., ReviewRound]:
    """Assign to ``reviewer`` (default reviewer_a), fill every item 符合 and issue 同意."""

    def _approve(round_: ReviewRound, reviewer: User | None = None) -> ReviewRound:
        reviewer = reviewer or reviewer_a
        services.review_assign(round_=round_, reviewer=reviewer, actor=reviewer)
        _fill_all(round_, reviewer)
        return services.review_complete(round_=round_, actor=reviewer, outcome="approved", context=ctx(reviewer))

    return _approve


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Personas are created per test; argon2 would dominate the folder's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
