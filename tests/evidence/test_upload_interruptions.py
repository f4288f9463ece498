"""Interrupted requests: what is acknowledged survives; what is not is never half-counted."""

from __future__ import annotations

import hashlib
import io
import os
import time

import pytest

from backend.common.storage import StorageError
from backend.evidence import services
from backend.evidence.models import EvidenceItem, Upload
from backend.ledger.services import AuditContext

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


class Dies(BaseException):
    """The worker process dying mid-request (nothing after this runs)."""


def _reader(data: bytes, *, fail_after: int, error: BaseException, delay: float = 0.0):
    stream = io.BytesIO(data)

    def read(size: int) -> bytes:
        if stream.tell() >= fail_after:
            raise error
        time.sleep(delay)  # the network: the background fdatasync of a checkpoint finishes meanwhile
        return stream.read(min(size, fail_after - stream.tell()))

    return read


@pytest.fixture
def upload(officer_a, case_a, kit):
    data = kit.JPEG + os.urandom(6 * MIB)
    md = kit.metadata_for(case_a, data)
    created = services.upload_create(user=officer_a, length=len(data), metadata=md, context=AuditContext())
    created.data = data
    return created


def test_a_client_that_disconnects_without_a_checksum_keeps_what_arrived(upload):
    read = _reader(upload.data, fail_after=3 * MIB, error=OSError("connection reset"))
    services.upload_append(upload=upload, offset=0, read=read, content_length=len(upload.data), checksum=None,
                           new_length=None, context=AuditContext())
    upload.refresh_from_db()
    assert upload.offset == 3 * MIB
    assert upload.lock_token == ""


def test_a_cut_short_chunk_with_a_checksum_is_not_kept(upload):
    digest = hashlib.sha256(upload.data).digest()
    read = _reader(upload.data, fail_after=3 * MIB, error=OSError("connection reset"))
    with pytest.raises(services.TusError) as raised:
        services.upload_append(upload=upload, offset=0, read=read, content_length=len(upload.data),
                               checksum=("sha256", digest), new_length=None, context=AuditContext())
    assert raised.value.code == "incomplete_body"
    upload.refresh_from_db()
    assert upload.offset == 0


def test_a_long_body_is_checkpointed_so_a_crash_loses_little(upload, settings, kit, as_user, officer_a):
    settings.EVIDENCE_UPLOAD_CHECKPOINT_BYTES = 2 * MIB
    read = _reader(upload.data, fail_after=5 * MIB, error=Dies(), delay=0.1)
    with pytest.raises(Dies):
        services.upload_append(upload=upload, offset=0, read=read, content_length=len(upload.data),
                               checksum=None, new_length=None, context=AuditContext())
    upload.refresh_from_db()
    assert 2 * MIB <= upload.offset <= 5 * MIB  # acknowledged by a checkpoint before the crash
    # The dead writer's lock is stale; a new request (after the lock expires) resumes at that offset.
    Upload.objects.filter(pk=upload.pk).update(lock_token="")
    client = as_user(officer_a)
    response = kit.patch(client, f"/api/v1/uploads/{upload.pk}", upload.offset, upload.data[upload.offset:])
    assert response.status_code == 204
    assert response["Evidence-Status"] == "received"
    assert EvidenceItem.objects.get().sha256 == hashlib.sha256(upload.data).hexdigest()


def test_a_completion_interrupted_by_a_storage_fault_is_finished_by_the_next_head(
    as_user, officer_a, case_a, kit, monkeypatch
):
    from backend.common.storage import LocalStorage

    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    original = LocalStorage.upload_finish
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StorageError("disk went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LocalStorage, "upload_finish", flaky)
    client.raise_request_exception = False
    failed = kit.patch(client, location, 0, kit.JPEG)
    assert failed.status_code == 503  # a storage fault is the client's to retry, never a 500 (issue 19)
    assert failed.json()["code"] == "storage_unavailable" and int(failed["Retry-After"]) > 0
    assert Upload.objects.get().status == "receiving"
    head = client.head(location, **kit.TUS)
    assert head.status_code == 200
    assert head["Evidence-Status"] == "received"
    assert head["Upload-Offset"] == str(len(kit.JPEG))
    assert EvidenceItem.objects.get().status == "received"
