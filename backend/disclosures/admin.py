from django.contrib import admin

from backend.disclosures.models import (
    AgencyDisclosureProfile,
    CorrectionRequest,
    DiscretionStandard,
    EnforcementItem,
    Notice,
)


@admin.register(AgencyDisclosureProfile)
class AgencyDisclosureProfileAdmin(admin.ModelAdmin):
    list_display = ["agency", "publish_warning_only", "display_months_default", "display_months_short"]


@admin.register(EnforcementItem)
class EnforcementItemAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "kind", "random_inspection", "active"]
    list_filter = ["agency", "kind", "active"]
    search_fields = ["name", "code"]


@admin.register(DiscretionStandard)
class DiscretionStandardAdmin(admin.ModelAdmin):
    list_display = ["violation", "circumstance", "level", "agency", "active"]
    list_filter = ["agency", "active"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Read-only: notices change only through the services (publish/withdraw are audited)."""

    list_display = ["decision_number", "agency", "status", "due_date", "published_at"]
    list_filter = ["status", "agency"]
    search_fields = ["decision_number"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["tracking_code", "notice", "status", "due_date", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in CorrectionRequest._meta.fields]
