"""Evidence intake: resumable uploads (tus) and the immutable evidence items they produce.

An :class:`Upload` is the tus resource: a partial file being received. When its last byte arrives and the
whole-file SHA-256 equals the hash the device declared at capture, it becomes an :class:`EvidenceItem`
with status ``received``; otherwise the bytes are kept in quarantine and the item is ``rejected`` (never
listed as evidence). A received original is evidence: no code path changes its integrity fields or deletes
it (执法全过程记录: "严禁伪造、修改、编辑、剪辑、删除原始记录", DOMAIN.md §3.9). Corrections are new
:class:`EvidenceNote` records; every read of an original is an ``evidence.accessed`` audit event.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.common.models import BaseModel
from backend.ledger.models import AppendOnlyModel


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    VIDEO = "video", _("视频")
    AUDIO = "audio", _("录音")
    DOCUMENT = "document", _("文件")


class Upload(BaseModel):
    """A tus upload resource (``/api/v1/uploads/<id>``), owned by the officer who created it.

    Status transitions (enforced by ``backend.evidence.services``)::

        receiving -> received    (last byte in, hash and content checks passed; item created or linked)
        receiving -> rejected    (last byte in, hash or content check failed; bytes quarantined)
        receiving -> terminated  (tus DELETE by its creator; bytes deleted)
        receiving -> expired     (untouched for the sliding expiry; bytes deleted by the cleanup task)
    """

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("接收中")
        RECEIVED = "received", _("已接收")
        REJECTED = "rejected", _("已拒收")
        TERMINATED = "terminated", _("已取消")
        EXPIRED = "expired", _("已过期")

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.RECEIVING: frozenset({Status.RECEIVED, Status.REJECTED, Status.TERMINATED, Status.EXPIRED}),
        Status.RECEIVED: frozenset(),
        Status.REJECTED: frozenset(),
        Status.TERMINATED: frozenset(),
        Status.EXPIRED: frozenset(),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="uploads")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVING, db_index=True)
    length = models.BigIntegerField(null=True, blank=True, help_text=_("null while the length is deferred"))
    offset = models.BigIntegerField(default=0)

    # Upload-Metadata, decoded and validated at creation.
    metadata = models.JSONField(default=dict)
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    filename = models.CharField(max_length=255, blank=True)
    declared_sha256 = models.CharField(max_length=64)
    captured_at = models.DateTimeField()
    device = models.ForeignKey("accounts.Device", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    device_clock_offset_s = models.FloatField(null=True, blank=True)

    # Resumable state, written only together with ``offset`` (the acknowledgement point).
    hash_state = models.BinaryField(default=b"")
    storage_state = models.JSONField(default=dict)
    head = models.BinaryField(default=b"", help_text=_("first bytes, for content sniffing at completion"))

    expires_at = models.DateTimeField(db_index=True)
    # One writer at a time: a compare-and-set claim (works on SQLite and PostgreSQL alike).
    lock_token = models.CharField(max_length=80, blank=True)
    lock_heartbeat_at = models.DateTimeField(null=True, blank=True)

    item = models.ForeignKey("EvidenceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="uploads")
    duplicate = models.BooleanField(default=False)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("上传")
        verbose_name_plural = _("上传")
        indexes = [models.Index(fields=["created_by", "status"], name="upload_owner_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(offset__gte=0), name="upload_offset_not_negative"),
            models.CheckConstraint(
                condition=models.Q(length__isnull=True) | models.Q(offset__lte=models.F("length")),
                name="upload_offset_within_length",
            ),
        ]

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.offset}/{self.length if self.length is not None else '?'})"

    @property
    def is_complete(self) -> bool:
        return self.length is not None and self.offset == self.length


class EvidenceQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        frozen = set(kwargs) & EvidenceItem.FROZEN_FIELDS
        if frozen:
            raise EvidenceImmutableError(f"evidence fields cannot be changed: {sorted(frozen)}")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise EvidenceImmutableError("evidence items cannot be deleted")


class EvidenceImmutableError(Exception):
    """Raised on any attempt to alter or delete a received original's record."""


