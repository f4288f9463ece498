from __future__ import annotations

from django.core.validators import URLValidator
from rest_framework import serializers

from backend.notifications.models import Delivery, DeliveryPreference, Notification


class NotificationDeliveryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["channel", "status", "attempts", "sent_at", "last_error"]


class NotificationOutputSerializer(serializers.ModelSerializer):
    deliveries = NotificationDeliveryOutputSerializer(many=True, read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "case_id", "created_at", "read_at", "read", "deliveries"]

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class InboxFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text="只看未读")


class DeliveryPreferenceSerializer(serializers.ModelSerializer):
    """Reading: the whole setting. Writing: the fields sent are changed, the others kept."""

    # A plain string in the document ("" = none): DRF's blank-or-URL field is declared as a oneOf both of whose
    # branches match "", which no validator accepts. The URL is checked here, its host by the service.
    webhook_url = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="群机器人地址（https），空为不设置"
    )

    def validate_webhook_url(self, value: str) -> str:
        if value:
            URLValidator(schemes=["https", "http"])(value)
        return value

    class Meta:
        model = DeliveryPreference
        fields = ["email_enabled", "webhook_enabled", "webhook_url", "webhook_style"]
        extra_kwargs = {
            "email_enabled": {"required": False},
            "webhook_enabled": {"required": False},
            "webhook_style": {"required": False},
        }
