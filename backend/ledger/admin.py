from django.contrib import admin

from backend.ledger.models import AuditEvent


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
