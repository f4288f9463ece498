"""Appending bytes: one PATCH body streamed into storage, hashed as it passes, acknowledged once durable."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.utils import timezone

from backend.common.owners import Heartbeat
from backend.common.storage import StorageError, get_storage
from backend.evidence.conf import upload_limits
from backend.evidence.hashstate import ResumableSha256
from backend.evidence.models import Upload
from backend.evidence.services.claims import upload_claim, upload_release
from backend.evidence.services.common import _gone, _size_limit_error, upload_is_expired
from backend.evidence.services.completion import upload_complete
from backend.evidence.tus import CHECKSUM_ALGORITHMS, TusError
from backend.ledger.services import AuditContext

READ_SIZE = 1024 * 1024
HEAD_BYTES = 4096
HEARTBEAT_SECONDS = 2.0
# The chunk checksum (Upload-Checksum) is computed in this pool, beside the running SHA-256 and the write: both
# hash functions release the GIL, so an 8 MiB chunk costs one hash pass of wall time instead of two.
_CHUNK_HASH_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="upload-chunk-hash")


# --------------------------------------------------------------------------- appending bytes


def _commit_progress(
    *, upload: Upload, token: str, offset: int, hash_state: bytes, state: dict, head: bytes, release: bool = False
) -> None:
    """Persist the acknowledgement point: offset, hash state and storage state, together.

    With ``release`` the claim is given up in the same UPDATE (the last write of a request that does not
    complete the upload: one statement fewer per chunk).
    """
    now = timezone.now()
    changed = Upload.objects.filter(pk=upload.pk, lock_token=token, status=Upload.Status.RECEIVING).update(
        offset=offset,
        hash_state=hash_state,
        storage_state=state,
        head=head,
        lock_token="" if release else token,
        lock_heartbeat_at=None if release else now,
        expires_at=now + datetime.timedelta(seconds=upload_limits().expiry_seconds),
        updated_at=now,
    )
    if not changed:
        raise TusError("upload_locked", "写入权已被其他请求接管", status=423)
    upload.offset, upload.head, upload.storage_state = offset, head, state
    if release:
        upload.lock_token = ""


def upload_append(
    *,
    upload: Upload,
    offset: int,
    read: Callable[[int], bytes | bytearray],
    content_length: int,
    checksum: tuple[str, bytes] | None,
    new_length: int | None,
    context: AuditContext,
) -> Upload:
    """Append one PATCH (or creation-with-upload) body at ``offset``; complete the upload at its end.

    The body is streamed through in 1 MiB reads: hashed into the running SHA-256, hashed for the chunk
    checksum if one was sent, and written through the storage writer. Only after the writer made the
    bytes durable (fsync / stored parts) are the new offset and hash state committed — that is the
    acknowledgement. A wrong chunk checksum discards the chunk (460) and the offset does not move. A client
    that disconnects mid-body without a checksum keeps what arrived (tus: the server SHOULD store it); a
    long body without a checksum is also checkpointed every ``checkpoint_bytes`` so a server crash loses
    at most that much.
    """
    if upload.status in (Upload.Status.TERMINATED, Upload.Status.EXPIRED) or upload_is_expired(upload):
        raise _gone(upload)
    if offset != upload.offset:
        raise TusError(
            "offset_mismatch",
            f"Upload-Offset {offset} 与服务器已接收的 {upload.offset} 字节不符",
            status=409,
            extra={"offset": upload.offset},
        )
    limits = upload_limits()
    if new_length is not None:
        if upload.length is not None and new_length != upload.length:
            raise TusError("length_mismatch", "Upload-Length 已确定，不能修改", status=400)
        if new_length < upload.offset:
            raise TusError("length_too_small", "Upload-Length 小于已接收的字节数", status=400)
        if new_length > limits.per_kind[upload.kind]:
            raise _size_limit_error(upload.kind, limits.per_kind[upload.kind])
    if upload.status != Upload.Status.RECEIVING:
        if content_length:
            raise TusError("upload_complete", "上传已完成，不能再追加数据", status=409, extra={"offset": upload.offset})
        return upload
    length = new_length if new_length is not None else upload.length
    if content_length > limits.request_body_cap:
        raise TusError(
            "request_body_too_large",
            f"单次请求体不能超过 {limits.request_body_cap} 字节，请分块上传",
            status=413,
            extra={"max_body": limits.request_body_cap},
        )
    cap = length if length is not None else limits.per_kind[upload.kind]
    if upload.offset + content_length > cap:
        raise TusError(
            "upload_exceeds_length",
            "数据超出声明的文件长度或该类证据的大小上限",
            status=413,
            extra={"offset": upload.offset, "length": length, "max_size": cap},
        )

    # The claim also checks that nobody changed the upload since we read it (no second read needed).
    token = upload_claim(upload=upload, expect_unchanged=True)
    try:
        if new_length is not None and upload.length is None:
            Upload.objects.filter(pk=upload.pk, lock_token=token).update(length=new_length)
            upload.length = new_length
        if content_length:
            _stream_body(upload=upload, token=token, read=read, content_length=content_length, checksum=checksum)
        if upload.is_complete:
            completed = upload_complete(upload=upload, context=context)
            upload.lock_token = completed.lock_token  # "" once the completing UPDATE released the claim
            return completed
        return upload
    finally:
        if upload.lock_token == token:  # not already released by the last commit
            upload_release(upload=upload, token=token)


def _stream_body(
    *,
    upload: Upload,
    token: str,
    read: Callable[[int], bytes | bytearray],
    content_length: int,
    checksum: tuple[str, bytes] | None,
) -> None:
    storage = get_storage()
    limits = upload_limits()
    hasher = ResumableSha256.from_state(upload.hash_state)
    chunk_hash = CHECKSUM_ALGORITHMS[checksum[0]]() if checksum else None
    head = bytes(upload.head)
    writer = storage.upload_open(str(upload.pk), upload.storage_state, upload.offset)
    position = upload.offset
    remaining = content_length
    since_checkpoint = 0
    heartbeat = Heartbeat(
        lambda: bool(Upload.objects.filter(pk=upload.pk, lock_token=token).update(lock_heartbeat_at=timezone.now())),
        every_s=HEARTBEAT_SECONDS,
    )
    # A checkpoint in flight: (durability future, offset it covers, hash state at that offset, head).
    pending: tuple[Any, int, bytes, bytes] | None = None
    # The previous block's chunk-checksum update, running in _CHUNK_HASH_POOL (updates stay in order).
    hashing: Future[None] | None = None
    try:
        while remaining:
            try:
                block = read(min(READ_SIZE, remaining))
            except OSError:  # the client went away (UnreadablePostError, reset); keep what arrived
                break
            if not block:
                break
            remaining -= len(block)
            if len(head) < HEAD_BYTES:
                head += block[: HEAD_BYTES - len(head)]
            if chunk_hash is not None:
                if hashing is not None:
                    hashing.result()
                hashing = _CHUNK_HASH_POOL.submit(chunk_hash.update, block)
            hasher.update(block)
            writer.append(block)
            position += len(block)
            since_checkpoint += len(block)
            if pending is not None and pending[0].done():
                synced, at, hash_state, at_head = pending
                pending = None
                _commit_progress(
                    upload=upload, token=token, offset=at, hash_state=hash_state, state=synced.result(), head=at_head
                )
                heartbeat.touch()  # the progress update refreshed the claim too
            if chunk_hash is None and pending is None and since_checkpoint >= limits.checkpoint_bytes:
                # Without a chunk checksum every received byte is kept, so a long body is acknowledged in
                # steps; the fdatasync runs in the background while the next bytes arrive.
                pending = (writer.commit_async(), position, hasher.state(), head)
                since_checkpoint = 0
            elif not heartbeat.tick():
                raise TusError("upload_locked", "写入权已被其他请求接管", status=423)
        if pending is not None:
            pending[0].result()  # never close or truncate under a running fdatasync
            pending = None
        if hashing is not None:
            hashing.result()
            hashing = None
        if chunk_hash is not None:
            if remaining:
                # The body was cut short: an unverifiable chunk is not kept.
                writer.abort()
                raise TusError(
                    "incomplete_body", "请求体不完整，本块未被接收", status=400, extra={"offset": upload.offset}
                )
            if chunk_hash.digest() != checksum[1]:  # type: ignore[index]
                writer.abort()
                raise TusError(
                    "checksum_mismatch",
                    "本块数据校验值不符，已丢弃，请重新发送",
                    status=460,
                    extra={"offset": upload.offset, "algorithm": checksum[0]},  # type: ignore[index]
                )
        if position != upload.offset:
            state = writer.commit()
            _commit_progress(
                upload=upload,
                token=token,
                offset=position,
                hash_state=hasher.state(),
                state=state,
                head=head,
                release=upload.length is None or position < upload.length,
            )
    except StorageError:
        if pending is not None:
            pending[0].exception()
        writer.abort()
        raise
    except BaseException:
        if hashing is not None:
            hashing.exception()  # the block it reads belongs to this request; let it finish
        # Never truncate here: on a lost lock another writer may own the file now. Unacknowledged bytes
        # are cut by the next writer's open (it truncates to the acknowledged offset).
        if pending is not None:
            pending[0].exception()
        raise
    finally:
        writer.close()
