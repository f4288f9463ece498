from __future__ import annotations

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

    class Meta:
        model = DeliveryPreference
        fields = ["email_enabled", "webhook_enabled", "webhook_url", "webhook_style"]
        extra_kwargs = {
            "email_enabled": {"required": False},
            "webhook_enabled": {"required": False},
            "webhook_url": {"required": False, "allow_blank": True},
            "webhook_style": {"required": False},
        }
