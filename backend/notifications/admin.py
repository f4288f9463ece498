from django.contrib import admin

from backend.ledger.admin_audit import ReadOnlyAdmin
from backend.notifications.models import Delivery, DeliveryPreference, Notification

# Records of what was sent to whom: looked at, never edited (preferences are each person's own, set in the
# console or over the API).


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("notification", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("channel", "status")


@admin.register(DeliveryPreference)
class DeliveryPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "email_enabled", "webhook_enabled", "webhook_style")
