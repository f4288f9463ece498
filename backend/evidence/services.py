"""Evidence writes: tus upload lifecycle, completion into immutable evidence items, access and notes.

The order of a completion follows STYLE R9: the bytes are already durable in ``incoming/``; the service
decides the outcome (hash, content), moves the bytes to their final key (``originals/`` or
``quarantine/``; slow S3 copies stay *outside* the database transaction), then records the item, the
upload's transition and the audit event in one transaction and enqueues processing on commit. Every step is
idempotent, so a completion interrupted by a crash is finished by the client's next HEAD or PATCH.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import Device, Role, User
from backend.cases.models import Activity, Case
from backend.cases.selectors import case_get_for_user
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed
from backend.common.inputs import is_ascii_int, parse_client_datetime
from backend.common.owners import local_owner_gone, owner_token
from backend.common.storage import ORIGINALS_PREFIX, QUARANTINE_PREFIX, StorageError, get_storage
from backend.common.workdays import get_rule
from backend.evidence.conf import upload_limits
from backend.evidence.hashstate import ResumableSha256
from backend.evidence.models import EvidenceItem, EvidenceKind, EvidenceNote, Upload
from backend.evidence.tus import CHECKSUM_ALGORITHMS, TusError
from backend.ledger.services import AuditContext, audit_record
from media_pipeline.sniff import kind_matches, sniff

logger = logging.getLogger(__name__)

READ_SIZE = 1024 * 1024
HEAD_BYTES = 4096
HEARTBEAT_SECONDS = 2.0
# The chunk checksum (Upload-Checksum) is computed in this pool, beside the running SHA-256 and the write: both
# hash functions release the GIL, so an 8 MiB chunk costs one hash pass of wall time instead of two.
_CHUNK_HASH_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="upload-chunk-hash")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
REQUIRED_METADATA = ("case", "kind", "filename", "captured_at", "sha256")
OPTIONAL_METADATA = (
    "latitude",
    "longitude",
    "accuracy_m",
    "activity",
    "description",
    "device_id",
    "signature",
)


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


# --------------------------------------------------------------------------- creation


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        "invalid_metadata", f"Upload-Metadata 无效：{message}", status=400, fields={field: [message]}
    )


def sanitize_filename(name: str) -> str:
    """Keep only a display name: no directories, control characters or leading dots; at most 200 chars.

    The name is stored for people to read; storage keys are always server-generated.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    return name[:200] or "unnamed"


_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})", re.ASCII
)


def parse_rfc3339(value: str) -> datetime.datetime | None:
    """An RFC 3339 time with an offset (ASCII digits), within the client date range; else None."""
    if not _RFC3339.fullmatch(value):
        return None
    try:
        return parse_client_datetime(value, field="captured_at", code="invalid_metadata", require_timezone=True)
    except ApplicationError:
        return None  # year 0, 10000, 9999-12-31T23:59:59-14:00 (past the calendar in UTC), …


