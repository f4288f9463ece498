"""Fixtures for evidence tests: cases, registered devices with Ed25519 keys, and tus request helpers."""

from __future__ import annotations

import base64
import datetime
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from backend.accounts.models import Device

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTET = "application/offset+octet-stream"

# A tiny but real JPEG (SOI + APP0 JFIF header + EOI is enough for magic-number sniffing).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 40 + b"\xff\xd9"


@pytest.fixture(autouse=True)
def _local_storage_by_default(settings, tmp_path):
    """Evidence tests look at files on disk; CI exports S3_* for the whole suite, so pin local storage here.
    Tests of the S3 path ask for the ``s3_storage`` fixture, which switches to S3 after this one."""
    from backend.common.storage import get_storage

    settings.STORAGE_BACKEND = "local"
    settings.STORAGE_LOCAL_ROOT = tmp_path / "storage"
    get_storage.cache_clear()
    yield
    get_storage.cache_clear()


def make_case(agency: Any, *, title: str = "某超市销售过期食品案", **extra: Any) -> Any:
    """A registered case of ``agency`` (tests/factories.py, the one way to make a case)."""
    from factories import CaseFactory

    return CaseFactory(agency=agency, title=title, party_name="辽源市某某超市有限公司", **extra)


@pytest.fixture
def case_a(agency_a):
    return make_case(agency_a)


@pytest.fixture
def case_b(agency_b):
    return make_case(agency_b, title="乙局案件")


class DeviceKey:
    def __init__(self, device: Device, private: Ed25519PrivateKey) -> None:
        self.device = device
        self.private = private

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.private.sign(data)).decode()


def register_device(owner: Any) -> DeviceKey:
    private = Ed25519PrivateKey.generate()
    public = base64.b64encode(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    device = Device.objects.create(agency=owner.agency, owner=owner, model="DSJ-V9 执法记录仪", public_key=public)
    return DeviceKey(device, private)


@pytest.fixture
def device_a(officer_a) -> DeviceKey:
    return register_device(officer_a)


def now_rfc3339(delta: datetime.timedelta = datetime.timedelta(0)) -> str:
    moment = datetime.datetime.now(tz=datetime.UTC) + delta
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def metadata_for(case: Any, data: bytes, /, **overrides: Any) -> dict[str, str]:
    md = {
        "case": str(case.pk),
        "kind": "photo",
        "filename": "现场照片.jpg",
        "captured_at": now_rfc3339(-datetime.timedelta(minutes=5)),
        "sha256": hashlib.sha256(data).hexdigest(),
        "latitude": "42.8876",
        "longitude": "125.1437",
        "accuracy_m": "8.5",
        "activity": "现场检查",
        "description": "货架上的过期商品",
    }
    md.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        md.pop(key, None)
    return md


def encode_md(md: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in md.items())


def tus_create(client: Any, md: dict[str, str], length: int | None, *, body: bytes = b"", **headers: Any) -> Any:
    extra = {**TUS, "HTTP_UPLOAD_METADATA": encode_md(md), **headers}
    if length is None:
        extra["HTTP_UPLOAD_DEFER_LENGTH"] = "1"
    else:
        extra["HTTP_UPLOAD_LENGTH"] = str(length)
    if body:
        return client.generic("POST", "/api/v1/uploads/", body, content_type=OCTET, **extra)
    return client.generic("POST", "/api/v1/uploads/", b"", **extra)


def tus_patch(client: Any, location: str, offset: int, chunk: bytes, **headers: Any) -> Any:
    return client.generic(
        "PATCH", location, chunk, content_type=OCTET, HTTP_UPLOAD_OFFSET=str(offset), **TUS, **headers
    )


def checksum(algorithm: str, chunk: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, chunk).digest()).decode()}"


def upload_file(client: Any, case: Any, data: bytes, /, *, chunk: int = 4096, **md_overrides: Any) -> Any:
    """Create + PATCH in chunks; returns the last response."""
    md = metadata_for(case, data, **md_overrides)
    created = tus_create(client, md, len(data))
    assert created.status_code == 201, created.content
    location = created["Location"]
    offset = 0
    response = created
    while offset < len(data):
        part = data[offset : offset + chunk]
        response = tus_patch(client, location, offset, part, HTTP_UPLOAD_CHECKSUM=checksum("sha256", part))
        if response.status_code != 204:
            return response
        offset = int(response["Upload-Offset"])
    response.location = location
    return response


class Kit:
    """The helpers above, handed to tests as the ``kit`` fixture (conftest modules are not importable)."""

    TUS = TUS
    OCTET = OCTET
    JPEG = JPEG
    make_case = staticmethod(make_case)
    register_device = staticmethod(register_device)
    now_rfc3339 = staticmethod(now_rfc3339)
    metadata_for = staticmethod(metadata_for)
    encode_md = staticmethod(encode_md)
    create = staticmethod(tus_create)
    patch = staticmethod(tus_patch)
    checksum = staticmethod(checksum)
    upload_file = staticmethod(upload_file)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
