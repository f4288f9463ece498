"""Object storage behind one small interface: local disk (embedded default) or S3 through boto3.

Keys are always server-generated (never a client filename). Originals and derivatives live under
separate prefixes (``originals/`` and ``derived/``); an original key is written once and never
overwritten or deleted through this interface (evidence is immutable).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings

ORIGINALS_PREFIX = "originals/"
DERIVED_PREFIX = "derived/"
# Unfinished tus uploads (partial bytes) and uploads whose whole-file hash or content check failed.
INCOMING_PREFIX = "incoming/"
QUARANTINE_PREFIX = "quarantine/"
CHUNK = 1024 * 1024
# S3 refuses multipart parts below 5 MiB (except the last); we send parts of at least this size.
S3_MIN_PART = 5 * 1024 * 1024
S3_PART_TARGET = 8 * 1024 * 1024
FLUSH_AHEAD_BYTES = 2 * 1024 * 1024  # local uploads: start writeback after every this many bytes


class StorageError(Exception):
    """Storage is unreachable or misbehaving (transient: callers may retry)."""


class ObjectMissing(StorageError):
    """The key does not exist."""


class ObjectExists(Exception):
    """Refused to overwrite an existing original."""


class Storage(Protocol):
    name: str

    def put_file(self, key: str, path: Path, *, content_type: str = "application/octet-stream") -> None:
        """Store a local file under ``key``. MUST refuse to overwrite an existing original."""

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield the bytes of ``key`` from ``start`` to ``end`` (inclusive), in chunks."""

    def size(self, key: str) -> int: ...

    def exists(self, key: str) -> bool: ...

    def download_to(self, key: str, path: Path) -> None: ...

    def delete_derived(self, key: str) -> None:
        """Delete a derivative (only keys under ``derived/``; originals are never deleted)."""

    def check(self) -> None:
        """Raise :class:`StorageError` when the storage is not usable (readiness probe)."""

    # ---- incremental writes for resumable (tus) uploads -------------------------------------------
    def upload_open(self, upload_id: str, state: dict, offset: int) -> UploadWriter:
        """Open the partial upload ``upload_id`` for appending at ``offset`` (the acknowledged length).

        Bytes beyond ``offset`` left by a request that died before it was acknowledged are discarded.
        ``state`` is what the last :meth:`UploadWriter.commit` returned; for a new upload the caller may put
        ``{"target": key}`` there: the key the bytes will most likely end at (S3 stages its multipart upload
        under it, so that finishing an accepted upload needs no copy).
        """

    def upload_finish(self, upload_id: str, state: dict, final_key: str, *, content_type: str) -> None:
        """Turn the complete partial upload into the object ``final_key`` (under ``originals/`` or
        ``quarantine/``) and remove the partial. MUST refuse to overwrite an existing original."""

    def upload_discard(self, upload_id: str, state: dict) -> None:
        """Delete the bytes of an unfinished (terminated/expired) or duplicate upload."""


class UploadWriter(Protocol):
    """Appends to one partial upload. Nothing is acknowledged until :meth:`commit` returns.

    Obligations: after ``commit()`` returns, every byte appended so far survives a crash of this process
    or host (LocalStorage: fsync; S3: the parts and tail object are stored). ``abort()`` forgets every
    byte appended since the last commit (used when a chunk checksum does not match).
    """

    def append(self, data: bytes | bytearray | memoryview) -> None: ...

    def commit(self) -> dict:
        """Make the appended bytes durable; return the new backend state to persist with the offset."""

    def commit_async(self) -> Future[dict]:
        """Like :meth:`commit` for the bytes appended so far, but MAY finish in the background while more
        bytes are appended (LocalStorage: fdatasync in a thread). Callers must wait for it before
        ``commit``/``abort``/``close``."""

    def abort(self) -> None: ...

    def close(self) -> None: ...


def _guard_original(key: str, exists: bool) -> None:
    if key.startswith(ORIGINALS_PREFIX) and exists:
        raise ObjectExists(key)