def _decimal(value: str, field: str, limit: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _invalid(field, "必须是十进制数") from None
    if not number.is_finite() or abs(number) > limit:
        raise _invalid(field, f"超出范围 ±{limit}")
    return number


def _known_activities() -> set[str]:
    return {str(choice) for choice in Activity.values}


@dataclass(frozen=True)
class ValidatedMetadata:
    case_id: uuid.UUID
    kind: str
    filename: str
    captured_at: datetime.datetime
    captured_at_raw: str
    sha256: str
    latitude: Decimal | None
    longitude: Decimal | None
    accuracy_m: float | None
    activity: str
    description: str
    device_id: uuid.UUID | None
    signature: str


def upload_metadata_validate(metadata: dict[str, str]) -> ValidatedMetadata:
    """Check the pinned ``Upload-Metadata`` keys (api_docs/uploads.md). Unknown keys are kept, not used."""
    for key in REQUIRED_METADATA:
        if not metadata.get(key):
            raise _invalid(key, "缺少必填项")
    try:
        case_id = uuid.UUID(metadata["case"])
    except ValueError:
        raise _invalid("case", "案件编号必须是 UUID") from None
    kind = metadata["kind"]
    if kind not in EvidenceKind.values:
        raise _invalid("kind", f"必须是 {', '.join(EvidenceKind.values)} 之一")
    captured_at = parse_rfc3339(metadata["captured_at"])
    if captured_at is None:
        raise _invalid("captured_at", "必须是带时区的 RFC 3339 时间，如 2026-05-01T08:30:00.123+08:00")
    sha256 = metadata["sha256"]
    if not SHA256_HEX.match(sha256):
        raise _invalid("sha256", "必须是 64 位小写十六进制 SHA-256")
    latitude = _decimal(metadata["latitude"], "latitude", 90) if metadata.get("latitude") else None
    longitude = _decimal(metadata["longitude"], "longitude", 180) if metadata.get("longitude") else None
    if (latitude is None) != (longitude is None):
        raise _invalid("latitude", "纬度和经度须同时提供")
    accuracy = None
    if metadata.get("accuracy_m"):
        accuracy_dec = _decimal(metadata["accuracy_m"], "accuracy_m", 10_000_000)
        if accuracy_dec < 0:
            raise _invalid("accuracy_m", "不能为负数")
        accuracy = float(accuracy_dec)
    activity = metadata.get("activity", "").strip()
    known = _known_activities()
    if activity and activity not in known:
        raise _invalid("activity", f"未知的执法环节：{activity}")
    description = metadata.get("description", "").strip()
    if len(description) > 1000:
        raise _invalid("description", "不超过 1000 字")
    device_id = None
    if metadata.get("device_id"):
        try:
            device_id = uuid.UUID(metadata["device_id"])
        except ValueError:
            raise _invalid("device_id", "终端编号必须是 UUID") from None
    signature = metadata.get("signature", "").strip()
    if signature:
        if device_id is None:
            raise _invalid("signature", "签名须同时提供 device_id")
        try:
            if len(base64.b64decode(signature, validate=True)) != 64:
                raise ValueError
        except (binascii.Error, ValueError):
            raise _invalid("signature", "必须是 64 字节 Ed25519 签名的 base64 编码") from None
    return ValidatedMetadata(
        case_id=case_id,
        kind=kind,
        filename=sanitize_filename(metadata["filename"]),
        captured_at=captured_at,
        captured_at_raw=metadata["captured_at"],
        sha256=sha256,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy,
        activity=activity,
        description=description,
        device_id=device_id,
        signature=signature,
    )


def _case_for_user(*, user: User, case_id: uuid.UUID) -> Case:
    """The case, or 404 when unknown or another agency's (its existence is not revealed)."""
    return case_get_for_user(user=user, case_id=case_id)


def _size_limit_error(kind: str, limit: int) -> ApplicationError:
    return ApplicationError(
        "upload_too_large",
        f"文件超过该类证据的大小上限（{limit // (1024 * 1024)} MiB）",
        status=413,
        extra={"kind": kind, "max_size": limit},
    )


def upload_create(
    *,
    user: User,
    length: int | None,
    metadata: dict[str, str],
    context: AuditContext,
    device_clock: datetime.datetime | None = None,
) -> Upload:
    """Create a tus upload after validating everything that can be validated before any byte arrives.

    Refused (nothing stored): not a field officer or no valid 执法证 (行政处罚法 第四十二条); malformed
    metadata; unknown or other agency's case (404); closed case; over the per-kind size limit or
    Tus-Max-Size (413); too many unfinished uploads for this user (429); an unknown device.
    """
    if not user.has_role(Role.FIELD_OFFICER):
        raise Forbidden("只有执法人员可以上传证据", code="not_field_officer")
    from backend.accounts.services import officer_ensure_can_act

    officer_ensure_can_act(user=user)
    limits = upload_limits()
    values = upload_metadata_validate(metadata)
    case = _case_for_user(user=user, case_id=values.case_id)
    if not case.is_open:
        raise PreconditionFailed("case_closed", "案件已结案或不予立案，不能再上传证据", extra={"status": case.status})
    kind_limit = limits.per_kind[values.kind]
    if length is not None and length > kind_limit:
        raise _size_limit_error(values.kind, kind_limit)
    device = None
    if values.device_id is not None:
        device = Device.objects.filter(pk=values.device_id, agency_id=user.agency_id).first()
        if device is None:
            raise _invalid("device_id", "终端未登记或不属于本执法主体")
    now = timezone.now()
    with write_transaction():
        # Serialise this user's creations so the concurrent-upload limit cannot be raced past.
        User.objects.select_for_update().filter(pk=user.pk).first()
        unfinished = Upload.objects.filter(created_by=user, status=Upload.Status.RECEIVING, expires_at__gt=now).count()
        if unfinished >= limits.max_concurrent_per_user:
            raise ApplicationError(
                "too_many_uploads",
                f"未完成的上传过多（上限 {limits.max_concurrent_per_user} 个），请先完成或取消已有上传",
                status=429,
                extra={"limit": limits.max_concurrent_per_user},
            )
        upload = Upload(
            created_by=user,
            agency_id=case.agency_id,
            case=case,
            length=length,
            metadata=metadata,
            kind=values.kind,
            filename=values.filename,
            declared_sha256=values.sha256,
            captured_at=values.captured_at,
            device=device,
            device_clock_offset_s=(device_clock - now).total_seconds() if device_clock else None,
            expires_at=now + datetime.timedelta(seconds=limits.expiry_seconds),
        )
        # Stage the bytes where an accepted file will end (see upload_complete: the item id is the upload id).
        upload.storage_state = {"target": f"{ORIGINALS_PREFIX}{case.pk}/{upload.pk}"}
        upload.save()
        audit_record(
            action="upload.created",
            target=upload,
            context=context,
            agency_id=case.agency_id,
            case_id=case.pk,
            data={"kind": values.kind, "length": length, "sha256": values.sha256, "filename": values.filename},
        )
    return upload


# --------------------------------------------------------------------------- one writer at a time

def _lock_is_dead(token: str) -> bool:
    """A lock taken by a process on this host that no longer exists (e.g. the server was restarted)."""
    try:
        host, pid, _rest = token.split("|", 2)
    except ValueError:
        return False
    return is_ascii_int(pid) and local_owner_gone(host, int(pid))


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
    current = Upload.objects.filter(pk=upload.pk).values("lock_token", "offset", "status", "length").first() or {}
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


# --------------------------------------------------------------------------- appending bytes


def _refresh(upload: Upload) -> Upload:
    upload.refresh_from_db()
    return upload


def upload_is_expired(upload: Upload) -> bool:
    """Past its sliding expiry but not yet cleaned up: already treated as gone."""
    return upload.status == Upload.Status.RECEIVING and upload.expires_at <= timezone.now()


def _gone(upload: Upload) -> TusError:
    return TusError("upload_gone", "该上传已取消或已过期", status=410, extra={"status": upload.status})


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
            return upload_complete(upload=upload, context=context)
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
    last_beat = time.monotonic()
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
                last_beat = time.monotonic()
            if chunk_hash is None and pending is None and since_checkpoint >= limits.checkpoint_bytes:
                # Without a chunk checksum every received byte is kept, so a long body is acknowledged in
                # steps; the fdatasync runs in the background while the next bytes arrive.
                pending = (writer.commit_async(), position, hasher.state(), head)
                since_checkpoint = 0
            elif time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                if not Upload.objects.filter(pk=upload.pk, lock_token=token).update(lock_heartbeat_at=timezone.now()):
                    raise TusError("upload_locked", "写入权已被其他请求接管", status=423)
                last_beat = time.monotonic()
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


# --------------------------------------------------------------------------- completion


def _sniff_kind(kind: str, head: bytes) -> tuple[bool, str]:
    """Does the content match the declared kind? (ok, mime). A missing media_pipeline is an error, not a pass."""
    found = sniff(head)
    return kind_matches(kind, found), found.mime


def _signature_status(upload: Upload, record_bytes: bytes | None) -> str:
    signature = upload.metadata.get("signature", "")
    if not signature or upload.device is None or record_bytes is None:
        return EvidenceItem.SignatureStatus.ABSENT if not signature else EvidenceItem.SignatureStatus.INVALID
    if upload.device.status != Device.Status.ACTIVE:
        return EvidenceItem.SignatureStatus.DEVICE_REVOKED
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(upload.device.public_key))
        key.verify(base64.b64decode(signature), record_bytes)
    except (InvalidSignature, ValueError, binascii.Error):
        return EvidenceItem.SignatureStatus.INVALID
    return EvidenceItem.SignatureStatus.VALID


