from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Reminders that reach people: an inbox per user, delivered by e-mail and 政务 IM webhooks."""

    name = "backend.notifications"
    label = "notifications"
    verbose_name = "消息提醒"
    default_auto_field = "django.db.models.BigAutoField"
