"""The storage interface: key prefixes, errors, the ``Storage`` and ``UploadWriter`` protocols every backend
implements, and the one rule they share (an original is never overwritten)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

ORIGINALS_PREFIX = "originals/"
DERIVED_PREFIX = "derived/"
# Unfinished tus uploads (partial bytes) and uploads whose whole-file hash or content check failed.
INCOMING_PREFIX = "incoming/"
QUARANTINE_PREFIX = "quarantine/"
CHUNK = 1024 * 1024


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


def _done(value: dict) -> Future[dict]:
    future: Future[dict] = Future()
    future.set_result(value)
    return future