def capture_record_for(upload: Upload) -> tuple[dict[str, Any], bytes | None]:
    """The canonical capture record (backend.ledgercore.canonical_json) of an upload, and its signed bytes."""
    from backend.ledgercore.canonical_json import CanonicalizationError, canonical_json, capture_record

    md = upload.metadata
    try:
        record = capture_record(
            sha256=upload.declared_sha256,
            captured_at=md["captured_at"],
            case=str(upload.case_id),
            device=str(upload.device_id) if upload.device_id else None,
            latitude=md.get("latitude") or None,
            longitude=md.get("longitude") or None,
        )
        return record, canonical_json(record)
    except CanonicalizationError:
        return {}, None


def _flags(upload: Upload, received_at: datetime.datetime) -> list[dict[str, Any]]:
    """Clock and place sanity (issue §6): flags for people to look at, never a refusal."""
    limits = upload_limits()
    flags: list[dict[str, Any]] = []
    skew = datetime.timedelta(seconds=limits.clock_skew_seconds)
    if upload.captured_at > received_at + skew:
        flags.append({"code": "captured_in_future", "message": "拍摄时间晚于服务器接收时间（终端时钟可能有误）"})
    case = upload.case
    opened = case.clue_received_on or timezone.localdate(case.created_at)
    if timezone.localdate(upload.captured_at) < opened - datetime.timedelta(days=1):
        flags.append({"code": "captured_before_case", "message": "拍摄时间早于案件登记", "case_opened": str(opened)})
    offset = upload.device_clock_offset_s
    if offset is not None and abs(offset) > limits.clock_skew_seconds:
        flags.append(
            {"code": "device_clock_skew", "message": "终端时钟与服务器时间偏差较大", "offset_seconds": round(offset, 1)}
        )
    # The AV_UPLOAD rule: within 24 h after recording ends (DOMAIN.md §3.8, 内蒙古 办法 第二十条); later uploads are
    # flagged, not refused.
    av_upload = get_rule("AV_UPLOAD")
    late = received_at - upload.captured_at > av_upload.timedelta
    if upload.kind in (EvidenceKind.VIDEO, EvidenceKind.AUDIO) and late:
        flags.append(
            {"code": "late_upload", "message": f"音像记录超过 {av_upload.length} 小时才上传（内蒙古办法第二十条）"}
        )
    lat, lon = upload.metadata.get("latitude"), upload.metadata.get("longitude")
    bbox = getattr(upload.agency, "region_bbox", None)
    if lat and lon and bbox and len(bbox) == 4:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
        if not (min_lat <= float(lat) <= max_lat and min_lon <= float(lon) <= max_lon):
            flags.append({"code": "outside_region", "message": "拍摄位置不在本执法主体辖区范围内"})
    return flags


