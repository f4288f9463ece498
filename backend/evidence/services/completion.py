"""Completion: a fully received upload becomes an immutable evidence item (or is quarantined), idempotently."""

from __future__ import annotations

import base64
import binascii
import datetime
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import Device
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.common.storage import ORIGINALS_PREFIX, QUARANTINE_PREFIX, StorageError, get_storage
from backend.common.workdays import get_rule
from backend.evidence.conf import upload_limits
from backend.evidence.hashstate import ResumableSha256
from backend.evidence.models import EvidenceItem, EvidenceKind, Upload
from backend.evidence.services.common import _refresh
from backend.ledger.services import AuditContext, audit_record
from media_pipeline.sniff import kind_matches, sniff

logger = logging.getLogger(__name__)


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
    from backend.evidence.tasks import evidence_process

    def send() -> None:
        # One task reads the new original once: processing, with the provenance check on its local copy.
        evidence_process.delay(str(item_id))

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
        with transaction.atomic():
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
                # The completing request's claim ends with this UPDATE: one statement fewer per upload.
                lock_token="",
                lock_heartbeat_at=None,
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
    with transaction.atomic():
        changed = Upload.objects.filter(pk=upload.pk, status=Upload.Status.RECEIVING).update(
            status=Upload.Status.RECEIVED, item=existing, duplicate=True, completed_at=timezone.now(), hash_state=b"",
            lock_token="", lock_heartbeat_at=None,
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
