"""The hostile-input corpus: every entry is sent through the public API and must be answered with its 4xx
and its stable ``code`` (never a 5xx, never an HTML page).

Each entry names who sends it, what, and what must come back. Media-level hostility (bombs, corrupt and
truncated files, oversized EXIF) is checked against the pipeline in test_media_bombs.py; what the upload
API says about content that does not match its declared kind is here.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient
from support import token_for

from backend.cases.models import Case

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTET = "application/offset+octet-stream"
LIMIT = 2 * 1024 * 1024  # DATA_UPLOAD_MAX_MEMORY_SIZE
UNICODE_DIGITS = ["³", "٣", "①", "３", "৩", "߃", "𝟑"]  # isdigit() is true for all; only ASCII is a number
DEEP = 100_000


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


@dataclass(frozen=True)
class Entry:
    """One hostile request: ``who`` sends ``method path`` with ``body``/``headers``; ``status`` + ``code`` back."""

    id: str
    who: str  # "anon" or "officer"
    method: str
    path: str  # may contain {case}, {notice}, {upload}
    status: int
    code: str | None
    body: bytes | str | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def metadata(case: str = "{case}", **overrides: str) -> str:
    md = {
        "case": case, "kind": "photo", "filename": "现场照片.jpg",
        "captured_at": "2026-05-01T08:30:00.123+08:00", "sha256": hashlib.sha256(b"x").hexdigest(),
        "latitude": "42.8876", "longitude": "125.1437",
    }  # fmt: skip
    md.update(overrides)
    return ",".join(f"{k} {b64(v)}" for k, v in md.items() if v is not None)


def tus_create(md: str, length: str = "1", **extra: str) -> dict[str, str]:
    return {**TUS, "HTTP_UPLOAD_METADATA": md, "HTTP_UPLOAD_LENGTH": length, **extra}


LOGIN = "/api/v1/auth/token/"
CORRECTION = "/api/v1/public/notices/{notice}/corrections/"
CASES = "/api/v1/cases/"
SHARES = "/api/v1/cases/{case}/bundle/shares/"

CORPUS: list[Entry] = [
    # --- malformed and deeply nested JSON -----------------------------------------------------------
    Entry("login-truncated-json", "anon", "POST", LOGIN, 400, "malformed_request", body='{"username": "a"'),
    Entry("login-not-json", "anon", "POST", LOGIN, 400, "malformed_request", body="username=a&password=b"),
    Entry("login-trailing-garbage", "anon", "POST", LOGIN, 400, "malformed_request", body='{"a": 1} x'),
    Entry("login-empty-body", "anon", "POST", LOGIN, 400, "malformed_request", body=" "),
    Entry("login-nan", "anon", "POST", LOGIN, 400, "malformed_request", body='{"username": NaN}'),
    Entry("login-infinity-number", "anon", "POST", LOGIN, 400, "malformed_request", body='{"username": 1e999}'),
    Entry("login-nested-arrays", "anon", "POST", LOGIN, 400, "json_too_deep", body=nested(DEEP)),
    Entry("login-nested-objects", "anon", "POST", LOGIN, 400, "json_too_deep", body=deep_object(DEEP)),
    Entry("login-nested-just-over", "anon", "POST", LOGIN, 400, "json_too_deep",
          body='{"username": ' + nested(33) + "}"),
    Entry("correction-nested-arrays", "anon", "POST", CORRECTION, 400, "json_too_deep", body=nested(DEEP)),
    Entry("correction-nested-objects", "anon", "POST", CORRECTION, 400, "json_too_deep", body=deep_object(DEEP)),
    Entry("case-create-nested", "officer", "POST", CASES, 400, "json_too_deep",
          body='{"title": "x", "facts": ' + nested(5000) + "}"),
    # --- invalid UTF-8 / encodings ---------------------------------------------------------------
    Entry("login-invalid-utf8", "anon", "POST", LOGIN, 400, "malformed_request",
          body=b'{"username": "\xff\xfe\xc3\x28"}'),
    Entry("login-lone-surrogate", "anon", "POST", LOGIN, 400, "malformed_request",
          body='{"username": "\\ud800", "password": "x"}'),
    Entry("correction-overlong-utf8", "anon", "POST", CORRECTION, 400, "malformed_request",
          body=b'{"content": "\xc0\xaf"}'),
    Entry("login-latin1-charset", "anon", "POST", LOGIN, 400, "malformed_request",
          body='{"username": "a"}', content_type="application/json; charset=latin-1"),
    Entry("login-bz2-charset", "anon", "POST", LOGIN, 400, "malformed_request",
          body='{"username": "a"}', content_type="application/json; charset=bz2_codec"),
    Entry("login-xml", "anon", "POST", LOGIN, 415, "unsupported_media_type", body="<a/>",
          content_type="application/xml"),
    # --- Unicode digits (isdigit() true, int() refuses) ------------------------------------------------
    *[Entry(f"public-agency-key-{d}", "anon", "GET", f"/api/v1/public/agencies/{d}/", 404, "agency_not_found")
      for d in UNICODE_DIGITS],
    *[Entry(f"public-notices-agency-{d}", "anon", "GET", f"/api/v1/public/notices/?agency={d}", 200, None)
      for d in UNICODE_DIGITS],
    *[Entry(f"public-statistics-year-{d}", "anon", "GET",
            f"/api/v1/public/statistics/?agency=11220400MB1234567X&year={d}", 400, "invalid_year")
      for d in UNICODE_DIGITS],
    *[Entry(f"page-statistics-{d}", "anon", "GET", f"/statistics/{d}/2024/", 404, None) for d in UNICODE_DIGITS],
    *[Entry(f"page-notices-agency-{d}", "anon", "GET", f"/notices/?agency={d}&page_size={d}", 200, None)
      for d in UNICODE_DIGITS],
    Entry("page-statistics-index-year", "anon", "GET", "/statistics/?agency=1&year=³", 200, None),
    Entry("public-export-before-seq", "anon", "GET", "/api/v1/public/notices/export.json?before_seq=³", 200, None),
    Entry("public-page-size", "anon", "GET", "/api/v1/public/notices/?page_size=٣", 200, None),
    Entry("public-cursor-arabic-digit", "anon", "GET",
          "/api/v1/public/notices/?cursor=" + base64.urlsafe_b64encode("n٣".encode()).decode(), 200, None),
    *[Entry(f"tus-upload-length-{d}", "officer", "POST", "/api/v1/uploads/", 400, "invalid_header",
            headers=tus_create(metadata(), length=d)) for d in UNICODE_DIGITS],
    Entry("tus-upload-length-signed", "officer", "POST", "/api/v1/uploads/", 400, "invalid_header",
          headers=tus_create(metadata(), length="+1")),
    Entry("tus-upload-length-underscore", "officer", "POST", "/api/v1/uploads/", 400, "invalid_header",
          headers=tus_create(metadata(), length="1_000")),
    Entry("tus-upload-offset-digit", "officer", "PATCH", "/api/v1/uploads/{upload}/", 400, "invalid_header",
          body=b"x", content_type=OCTET, headers={**TUS, "HTTP_UPLOAD_OFFSET": "٠"}),
    # --- huge integers ---------------------------------------------------------------------------
    Entry("tus-upload-length-huge", "officer", "POST", "/api/v1/uploads/", 400, "invalid_header",
          headers=tus_create(metadata(), length="9" * 40)),
    Entry("tus-upload-length-int64", "officer", "POST", "/api/v1/uploads/", 400, "invalid_header",
          headers=tus_create(metadata(), length=str(2**63))),
    Entry("tus-upload-length-over-max", "officer", "POST", "/api/v1/uploads/", 413, "upload_too_large",
          headers=tus_create(metadata(), length=str(2**63 - 1))),
    Entry("share-max-downloads-int64", "officer", "POST", SHARES, 400, "invalid",
          body=json.dumps({"recipient_kind": "court", "recipient_name": "法院", "max_downloads": 2**63 - 1})),
    Entry("share-max-downloads-2-64", "officer", "POST", SHARES, 400, "invalid",
          body=json.dumps({"recipient_kind": "court", "recipient_name": "法院", "max_downloads": 2**64})),
    Entry("share-valid-days-huge", "officer", "POST", SHARES, 400, "invalid",
          body=json.dumps({"recipient_kind": "court", "recipient_name": "法院", "valid_days": 10**30})),
    Entry("public-export-before-seq-huge", "anon", "GET",
          f"/api/v1/public/notices/export.json?before_seq={2**63}", 200, None),
    Entry("public-export-before-seq-19-nines", "anon", "GET",
          "/api/v1/public/notices/export.json?before_seq=9999999999999999999", 200, None),
    Entry("public-page-size-huge", "anon", "GET", f"/api/v1/public/notices/?page_size={10**30}", 200, None),
    Entry("public-cursor-huge-seq", "anon", "GET",
          "/api/v1/public/notices/?cursor=" + base64.urlsafe_b64encode(f"n{10**30}".encode()).decode(), 200, None),
    Entry("public-agency-key-huge", "anon", "GET", f"/api/v1/public/agencies/{10**30}/", 404, "agency_not_found"),
    Entry("ledger-entry-index-huge", "officer", "GET", f"/api/v1/ledger/entries/{10**30}/", 404, None),
    Entry("review-catalog-id-huge", "officer", "GET", f"/api/v1/reviews/catalogs/{10**30}/", 404, None),
    Entry("page-statistics-year-huge", "anon", "GET", f"/statistics/11220400MB1234567X/{10**30}/", 404, None),
    Entry("ledger-proof-index-huge", "anon", "GET", f"/api/v1/public/ledger/proof/inclusion/?index={10**30}",
          409, "no_checkpoint"),
    Entry("ledger-proof-size-digit", "anon", "GET", "/api/v1/public/ledger/proof/inclusion/?index=³", 400, "invalid"),
    Entry("share-valid-days-overflowing-float", "officer", "POST", SHARES, 400, "malformed_request",
          body='{"recipient_kind": "court", "recipient_name": "法院", "valid_days": 9e999}'),
    Entry("summary-fine-huge-exponent", "officer", "POST", "/api/v1/cases/summary/", 400, "invalid",
          body=json.dumps({"title": "x", "party_type": "person", "party_name": "张三", "officer_ids": [],
                           "measures": [{"kind": "fine", "amount": "1e999999"}]})),
    # --- absurd dates ----------------------------------------------------------------------------
    *[Entry(f"updated-since-{label}", "officer", "GET", f"/api/v1/cases/?updated_since={value}", 400,
            "invalid_updated_since")
      for label, value in [
          ("year-0", "0000-01-01T00:00:00"), ("year-1-minus-offset", "0001-01-01T00:00:00-14:00"),
          ("year-9999-plus-offset", "9999-12-31T23:59:59%2B14:00"), ("year-10000", "10000-01-01T00:00:00"),
          ("month-13", "2026-13-01T00:00:00"), ("unicode-digits", "٢٠٢٦-٠١-٠١T00:00:00"),
          ("1969", "1969-12-31T23:59:59Z"), ("2200", "2200-01-01T00:00:00Z"),
      ]],
    *[Entry(f"captured-at-{label}", "officer", "POST", "/api/v1/uploads/", 400, "invalid_metadata",
            headers=tus_create(metadata(captured_at=value)))
      for label, value in [
          ("year-0", "0000-01-01T00:00:00Z"), ("year-9999-minus-14", "9999-12-31T23:59:59-14:00"),
          ("year-1-plus-14", "0001-01-01T00:00:00+14:00"), ("no-offset", "2026-05-01T08:30:00"),
          ("unicode-digits", "٢٠٢٦-05-01T08:30:00Z"), ("feb-30", "2026-02-30T08:30:00Z"),
      ]],
    *[Entry(f"case-date-{label}", "officer", "POST", CASES, 400, "invalid",
            body=json.dumps({"title": "销售过期食品案", "party_type": "person", "party_name": "张三",
                             "clue_received_on": value}))
      for label, value in [("year-1", "0001-01-01"), ("year-9999", "9999-12-31"), ("year-10000", "10000-01-01"),
                           ("1969", "1969-12-31")]],
    *[Entry(f"step-performed-at-{label}", "officer", "POST", "/api/v1/cases/{case}/suspend/", 400, "invalid",
            body=json.dumps({"reason": "x", "performed_at": value}))
      for label, value in [("year-1-offset", "0001-01-01T00:00:00+14:00"),
                           ("year-9999-offset", "9999-12-31T23:59:59-14:00")]],
    # --- absurd coordinates ------------------------------------------------------------------------
    *[Entry(f"captured-coordinates-{label}", "officer", "POST", "/api/v1/uploads/", 400, "invalid_metadata",
            headers=tus_create(metadata(latitude=lat, longitude=lon)))
      for label, lat, lon in [("lat-91", "91", "125"), ("lon-181", "42", "181"), ("nan", "NaN", "125"),
                              ("inf", "Infinity", "125"), ("exp", "1e999999", "125"), ("text", "北纬42", "125"),
                              ("only-lat", "42", "")]],
    *[Entry(f"step-coordinates-{label}", "officer", "POST", "/api/v1/cases/{case}/suspend/", 400, "invalid",
            body=json.dumps({"reason": "x", "latitude": lat, "longitude": 125}))
      for label, lat in [("lat-91", 91), ("lat-huge", 1e308), ("lat-string-nan", "NaN")]],
    # --- path traversal in names -------------------------------------------------------------------
    Entry("derivative-traversal", "officer", "GET", "/api/v1/evidence/{item}/derivatives/..%2F..%2Foriginals/",
          404, None),
    Entry("public-agency-traversal", "anon", "GET", "/api/v1/public/agencies/..%2F..%2Fetc%2Fpasswd/", 404,
          "not_found"),
    Entry("correction-code-traversal", "anon", "GET", "/api/v1/public/corrections/..%2Fadmin/", 404, None),
    Entry("share-token-traversal", "anon", "GET", "/api/v1/public/ledger/shares/..%2F..%2Fx/bundle/", 404, None),
    Entry("tus-metadata-nul", "officer", "POST", "/api/v1/uploads/", 400, "invalid_metadata",
          headers=tus_create(metadata(filename="a\x00.jpg"))),
    Entry("tus-metadata-not-base64", "officer", "POST", "/api/v1/uploads/", 400, "invalid_metadata",
          headers=tus_create("filename ../../etc/passwd")),
    # --- huge bodies (413 before reading, the JSON error shape) ----------------------------------------
    Entry("login-body-over-limit", "anon", "POST", LOGIN, 413, "request_body_too_large", body=b" " * (LIMIT + 1)),
    Entry("correction-body-over-limit", "anon", "POST", CORRECTION, 413, "request_body_too_large",
          body=b"[" * (LIMIT + 1)),
    Entry("case-body-over-limit", "officer", "POST", CASES, 413, "request_body_too_large",
          body=b'{"title": "' + b"x" * LIMIT + b'"}'),
    Entry("page-form-over-limit", "anon", "POST", "/notices/{notice}/correction/", 413, "request_body_too_large",
          body=b"content=" + b"x" * LIMIT, content_type="application/x-www-form-urlencoded"),
    Entry("login-body-at-limit", "anon", "POST", LOGIN, 400, "malformed_request", body=b" " * LIMIT),
    Entry("tus-create-over-max", "officer", "POST", "/api/v1/uploads/", 413, "upload_too_large",
          headers=tus_create(metadata(), length=str(10**15))),
]


@pytest.fixture
def case_a(agency_a, officer_a, officer_a2) -> Case:
    case = Case.objects.create(agency=agency_a, title="销售过期食品案", party_type="organisation",
                               party_name="辽源市某超市有限公司", status=Case.Status.INVESTIGATING,
                               registered_on=datetime.date(2026, 3, 1))
    case.handling_officers.set([officer_a, officer_a2])
    return case


@pytest.fixture
def officer_client(officer_a) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(officer_a)}")
    client.raise_request_exception = False
    return client


@pytest.fixture
def world(case_a, agency_a, discloser_a, officer_client):
    from backend.disclosures import services as disclosure_services
    from backend.disclosures.models import Notice

    decided = Case.objects.create(
        agency=agency_a, title="经营超过保质期的食品", party_type="organisation", party_name="辽源市恒通商贸有限公司",
        facts="当事人经营超过保质期的食品。", violation_type="经营超过保质期的食品",
        legal_basis=[{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}],
        decided_measures=[{"kind": "fine", "amount": "5000.00"}], status="decided", decision_outcome="penalty",
        decision_number="辽市监罚〔2026〕1号", decided_on=datetime.date(2026, 3, 10),
        registered_on=datetime.date(2026, 2, 10),
    )
    with transaction.atomic():
        disclosure_services.notice_create_for_decision(case=decided, context=None)
    notice = disclosure_services.notice_publish(notice=Notice.objects.get(case=decided), actor=discloser_a)
    created = officer_client.generic("POST", "/api/v1/uploads/", b"", **tus_create(metadata(str(case_a.id)), "10"))
    assert created.status_code == 201, created.content
    anon = APIClient()
    anon.raise_request_exception = False
    return {
        "clients": {"anon": anon, "officer": officer_client},
        "values": {"case": case_a.id, "notice": notice.id, "upload": created["Location"].rstrip("/").split("/")[-1],
                   "item": "00000000-0000-0000-0000-000000000000"},
    }


def send(world: dict[str, Any], entry: Entry) -> Any:
    client: APIClient = world["clients"][entry.who]
    path = entry.path.format(**world["values"])
    headers = {k: v.format(**world["values"]) if k == "HTTP_UPLOAD_METADATA" else v for k, v in entry.headers.items()}
    body = entry.body.encode() if isinstance(entry.body, str) else entry.body
    if body is None:
        return client.generic(entry.method, path, b"", **headers)
    return client.generic(entry.method, path, body, content_type=entry.content_type, **headers)


def check(world: dict[str, Any], entry: Entry) -> str | None:
    """None if ``entry`` got its status, JSON and code; else what went wrong."""
    cache.clear()  # the corpus is one client's burst: throttles are not what is tested here
    with transaction.atomic():
        response = send(world, entry)
        transaction.set_rollback(True)
    body = getattr(response, "content", b"")
    got = f"{entry.id}: got {response.status_code} {body[:200]!r}"
    if response.status_code != entry.status:
        return f"{got}, expected {entry.status}"
    if (entry.code or (entry.status >= 400 and entry.path.startswith("/api/"))) and not response.get(
        "Content-Type", ""
    ).startswith("application/json"):
        return f"{got}: not JSON"
    if entry.code and json.loads(body).get("code") != entry.code:
        return f"{got}, expected code {entry.code}"
    return None


def test_every_hostile_input_gets_its_4xx_and_code(world) -> None:
    """One world for the whole corpus (each request rolled back): the list of failures names every entry."""
    failures = [failure for entry in CORPUS if (failure := check(world, entry))]
    assert not failures, f"{len(failures)} of {len(CORPUS)} hostile inputs answered wrongly:\n" + "\n".join(failures)


def test_the_corpus_covers_every_kind_of_hostile_input() -> None:
    ids = " ".join(e.id for e in CORPUS)
    for needle in ("nested", "truncated-json", "utf8", "surrogate", "-³", "huge", "int64", "year-0",
                   "coordinates", "traversal", "over-limit"):
        assert needle in ids, needle
    assert len({e.id for e in CORPUS}) == len(CORPUS)


KIND_MISMATCH: list[tuple[str, str, bytes]] = [
    ("pdf-declared-photo", "photo", b"%PDF-1.7\n" + b"0" * 200),
    ("elf-declared-photo", "photo", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
    ("shell-script-declared-video", "video", b"#!/bin/sh\nrm -rf /\n" + b"#" * 200),
    ("zip-declared-photo", "photo", b"PK\x03\x04" + b"\x00" * 200),
    ("html-polyglot-declared-photo", "photo", b"<html><script>alert(1)</script>" + b" " * 200),
    ("png-declared-video", "video", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
]


@pytest.mark.parametrize(("kind", "content"), [(k, c) for _, k, c in KIND_MISMATCH],
                         ids=[name for name, _, _ in KIND_MISMATCH])
def test_content_that_is_not_its_declared_kind_is_quarantined_with_422(case_a, officer_client, kind: str,
                                                                       content: bytes) -> None:
    from backend.evidence.models import EvidenceItem

    officer = officer_client
    md = metadata(str(case_a.id), kind=kind, sha256=hashlib.sha256(content).hexdigest(),
                  filename="../../../etc/cron.d/x.jpg")
    created = officer.generic("POST", "/api/v1/uploads/", b"", **tus_create(md, length=str(len(content))))
    assert created.status_code == 201, created.content
    last = officer.generic("PATCH", created["Location"], content, content_type=OCTET, HTTP_UPLOAD_OFFSET="0", **TUS)
    assert last.status_code == 422, last.content
    assert json.loads(last.content)["code"] == "kind_mismatch"
    assert not EvidenceItem.objects.filter(status=EvidenceItem.Status.RECEIVED).exists()


def test_a_traversing_file_name_is_stored_as_a_plain_name_and_never_names_the_key(case_a, officer_client) -> None:
    from backend.evidence.models import EvidenceItem

    officer = officer_client
    content = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
    md = metadata(str(case_a.id), sha256=hashlib.sha256(content).hexdigest(),
                  filename="..\\..\\..//etc/passwd\u202e.jpg")
    created = officer.generic("POST", "/api/v1/uploads/", b"", **tus_create(md, length=str(len(content))))
    last = officer.generic("PATCH", created["Location"], content, content_type=OCTET, HTTP_UPLOAD_OFFSET="0", **TUS)
    assert last.status_code == 204, last.content
    item = EvidenceItem.objects.get(status=EvidenceItem.Status.RECEIVED)
    assert "/" not in item.original_filename and "\\" not in item.original_filename
    assert "\u202e" not in item.original_filename and not item.original_filename.startswith(".")
    assert ".." not in item.storage_key and item.storage_key.startswith("originals/")