class LocalStorage:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not str(path).startswith(str(self.root.resolve()) + os.sep):
            raise ValueError(f"key escapes storage root: {key!r}")
        return path

    def put_file(self, key: str, path: Path, *, content_type: str = "application/octet-stream") -> None:
        target = self._path(key)
        _guard_original(key, target.exists())
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        if key.startswith(ORIGINALS_PREFIX):
            target.chmod(0o444)  # a read-only original: a careless process cannot open it for writing

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        if not path.exists():
            raise ObjectMissing(key)
        with open(path, "rb") as fh:
            fh.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                block = fh.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not block:
                    break
                if remaining is not None:
                    remaining -= len(block)
                yield block

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.exists():
            raise ObjectMissing(key)
        return path.stat().st_size

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def download_to(self, key: str, path: Path) -> None:
        source = self._path(key)
        if not source.exists():
            raise ObjectMissing(key)
        shutil.copyfile(source, path)

    def delete_derived(self, key: str) -> None:
        if not key.startswith(DERIVED_PREFIX):
            raise PermissionError("only derivatives can be deleted")
        self._path(key).unlink(missing_ok=True)

    # ---- resumable uploads
    def _incoming(self, upload_id: str) -> Path:
        return self._path(f"{INCOMING_PREFIX}{upload_id}")

    def upload_open(self, upload_id: str, state: dict, offset: int) -> LocalUploadWriter:
        return LocalUploadWriter(self._incoming(upload_id), offset)

    def upload_finish(self, upload_id: str, state: dict, final_key: str, *, content_type: str) -> None:
        source = self._incoming(upload_id)
        target = self._path(final_key)
        _guard_original(final_key, target.exists())
        target.parent.mkdir(parents=True, exist_ok=True)
        if not source.exists():
            source.parent.mkdir(parents=True, exist_ok=True)
            source.touch()  # an empty upload never opened a writer
        # Same file system: a rename, no copy. os.link refuses an existing target (no overwrite race).
        os.link(source, target)
        source.unlink()
        if final_key.startswith(ORIGINALS_PREFIX):
            target.chmod(0o444)
        _fsync_dir(target.parent)

    def upload_discard(self, upload_id: str, state: dict) -> None:
        self._incoming(upload_id).unlink(missing_ok=True)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".ready"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise StorageError(str(exc)) from exc


# Background durability for long uploads: a checkpoint's fdatasync overlaps receiving the next bytes.
_SYNC_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="upload-sync")


def _done(value: dict) -> Future[dict]:
    future: Future[dict] = Future()
    future.set_result(value)
    return future


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalUploadWriter:
    """Appends to ``incoming/<id>``; ``commit()`` fsyncs, so an acknowledged byte survives a crash.

    Once bytes are durable their pages are dropped from the page cache (``POSIX_FADV_DONTNEED``): an
    original is written once and read back, if at all, by the media worker later, so keeping gigabytes of
    uploads cached only pushes useful pages out. Measured in bench/bench_uploads.py on the 2-core VM:
    without it every write lands in fresh page-cache memory and ``os.write`` costs 3–4 ms of CPU per MiB
    once a few hundred MiB are cached; with it the freed pages are reused and the write costs ~0.3 ms.

    The same advice on freshly written (dirty) pages starts their writeback without waiting, so while the
    rest of a chunk arrives the disk is already busy and the ``fdatasync`` that acknowledges it waits for
    the last ``FLUSH_AHEAD_BYTES`` only (measured: 5–6 ms → 1.5 ms per 8 MiB chunk on this machine).
    """

    def __init__(self, path: Path, offset: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        size = os.fstat(self._fd).st_size
        if size < offset:
            os.close(self._fd)
            raise StorageError(f"partial upload {path.name} has {size} bytes, {offset} were acknowledged")
        if size > offset:
            os.ftruncate(self._fd, offset)  # bytes of a request that died before its acknowledgement
        os.lseek(self._fd, offset, os.SEEK_SET)
        self._committed = offset
        self._position = offset
        self._dropped = offset  # pages before this offset were already dropped from the cache
        self._flushed = offset  # writeback was started for the bytes before this offset
        self._drop_lock = threading.Lock()
        if created:
            _fsync_dir(path.parent)

    def append(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
            self._position += written
        if self._position - self._flushed >= FLUSH_AHEAD_BYTES and hasattr(os, "posix_fadvise"):
            # Linux: DONTNEED on dirty pages submits their writeback (WB_SYNC_NONE) and returns.
            with contextlib.suppress(OSError):
                os.posix_fadvise(self._fd, self._flushed, self._position - self._flushed, os.POSIX_FADV_DONTNEED)
            self._flushed = self._position

    def commit(self) -> dict:
        # fdatasync: the data and the file size (needed to read it back), not the timestamps.
        os.fdatasync(self._fd)
        self._committed = self._position
        self._drop_cached(self._position)
        return {}

    def _drop_cached(self, durable: int) -> None:
        """Let the kernel free the clean pages of ``[dropped, durable)`` (advice only; never fails)."""
        with self._drop_lock:
            start, self._dropped = self._dropped, max(self._dropped, durable)
            if durable > start and self._fd >= 0 and hasattr(os, "posix_fadvise"):
                with contextlib.suppress(OSError):
                    os.posix_fadvise(self._fd, start, durable - start, os.POSIX_FADV_DONTNEED)

    def commit_async(self) -> Future[dict]:
        position = self._position

        def sync() -> dict:
            os.fdatasync(self._fd)  # covers every byte written before this call, and maybe more
            self._committed = max(self._committed, position)
            self._drop_cached(position)
            return {}

        return _SYNC_POOL.submit(sync)

    def abort(self) -> None:
        os.ftruncate(self._fd, self._committed)
        os.lseek(self._fd, self._committed, os.SEEK_SET)
        self._position = self._committed
        self._flushed = min(self._flushed, self._committed)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


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


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    """The configured storage (one instance per process)."""
    if settings.STORAGE_BACKEND == "s3":
        return S3Storage(settings.S3_BUCKET)
    return LocalStorage(settings.STORAGE_LOCAL_ROOT)