def _enqueue_processing(item_id: uuid.UUID) -> None:
    from backend.evidence.tasks import evidence_process, evidence_provenance

    def send() -> None:
        evidence_process.delay(str(item_id))
        evidence_provenance.delay(str(item_id))

    transaction.on_commit(send)


def upload_complete(*, upload: Upload, context: AuditContext) -> Upload:
    """Turn a fully received upload into a received (or rejected) evidence item. Idempotent.

    Raises ``ApplicationError`` (422) after recording a rejection, so the client sees a clear error.
    """
    upload = _refresh(upload)
    if upload.status != Upload.Status.RECEIVING:
        return upload
    if not upload.is_complete:
        raise PreconditionFailed("upload_incomplete", "上传尚未完成")
    storage = get_storage()
    computed = ResumableSha256.from_state(upload.hash_state).hexdigest()
    kind_ok, mime = _sniff_kind(upload.kind, bytes(upload.head))
    error_code = error_message = ""
    if computed != upload.declared_sha256:
        error_code, error_message = "sha256_mismatch", "文件的 SHA-256 与终端申报的不一致，已隔离，不作为证据"
    elif not kind_ok:
        error_code, error_message = "kind_mismatch", f"文件内容（{mime}）与申报的证据类别不符，已隔离，不作为证据"
    rejected = bool(error_code)

    existing = None
    if not rejected:
        existing = EvidenceItem.objects.filter(
            case_id=upload.case_id, sha256=computed, status=EvidenceItem.Status.RECEIVED
        ).first()
    if existing is not None:
        return _complete_as_duplicate(upload=upload, existing=existing, context=context, storage=storage)

    item_id = upload.pk  # one upload → at most one new item: the ids match, keys are deterministic
    prefix = QUARANTINE_PREFIX if rejected else ORIGINALS_PREFIX
    key = f"{prefix}{upload.case_id}/{item_id}"
    if not storage.exists(key):
        storage.upload_finish(str(upload.pk), upload.storage_state, key, content_type=mime)
    received_at = timezone.now()
    record, record_bytes = capture_record_for(upload)
    signature_status = _signature_status(upload, record_bytes)
    md = upload.metadata
    try:
        with write_transaction():
            if not Upload.objects.filter(pk=upload.pk, status=Upload.Status.RECEIVING).exists():
                return _refresh(upload)
            item = EvidenceItem.objects.create(
                id=item_id,
                case_id=upload.case_id,
                kind=upload.kind,
                sha256=computed,
                size=upload.length or 0,
                status=EvidenceItem.Status.REJECTED if rejected else EvidenceItem.Status.RECEIVED,
                rejection_code=error_code,
                rejection_message=error_message,
                captured_at=upload.captured_at,
                captured_at_raw=md.get("captured_at", ""),
                received_at=received_at,
                uploaded_by_id=upload.created_by_id,
                device_id=upload.device_id,
                latitude=Decimal(md["latitude"]) if md.get("latitude") else None,
                longitude=Decimal(md["longitude"]) if md.get("longitude") else None,
                accuracy_m=float(md["accuracy_m"]) if md.get("accuracy_m") else None,
                activity=md.get("activity", "").strip(),
                description=md.get("description", "").strip(),
                original_filename=upload.filename,
                content_type=mime,
                signature=md.get("signature", ""),
                signature_status=signature_status,
                capture_record=record,
                storage_key=key,
                flags=_flags(upload, received_at),
                processing_status=(
                    EvidenceItem.ProcessingStatus.FAILED if rejected else EvidenceItem.ProcessingStatus.PENDING
                ),
            )
            Upload.objects.filter(pk=upload.pk).update(
                status=Upload.Status.REJECTED if rejected else Upload.Status.RECEIVED,
                item=item,
                error_code=error_code,
                error_message=error_message,
                completed_at=received_at,
                hash_state=b"",
            )
            audit_record(
                action="evidence.rejected" if rejected else "evidence.received",
                target=item,
                context=context,
                agency_id=upload.agency_id,
                case_id=upload.case_id,
                data={
                    "upload": str(upload.pk),
                    "kind": item.kind,
                    "sha256": computed,
                    "declared_sha256": upload.declared_sha256,
                    "size": item.size,
                    "storage_key": key,
                    "signature_status": signature_status,
                    "error": error_code,
                    "flags": [flag["code"] for flag in item.flags],
                    # Every audit event is a Merkle log leaf: the log then holds each item's capture
                    # record (what the device signed) and its signature, not only the file hash.
                    "capture_record": record,
                    "signature": md.get("signature", ""),
                    "device": str(upload.device_id) if upload.device_id else None,
                },
            )
            if not rejected:
                _enqueue_processing(item.pk)
    except IntegrityError:
        # The same file finished concurrently through another upload: link to that one instead.
        existing = EvidenceItem.objects.get(
            case_id=upload.case_id, sha256=computed, status=EvidenceItem.Status.RECEIVED
        )
        return _complete_as_duplicate(upload=upload, existing=existing, context=context, storage=None)
    upload = _refresh(upload)
    if rejected:
        raise ApplicationError(
            error_code, error_message, status=422, extra={"upload": str(upload.pk), "computed_sha256": computed}
        )
    return upload


