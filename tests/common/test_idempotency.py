"""``Idempotency-Key``: the key is reserved before the work, a duplicate in flight waits (409), the stored
answer is replayed afterwards, failures release the key, stale reservations expire and old records are
purged. The concurrent case (8 duplicates at once) is in test_idempotency_concurrency.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from backend.cases import services as case_services
from backend.cases.models import Case
from backend.common import idempotency
from backend.common.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"
BODY = {
    "title": "无照经营", "party_type": "natural_person", "party_name": "张三", "party_id_number": "220402199202021237",
    "party_phone": "13800000000", "place_address": "辽源市龙山区",
}  # fmt: skip


def _reserve(user, key: str, *, body: dict = BODY, age: dt.timedelta = dt.timedelta(0)) -> IdempotencyRecord:
    """A reservation as another request (still running, or crashed ``age`` ago) left it."""
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().post(URL, body, format="json")
    record = IdempotencyRecord.objects.create(
        user=user,
        key=key,
        method="POST",
        path=URL,
        request_hash=idempotency.request_fingerprint(request),
        state=IdempotencyRecord.State.IN_PROGRESS,
        token="other-request",
    )
    then = timezone.now() - age
    IdempotencyRecord.objects.filter(pk=record.pk).update(reserved_at=then, created_at=then)
    return record


def test_a_replay_returns_the_stored_status_body_and_headers(as_user, officer_a):
    client = as_user(officer_a)
    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Location"] == first["Location"] and replay["ETag"] == first["ETag"]
    assert replay["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    record = IdempotencyRecord.objects.get(key="k-1")
    assert record.state == IdempotencyRecord.State.DONE and record.status_code == 201
    assert Case.objects.count() == 1


def test_a_duplicate_while_the_first_is_in_flight_is_told_to_retry_later(as_user, officer_a):
    _reserve(officer_a, "k-busy")
    response = as_user(officer_a).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"
    assert int(response["Retry-After"]) >= 1
    assert Case.objects.count() == 0
    assert IdempotencyRecord.objects.get(key="k-busy").token == "other-request"  # untouched


def test_another_body_under_a_key_in_flight_is_the_reuse_error(as_user, officer_a):
    _reserve(officer_a, "k-busy")
    response = as_user(officer_a).post(URL, {**BODY, "title": "另一案"}, format="json", HTTP_IDEMPOTENCY_KEY="k-busy")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_a_reservation_left_by_a_crashed_request_expires(as_user, officer_a, settings):
    settings.IDEMPOTENCY_RESERVATION_TIMEOUT = 60
    _reserve(officer_a, "k-crashed", age=dt.timedelta(seconds=61))
    response = as_user(officer_a).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-crashed")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    record = IdempotencyRecord.objects.get(key="k-crashed")
    assert record.state == IdempotencyRecord.State.DONE and record.response_body["id"] == response.json()["id"]


def test_a_server_error_releases_the_key_so_a_retry_really_retries(as_user, officer_a, monkeypatch):
    client = as_user(officer_a)
    real_create = case_services.case_create

    def failing_create(**kwargs):
        real_create(**kwargs)  # the work is done …
        raise RuntimeError("database went away")  # … and then the request fails

    monkeypatch.setattr(case_services, "case_create", failing_create)
    failed = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-500")
    assert failed.status_code == 500 and failed.json()["code"] == "server_error"
    assert not IdempotencyRecord.objects.filter(key="k-500").exists()
    assert Case.objects.count() == 0, "a failed request leaves nothing behind"

    monkeypatch.setattr(case_services, "case_create", real_create)
    retried = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-500")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert Case.objects.count() == 1


def test_a_client_error_is_stored_and_replayed(as_user, officer_a):
    client = as_user(officer_a)
    first = client.post(URL, {**BODY, "party_type": "nobody"}, format="json", HTTP_IDEMPOTENCY_KEY="k-400")
    replay = client.post(URL, {**BODY, "party_type": "nobody"}, format="json", HTTP_IDEMPOTENCY_KEY="k-400")
    assert first.status_code == replay.status_code == 400
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"


def test_keys_belong_to_one_user(as_user, officer_a, officer_a2):
    as_user(officer_a).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other = as_user(officer_a2).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Case.objects.count() == 2


def test_records_are_purged_after_the_documented_ttl(as_user, officer_a, settings):
    from backend.common.tasks import idempotency_purge

    settings.IDEMPOTENCY_TTL = dt.timedelta(days=30)
    client = as_user(officer_a)
    client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    client.post(URL, {**BODY, "title": "新案"}, format="json", HTTP_IDEMPOTENCY_KEY="recent")
    _reserve(officer_a, "abandoned", age=dt.timedelta(days=31))
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(days=30, hours=1))
    assert idempotency_purge() == 2
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"recent"}
    # After the purge the key is new again (the app never retries that late: see the sync guide).
    again = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again


def test_the_ttl_outlasts_the_longest_offline_period_of_the_app(settings):
    """The field app keeps working offline for as long as its refresh token lives (JWT_REFRESH_DAYS);
    a POST queued for that long must still replay when it is finally sent."""
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + dt.timedelta(days=1) <= settings.IDEMPOTENCY_TTL
    from backend.config.checks import idempotency_ttl_check

    assert idempotency_ttl_check() == []
    settings.IDEMPOTENCY_TTL = dt.timedelta(days=7)
    assert [w.id for w in idempotency_ttl_check()] == ["idempotency.W001"]


def test_the_purge_runs_periodically(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "common.idempotency_purge" in schedule
