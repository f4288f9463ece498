"""tus creation: the pinned ``Upload-Metadata`` keys validated and the upload row created before any byte arrives."""

from __future__ import annotations

import base64
import binascii
import datetime
import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import Device, Role, User
from backend.cases.models import Activity, Case
from backend.cases.selectors import case_get_for_user
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.common.inputs import parse_client_datetime
from backend.common.storage import ORIGINALS_PREFIX
from backend.evidence.conf import upload_limits
from backend.evidence.models import EvidenceKind, Upload
from backend.evidence.services.common import _size_limit_error
from backend.ledger.services import AuditContext, audit_record

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
        device = Device.objects.filter(Q(agency_id=user.agency_id), pk=values.device_id).first()
        if device is None:
            raise _invalid("device_id", "终端未登记或不属于本执法主体")
    now = timezone.now()
    with transaction.atomic():
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
