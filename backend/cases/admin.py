"""Admin: read-only views of cases and their record (changes go through the audited services); the
per-agency parameters are editable, and each edit is written to the audit trail (AuditedModelAdmin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.cases.models import (
    Case,
    CaseDeadline,
    CaseRules,
    CaseTransition,
    DecisionCorrection,
    EnforcementDocument,
    RecordingRequirement,
)
from backend.ledger.admin_audit import AuditedModelAdmin, ReadOnlyAdmin


class TransitionInline(admin.TabularInline):
    model = CaseTransition
    extra = 0
    fields = ["occurred_at", "name", "from_status", "to_status", "actor_name", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "title", "agency", "procedure", "status", "decision_number", "updated_at"]
    list_filter = ["agency", "procedure", "status", "category"]
    search_fields = ["case_number", "decision_number", "title"]
    inlines = [TransitionInline]


@admin.register(EnforcementDocument)
class EnforcementDocumentAdmin(ReadOnlyAdmin):
    list_display = ["doc_type", "number", "case", "occurred_at"]
    list_filter = ["doc_type"]


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "rule_code", "due_on", "state", "provisional", "met_on", "met_late"]
    list_filter = ["state", "rule_code", "provisional"]


@admin.register(DecisionCorrection)
class DecisionCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "by", "effective_on"]


@admin.register(RecordingRequirement)
class RecordingRequirementAdmin(ReadOnlyAdmin):
    list_display = ["agency", "activity", "level", "retention"]
    list_filter = ["agency"]


@admin.register(CaseRules)
class CaseRulesAdmin(AuditedModelAdmin):
    list_display = ["agency", "number_prefix", "min_officers", "statement_window_workdays", "decision_days"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
