"""One writer at a time: the upload's write claim (a compare-and-set on the row), taken over when stale."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from backend.common.owners import holder_gone, owner_token, token_holder
from backend.evidence.conf import upload_limits
from backend.evidence.models import Upload
from backend.evidence.tus import TusError

# --------------------------------------------------------------------------- one writer at a time


def _lock_is_dead(token: str) -> bool:
    """A lock taken by a process on this host that no longer exists (e.g. the server was restarted)."""
    holder = token_holder(token)
    return holder is not None and holder_gone(host=holder[0], pid=holder[1], token=token)


def upload_claim(*, upload: Upload, expect_unchanged: bool = False) -> str:
    """Become the only writer of ``upload`` (compare-and-set on the row) or raise 423 ``upload_locked``.

    A conditional UPDATE works the same on SQLite and PostgreSQL and holds no transaction open while the
    body streams. A claim is stale when its holder stopped heart-beating (``lock_stale_seconds``) or, on
    this host, when its process is gone — so a client resuming right after a server restart is not made
    to wait. With ``expect_unchanged`` the claim only succeeds while the row still has the offset, length
    and status read before, so the caller's copy (hash and storage state included: they are only ever
    written together with the offset, under the claim) is current without reading the row again.
    """
    token = owner_token()
    now = timezone.now()
    stale_before = now - datetime.timedelta(seconds=upload_limits().lock_stale_seconds)
    free = Q(lock_token="") | Q(lock_heartbeat_at__lt=stale_before) | Q(lock_heartbeat_at__isnull=True)
    same = Q()
    if expect_unchanged:
        same = Q(offset=upload.offset, status=upload.status)
        same &= Q(length__isnull=True) if upload.length is None else Q(length=upload.length)
    if Upload.objects.filter(free, same, pk=upload.pk).update(lock_token=token, lock_heartbeat_at=now):
        upload.lock_token = token
        return token
    row = Upload.objects.filter(pk=upload.pk).values("lock_token", "offset", "status", "length").first()
    current: dict[str, Any] = {}
    if row is not None:
        current.update(row)
    if expect_unchanged and (
        current.get("offset") != upload.offset
        or current.get("status") != upload.status
        or current.get("length") != upload.length
    ):
        raise TusError(
            "offset_mismatch", "Upload-Offset 与服务器记录不符", status=409, extra={"offset": current.get("offset")}
        )
    holder = current.get("lock_token", "")
    stolen = (
        holder
        and _lock_is_dead(holder)
        and Upload.objects.filter(same, pk=upload.pk, lock_token=holder).update(lock_token=token, lock_heartbeat_at=now)
    )
    if stolen:
        upload.lock_token = token
        return token
    raise TusError("upload_locked", "该上传正在被另一个请求写入，请稍后重试", status=423)


def upload_release(*, upload: Upload, token: str) -> None:
    Upload.objects.filter(pk=upload.pk, lock_token=token).update(lock_token="", lock_heartbeat_at=None)
