"""The append-only, hash-chained audit trail (监督全程留痕).

Every create, change, transition, document, upload, evidence access and read of personal data writes one
:class:`AuditEvent` in the same database transaction as the change. Events are chained: ``hash`` covers the
previous event's hash and the canonical (RFC 8785) serialisation of this event, so any edit or deletion
breaks the chain at that point (``manage.py verify_ledger`` names the first broken link). No code path
updates or deletes an event: the model and its queryset refuse, and on PostgreSQL a trigger refuses
UPDATE/DELETE at the database (migration 0002).
"""

from __future__ import annotations

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
    seq = models.BigIntegerField(unique=True, editable=False)
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
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"
