"""Storage upload writers: local (fsync, truncation of unacknowledged bytes) and S3 multipart on moto."""

from __future__ import annotations

import datetime
import os

import pytest

from backend.common.storage import LocalStorage, StorageError
from backend.evidence.models import EvidenceItem, Upload

pytestmark = pytest.mark.django_db


def test_local_writer_discards_bytes_beyond_the_acknowledged_offset(tmp_path):
    storage = LocalStorage(tmp_path)
    writer = storage.upload_open("u1", {}, 0)
    writer.append(b"hello ")
    writer.commit()
    writer.append(b"unacknowledged")  # the process dies before committing
    writer.close()
    writer = storage.upload_open("u1", {}, 6)
    writer.append(b"world")
    writer.commit()
    writer.close()
    assert (tmp_path / "incoming" / "u1").read_bytes() == b"hello world"


def test_local_writer_abort_forgets_the_chunk(tmp_path):
    storage = LocalStorage(tmp_path)
    writer = storage.upload_open("u2", {}, 0)
    writer.append(b"keep")
    writer.commit()
    writer.append(b"drop")
    writer.abort()
    writer.append(b"!")
    writer.commit()
    writer.close()
    assert (tmp_path / "incoming" / "u2").read_bytes() == b"keep!"


def test_local_writer_drops_only_durable_pages_from_the_cache(tmp_path, monkeypatch):
    advice: list[tuple[int, int]] = []
    real = os.posix_fadvise

    def record(fd, offset, length, flag):
        assert flag == os.POSIX_FADV_DONTNEED
        advice.append((offset, length))
        real(fd, offset, length, flag)

    monkeypatch.setattr(os, "posix_fadvise", record)
    storage = LocalStorage(tmp_path)
    writer = storage.upload_open("u4", {}, 0)
    writer.append(b"a" * 100)
    writer.commit()
    writer.append(b"b" * 50)
    writer.commit_async().result()
    writer.append(b"c" * 7)
    writer.abort()  # never acknowledged: nothing of it is advised
    writer.commit()  # nothing new is durable: no advice
    writer.close()
    assert advice == [(0, 100), (100, 50)]
    # Resuming later starts advising at the acknowledged offset, and the bytes are all there.
    writer = storage.upload_open("u4", {}, 150)
    writer.append(b"d")
    writer.commit()
    writer.close()
    assert advice[-1] == (150, 1)
    assert (tmp_path / "incoming" / "u4").read_bytes() == b"a" * 100 + b"b" * 50 + b"d"


