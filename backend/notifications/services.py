"""Reminders that reach people: collect the reminders the cases and reviews apps issue into each recipient's
inbox, then deliver them by e-mail and by 政务 IM webhook, once, with retries recorded.

Why a collector instead of a call from the reminder sweeps: the sweeps (``cases.deadlines.deadline_reminders``,
``reviews.services.review_deadline_reminders``) already store one reminder row per deadline, kind and due date
with its recipients; reading those rows keeps one rule for *when* to remind (``cases.deadlines.reminder_due``)
and lets a reminder issued while this app was down still reach people.

Delivery runs outside any database transaction (no row lock is held across SMTP or HTTP): a delivery is claimed
with a conditional UPDATE, sent, and its outcome recorded as a :class:`DeliveryAttempt`. A crash between the
send and the record can repeat that one message (at-least-once); nothing else is ever sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.cases.models import DeadlineReminder, Reminder
from backend.common.errors import ApplicationError, NotFound
from backend.notifications.models import Delivery, DeliveryAttempt, DeliveryPreference, Notification

log = logging.getLogger(__name__)

KIND_WORDS: dict[str, str] = {Reminder.Kind.T_MINUS_3: "3个工作日后到期", Reminder.Kind.T_MINUS_1: "明天到期",
              Reminder.Kind.OVERDUE: "已逾期"}  # fmt: skip
STALE_CLAIM = dt.timedelta(minutes=10)


class DeliveryError(Exception):
    """A channel refused or could not be reached (retried with back-off)."""


# --------------------------------------------------------------------------- preferences


def webhook_url_allowed(url: str) -> bool:
    """Only HTTPS robot endpoints of the configured IM services (no request to an arbitrary host: SSRF)."""
    parts = urlsplit(url)
    allowed = {h.lower() for h in settings.NOTIFY_WEBHOOK_HOSTS}
    host = (parts.hostname or "").lower()
    local = host in {"127.0.0.1", "localhost"}  # a receiver on this host (tests, an on-site relay) may be plain HTTP
    return host in allowed and (parts.scheme == "https" or (parts.scheme == "http" and local))


def delivery_preference_get(*, user: User) -> DeliveryPreference:
    return DeliveryPreference.objects.filter(user=user).first() or DeliveryPreference(user=user)


@transaction.atomic
def delivery_preference_set(
    *,
    user: User,
    email_enabled: bool | None = None,
    webhook_enabled: bool | None = None,
    webhook_url: str | None = None,
    webhook_style: str | None = None,
) -> DeliveryPreference:
    """Change how ``user`` is reached; a value left out (None) keeps its current setting."""
    pref = delivery_preference_get(user=user)
    email_enabled = pref.email_enabled if email_enabled is None else email_enabled
    webhook_enabled = pref.webhook_enabled if webhook_enabled is None else webhook_enabled
    webhook_url = pref.webhook_url if webhook_url is None else webhook_url
    webhook_style = pref.webhook_style if webhook_style is None else webhook_style
    if webhook_enabled and not webhook_url_allowed(webhook_url):
        raise ApplicationError(
            "webhook_url_not_allowed", "机器人地址须为政务微信或钉钉的 HTTPS 地址", status=422,
            fields={"webhook_url": [f"允许的主机：{'、'.join(settings.NOTIFY_WEBHOOK_HOSTS)}"]},
        )  # fmt: skip
    if webhook_style not in DeliveryPreference.WebhookStyle.values:
        raise ApplicationError("invalid_webhook_style", "机器人类型无效", status=422)
    pref.email_enabled, pref.webhook_enabled = email_enabled, webhook_enabled
    pref.webhook_url, pref.webhook_style = webhook_url, webhook_style
    pref.full_clean(exclude=["user"])
    pref.save()
    return pref


# --------------------------------------------------------------------------- collecting reminders


def _deadline_message(reminder: DeadlineReminder) -> dict[str, Any]:
    deadline = reminder.deadline
    case = deadline.case
    provisional = "（暂定：当年节假日尚未公布）" if deadline.provisional else ""
    return {
        "kind": Notification.Kind.DEADLINE,
        "source": f"deadline-reminder:{reminder.pk}",
        "case_id": case.pk,
        "title": f"{deadline.name}{KIND_WORDS.get(reminder.kind, '')}：{case.case_number or case.title}",
        "body": f"案件“{case.title}”的期限“{deadline.name}”到期日为 {deadline.due_on:%Y年%m月%d日}{provisional}。",
        "link": f"/console/cases/{case.pk}/",
    }


def _review_message(reminder: Any) -> dict[str, Any]:
    round_ = reminder.round
    case = round_.case
    return {
        "kind": Notification.Kind.REVIEW,
        "source": f"review-reminder:{reminder.pk}",
        "case_id": case.pk,
        "title": f"{round_.get_kind_display()}期限{KIND_WORDS.get(reminder.kind, '')}："
        f"{case.case_number or case.title}",
        "body": f"第{round_.number}轮{round_.get_kind_display()}的期限为 {round_.due_on:%Y年%m月%d日}。",
        "link": f"/console/reviews/{round_.pk}/",
    }


def _reminders(since: dt.datetime) -> Iterable[tuple[Reminder, dict[str, Any]]]:
    from backend.reviews.models import ReviewReminder

    for reminder in DeadlineReminder.objects.filter(created_at__gte=since).select_related("deadline__case"):
        yield reminder, _deadline_message(reminder)
    for review_reminder in ReviewReminder.objects.filter(created_at__gte=since).select_related("round__case"):
        yield review_reminder, _review_message(review_reminder)


def notify(*, recipient: User, message: dict[str, Any], now: dt.datetime | None = None) -> Notification | None:
    """Put one message in ``recipient``'s inbox and queue its deliveries; None if it was already there."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(recipient=recipient, **message)
            pref = delivery_preference_get(user=recipient)
            if pref.email_enabled and recipient.email:
                Delivery.objects.create(notification=notification, channel=Delivery.Channel.EMAIL,
                                        address=recipient.email, next_attempt_at=now)  # fmt: skip
            if pref.webhook_enabled and pref.webhook_url:
                Delivery.objects.create(notification=notification, channel=Delivery.Channel.WEBHOOK,
                                        address=pref.webhook_url, style=pref.webhook_style,
                                        next_attempt_at=now)  # fmt: skip
    except IntegrityError:
        return None  # the same source for the same person: already notified
    return notification


