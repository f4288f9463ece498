"""Object storage behind one small interface: local disk (embedded default) or S3 through boto3.

Keys are always server-generated (never a client filename). Originals and derivatives live under
separate prefixes (``originals/`` and ``derived/``); an original key is written once and never
overwritten or deleted through this interface (evidence is immutable).

Modules: :mod:`.interface` (prefixes, errors, the protocols), :mod:`.local` (local disk), :mod:`.s3` (S3);
:func:`get_storage` picks the configured one.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from backend.common.storage.interface import (
    CHUNK,
    DERIVED_PREFIX,
    INCOMING_PREFIX,
    ORIGINALS_PREFIX,
    QUARANTINE_PREFIX,
    ObjectExists,
    ObjectMissing,
    Storage,
    StorageError,
    UploadWriter,
)
from backend.common.storage.local import FLUSH_AHEAD_BYTES, LocalStorage
from backend.common.storage.s3 import S3Storage

__all__ = [
    "CHUNK",
    "DERIVED_PREFIX",
    "FLUSH_AHEAD_BYTES",
    "INCOMING_PREFIX",
    "ORIGINALS_PREFIX",
    "QUARANTINE_PREFIX",
    "LocalStorage",
    "ObjectExists",
    "ObjectMissing",
    "S3Storage",
    "Storage",
    "StorageError",
    "UploadWriter",
    "get_storage",
]


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    """The configured storage (one instance per process)."""
    if settings.STORAGE_BACKEND == "s3":
        return S3Storage(settings.S3_BUCKET)
    return LocalStorage(settings.STORAGE_LOCAL_ROOT)
