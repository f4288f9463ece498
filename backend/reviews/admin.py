"""Admin: agency parameters are editable; catalogs, rounds and their records are read-only here (they change
only through the services, which write the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.ledger.admin_audit import AuditedModelAdmin, ReadOnlyAdmin
from backend.reviews.models import (
    CatalogRule,
    ChecklistEntry,
    ChecklistTemplate,
    ChecklistTemplateItem,
    CollectiveDiscussion,
    MajorCatalog,
    ReviewRound,
    ReviewSettings,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(AuditedModelAdmin):
    list_display = [
        "agency",
        "legal_review_workdays",
        "case_review_workdays",
        "extension_workdays",
        "collective_discussion_for_major",
    ]


class CatalogRuleInline(ReadOnlyInline):
    model = CatalogRule
    fields = [
        "order",
        "code",
        "kind",
        "description",
        "party_types",
        "amount",
        "inclusive",
        "measures",
        "flag",
        "law_name",
    ]


@admin.register(MajorCatalog)
class MajorCatalogAdmin(ReadOnlyAdmin):
    list_display = ["agency", "version", "title", "status", "effective_from", "published_at"]
    list_filter = ["status", "agency"]
    inlines = [CatalogRuleInline]


class ChecklistTemplateItemInline(ReadOnlyInline):
    model = ChecklistTemplateItem
    fields = ["order", "code", "title", "statutory", "source"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "agency", "version", "effective_from"]
    inlines = [ChecklistTemplateItemInline]


class ChecklistEntryInline(ReadOnlyInline):
    model = ChecklistEntry
    fields = ["order", "code", "title", "result", "note"]


@admin.register(ReviewRound)
class ReviewRoundAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "number", "status", "outcome", "reviewer", "due_on", "opinion_number"]
    list_filter = ["kind", "status", "outcome", "agency"]
    search_fields = ["opinion_number", "case__case_number", "case__title"]
    inlines = [ChecklistEntryInline]


@admin.register(CollectiveDiscussion)
class CollectiveDiscussionAdmin(ReadOnlyAdmin):
    list_display = ["case", "held_on", "chair", "recorded_at"]
