"""Input/output serializers of the ledger API (uniquely named for drf-spectacular)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from backend.common.fields import ClientDateTimeField
from backend.ledger.models import BundleShare, RecipientKind


class LedgerCheckpointOutputSerializer(serializers.Serializer):
    origin = serializers.CharField()
    tree_size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="hex")
    signed_at = serializers.CharField(allow_null=True)
    note = serializers.CharField(help_text="C2SP signed note (tlog-checkpoint), exactly as signed")
    key = serializers.CharField(help_text="verifier key that signed the note")
    timestamp_token = serializers.CharField(allow_null=True, help_text="RFC 3161 token (base64 DER) or null")


class LedgerKeyOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    key_id = serializers.CharField()
    algorithm = serializers.CharField()
    format = serializers.CharField()
    previous_keys = serializers.ListField(child=serializers.CharField())


class LedgerInclusionQuerySerializer(serializers.Serializer):
    index = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)
    sha256 = serializers.CharField(required=False, min_length=64, max_length=64)

    def validate(self, attrs: dict) -> dict:
        if ("index" in attrs) == ("sha256" in attrs):
            raise serializers.ValidationError("请提供 index 或 sha256 之一")
        return attrs


class LedgerInclusionOutputSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    leaf_hash = serializers.CharField()
    proof = serializers.ListField(child=serializers.CharField())
    checkpoint = LedgerCheckpointOutputSerializer(allow_null=True)


class LedgerCaseReferenceSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField(allow_blank=True)


class LedgerRecordedFileSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    recorded_at = serializers.CharField()
    case = LedgerCaseReferenceSerializer(allow_null=True)
    pending = serializers.BooleanField(help_text="recorded but not yet covered by a signed checkpoint")
    tree_size = serializers.IntegerField(required=False)
    leaf_hash = serializers.CharField(required=False)
    proof = serializers.ListField(child=serializers.CharField(), required=False)


class LedgerFileLookupOutputSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    records = LedgerRecordedFileSerializer(many=True)
    checkpoint = LedgerCheckpointOutputSerializer()


class LedgerConsistencyQuerySerializer(serializers.Serializer):
    first = serializers.IntegerField(min_value=0)
    second = serializers.IntegerField(required=False, min_value=0)


class LedgerConsistencyOutputSerializer(serializers.Serializer):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    first_root_hash = serializers.CharField()
    second_root_hash = serializers.CharField()
    proof = serializers.ListField(child=serializers.CharField())
    checkpoint = LedgerCheckpointOutputSerializer(allow_null=True)


class LedgerEntryOutputSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    seq = serializers.IntegerField()
    leaf_hash = serializers.CharField()
    entry = serializers.JSONField(help_text="the log entry (its RFC 8785 bytes are the leaf)")
    entry_canonical = serializers.CharField(help_text="the exact canonical JSON text that was hashed")


class BundleShareCreateInputSerializer(serializers.Serializer):
    recipient_kind = serializers.ChoiceField(choices=RecipientKind.choices)
    recipient_name = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    # Bounds are checked again by bundles.share_create, before anything is created; here they document the
    # field and keep huge integers (≥ 2**63 − 1 overflowed the column: a 500 after the export was made) out.
    valid_days = serializers.IntegerField(required=False, min_value=1, max_value=3650)
    max_downloads = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, allow_null=True)


class BundleShareRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BundleShareOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.SerializerMethodField(help_text="active | expired | revoked | exhausted")
    recipient_kind = serializers.CharField()
    recipient_name = serializers.CharField()
    purpose = serializers.CharField()
    created_at = ClientDateTimeField()
    expires_at = ClientDateTimeField()
    max_downloads = serializers.IntegerField(allow_null=True)
    download_count = serializers.IntegerField()
    revoked_at = ClientDateTimeField(allow_null=True)
    manifest_sha256 = serializers.CharField(source="export.manifest_sha256")
    checkpoint_tree_size = serializers.IntegerField(source="export.checkpoint.tree_size")

    def get_state(self, share: BundleShare) -> str:
        return share.state(timezone.now())


class BundleShareCreatedOutputSerializer(BundleShareOutputSerializer):
    url = serializers.CharField(help_text="the download link; shown only once")
    receipt = serializers.JSONField()


class BundleShareReceiptOutputSerializer(serializers.Serializer):
    share_id = serializers.CharField()
    state = serializers.CharField()
    case = serializers.JSONField()
    recipient = serializers.JSONField()
    purpose = serializers.CharField()
    created_at = serializers.CharField()
    created_by = serializers.CharField()
    expires_at = serializers.CharField()
    max_downloads = serializers.IntegerField(allow_null=True)
    download_count = serializers.IntegerField()
    last_downloaded_at = serializers.CharField(allow_null=True)
    revoked_at = serializers.CharField(allow_null=True)
    revoke_reason = serializers.CharField()
    bundle = serializers.JSONField()
    checkpoint = serializers.JSONField()
