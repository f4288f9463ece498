"""Inbox reads: a user sees only their own messages."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.notifications.models import Notification


def inbox(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for_user(*, user: User, notification_id) -> Notification:
    item = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if item is None:
        raise NotFound("消息不存在", code="notification_not_found")
    return item
