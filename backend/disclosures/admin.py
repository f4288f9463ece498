from django.contrib import admin

from backend.disclosures.models import (
    AgencyDisclosureProfile,
    CorrectionRequest,
    DiscretionStandard,
    EnforcementItem,
    Notice,
)
from backend.ledger.admin_audit import AuditedModelAdmin, ReadOnlyAdmin


@admin.register(AgencyDisclosureProfile)
class AgencyDisclosureProfileAdmin(AuditedModelAdmin):
    list_display = ["agency", "publish_warning_only", "display_months_default", "display_months_short"]


@admin.register(EnforcementItem)
class EnforcementItemAdmin(AuditedModelAdmin):
    list_display = ["name", "agency", "kind", "random_inspection", "active"]
    list_filter = ["agency", "kind", "active"]
    search_fields = ["name", "code"]


@admin.register(DiscretionStandard)
class DiscretionStandardAdmin(AuditedModelAdmin):
    list_display = ["violation", "circumstance", "level", "agency", "active"]
    list_filter = ["agency", "active"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Read-only: notices change only through the services (publish/withdraw are audited)."""

    list_display = ["decision_number", "agency", "status", "due_date", "published_at"]
    list_filter = ["status", "agency"]
    search_fields = ["decision_number"]


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    """Read-only: a member of the public's request and its answer are records (answered through the API)."""

    list_display = ["tracking_code", "notice", "status", "due_date", "created_at"]
    list_filter = ["status"]
