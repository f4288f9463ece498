"""S3 storage through boto3: multipart uploads staged under the expected final key, SSE and Object Lock, pooled
part buffers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

from django.conf import settings

from backend.common.storage.interface import (
    CHUNK,
    DERIVED_PREFIX,
    INCOMING_PREFIX,
    ORIGINALS_PREFIX,
    ObjectMissing,
    StorageError,
    _done,
    _guard_original,
)

# S3 refuses multipart parts below 5 MiB (except the last); we send parts of at least this size.
S3_MIN_PART = 5 * 1024 * 1024
S3_PART_TARGET = 8 * 1024 * 1024


class S3Storage:
    name = "s3"

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self._client = None

    @property
    def client(self):  # type: ignore[no-untyped-def]
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "s3",
                endpoint_url=settings.S3_ENDPOINT_URL,
                region_name=settings.S3_REGION,
                aws_access_key_id=settings.S3_ACCESS_KEY_ID,
                aws_secret_access_key=settings.S3_SECRET_ACCESS_KEY,
                config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}),
            )
        return self._client

    def _errors(self):  # type: ignore[no-untyped-def]
        from botocore.exceptions import BotoCoreError, ClientError

        return BotoCoreError, ClientError

    def extra_put_args(self, key: str) -> dict:
        args: dict = {}
        if settings.S3_SSE:
            args["ServerSideEncryption"] = settings.S3_SSE
        return args

    def put_file(self, key: str, path: Path, *, content_type: str = "application/octet-stream") -> None:
        if key.startswith(ORIGINALS_PREFIX):
            _guard_original(key, self.exists(key))
        try:
            self.client.upload_file(
                str(path),
                self.bucket,
                key,
                ExtraArgs={"ContentType": content_type, **self.extra_put_args(key)},
            )
        except self._errors() as exc:
            raise StorageError(str(exc)) from exc

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        byte_range = f"bytes={start}-{'' if end is None else end}"
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=key, Range=byte_range)
        except self._errors()[1] as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise ObjectMissing(key) from exc
            raise StorageError(str(exc)) from exc
        except self._errors()[0] as exc:
            raise StorageError(str(exc)) from exc
        yield from obj["Body"].iter_chunks(CHUNK)

    def size(self, key: str) -> int:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except self._errors()[1] as exc:
            raise ObjectMissing(key) from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except self._errors()[1] as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise StorageError(str(exc)) from exc
        except self._errors()[0] as exc:
            raise StorageError(str(exc)) from exc

    def download_to(self, key: str, path: Path) -> None:
        try:
            self.client.download_file(self.bucket, key, str(path))
        except self._errors() as exc:
            raise StorageError(str(exc)) from exc

    def delete_derived(self, key: str) -> None:
        if not key.startswith(DERIVED_PREFIX):
            raise PermissionError("only derivatives can be deleted")
        self.client.delete_object(Bucket=self.bucket, Key=key)

    # ---- resumable uploads: S3 multipart upload of ``incoming/<id>``, parts of >= 5 MiB
    def object_lock_args(self) -> dict:
        """Object Lock retention for originals, when configured and the bucket has Object Lock enabled."""
        days = settings.S3_OBJECT_LOCK_DAYS
        if not days or not self._bucket_has_object_lock():
            return {}
        import datetime

        until = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=days)
        return {"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": until}

    def _bucket_has_object_lock(self) -> bool:
        cached = getattr(self, "_object_lock", None)
        if cached is None:
            try:
                conf = self.client.get_object_lock_configuration(Bucket=self.bucket)
                cached = conf.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
            except self._errors() as exc:  # no configuration (or not supported) → no lock
                del exc
                cached = False
            self._object_lock = cached
        return cached

    def upload_open(self, upload_id: str, state: dict, offset: int) -> S3UploadWriter:
        return S3UploadWriter(self, upload_id, dict(state))

    def upload_finish(self, upload_id: str, state: dict, final_key: str, *, content_type: str) -> None:
        """Complete the multipart upload. An accepted upload was staged at its final key: no copy, and the
        Object Lock retention is applied only now, after verification. A rejected one (staged at its would-be
        original key, never locked) is copied to ``quarantine/`` and the staged object removed."""
        errors = self._errors()
        original = final_key.startswith(ORIGINALS_PREFIX)
        if original:
            _guard_original(final_key, self.exists(final_key))
        extra = {"ContentType": content_type, **self.extra_put_args(final_key)}
        lock = self.object_lock_args() if original else {}
        staged = _staging_key(upload_id, state)
        try:
            tail = self._read_tail(upload_id, state)
            parts = list(state.get("parts", []))
            if not parts:
                # Smaller than one part: the tail is the whole file.
                if state.get("mpu"):
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=staged, UploadId=state["mpu"])
                self.client.put_object(Bucket=self.bucket, Key=final_key, Body=tail, **extra, **lock)
            else:
                if tail:
                    number = len(parts) + 1
                    resp = self.client.upload_part(
                        Bucket=self.bucket, Key=staged, UploadId=state["mpu"], PartNumber=number, Body=tail
                    )
                    parts.append([number, resp["ETag"], len(tail)])
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=staged,
                    UploadId=state["mpu"],
                    MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag, _size in parts]},
                )
                if staged == final_key:
                    if lock:
                        self.client.put_object_retention(
                            Bucket=self.bucket,
                            Key=final_key,
                            Retention={
                                "Mode": lock["ObjectLockMode"],
                                "RetainUntilDate": lock["ObjectLockRetainUntilDate"],
                            },
                        )
                else:
                    # Server-side copy (multipart copy above 5 GB is handled by boto3).
                    self.client.copy(
                        {"Bucket": self.bucket, "Key": staged}, self.bucket, final_key, ExtraArgs={**extra, **lock}
                    )
                    self.client.delete_object(Bucket=self.bucket, Key=staged)  # unverified, never locked
            self.client.delete_object(Bucket=self.bucket, Key=f"{INCOMING_PREFIX}{upload_id}.tail")
        except errors as exc:
            raise StorageError(str(exc)) from exc

    def upload_discard(self, upload_id: str, state: dict) -> None:
        try:
            if state.get("mpu"):
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=_staging_key(upload_id, state), UploadId=state["mpu"]
                )
            self.client.delete_object(Bucket=self.bucket, Key=f"{INCOMING_PREFIX}{upload_id}.tail")
        except self._errors()[1] as exc:
            if exc.response.get("Error", {}).get("Code") not in {"NoSuchUpload", "NoSuchKey", "404"}:
                raise StorageError(str(exc)) from exc

    def _read_tail(self, upload_id: str, state: dict) -> bytes:
        if not state.get("tail"):
            return b""
        obj = self.client.get_object(Bucket=self.bucket, Key=f"{INCOMING_PREFIX}{upload_id}.tail")
        data: bytes = obj["Body"].read()
        if len(data) != state["tail"]:
            raise StorageError(f"tail of upload {upload_id} has {len(data)} bytes, expected {state['tail']}")
        return data

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self._errors() as exc:
            raise StorageError(str(exc)) from exc


def _staging_key(upload_id: str, state: dict) -> str:
    """Where the multipart upload of ``upload_id`` is staged: its expected final key, else ``incoming/``."""
    return state.get("target") or f"{INCOMING_PREFIX}{upload_id}"


class _PartBuffers:
    """Fixed-size part buffers shared by every thread of the process.

    Each gunicorn thread would otherwise allocate its own 8 MiB buffer per request, and glibc keeps freed
    blocks of that size in per-thread arenas: resident memory grew by one part per thread (30–35 MiB per
    process, bench/bench_uploads.py --s3). Reusing buffers bounds it by the number of concurrent uploads.
    """

    def __init__(self, size: int, keep: int = 2) -> None:
        self.size = size
        self.keep = keep
        self._idle: list[bytearray] = []
        self._lock = threading.Lock()

    def take(self) -> bytearray:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return bytearray(self.size)

    def give(self, buffer: bytearray) -> None:
        if len(buffer) != self.size:
            return
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(buffer)


_PART_BUFFERS = _PartBuffers(S3_PART_TARGET)


class S3UploadWriter:
    """Buffers appended bytes into multipart parts (>= 5 MiB, S3's minimum); the remainder below 5 MiB
    at ``commit()`` is stored as a small ``incoming/<id>.tail`` object, so every acknowledged byte is in
    S3 and any web process (or host) can continue the upload. Parts uploaded by a request that is then
    aborted are not recorded; their part numbers are simply reused (S3 keeps the last upload of a number).

    State: ``{"mpu": multipart upload id, "parts": [[number, etag, size], ...], "tail": tail length}``.
    Memory: one pooled part buffer (8 MiB) plus a copy of the committed tail, whatever the file size.
    """

    def __init__(self, storage: S3Storage, upload_id: str, state: dict) -> None:
        self._s3 = storage
        self._key = _staging_key(upload_id, state)
        self._tail_key = f"{INCOMING_PREFIX}{upload_id}.tail"
        self._target = state.get("target")
        self._state = {"mpu": state.get("mpu"), "parts": list(state.get("parts", [])), "tail": state.get("tail", 0)}
        self._pending_parts: list[list] = []
        self._committed_tail = storage._read_tail(upload_id, state)
        self._part: bytearray | None = _PART_BUFFERS.take()
        self._filled = 0
        self._restore_tail()

    def _client(self):  # type: ignore[no-untyped-def]
        return self._s3.client

    def _restore_tail(self) -> None:
        assert self._part is not None
        size = len(self._committed_tail)
        self._part[:size] = self._committed_tail
        self._filled = size

    def _upload_part(self) -> None:
        assert self._part is not None
        if not self._state["mpu"]:
            resp = self._client().create_multipart_upload(
                Bucket=self._s3.bucket, Key=self._key, **self._s3.extra_put_args(self._key)
            )
            self._state["mpu"] = resp["UploadId"]
        number = len(self._state["parts"]) + len(self._pending_parts) + 1
        size = self._filled
        body = self._part
        if size < len(body):
            # botocore takes bytes/bytearray/files, not memoryviews: shrink in place (no copy for a part
            # of at least half the buffer), send, and grow back afterwards.
            del body[size:]
        try:
            resp = self._client().upload_part(
                Bucket=self._s3.bucket, Key=self._key, UploadId=self._state["mpu"], PartNumber=number, Body=body
            )
        finally:
            if len(body) < _PART_BUFFERS.size:
                body.extend(bytes(_PART_BUFFERS.size - len(body)))
        self._filled = 0
        self._pending_parts.append([number, resp["ETag"], size])

    def append(self, data: bytes | bytearray | memoryview) -> None:
        assert self._part is not None
        view = memoryview(data)
        capacity = len(self._part)
        try:
            while view:
                n = min(capacity - self._filled, len(view))
                self._part[self._filled : self._filled + n] = view[:n]
                self._filled += n
                view = view[n:]
                if self._filled == capacity:
                    self._upload_part()
        except self._s3._errors() as exc:
            raise StorageError(str(exc)) from exc

    def commit(self) -> dict:
        assert self._part is not None
        try:
            if self._filled >= S3_MIN_PART:
                self._upload_part()
            tail = bytes(self._part[: self._filled])
            if tail:
                self._client().put_object(
                    Bucket=self._s3.bucket,
                    Key=self._tail_key,
                    Body=tail,
                    **self._s3.extra_put_args(self._key),
                )
        except self._s3._errors() as exc:
            raise StorageError(str(exc)) from exc
        self._state["parts"] += self._pending_parts
        self._state["tail"] = len(tail)
        self._pending_parts = []
        self._committed_tail = tail
        # The tail stays in the buffer: further appends in this request continue after it.
        state = {"mpu": self._state["mpu"], "parts": list(self._state["parts"]), "tail": self._state["tail"]}
        if self._target:
            state["target"] = self._target
        return state

    def commit_async(self) -> Future[dict]:
        return _done(self.commit())

    def abort(self) -> None:
        self._pending_parts = []
        self._restore_tail()

    def close(self) -> None:
        if self._part is not None:
            _PART_BUFFERS.give(self._part)
            self._part = None
