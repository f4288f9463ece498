"""What the evidence services share: the answers about an upload's state and its size-limit error.

Their transactions are plain ``transaction.atomic()``: on SQLite the settings open every transaction
``IMMEDIATE`` (``backend/config/settings.py``), so a read-then-write transaction waits for the write lock at its
start instead of failing with "database is locked" (measured: bench/bench_sqlite_write_lock.py).
"""

from __future__ import annotations

from django.utils import timezone

from backend.common.errors import ApplicationError
from backend.evidence.models import Upload
from backend.evidence.tus import TusError


def _size_limit_error(kind: str, limit: int) -> ApplicationError:
    return ApplicationError(
        "upload_too_large",
        f"文件超过该类证据的大小上限（{limit // (1024 * 1024)} MiB）",
        status=413,
        extra={"kind": kind, "max_size": limit},
    )


def _refresh(upload: Upload) -> Upload:
    upload.refresh_from_db()
    return upload


def upload_is_expired(upload: Upload) -> bool:
    """Past its sliding expiry but not yet cleaned up: already treated as gone."""
    return upload.status == Upload.Status.RECEIVING and upload.expires_at <= timezone.now()


def _gone(upload: Upload) -> TusError:
    return TusError("upload_gone", "该上传已取消或已过期", status=410, extra={"status": upload.status})
