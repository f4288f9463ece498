"""Fixtures for the disclosure tests: decided cases with real-looking personal data, and notices."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from factories import CaseFactory

from backend.cases.models import Case
from backend.disclosures import services
from backend.disclosures.models import Notice

PERSON_ID = "220402199003071231"
PHONE = "13912345678"
ORG_USCC = "91220400MA0Y3K2X1B"


def _make_case(agency, *, kind: str = "person", decided_on: datetime.date | None = None, **overrides: Any) -> Case:
    """A decided penalty case (tests/factories.py ``CaseFactory``, trait ``decided``) whose texts carry the personal
    data the redaction rules must find."""
    if kind == "person":
        fields: dict[str, Any] = {
            "person": True,
            "facts": (
                f"经查，当事人王小明（身份证号码{PERSON_ID}，联系电话{PHONE}）于2026年1月在辽源市龙山区"
                "向阳街道经营食品摊位，销售超过保质期的食品，货值金额人民币1200元。"
            ),
            "violation_type": "经营超过保质期的食品",
        }
    else:
        fields = {
            "party_legal_rep_id_number": "220402197801015673",
            "party_phone": "0437-3216688",
            "facts": "当事人辽源市恒通商贸有限公司未取得食品经营许可从事食品经营活动，违法所得人民币8600元。",
            "violation_type": "未取得食品经营许可从事食品经营活动",
            "legal_basis": [{"law": "中华人民共和国食品安全法", "article": "第一百二十二条"}],
            "decided_measures": [
                {"kind": "confiscate_gains", "amount": "8600.00"},
                {"kind": "fine", "amount": "50000.00"},
            ],
            "fine_amount": Decimal("50000.00"),
            "confiscation_amount": Decimal("8600.00"),
        }
    fields["title"] = fields["violation_type"]
    if decided_on is not None:
        fields["decided_on"] = decided_on
    return CaseFactory(agency=agency, decided=True, **{**fields, **overrides})


def _create_notice(case: Case) -> Notice:
    with transaction.atomic():
        services.notice_create_for_decision(case=case, context=None)
    return Notice.objects.filter(case=case).order_by("-created_at").first()


@pytest.fixture
def make_case(db):
    """``make_case(agency, kind="person"|"organisation", decided_on=..., **fields)`` → a decided Case."""
    return _make_case


@pytest.fixture
def create_notice(db):
    """``create_notice(case)`` → the draft notice created by the cases hook."""
    return _create_notice


@pytest.fixture
def person_case(agency_a) -> Case:
    return _make_case(agency_a, kind="person")


@pytest.fixture
def org_case(agency_a) -> Case:
    return _make_case(agency_a, kind="organisation")


@pytest.fixture
def draft_notice(person_case) -> Notice:
    return _create_notice(person_case)


@pytest.fixture
def published_notice(draft_notice, discloser_a) -> Notice:
    return services.notice_publish(notice=draft_notice, actor=discloser_a)


@pytest.fixture
def published_org_notice(org_case, discloser_a) -> Notice:
    return services.notice_publish(notice=_create_notice(org_case), actor=discloser_a)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The personas get passwords; Argon2 makes each one cost ~100 ms, which these tests do not need."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_public_caches():
    """The revision memo and the rendered-response LRU are per process; every test starts with a fresh
    database whose revision counts from zero again, so both are emptied around each test."""
    from backend.disclosures import public, revision

    revision.forget()
    public.rendered.clear()
    yield
    revision.forget()
    public.rendered.clear()
