"""Shared fixtures: personas (healthchecks-style), authenticated API clients, temp storage, moto S3.

Personas: ``officer_a``/``officer_a2`` (field officers, agency A, valid credentials), ``officer_b``
(agency B), ``reviewer_a``, ``head_a``, ``discloser_a``, ``auditor_a``, ``admin_user``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rest_framework.test import APIClient
from support import client_for, free_port, make_agency, make_user

from backend.accounts.models import Agency, Role, User


@pytest.fixture(autouse=True)
def _isolated_runtime(settings, tmp_path: Path) -> Iterator[None]:
    """Per-test cache, storage root and eager Celery, so tests never share state or need a worker."""
    from django.core.cache import cache

    from backend.common.storage import get_storage
    from backend.config.celery import app

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    # Local storage by default, whatever the environment says; the S3 path is exercised explicitly by
    # tests that take the ``s3_storage`` fixture (against CI's moto server when S3_ENDPOINT_URL is set).
    settings.STORAGE_BACKEND = "local"
    settings.STORAGE_LOCAL_ROOT = tmp_path / "storage"
    settings.UPLOAD_SCRATCH_DIR = tmp_path / "scratch"
    get_storage.cache_clear()
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    get_storage.cache_clear()


@pytest.fixture(autouse=True)
def _throttle_rates_restored(monkeypatch) -> Iterator[None]:
    """DRF reads a throttle's rates from a class attribute bound at import: a test that lowers them must not
    leave the lower rate to every test after it (it did, and the console's login tests met 3/min in CI).

    A test may lower them with ``monkeypatch`` too: its patches are undone first (``undo`` is idempotent), so
    the two never undo the same attribute in the wrong order (an AttributeError at teardown)."""
    from rest_framework.throttling import SimpleRateThrottle

    def rate_attributes() -> dict[type, object]:
        found, pending = {}, [SimpleRateThrottle]
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            if "THROTTLE_RATES" in vars(cls):
                found[cls] = vars(cls)["THROTTLE_RATES"]
        return found

    before = rate_attributes()
    yield
    monkeypatch.undo()
    for cls, rates in rate_attributes().items():
        if cls not in before:
            delattr(cls, "THROTTLE_RATES")
        elif rates is not before[cls]:
            cls.THROTTLE_RATES = before[cls]


@pytest.fixture(autouse=True)
def _answers_conform_to_the_contract(request, monkeypatch) -> Iterator[None]:
    """Every answer of the Django/DRF test client must conform to api_docs/openapi.yaml (tests/contract.py)."""
    import contract
    from django.test.client import Client

    seen: list[str] = []
    original = Client.request

    def checked(self, **environ):
        response = original(self, **environ)
        sent = response.request
        seen.extend(contract.violations(sent["REQUEST_METHOD"], sent["PATH_INFO"], response))
        return response

    monkeypatch.setattr(Client, "request", checked)
    yield
    if seen and os.environ.get("CONTRACT_REPORT"):  # survey mode: collect instead of failing
        with open(os.environ["CONTRACT_REPORT"], "a") as report:
            report.writelines(f"{request.node.nodeid}\t{line}\n" for line in dict.fromkeys(seen))
    elif seen:
        pytest.fail("answers that break api_docs/openapi.yaml:\n  " + "\n  ".join(dict.fromkeys(seen)), pytrace=False)


@pytest.fixture
def agency_a(db) -> Agency:
    return make_agency("辽源市市场监督管理局", "11220400MB1234567X")


@pytest.fixture
def agency_b(db) -> Agency:
    return make_agency("辽源市城市管理综合执法局", "11220400MB7654321Y")


@pytest.fixture
def officer_a(agency_a) -> User:
    return make_user("officer_a", agency_a, [Role.FIELD_OFFICER], credential="A-0001", full_name="张伟")


@pytest.fixture
def officer_a2(agency_a) -> User:
    return make_user("officer_a2", agency_a, [Role.FIELD_OFFICER], credential="A-0002", full_name="李娜")


@pytest.fixture
def officer_b(agency_b) -> User:
    return make_user("officer_b", agency_b, [Role.FIELD_OFFICER], credential="B-0001", full_name="王强")


@pytest.fixture
def reviewer_a(agency_a) -> User:
    user = make_user("reviewer_a", agency_a, [Role.LEGAL_REVIEWER], full_name="赵敏")
    user.legal_qualification_no = "A2018220000001"
    user.save()
    return user


@pytest.fixture
def head_a(agency_a) -> User:
    return make_user("head_a", agency_a, [Role.AGENCY_HEAD], full_name="刘建国")


@pytest.fixture
def discloser_a(agency_a) -> User:
    return make_user("discloser_a", agency_a, [Role.DISCLOSURE_MANAGER], full_name="陈静")


@pytest.fixture
def auditor_a(agency_a) -> User:
    return make_user("auditor_a", agency_a, [Role.AUDITOR], full_name="孙立")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("sysadmin", None, [Role.SYSTEM_ADMIN])


# --------------------------------------------------------------------------- clients


@pytest.fixture
def api() -> APIClient:
    """Anonymous client."""
    return APIClient()


@pytest.fixture
def as_user():
    """``as_user(user)`` → an APIClient authenticated with a fresh access token."""
    return client_for


# --------------------------------------------------------------------------- S3 (moto standalone server)




@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto S3 server over HTTP: the same boto3 code path as production S3 (never patched).

    Reuses ``S3_ENDPOINT_URL`` when CI already started one.
    """
    existing = os.environ.get("S3_ENDPOINT_URL")
    if existing:
        yield existing
        return
    port = free_port()
    moto_bin = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(moto_bin), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, moto_server: str):
    """Switch the storage to S3 on the moto server, with a fresh bucket per test."""
    import uuid

    import boto3

    from backend.common.storage import get_storage

    bucket = f"test-{uuid.uuid4().hex[:12]}"
    settings.STORAGE_BACKEND = "s3"
    settings.S3_BUCKET = bucket
    settings.S3_ENDPOINT_URL = moto_server
    settings.S3_ACCESS_KEY_ID = "testing"
    settings.S3_SECRET_ACCESS_KEY = "testing"
    settings.S3_REGION = "us-east-1"
    boto3.client(
        "s3", endpoint_url=moto_server, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    ).create_bucket(Bucket=bucket)
    get_storage.cache_clear()
    yield get_storage()
    get_storage.cache_clear()
