"""Object storage behind one small interface: local disk (embedded default) or S3 through boto3.

Keys are always server-generated (never a client filename). Originals and derivatives live under
separate prefixes (``originals/`` and ``derived/``); an original key is written once and never
overwritten or deleted through this interface (evidence is immutable).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings

ORIGINALS_PREFIX = "originals/"
DERIVED_PREFIX = "derived/"
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

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".ready"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise StorageError(str(exc)) from exc


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
                config=Config(
                    connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}
                ),
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

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self._errors() as exc:
            raise StorageError(str(exc)) from exc


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    """The configured storage (one instance per process)."""
    if settings.STORAGE_BACKEND == "s3":
        return S3Storage(settings.S3_BUCKET)
    return LocalStorage(settings.STORAGE_LOCAL_ROOT)
