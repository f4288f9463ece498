"""What the evidence services share: the write transaction and the answers about an upload's state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from backend.common.errors import ApplicationError
from backend.evidence.models import Upload
from backend.evidence.tus import TusError

# --------------------------------------------------------------------------- transactions


@contextmanager
def write_transaction() -> Iterator[None]:
    """``transaction.atomic()`` that takes SQLite's write lock at its first statement.

    SQLite starts a transaction as a reader; a reader that later writes fails at once with "database is
    locked" when another connection committed meanwhile (WAL snapshot), however long the busy timeout.
    Every service here reads before it writes, and uploads finish concurrently, so on SQLite the block
    opens with a no-op write (the lock is then waited for, up to the busy timeout). PostgreSQL: plain
    ``atomic``. (Setting ``"transaction_mode": "IMMEDIATE"`` in the SQLite options does this globally.)
    """
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute('UPDATE "evidence_upload" SET "offset" = "offset" WHERE 0')
        yield


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
