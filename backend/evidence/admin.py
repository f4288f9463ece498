"""Admin: read-only. Originals and their records are never edited or deleted through the admin."""

from __future__ import annotations

from django.contrib import admin

from backend.evidence.models import EvidenceItem, EvidenceNote, Upload
from backend.ledger.admin_audit import ReadOnlyAdmin


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "case",
        "kind",
        "status",
        "sha256",
        "size",
        "captured_at",
        "received_at",
        "signature_status",
        "processing_status",
    )
    list_filter = ("kind", "status", "processing_status", "signature_status")
    search_fields = ("sha256", "id", "original_filename")


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_by", "case", "kind", "status", "offset", "length", "expires_at")
    list_filter = ("status", "kind")
    exclude = ("hash_state", "head")


@admin.register(EvidenceNote)
class EvidenceNoteAdmin(ReadOnlyAdmin):
    list_display = ("item", "kind", "author", "created_at")
