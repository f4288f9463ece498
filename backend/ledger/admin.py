from django.contrib import admin

from backend.ledger.admin_audit import ReadOnlyAdmin
from backend.ledger.models import AuditEvent, BundleExport, BundleShare, Checkpoint, LogEntry


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is never edited or deleted, not even by a superuser."""

    list_display = ["seq", "occurred_at", "action", "actor_name", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor_name"]

@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["id", "tree_size", "signed_at", "origin"]

@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["index", "event_id", "evidence_sha256"]
    search_fields = ["evidence_sha256"]

@admin.register(BundleExport)
class BundleExportAdmin(ReadOnlyAdmin):
    list_display = ["id", "case_id", "purpose", "created_by", "created_at", "manifest_sha256"]

@admin.register(BundleShare)
class BundleShareAdmin(ReadOnlyAdmin):
    """Shares are created and revoked through the API (both are audit events), not edited here."""

    list_display = ["id", "case_id", "recipient_kind", "recipient_name", "expires_at", "revoked_at",
                    "download_count"]
