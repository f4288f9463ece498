"""The inbox and its deliveries.

A :class:`Notification` is one message to one person (a deadline or review time-limit reminder), unique per
recipient and source, so collecting the same reminder twice never notifies twice. Each notification gets one
:class:`Delivery` per channel the recipient enabled (e-mail, webhook), unique per notification and channel.

Delivery status transitions (enforced by :mod:`backend.notifications.services`)::

    pending -> sending          (claimed by one worker: conditional UPDATE)
    sending -> sent             (the channel accepted it)
    sending -> pending          (failed; retried at ``next_attempt_at`` with exponential back-off)
    sending -> failed           (failed ``NOTIFY_MAX_ATTEMPTS`` times: given up, still in the inbox)

Every try is a :class:`DeliveryAttempt` row (time, outcome, error), never overwritten.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("办案期限")
        REVIEW = "review", _("审核期限")
        SUPERVISION = "supervision", _("执法监督")  # overdue orders, 检察建议, the annual report (backend/supervision)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What it comes from, e.g. "deadline-reminder:42": with the recipient, what makes it happen once.
    source = models.CharField(max_length=80)
    case_id = models.UUIDField(null=True, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True, help_text=_("控制台中的页面"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "source"], name="uniq_notification_source")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class DeliveryPreference(models.Model):
    """How a person wants to be reached besides the inbox (the inbox is always on)."""

    class WebhookStyle(models.TextChoices):
        WECOM = "wecom", _("政务微信/企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉/浙政钉群机器人")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_preference")
    email_enabled = models.BooleanField(_("邮件提醒"), default=True)
    webhook_enabled = models.BooleanField(_("群机器人提醒"), default=False)
    webhook_url = models.URLField(_("机器人地址"), max_length=500, blank=True)
    webhook_style = models.CharField(max_length=16, choices=WebhookStyle.choices, default=WebhookStyle.WECOM)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} 提醒设置"


class Delivery(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WEBHOOK = "webhook", _("群机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    address = models.CharField(max_length=500, help_text=_("e-mail address or webhook URL at creation"))
    style = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="uniq_delivery_channel")]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="uniq_delivery_attempt")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {'ok' if self.ok else 'failed'}"
