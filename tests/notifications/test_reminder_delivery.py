"""A reminder due reaches the inbox, a local SMTP server and a local webhook receiver exactly once; failures
are retried with back-off and every attempt is recorded; the inbox is the same over the API and the console."""

from __future__ import annotations

import datetime as dt
import email
import json
import threading
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from factories import CaseFactory
from support import free_port

from backend.cases.deadlines import deadline_reminders
from backend.cases.models import Case, CaseDeadline
from backend.common.calendar import get_calendar
from backend.notifications import services
from backend.notifications.models import Delivery, DeliveryAttempt, DeliveryPreference, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); Django's SMTP backend talks to it."""
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield mailbox
    controller.stop()


class _Receiver:
    """A webhook receiver answering like a 群机器人 ({"errcode": 0}); ``fail`` first answers are errors."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.fail = 0
        self.answer: dict = {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def webhook(settings):
    receiver = _Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            receiver.posts.append(body)
            status = 500 if receiver.fail > 0 else 200
            receiver.fail -= 1
            payload = json.dumps(receiver.answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def due_tomorrow(agency_a, officer_a, officer_a2, head_a) -> CaseDeadline:
    """A duty due one working day from today: the sweep issues its T-1 reminder."""
    case = CaseFactory(agency=agency_a, status=Case.Status.INVESTIGATING, case_number="辽市监立字〔2026〕88号",
                       handling_officers=[officer_a, officer_a2])  # fmt: skip
    today = timezone.localdate()
    return CaseDeadline.objects.create(case=case, rule_code="INVESTIGATION", name="调查终结", anchor_on=today,
                                       due_on=get_calendar().add_workdays(today, 1).due)  # fmt: skip


@pytest.fixture
def reachable(officer_a, webhook):
    officer_a.email = "zhangwei@example.gov.cn"
    officer_a.save()
    services.delivery_preference_set(user=officer_a, email_enabled=True, webhook_enabled=True,
                                     webhook_url=webhook.url, webhook_style="wecom")  # fmt: skip
    return officer_a


def test_a_due_reminder_reaches_inbox_mail_and_webhook_exactly_once(due_tomorrow, reachable, smtp, webhook, head_a,
                                                                    officer_a2):  # fmt: skip
    assert deadline_reminders(today=timezone.localdate())["reminders"] == 1
    first = services.notifications_dispatch()
    again = services.notifications_dispatch()
    deadline_reminders(today=timezone.localdate())  # the sweep replayed: no new reminder either
    services.notifications_dispatch()
    assert first["notified"] == 3 and first["sent"] == 2 and again == {"notified": 0, "sent": 0, "failed": 0}
    # Everyone the reminder names gets it in the inbox (officers and the head) — once.
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "head_a", "officer_a", "officer_a2"]  # fmt: skip
    note = Notification.objects.get(recipient=reachable)
    assert "调查终结明天到期" in note.title and "辽市监立字〔2026〕88号" in note.title
    assert note.link == f"/console/cases/{due_tomorrow.case_id}/"
    # Only officer_a has an address and a robot: one mail, one robot message.
    assert len(smtp.messages) == 1 and smtp.messages[0][0] == ["zhangwei@example.gov.cn"]
    mail = email.message_from_string(smtp.messages[0][1])
    assert "调查终结明天到期" in str(make_header(decode_header(mail["Subject"])))
    assert len(webhook.posts) == 1 and webhook.posts[0]["msgtype"] == "text"
    assert "辽市监立字〔2026〕88号" in webhook.posts[0]["text"]["content"]
    assert list(DeliveryAttempt.objects.values_list("ok", flat=True)) == [True, True]


def test_a_failed_delivery_is_retried_with_back_off_and_every_attempt_is_recorded(due_tomorrow, reachable, smtp,
                                                                                  webhook):  # fmt: skip
    webhook.fail = 1
    now = timezone.now()
    deadline_reminders(today=timezone.localdate())
    services.notifications_dispatch(now=now)
    hook = Delivery.objects.get(channel="webhook")
    assert hook.status == "pending" and hook.attempts == 1 and hook.last_error == "HTTP 500"
    assert dt.timedelta(seconds=60) <= hook.next_attempt_at - now <= dt.timedelta(seconds=66)
    services.notifications_dispatch(now=now + dt.timedelta(seconds=59))  # not due yet: nothing sent
    assert len(webhook.posts) == 1
    services.notifications_dispatch(now=now + dt.timedelta(seconds=70))
    hook.refresh_from_db()
    assert hook.status == "sent" and hook.attempts == 2 and len(webhook.posts) == 2
    assert list(hook.attempt_log.values_list("number", "ok", "error")) == [(1, False, "HTTP 500"), (2, True, "")]
    assert Delivery.objects.get(channel="email").attempts == 1  # the mail went through the first time


def test_a_robot_that_answers_an_error_code_fails_and_is_given_up_after_the_last_attempt(
    due_tomorrow, reachable, smtp, webhook, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    webhook.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    now = timezone.now()
    deadline_reminders(today=timezone.localdate())
    services.notifications_dispatch(now=now)
    services.notifications_dispatch(now=now + dt.timedelta(hours=1))
    services.notifications_dispatch(now=now + dt.timedelta(hours=5))
    hook = Delivery.objects.get(channel="webhook")
    assert hook.status == "failed" and hook.attempts == 2 and hook.last_error.startswith("errcode 93000")
    assert len(webhook.posts) == 2
    assert Notification.objects.filter(recipient=reachable).exists()  # still in the inbox


def test_one_worker_claims_a_delivery_and_a_dead_workers_claim_is_taken_over(due_tomorrow, reachable, smtp, webhook):
    deadline_reminders(today=timezone.localdate())
    services.notifications_collect()
    hook = Delivery.objects.get(channel="webhook")
    now = timezone.now()
    Delivery.objects.filter(pk=hook.pk).update(status="sending", claimed_at=now)
    assert services.delivery_attempt(delivery_id=hook.pk, now=now) is None  # another worker holds it
    later = now + services.STALE_CLAIM + dt.timedelta(seconds=1)
    assert services.delivery_attempt(delivery_id=hook.pk, now=later).status == "sent"
    assert len(webhook.posts) == 1


def test_back_off_doubles_up_to_its_cap():
    assert services.retry_delay(1, jitter=0) == dt.timedelta(seconds=60)
    assert services.retry_delay(2, jitter=0) == dt.timedelta(seconds=120)
    assert services.retry_delay(3, jitter=1) == dt.timedelta(seconds=264)
    assert services.retry_delay(20, jitter=0) == dt.timedelta(hours=6)


def test_webhooks_go_only_to_the_configured_robot_hosts(as_user, officer_a, settings):
    settings.NOTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com"]
    client = as_user(officer_a)
    for url in ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send", "https://169.254.169.254/latest",
                "https://qyapi.weixin.qq.com.evil.example/x"):  # fmt: skip
        refused = client.put("/api/v1/inbox/preferences/", {"email_enabled": True, "webhook_enabled": True,
                                                            "webhook_url": url}, format="json")  # fmt: skip
        assert refused.status_code == 422 and refused.json()["code"] == "webhook_url_not_allowed", url
    robot = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    ok = client.put("/api/v1/inbox/preferences/", {"email_enabled": False, "webhook_enabled": True,
                                                  "webhook_url": robot}, format="json")  # fmt: skip
    assert ok.status_code == 200 and DeliveryPreference.objects.get(user=officer_a).webhook_enabled


def test_the_inbox_over_the_api_and_in_the_console(due_tomorrow, as_user, officer_a, officer_a2):
    deadline_reminders(today=timezone.localdate())
    services.notifications_collect()
    listed = as_user(officer_a).get("/api/v1/inbox/?unread=1")
    assert listed.status_code == 200 and listed["X-Unread-Count"] == "1"
    item = listed.json()["results"][0]
    assert item["kind"] == "deadline" and item["read"] is False
    other = as_user(officer_a2).post(f"/api/v1/inbox/{item['id']}/read/")
    assert other.status_code == 404  # another person's message
    read = as_user(officer_a).post(f"/api/v1/inbox/{item['id']}/read/")
    assert read.status_code == 200 and read.json()["read"] is True
    assert as_user(officer_a).get("/api/v1/inbox/unread/").json() == {"unread": 0}

    from django.test import Client

    console = Client()
    console.force_login(officer_a2)
    page = console.get("/console/inbox/").content.decode()
    assert "data-unread-nav" in page and "调查终结明天到期" in page
    note = Notification.objects.get(recipient=officer_a2)
    done = console.post(f"/console/inbox/{note.pk}/read/", {"next": note.link})
    assert done.status_code == 303 and done["Location"] == note.link
    assert "data-unread-nav" not in console.get("/console/inbox/").content.decode()


def test_a_preference_change_keeps_what_was_not_sent(as_user, officer_a, settings):
    settings.NOTIFY_WEBHOOK_HOSTS = ["oapi.dingtalk.com"]
    client = as_user(officer_a)
    robot = "https://oapi.dingtalk.com/robot/send?access_token=t"
    client.put("/api/v1/inbox/preferences/", {"webhook_enabled": True, "webhook_url": robot,
                                              "webhook_style": "dingtalk"}, format="json")  # fmt: skip
    assert client.put("/api/v1/inbox/preferences/", {}, format="json").status_code == 200
    changed = client.put("/api/v1/inbox/preferences/", {"email_enabled": False}, format="json").json()
    assert changed == {"email_enabled": False, "webhook_enabled": True, "webhook_url": robot,
                       "webhook_style": "dingtalk"}  # fmt: skip