def notifications_collect(*, now: dt.datetime | None = None) -> int:
    """Turn the reminders of the last ``NOTIFY_COLLECT_DAYS`` into inbox messages (idempotent)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.NOTIFY_COLLECT_DAYS)
    created = 0
    for reminder, message in _reminders(since):
        have = set(Notification.objects.filter(source=message["source"]).values_list("recipient_id", flat=True))
        wanted = [pk for pk in reminder.recipient_ids if pk not in {str(h) for h in have}]
        for user in User.objects.filter(pk__in=wanted, is_active=True):
            if notify(recipient=user, message=message, now=now) is not None:
                created += 1
    return created


# --------------------------------------------------------------------------- delivering


def retry_delay(attempt: int, *, jitter: float | None = None) -> dt.timedelta:
    """Back-off after the ``attempt``-th failure: base × 2^(attempt−1), capped, plus up to 10 % jitter."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    seconds = min(base, settings.NOTIFY_RETRY_MAX_SECONDS)
    spread = random.random() if jitter is None else jitter  # spreads retries; not a secret
    return dt.timedelta(seconds=seconds * (1 + 0.1 * spread))


def _webhook_payload(notification: Notification, style: str) -> dict[str, Any]:
    """The text message both robots accept (企业微信/政务微信 and 钉钉 群机器人: ``msgtype`` text)."""
    link = f"{settings.CONSOLE_BASE_URL.rstrip('/')}{notification.link}" if settings.CONSOLE_BASE_URL else ""
    content = f"【执法记录】{notification.title}\n{notification.body}" + (f"\n{link}" if link else "")
    if style == DeliveryPreference.WebhookStyle.DINGTALK:
        return {"msgtype": "text", "text": {"content": content}, "at": {"isAtAll": False}}
    return {"msgtype": "text", "text": {"content": content}}


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    if delivery.channel == Delivery.Channel.EMAIL:
        try:
            body = notification.body
            if settings.CONSOLE_BASE_URL:
                body += f"\n\n{settings.CONSOLE_BASE_URL.rstrip('/')}{notification.link}"
            send_mail(f"【执法记录】{notification.title}", body, settings.DEFAULT_FROM_EMAIL, [delivery.address])
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {exc}") from exc
        return
    if not webhook_url_allowed(delivery.address):
        raise DeliveryError("机器人地址不在允许的主机之列")
    try:
        response = requests.post(delivery.address, json=_webhook_payload(notification, delivery.style),
                                 timeout=settings.NOTIFY_WEBHOOK_TIMEOUT)  # fmt: skip
    except requests.RequestException as exc:
        raise DeliveryError(f"HTTP: {exc.__class__.__name__}") from exc
    if response.status_code // 100 != 2:
        raise DeliveryError(f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:  # both robots answer {"errcode": 0, ...}
        raise DeliveryError(f"errcode {answer.get('errcode')}: {str(answer.get('errmsg', ''))[:200]}")


def delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Claim one due delivery (conditional UPDATE: one worker only), send it, record the attempt."""
    now = now or timezone.now()
    due = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    if not Delivery.objects.filter(due, pk=delivery_id).update(status=Delivery.Status.SENDING, claimed_at=now):
        return None
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    error = ""
    try:
        _send(delivery)
    except DeliveryError as exc:
        error = str(exc)[:500]
    number = delivery.attempts + 1
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=delivery, number=number, at=now, ok=not error, error=error)
        delivery.attempts = number
        if not error:
            delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, now, ""
        elif number >= settings.NOTIFY_MAX_ATTEMPTS:
            delivery.status, delivery.last_error = Delivery.Status.FAILED, error
            log.error("delivery %s given up after %s attempts: %s", delivery.pk, number, error)
        else:
            delivery.status, delivery.last_error = Delivery.Status.PENDING, error
            delivery.next_attempt_at = now + retry_delay(number)
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    return delivery


def notifications_dispatch(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Collect new reminders, then try every due delivery once. Safe to run concurrently and to replay."""
    now = now or timezone.now()
    counts = {"notified": notifications_collect(now=now), "sent": 0, "failed": 0}
    due = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    for delivery_id in Delivery.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:500]:
        done = delivery_attempt(delivery_id=delivery_id, now=now)
        if done is not None:
            counts["sent" if done.status == Delivery.Status.SENT else "failed"] += 1
    return counts


# --------------------------------------------------------------------------- the inbox


def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    if notification.recipient_id != user.pk:
        raise NotFound("消息不存在", code="notification_not_found")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification
