from django.contrib import admin

from backend.ledger.models import AuditEvent, BundleExport, BundleShare, Checkpoint, LogEntry


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited or deleted, not even by a superuser."""

    list_display = ["seq", "occurred_at", "action", "actor_name", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor_name"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Checkpoint)
class CheckpointAdmin(_ReadOnlyAdmin):
    list_display = ["id", "tree_size", "signed_at", "origin"]


@admin.register(LogEntry)
class LogEntryAdmin(_ReadOnlyAdmin):
    list_display = ["index", "event_id", "evidence_sha256"]
    search_fields = ["evidence_sha256"]


@admin.register(BundleExport)
class BundleExportAdmin(_ReadOnlyAdmin):
    list_display = ["id", "case_id", "purpose", "created_by", "created_at", "manifest_sha256"]


@admin.register(BundleShare)
class BundleShareAdmin(_ReadOnlyAdmin):
    """Shares are created and revoked through the API (both are audit events), not edited here."""

    list_display = ["id", "case_id", "recipient_kind", "recipient_name", "expires_at", "revoked_at",
                    "download_count"]