def _complete_as_duplicate(*, upload: Upload, existing: EvidenceItem, context: AuditContext, storage: Any) -> Upload:
    """Same bytes already received in this case: link the upload to that item; do not store twice."""
    with write_transaction():
        changed = Upload.objects.filter(pk=upload.pk, status=Upload.Status.RECEIVING).update(
            status=Upload.Status.RECEIVED, item=existing, duplicate=True, completed_at=timezone.now(), hash_state=b""
        )
        if changed:
            audit_record(
                action="evidence.duplicate_linked",
                target=existing,
                context=context,
                agency_id=upload.agency_id,
                case_id=upload.case_id,
                data={
                    "upload": str(upload.pk),
                    "sha256": existing.sha256,
                    "captured_at": upload.metadata.get("captured_at"),
                },
            )
    if changed:
        try:
            get_storage().upload_discard(str(upload.pk), upload.storage_state)
        except StorageError:
            logger.warning("could not delete the bytes of duplicate upload %s; the cleanup task will retry", upload.pk)
    return _refresh(upload)


# --------------------------------------------------------------------------- termination and expiry


def upload_terminate(*, upload: Upload, user: User, context: AuditContext) -> None:
    """tus termination: only the creator, only while incomplete. A completed upload is evidence."""
    if upload.created_by_id != user.pk:
        raise NotFound("上传不存在", code="upload_not_found")
    if upload.status in (Upload.Status.TERMINATED, Upload.Status.EXPIRED):
        raise _gone(upload)
    if upload.status != Upload.Status.RECEIVING:
        raise Forbidden("已完成的上传是证据，不能删除", code="upload_completed_cannot_delete")
    token = upload_claim(upload=upload)
    try:
        with write_transaction():
            changed = Upload.objects.filter(pk=upload.pk, status=Upload.Status.RECEIVING, lock_token=token).update(
                status=Upload.Status.TERMINATED, completed_at=timezone.now(), hash_state=b""
            )
            if not changed:
                raise Forbidden("已完成的上传是证据，不能删除", code="upload_completed_cannot_delete")
            audit_record(
                action="upload.terminated",
                target=upload,
                context=context,
                agency_id=upload.agency_id,
                case_id=upload.case_id,
                data={"offset": upload.offset, "length": upload.length},
            )
    finally:
        upload_release(upload=upload, token=token)
    get_storage().upload_discard(str(upload.pk), upload.storage_state)


