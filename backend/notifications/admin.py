from django.contrib import admin

from backend.ledger.admin_audit import AuditedModelAdmin
from backend.notifications.models import Delivery, DeliveryPreference, Notification


@admin.register(Notification)
class NotificationAdmin(AuditedModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    readonly_fields = ("recipient", "kind", "source", "case_id", "title", "body", "link", "read_at")


@admin.register(Delivery)
class DeliveryAdmin(AuditedModelAdmin):
    list_display = ("notification", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("channel", "status")
    readonly_fields = ("notification", "channel", "address", "style", "attempts", "sent_at", "last_error")


@admin.register(DeliveryPreference)
class DeliveryPreferenceAdmin(AuditedModelAdmin):
    list_display = ("user", "email_enabled", "webhook_enabled", "webhook_style")