class EvidenceItem(BaseModel):
    """One original (photo, video, audio, document) attached to a case.

    Integrity fields (``FROZEN_FIELDS``) are written once at intake; ``save()`` and queryset ``update()``
    refuse to change them and ``delete()`` is refused. Processing fields (``processing_status``,
    ``media_metadata``, ``derivatives``, ``flags``, ``sm3``, ``c2pa``) are filled by the background task.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("已接收")
        REJECTED = "rejected", _("已拒收（隔离）")

    class SignatureStatus(models.TextChoices):
        ABSENT = "absent", _("无签名")
        VALID = "valid", _("签名有效")
        INVALID = "invalid", _("签名无效")
        DEVICE_REVOKED = "device_revoked", _("终端已吊销")

    class ProcessingStatus(models.TextChoices):
        PENDING = "pending", _("待处理")
        PROCESSING = "processing", _("处理中")
        READY = "ready", _("已完成")
        FAILED = "failed", _("失败")

    FROZEN_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "case",
            "case_id",
            "kind",
            "sha256",
            "size",
            "status",
            "captured_at",
            "captured_at_raw",
            "received_at",
            "uploaded_by",
            "uploaded_by_id",
            "device",
            "device_id",
            "latitude",
            "longitude",
            "accuracy_m",
            "activity",
            "description",
            "signature",
            "signature_status",
            "capture_record",
            "storage_key",
            "original_filename",
            "content_type",
            "rejection_code",
            "rejection_message",
        }
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="evidence_items")
    kind = models.CharField(_("类别"), max_length=16, choices=EvidenceKind.choices)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    rejection_code = models.CharField(max_length=64, blank=True)
    rejection_message = models.CharField(max_length=500, blank=True)
    captured_at = models.DateTimeField(_("拍摄时间（终端时钟）"))
    captured_at_raw = models.CharField(max_length=64, help_text=_("captured_at exactly as the device signed it"))
    received_at = models.DateTimeField(_("服务器接收时间"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey("accounts.Device", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(max_digits=10, decimal_places=7, null=True, blank=True)
    longitude = models.DecimalField(max_digits=10, decimal_places=7, null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    activity = models.CharField(_("执法环节"), max_length=50, blank=True, db_index=True)
    description = models.CharField(_("说明"), max_length=1000, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    signature = models.CharField(max_length=200, blank=True)
    signature_status = models.CharField(max_length=16, choices=SignatureStatus.choices)
    capture_record = models.JSONField(default=dict, help_text=_("the canonical capture record the device signed"))
    storage_key = models.CharField(max_length=200)

    processing_status = models.CharField(
        max_length=16, choices=ProcessingStatus.choices, default=ProcessingStatus.PENDING
    )
    processing_error = models.CharField(max_length=500, blank=True)
    media_metadata = models.JSONField(default=dict, blank=True)
    derivatives = models.JSONField(default=dict, blank=True)  # {name: storage key}
    flags = models.JSONField(default=list, blank=True)  # [{"code": ..., "message": ..., ...}]
    sm3 = models.CharField(max_length=64, blank=True)
    c2pa = models.JSONField(default=dict, blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("证据")
        verbose_name_plural = _("证据")
        ordering = ["captured_at", "id"]
        indexes = [models.Index(fields=["case", "status", "captured_at"], name="evidence_case_status")]
        constraints = [
            # Exact duplicates within a case are linked, never stored twice.
            models.UniqueConstraint(
                fields=["case", "sha256"], condition=models.Q(status="received"), name="uniq_evidence_case_sha256"
            ),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="evidence_size_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            current = type(self).objects.filter(pk=self.pk).values(*self._frozen_columns()).first()
            if current is not None:
                changed = [name for name, value in current.items() if getattr(self, name) != value]
                if changed:
                    raise EvidenceImmutableError(f"evidence fields cannot be changed: {sorted(changed)}")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise EvidenceImmutableError("evidence items cannot be deleted")

    @classmethod
    def _frozen_columns(cls) -> list[str]:
        return [f.attname for f in cls._meta.concrete_fields if f.name in cls.FROZEN_FIELDS]


class EvidenceNote(AppendOnlyModel):
    """A note or correction about an item, written as a new record (the original record is never edited)."""

    class Kind(models.TextChoices):
        NOTE = "note", _("备注")
        CORRECTION = "correction", _("更正")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    field = models.CharField(max_length=50, blank=True, help_text=_("the field a correction is about"))
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证据备注")
        verbose_name_plural = _("证据备注")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item_id}"
