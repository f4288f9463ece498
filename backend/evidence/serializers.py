"""Uniquely named input/output serializers for the evidence API (drf-spectacular component names)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.evidence.models import EvidenceItem, EvidenceKind, EvidenceNote
from backend.ledger.models import AuditEvent


class EvidenceListFilterSerializer(serializers.Serializer):
    case = serializers.UUIDField(help_text="案件 id（必填）")
    kind = serializers.ChoiceField(choices=EvidenceKind.choices, required=False)
    activity = serializers.CharField(required=False, max_length=50)


class EvidenceOriginalQuerySerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=200, help_text="调阅用途（必填，写入监管链记录）")


class EvidenceItemOutputSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    uploaded_by_id = serializers.UUIDField(read_only=True)
    device = serializers.UUIDField(source="device_id", read_only=True, allow_null=True)
    original_url = serializers.SerializerMethodField()
    derivative_links = serializers.SerializerMethodField()
    media_metadata = serializers.SerializerMethodField()
    derivatives = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "case",
            "kind",
            "sha256",
            "sm3",
            "size",
            "status",
            "captured_at",
            "captured_at_raw",
            "received_at",
            "uploaded_by",
            "uploaded_by_id",
            "device",
            "latitude",
            "longitude",
            "accuracy_m",
            "activity",
            "description",
            "original_filename",
            "content_type",
            "signature_status",
            "processing_status",
            "processing_error",
            "media_metadata",
            "flags",
            "c2pa",
            "original_url",
            "derivative_links",
            "derivatives",
        ]
        read_only_fields = fields

    def get_original_url(self, item: EvidenceItem) -> str:
        return reverse("evidence-original", kwargs={"item_id": item.pk})

    def get_derivative_links(self, item: EvidenceItem) -> dict[str, str]:
        return {
            name: reverse("evidence-derivative", kwargs={"item_id": item.pk, "name": name})
            for name in sorted(item.derivatives or {})
        }

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_media_metadata(self, item: EvidenceItem) -> dict[str, Any]:
        """What the media pipeline found (codecs, duration, size, EXIF/container time and GPS, camera_check);
        bookkeeping of the worker is left out."""
        from backend.evidence.processing import INTERNAL_METADATA_KEYS

        return {k: v for k, v in (item.media_metadata or {}).items() if k not in INTERNAL_METADATA_KEYS}

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "url": {"type": "string"},
                    "content_type": {"type": "string"},
                    "size": {"type": "integer", "nullable": True},
                    "width": {"type": "integer", "nullable": True},
                    "height": {"type": "integer", "nullable": True},
                    "duration_s": {"type": "number", "nullable": True},
                },
            },
        }
    )
    def get_derivatives(self, item: EvidenceItem) -> dict[str, dict[str, Any]]:
        """Each derivative (thumbnail, display, poster, preview, contact_sheet, proxy, waveform, waveform_png)
        with its authorised download URL and what a viewer needs to lay it out."""
        out: dict[str, dict[str, Any]] = {}
        for name, entry in sorted((item.derivatives or {}).items()):
            info = entry if isinstance(entry, dict) else {}
            out[name] = {
                "url": reverse("evidence-derivative", kwargs={"item_id": item.pk, "name": name}),
                "content_type": info.get("content_type", ""),
                "size": info.get("size"),
                "width": info.get("width"),
                "height": info.get("height"),
                "duration_s": info.get("duration_s"),
            }
        return out


class CustodyEventOutputSerializer(serializers.ModelSerializer):
    purpose = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "action",
            "actor_name",
            "actor_roles",
            "ip_address",
            "request_id",
            "device_id",
            "purpose",
            "data",
            "hash",
        ]
        read_only_fields = fields

    def get_purpose(self, event: AuditEvent) -> str:
        data: dict[str, Any] = event.data or {}
        return str(data.get("purpose", ""))


class EvidenceNoteInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceNote.Kind.choices, default=EvidenceNote.Kind.NOTE)
    field = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=5000)


class EvidenceNoteOutputSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = EvidenceNote
        fields = ["id", "item", "author", "kind", "field", "text", "created_at"]
        read_only_fields = fields
