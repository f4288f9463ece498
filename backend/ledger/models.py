"""The append-only, hash-chained audit trail (监督全程留痕).

Every create, change, transition, document, upload, evidence access and read of personal data writes one
:class:`AuditEvent` in the same database transaction as the change. Events are chained: ``hash`` covers the
previous event's hash and the canonical (RFC 8785) serialisation of this event, so any edit or deletion
breaks the chain at that point (``manage.py verify_ledger`` names the first broken link). No code path
updates or deletes an event: the model and its queryset refuse, and on PostgreSQL a trigger refuses
UPDATE/DELETE at the database (migration 0002).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised on any attempt to update or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("append-only records cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("append-only records cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("append-only records cannot be updated")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} is append-only")


class ChainHead(models.Model):
    """One row per chain, locked while appending, so events get consecutive sequence numbers."""

    name = models.CharField(max_length=32, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_seq}"


class AuditEvent(AppendOnlyModel):
    """One recorded event. Written once by ``audit_record`` in the transaction of the change; ``seq``,
    ``prev_hash`` and ``hash`` are set once, by the sequencer, when the event joins the chain (null until
    then: "pending"; see :mod:`backend.ledger.sequencer`). Nothing else ever changes: on PostgreSQL a
    trigger admits only that one NULL → value step (migration 0004)."""

    seq = models.BigIntegerField(unique=True, null=True, editable=False)
    occurred_at = models.DateTimeField(editable=False, db_index=True)
    action = models.CharField(_("动作"), max_length=64, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    # Frozen copies, so the record reads the same after the user or agency is renamed or removed.
    actor_name = models.CharField(max_length=150, blank=True, editable=False)
    actor_roles = models.JSONField(default=list, editable=False)
    agency_id = models.BigIntegerField(null=True, db_index=True, editable=False)
    target_type = models.CharField(max_length=64, editable=False)
    target_id = models.CharField(max_length=64, editable=False, db_index=True)
    case_id = models.UUIDField(null=True, db_index=True, editable=False)
    data = models.JSONField(default=dict, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    ip_address = models.CharField(max_length=45, blank=True, editable=False)
    device_id = models.UUIDField(null=True, editable=False)
    prev_hash = models.CharField(max_length=64, null=True, editable=False)
    hash = models.CharField(max_length=64, unique=True, null=True, editable=False)

    class Meta:
        # Ledger order: sealed events by sequence number, then pending ones in the order they were recorded.
        ordering = [models.F("seq").asc(nulls_last=True), "id"]
        indexes = [
            # The sequencer's queue: only pending rows are in it, so finding the work is one short probe.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="ledger_event_pending"),
        ]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"


# --------------------------------------------------------------------------------------------
# The Merkle transparency log over the audit events (RFC 9162 hashing; see backend/ledgercore/merkle.py)
# --------------------------------------------------------------------------------------------


class TreeNode(AppendOnlyModel):
    """The hash of one complete subtree: leaves ``[index * 2**level, (index + 1) * 2**level)``.

    Written once, when the subtree becomes complete, never changed (primary key + append-only model;
    on PostgreSQL a trigger refuses UPDATE/DELETE). Level 0 holds the leaf hashes.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField(editable=False)
    index = models.BigIntegerField(db_column="idx", editable=False)
    hash = models.BinaryField(max_length=32, editable=False)

    class Meta:
        verbose_name = _("默克尔树节点")
        verbose_name_plural = _("默克尔树节点")

    def __str__(self) -> str:
        return f"node({self.level}, {self.index})"


