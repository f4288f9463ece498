"""GET /metrics (Prometheus): protected, and showing what a dashboard needs — requests by route and status,
refusals by code, and the state gauges read at scrape time (media failures, checkpoint age, overdue deadlines,
reminders, queue depth, periodic task success).

Before: no metrics at all.
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from support_metrics import samples, value

from backend.accounts.models import User

pytestmark = pytest.mark.django_db

TOKEN = "m" * 40


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def read() -> dict:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        return samples(response.content.decode())

    return read


def test_metrics_are_refused_without_the_token_or_a_staff_session(client, settings, officer_a):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "x" * 40).status_code == 401
    client.force_login(officer_a)  # a session, but not staff
    assert client.get("/metrics").status_code == 401
    client.force_login(User.objects.create_superuser(username="root", password="root-password-2026"))
    assert client.get("/metrics").status_code == 200


def test_without_a_configured_token_no_bearer_is_accepted(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_requests_are_counted_by_route_pattern_method_and_status(api, scrape, officer_a, as_user):
    before = scrape()
    for _ in range(3):
        assert api.get("/api/v1/me/").status_code == 401
    assert as_user(officer_a).get("/api/v1/me/").status_code == 200
    after = scrape()
    route = {"route": "/api/v1/me/", "method": "GET"}
    assert value(after, "zhifa_http_requests_total", **route, status="401") - value(
        before, "zhifa_http_requests_total", **route, status="401"
    ) == 3
    assert value(after, "zhifa_http_requests_total", **route, status="200") - value(
        before, "zhifa_http_requests_total", **route, status="200"
    ) == 1
    assert value(after, "zhifa_http_request_duration_seconds_count", **route) - value(
        before, "zhifa_http_request_duration_seconds_count", **route
    ) == 4


def test_routes_are_patterns_not_paths_with_ids(scrape, as_user, officer_a):
    import uuid

    as_user(officer_a).get(f"/api/v1/cases/{uuid.uuid4()}/")
    labels = {dict(key[1]).get("route") for key in scrape() if key[0] == "zhifa_http_requests_total"}
    assert "/api/v1/cases/<uuid:case_id>/" in labels
    assert not any(label and label.count("-") >= 4 for label in labels)  # no concrete UUID anywhere


def test_a_409_is_counted_with_its_error_code(scrape, as_user, officer_a):
    import base64
    import os

    key = base64.b64encode(os.urandom(32)).decode()
    client = as_user(officer_a)
    before = scrape()
    assert client.post("/api/v1/devices/", {"model": "A", "public_key": key}, format="json").status_code == 201
    assert client.post("/api/v1/devices/", {"model": "B", "public_key": key}, format="json").status_code == 409
    after = scrape()
    labels = {"status": "409", "code": "device_key_in_use"}
    counted = value(after, "zhifa_http_refusals_total", **labels) - value(before, "zhifa_http_refusals_total", **labels)
    assert counted == 1


def test_overdue_deadlines_and_reminders_issued_today_are_gauged(scrape, agency_a):
    from factories import CaseFactory

    from backend.cases.models import CaseDeadline, DeadlineReminder

    case = CaseFactory(agency=agency_a, title="逾期案")
    today = timezone.localdate()
    overdue = CaseDeadline.objects.create(
        case=case, rule_code="r1", name="立案", anchor_on=today - datetime.timedelta(days=20),
        due_on=today - datetime.timedelta(days=5), state=CaseDeadline.State.OVERDUE,
    )  # fmt: skip
    CaseDeadline.objects.create(
        case=case, rule_code="r2", name="告知", anchor_on=today, due_on=today + datetime.timedelta(days=5)
    )
    DeadlineReminder.objects.create(deadline=overdue, kind="overdue", due_on=overdue.due_on, issued_on=today)
    scraped = scrape()
    assert value(scraped, "zhifa_deadlines_overdue", kind="case_duty") == 1
    assert value(scraped, "zhifa_reminders_issued_today", subject="case", kind="overdue") == 1
    assert value(scraped, "zhifa_reminders_issued_today", subject="case", kind="t-1") == 0


def test_the_checkpoint_age_is_the_time_since_the_latest_signed_checkpoint(scrape, settings, officer_a):
    from support import sequence_ledger

    from backend.ledger.checkpoints import checkpoint_sign
    from backend.ledgercore.signed_note import generate_key

    settings.LEDGER_SIGNING_KEY = generate_key(settings.LEDGER_ORIGIN).signer_key
    settings.LEDGER_SIGNING_KEY_FILE = ""
    sequence_ledger()
    checkpoint_sign(force=True)
    age = value(scrape(), "zhifa_ledger_checkpoint_age_seconds")
    assert 0 <= age < 60


def test_a_periodic_task_leaves_its_last_success_time(scrape):
    from backend.common.tasks import idempotency_purge

    started = time.time()
    idempotency_purge.delay()  # eager in tests: the worker's signals run here
    stamp = value(scrape(), "zhifa_periodic_task_last_success_timestamp_seconds", task="common.idempotency_purge")
    assert started <= stamp <= time.time()


def test_the_queue_depth_counts_messages_waiting_on_the_filesystem_broker(scrape, settings, tmp_path):
    from kombu import Connection

    folder = tmp_path / "broker"
    for sub in ("out", "processed"):
        (folder / sub).mkdir(parents=True)
    options = {"data_folder_in": str(folder / "out"), "data_folder_out": str(folder / "out"),
               "processed_folder": str(folder / "processed")}  # fmt: skip
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    assert value(scrape(), "zhifa_celery_queue_depth", queue="celery") == 0
    with Connection("filesystem://", transport_options=options) as conn:
        queue = conn.SimpleQueue("celery")
        for i in range(3):
            queue.put({"probe": i})
        queue.close()
    assert value(scrape(), "zhifa_celery_queue_depth", queue="celery") == 3
