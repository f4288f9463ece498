from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.common.models import CalendarYear, HolidayOverride
from backend.ledger.admin_audit import AuditedModelAdmin


class ReadOnlyAdmin(AuditedModelAdmin):
    """For records that are evidence of what happened (cases, audit events, evidence items, reviews):
    the admin may look, never add, change or delete — not even a superuser."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(AuditedModelAdmin):
    """Enter each year's State Council holiday notice here once it is published (usually in November)."""

    list_display = ["date", "is_workday", "name", "source"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedModelAdmin):
    list_display = ["year", "source"]