class LogEntry(AppendOnlyModel):
    """One leaf of the log: the canonical (RFC 8785) bytes of one audit event, as hashed into the tree.

    ``index`` is the leaf index; the log covers every audit event in chain order, so
    ``index == event.seq - 1``. ``evidence_sha256`` is copied from ``evidence.received`` events so the
    public "was this file recorded?" lookup is one indexed query.
    """

    index = models.BigIntegerField(primary_key=True, db_column="idx", editable=False)
    event = models.OneToOneField(
        AuditEvent, to_field="seq", db_column="event_seq", on_delete=models.PROTECT, related_name="log_entry",
        editable=False, db_constraint=False,  # a deleted event must stay detectable, not block the check
    )
    leaf_hash = models.BinaryField(max_length=32, editable=False)
    entry = models.BinaryField(editable=False)
    evidence_sha256 = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["index"]
        verbose_name = _("日志记录")
        verbose_name_plural = _("日志记录")
        indexes = [
            models.Index(
                fields=["evidence_sha256"], condition=models.Q(evidence_sha256__isnull=False),
                name="ledger_logentry_evidence_sha",
            )
        ]

    def __str__(self) -> str:
        return f"log entry #{self.index}"


class Checkpoint(AppendOnlyModel):
    """A signed tree head (C2SP tlog-checkpoint in an Ed25519 signed note), as published."""

    origin = models.CharField(max_length=200, editable=False)
    tree_size = models.BigIntegerField(editable=False, db_index=True)
    root_hash = models.BinaryField(max_length=32, editable=False)
    signed_at = models.DateTimeField(editable=False, db_index=True)
    note = models.TextField(editable=False, help_text=_("the signed note text, exactly as published"))
    verifier_key = models.CharField(max_length=300, editable=False, help_text=_("the public key that signed it"))
    # Optional RFC 3161 timestamp token (DER) over SHA-256 of ``note``, from LEDGER_TSA_URL.
    tsa_token = models.BinaryField(null=True, blank=True, editable=False)
    tsa_url = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["tree_size", "id"]
        get_latest_by = ["tree_size", "id"]
        verbose_name = _("签名检查点")
        verbose_name_plural = _("签名检查点")

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} @ {self.signed_at:%Y-%m-%d %H:%M:%S}"


class BundleExport(AppendOnlyModel):
    """One evidence bundle as exported: the manifest, proofs and checkpoint are frozen here, so every
    download of the same export (direct or through a share link) is byte-for-byte the same archive."""

    class Purpose(models.TextChoices):
        DOWNLOAD = "download", _("下载")
        SHARE = "share", _("分享")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_id = models.UUIDField(db_index=True, editable=False)
    agency_id = models.BigIntegerField(null=True, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(editable=False)
    manifest = models.BinaryField(editable=False)
    manifest_sha256 = models.CharField(max_length=64, editable=False, db_index=True)
    proofs = models.BinaryField(editable=False)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+", editable=False)
    export_entry = models.ForeignKey(LogEntry, on_delete=models.PROTECT, related_name="+", editable=False)
    entry_indexes = models.JSONField(default=list, editable=False)
    # [[bundle path, storage key, size], ...] in manifest order
    originals = models.JSONField(default=list, editable=False)
    total_bytes = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("证据包导出")
        verbose_name_plural = _("证据包导出")

    def __str__(self) -> str:
        return f"bundle {self.id} of case {self.case_id}"


class RecipientKind(models.TextChoices):
    COURT = "court", _("人民法院")
    REVIEW_BODY = "review_body", _("行政复议机关")
    PROCURATORATE = "procuratorate", _("人民检察院")
    LAWYER = "lawyer", _("当事人代理律师")
    PARTY = "party", _("当事人")
    OTHER = "other", _("其他")


class BundleShare(models.Model):
    """A time-boxed, revocable link that lets an outside party download one bundle export.

    Only the SHA-256 of the link token is stored; the token itself is shown once, at creation.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    export = models.ForeignKey(BundleExport, on_delete=models.PROTECT, related_name="shares")
    case_id = models.UUIDField(db_index=True)
    agency_id = models.BigIntegerField(null=True)
    token_sha256 = models.CharField(max_length=64, unique=True)
    recipient_kind = models.CharField(_("接收方类别"), max_length=16, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("接收方"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    max_downloads = models.PositiveIntegerField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("证据包分享链接")
        verbose_name_plural = _("证据包分享链接")

    def __str__(self) -> str:
        return f"share {self.id} → {self.recipient_name}"

    def state(self, now: Any) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        if self.max_downloads is not None and self.download_count >= self.max_downloads:
            return "exhausted"
        return "active"
