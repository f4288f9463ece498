"""Supervision fixtures: a supervising body (辽源市司法局) above two agencies, and an agency outside its tree.

The tree: 辽源市司法局 (supervising body) → 辽源市市场监督管理局 (agency A), 辽源市城市管理综合执法局 (agency B).
梅河口市市场监督管理局 (agency C) belongs to another tree: the supervisor must see nothing of it (404).
"""

from __future__ import annotations

import uuid

import pytest
from reviews.conftest import add_evidence, catalog_a, make_case  # noqa: F401  (fixtures reused)
from supervision.supkit import closed_case
from support import make_agency, make_user

from backend.accounts.models import Agency, Role, User
from backend.cases.models import Case
from backend.ledgercore.signed_note import generate_key


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_KEYS = generate_key("zhifa.test/ledger")


@pytest.fixture(autouse=True)
def _ledger_key(settings) -> None:
    """A test signing key for the checkpoints (annual reports, bundles)."""
    settings.LEDGER_ORIGIN = "zhifa.test/ledger"
    settings.LEDGER_SIGNING_KEY = _KEYS.signer_key
    settings.LEDGER_SIGNING_KEY_FILE = ""
    settings.LEDGER_TSA_URL = ""
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = []


@pytest.fixture
def bureau(db) -> Agency:
    return make_agency("辽源市司法局", "11220400MB0000010A")


@pytest.fixture
def agency_a(bureau) -> Agency:
    return make_agency("辽源市市场监督管理局", "11220400MB1234567X", parent=bureau)


@pytest.fixture
def agency_b(bureau) -> Agency:
    return make_agency("辽源市城市管理综合执法局", "11220400MB7654321Y", parent=bureau)


@pytest.fixture
def agency_c(db) -> Agency:
    return make_agency("梅河口市市场监督管理局", "11220581MB5550001C")


@pytest.fixture
def supervisor(bureau) -> User:
    return make_user("supervisor_j", bureau, [Role.SUPERVISOR], full_name="高秀兰")


@pytest.fixture
def head_b(agency_b) -> User:
    return make_user("head_b", agency_b, [Role.AGENCY_HEAD], full_name="马志刚")


@pytest.fixture
def head_c(agency_c) -> User:
    return make_user("head_c", agency_c, [Role.AGENCY_HEAD], full_name="韩冬")


@pytest.fixture
def procurator(db) -> User:
    return make_user("procurator_ly", None, [Role.PROCURATOR], full_name="辽源市人民检察院 检察官 林海")


@pytest.fixture
def case_a(agency_a, officer_a) -> Case:
    return closed_case(agency_a, officer_a, number="辽市监立字〔2026〕0101号", party="辽源市福源超市有限公司")


@pytest.fixture
def case_c(agency_c) -> Case:
    officer = make_user(
        f"officer_c_{uuid.uuid4().hex[:6]}", agency_c, [Role.FIELD_OFFICER], credential="C-0001", full_name="宋佳"
    )
    return closed_case(agency_c, officer, number="梅市监立字〔2026〕0007号", party="梅河口市鑫达商贸有限公司")