def test_local_writer_starts_writeback_while_a_chunk_arrives(tmp_path, monkeypatch):
    from backend.common.storage import FLUSH_AHEAD_BYTES as step

    advice: list[tuple[int, int]] = []
    real = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, o, n, f: (advice.append((o, n)), real(fd, o, n, f)))
    storage = LocalStorage(tmp_path)
    writer = storage.upload_open("u5", {}, 0)
    block = os.urandom(step // 2)
    for _ in range(5):  # 2.5 steps
        writer.append(block)
    assert advice == [(0, step), (step, step)]  # writeback started behind the writes, nothing waited for
    writer.commit()
    assert advice[-1] == (0, 5 * len(block))  # durable now: dropped from the cache
    writer.append(block * 4)  # a chunk that turns out to be bad
    writer.abort()
    writer.append(block)
    writer.commit()
    writer.close()
    assert (tmp_path / "incoming" / "u5").read_bytes() == block * 6


def test_local_writer_refuses_to_continue_when_acknowledged_bytes_are_missing(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(StorageError):
        storage.upload_open("u3", {}, 10)


def test_local_finish_refuses_to_overwrite_an_original(tmp_path):
    from backend.common.storage import ObjectExists

    storage = LocalStorage(tmp_path)
    for upload_id in ("a", "b"):
        writer = storage.upload_open(upload_id, {}, 0)
        writer.append(b"x")
        writer.commit()
        writer.close()
    storage.upload_finish("a", {}, "originals/c/1", content_type="image/jpeg")
    with pytest.raises(ObjectExists):
        storage.upload_finish("b", {}, "originals/c/1", content_type="image/jpeg")


@pytest.mark.s3
def test_s3_writer_buffers_parts_of_at_least_5_mib_and_keeps_a_tail(s3_storage):
    mib = 1024 * 1024
    data = os.urandom(13 * mib + 123)
    state: dict = {}
    offset = 0
    for size in (3 * mib, 4 * mib, 6 * mib + 123):  # PATCHes of uneven sizes, each acknowledged
        writer = s3_storage.upload_open("up", state, offset)
        writer.append(data[offset : offset + size])
        state = writer.commit()
        writer.close()
        offset += size
        assert all(part_size >= 5 * mib for _n, _etag, part_size in state.get("parts", []))
    s3_storage.upload_finish("up", state, "originals/case/item", content_type="video/mp4")
    assert b"".join(s3_storage.open("originals/case/item")) == data
    listing = s3_storage.client.list_objects_v2(Bucket=s3_storage.bucket, Prefix="incoming/")
    assert listing.get("KeyCount", 0) == 0


@pytest.mark.s3
def test_s3_writer_abort_after_a_sent_part_keeps_only_acknowledged_bytes(s3_storage):
    mib = 1024 * 1024
    first = os.urandom(2 * mib + 7)  # acknowledged: stays as the tail
    rejected = os.urandom(19 * mib)  # crosses two part boundaries, then its checksum fails
    rest = os.urandom(17 * mib + 5)  # one big append after the abort
    writer = s3_storage.upload_open("ab", {}, 0)
    writer.append(first)
    state = writer.commit()
    writer.append(rejected)
    writer.abort()
    writer.append(rest)
    state = writer.commit()
    writer.close()
    assert [size for _n, _etag, size in state["parts"]] == [8 * mib, 8 * mib]
    assert state["tail"] == 3 * mib + 12  # below S3's 5 MiB part minimum: kept as the tail object
    # A second writer reuses a pooled buffer: nothing of the first one's bytes may leak into it.
    writer = s3_storage.upload_open("ab", state, len(first) + len(rest))
    writer.append(b"end")
    state = writer.commit()
    writer.close()
    s3_storage.upload_finish("ab", state, "originals/case/ab", content_type="video/mp4")
    assert b"".join(s3_storage.open("originals/case/ab")) == first + rest + b"end"


@pytest.mark.s3
def test_s3_small_file_is_stored_from_the_tail_alone(s3_storage):
    writer = s3_storage.upload_open("small", {}, 0)
    writer.append(b"tiny")
    state = writer.commit()
    writer.close()
    s3_storage.upload_finish("small", state, "originals/c/small", content_type="image/jpeg")
    assert b"".join(s3_storage.open("originals/c/small")) == b"tiny"


@pytest.mark.s3
def test_a_tus_upload_on_s3_becomes_evidence_with_sse(as_user, officer_a, case_a, kit, s3_storage, settings):
    settings.S3_SSE = "AES256"
    data = kit.JPEG * 400  # ~4 MiB: crosses the tail/part logic with 1 MiB chunks below 5 MiB
    data = data + os.urandom(3 * 1024 * 1024)
    response = kit.upload_file(as_user(officer_a), case_a, data, chunk=1024 * 1024 + 7)
    assert response["Evidence-Status"] == "received", getattr(response, "content", b"")[:300]
    item = EvidenceItem.objects.get()
    assert b"".join(s3_storage.open(item.storage_key)) == data
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key=item.storage_key)
    assert head.get("ServerSideEncryption") == "AES256"
    assert Upload.objects.get().status == "received"
    original = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/original?purpose=核对", HTTP_RANGE="bytes=0-9")
    assert b"".join(original.streaming_content) == data[:10]


@pytest.mark.s3
def test_s3_object_lock_is_applied_to_originals_when_the_bucket_supports_it(moto_server, settings, kit, as_user,
                                                                         officer_a, case_a):
    import uuid

    import boto3

    from backend.common.storage import get_storage

    bucket = f"lock-{uuid.uuid4().hex[:10]}"
    client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    settings.STORAGE_BACKEND, settings.S3_BUCKET, settings.S3_ENDPOINT_URL = "s3", bucket, moto_server
    settings.S3_ACCESS_KEY_ID = settings.S3_SECRET_ACCESS_KEY = "testing"
    settings.S3_OBJECT_LOCK_DAYS = 30
    get_storage.cache_clear()
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    item = EvidenceItem.objects.get()
    head = client.head_object(Bucket=bucket, Key=item.storage_key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.datetime.now(tz=datetime.UTC)
    get_storage.cache_clear()


@pytest.mark.s3
def test_on_s3_a_rejected_upload_moves_to_quarantine_and_leaves_no_original(as_user, officer_a, case_a, kit,
                                                                              s3_storage):
    data = kit.JPEG + os.urandom(6 * 1024 * 1024)  # more than one part: staged as a multipart upload
    response = kit.upload_file(as_user(officer_a), case_a, data, chunk=6 * 1024 * 1024, sha256="0" * 64)
    assert response.status_code == 422
    item = EvidenceItem.objects.get()
    assert item.storage_key.startswith("quarantine/")
    assert b"".join(s3_storage.open(item.storage_key)) == data
    listing = s3_storage.client.list_objects_v2(Bucket=s3_storage.bucket, Prefix="originals/")
    assert listing.get("KeyCount", 0) == 0
    uploads = s3_storage.client.list_multipart_uploads(Bucket=s3_storage.bucket).get("Uploads", [])
    assert uploads == []
