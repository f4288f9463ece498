"""Ledger test helpers: a signing key, events, evidence with originals in storage, and an independent
RFC 9162 reference implementation (written from the RFC text, not from backend.ledgercore.merkle)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection, transaction
from django.utils import timezone
from support import sequence_ledger

from backend.ledgercore.signed_note import generate_key

ORIGIN = "zhifa.test/ledger"
_KEYS = generate_key(ORIGIN)


@pytest.fixture(autouse=True)
def _ledger_key(settings):
    settings.LEDGER_ORIGIN = ORIGIN
    settings.LEDGER_SIGNING_KEY = _KEYS.signer_key
    settings.LEDGER_SIGNING_KEY_FILE = ""
    settings.LEDGER_TSA_URL = ""
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = []


@pytest.fixture
def verifier_key() -> str:
    return _KEYS.verifier_key


# --------------------------------------------------------------------------- RFC 9162 reference


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_leaf(entry: bytes) -> bytes:
    return _sha(b"\x00" + entry)


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, straight from RFC 9162 §2.1.1."""
    n = len(leaves)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return leaves[0]
    k = _k(n)
    return _sha(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if n <= 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], complete), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2, transcribed step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = _sha(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _sha(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def ref_verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                           proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, transcribed step by step."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = _sha(b"\x01" + c + fr)
            sr = _sha(b"\x01" + c + sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _sha(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


@pytest.fixture
def rfc9162() -> SimpleNamespace:
    return SimpleNamespace(leaf=ref_leaf, mth=ref_mth, path=ref_path, subproof=ref_subproof,
                           verify_inclusion=ref_verify_inclusion, verify_consistency=ref_verify_consistency)


# --------------------------------------------------------------------------- data


def record_events(n: int, **kwargs) -> list:
    from backend.ledger.services import audit_record

    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action=kwargs.get("action", "test.event"), target_type="thing",
                                       target_id=str(i), data={"n": i}, **{k: v for k, v in kwargs.items()
                                                                           if k != "action"}))
        sequence_ledger()
    return [type(e).objects.get(pk=e.pk) for e in events]


@pytest.fixture
def events():
    return record_events


def raw_sql(sql: str, params: list) -> None:
    """Write around the ORM, as a rogue administrator would (bypassing the PostgreSQL triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def tamper():
    return raw_sql


@pytest.fixture
def case_a(agency_a, officer_a):
    from backend.cases.models import Case

    case = Case.objects.create(agency=agency_a, title="销售过期食品案", case_number="辽市监罚〔2026〕7号",
                               party_type="organisation", party_name="某某商贸有限公司", created_by=officer_a)
    case.handling_officers.add(officer_a)
    with transaction.atomic():
        from backend.ledger.services import audit_record

        audit_record(action="case.created", target=case, actor=officer_a, case_id=case.id, data={"title": case.title})
    sequence_ledger()
    return case


DEVICE_KEY = Ed25519PrivateKey.generate()


def _device(user):
    from backend.accounts.models import Device

    raw = DEVICE_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    device = Device.objects.filter(public_key=base64.b64encode(raw).decode()).first()
    return device or Device.objects.create(agency=user.agency, owner=user, model="执法记录仪 X1",
                                           public_key=base64.b64encode(raw).decode())


def add_evidence(case, user, content: bytes, *, name: str = "现场照片.jpg", signed: bool = True):
    """Receive one original the way the evidence service does: bytes in storage, an EvidenceItem and
    an ``evidence.received`` audit event carrying ``sha256`` and the capture record."""
    from backend.common.storage import get_storage
    from backend.evidence.models import EvidenceItem
    from backend.ledger.services import audit_record
    from backend.ledgercore.canonical_json import canonical_json, capture_record

    sha = hashlib.sha256(content).hexdigest()
    device = _device(user) if signed else None
    captured = timezone.now() - datetime.timedelta(minutes=5)
    record = capture_record(sha256=sha, captured_at=captured, case=str(case.id),
                            device=str(device.id) if device else None, latitude="42.8876543", longitude="125.1434567")
    signature = base64.b64encode(DEVICE_KEY.sign(canonical_json(record))).decode() if signed else ""
    storage = get_storage()
    key = f"originals/{case.id}/{sha[:16]}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f"
        path.write_bytes(content)
        storage.put_file(key, path)
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            case=case, kind="photo", sha256=sha, size=len(content), status=EvidenceItem.Status.RECEIVED,
            captured_at=captured, captured_at_raw=record["captured_at"], received_at=timezone.now(),
            uploaded_by=user, device=device, latitude=record["latitude"], longitude=record["longitude"],
            original_filename=name, content_type="image/jpeg", signature=signature,
            signature_status="valid" if signed else "absent", capture_record=record, storage_key=key,
        )
        audit_record(action="evidence.received", target=item, actor=user, case_id=case.id,
                     data={"kind": "photo", "sha256": sha, "size": len(content), "storage_key": key,
                           "capture_record": record})
    sequence_ledger()
    return item


@pytest.fixture
def evidence():
    return add_evidence


def storage_path(key: str) -> Path:
    from django.conf import settings

    return Path(settings.STORAGE_LOCAL_ROOT) / key