def upload_expire_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Expire unfinished uploads past their (sliding) expiry and delete their partial bytes.

    Run by the periodic task ``evidence_expire_uploads`` and ``manage.py expire_uploads``. Claims each row
    with a conditional UPDATE, so two cleaners never double-process and a PATCH in progress is not touched.
    """
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=upload_limits().lock_stale_seconds)
    count = 0
    candidates = Upload.objects.filter(status=Upload.Status.RECEIVING, expires_at__lt=now).values_list("pk", flat=True)
    for upload_id in list(candidates[:1000]):
        with write_transaction():
            changed = (
                Upload.objects.filter(pk=upload_id, status=Upload.Status.RECEIVING, expires_at__lt=now)
                .filter(Q(lock_token="") | Q(lock_heartbeat_at__lt=stale_before))
                .update(status=Upload.Status.EXPIRED, completed_at=now, hash_state=b"", lock_token="")
            )
            if not changed:
                continue
            upload = Upload.objects.get(pk=upload_id)
            audit_record(
                action="upload.expired",
                target=upload,
                agency_id=upload.agency_id,
                case_id=upload.case_id,
                data={"offset": upload.offset, "length": upload.length, "expired_at": upload.expires_at},
            )
        try:
            get_storage().upload_discard(str(upload_id), upload.storage_state)
        except StorageError:
            logger.warning("could not delete partial bytes of expired upload %s", upload_id)
        count += 1
    return count


# --------------------------------------------------------------------------- access and notes


@dataclass(frozen=True)
class OriginalRead:
    item: EvidenceItem
    start: int
    end: int  # inclusive
    chunks: Iterator[bytes]


def evidence_original_read(
    *, item: EvidenceItem, purpose: str, byte_range: tuple[int, int] | None, context: AuditContext
) -> OriginalRead:
    """Open the original for reading and write the chain-of-custody record first (who, when, where, why).

    DOMAIN.md §3.9: 调取、复制、查看 originals must be logged. The record is committed before a byte is sent.
    """
    purpose = purpose.strip()
    if not purpose:
        raise ApplicationError(
            "purpose_required", "调阅原始证据必须说明用途（purpose）", status=400, fields={"purpose": ["必填"]}
        )
    if len(purpose) > 200:
        raise ApplicationError("purpose_too_long", "用途说明不超过 200 字", status=400, fields={"purpose": ["过长"]})
    start, end = byte_range if byte_range is not None else (0, item.size - 1)
    with write_transaction():
        audit_record(
            action="evidence.accessed",
            target=item,
            context=context,
            case_id=item.case_id,
            agency_id=item.case.agency_id,
            data={"purpose": purpose, "range": [start, end] if byte_range else None, "sha256": item.sha256},
        )
    chunks = get_storage().open(item.storage_key, start=start, end=end) if item.size else iter(())
    return OriginalRead(item=item, start=start, end=end, chunks=chunks)


def evidence_note_create(
    *,
    item: EvidenceItem,
    author: User,
    text: str,
    kind: str = EvidenceNote.Kind.NOTE,
    field: str = "",
    context: AuditContext,
) -> EvidenceNote:
    """Attach a note or correction as a new record; the original record is never edited."""
    if kind == EvidenceNote.Kind.CORRECTION and field and field not in EvidenceItem.FROZEN_FIELDS | {"flags"}:
        raise ApplicationError("invalid_field", "更正的字段不存在", status=400, fields={"field": ["未知字段"]})
    note = EvidenceNote(item=item, author=author, kind=kind, field=field, text=text.strip())
    note.full_clean()
    with write_transaction():
        note.save()
        audit_record(
            action="evidence.note_added",
            target=item,
            context=context,
            case_id=item.case_id,
            agency_id=item.case.agency_id,
            data={"note": str(note.pk), "kind": kind, "field": field, "text": note.text},
        )
    return note


# --------------------------------------------------------------------------- provenance (background)


def evidence_record_provenance(*, item_id: uuid.UUID | str) -> None:
    """Read the stored original once: re-verify SHA-256 (storage integrity), optional SM3, C2PA manifest.

    Runs in a task after receipt (never in the upload request). Stores results on the item's mutable
    processing fields and a ``evidence.provenance`` audit event.
    """
    import tempfile

    from backend.evidence.provenance import c2pa_inspect, sm3_hasher

    item = EvidenceItem.objects.filter(pk=item_id, status=EvidenceItem.Status.RECEIVED).select_related("case").first()
    if item is None:
        logger.info("evidence %s no longer exists or is not received; skipping", item_id)
        return
    sm3 = sm3_hasher() if upload_limits().sm3_enabled else None
    from django.conf import settings

    from backend.evidence.integrity import original_rehash

    scratch = settings.UPLOAD_SCRATCH_DIR
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".bin") as tmp:
        integrity = original_rehash(item, sinks=[tmp.write] if sm3 is None else [tmp.write, sm3.update])
        tmp.flush()
        c2pa = c2pa_inspect(tmp.name, mime=item.content_type) if item.kind in ("photo", "video", "audio") else {}
    stored_ok = integrity.intact
    with write_transaction():
        # Re-read under a row lock: the processing task writes ``flags`` too; never overwrite its flags.
        item = EvidenceItem.objects.select_for_update().select_related("case").get(pk=item.pk)
        fields = ["c2pa", "updated_at"]
        item.c2pa = c2pa
        if sm3 is not None:
            item.sm3 = sm3.hexdigest()
            fields.append("sm3")
        if not stored_ok and not any(f.get("code") == "stored_hash_mismatch" for f in item.flags):
            mismatch = {"code": "stored_hash_mismatch", "message": "存储中的原始文件与接收时的哈希不一致"}
            item.flags = [*item.flags, mismatch]
            fields.append("flags")
        item.save(update_fields=fields)
        audit_record(
            action="evidence.provenance",
            target=item,
            case_id=item.case_id,
            agency_id=item.case.agency_id,
            data={"stored_sha256_ok": stored_ok, "sm3": item.sm3, "c2pa": c2pa.get("status", "")},
        )
