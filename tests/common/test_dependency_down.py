"""A dependency that is down (issue 19): 503 with ``Retry-After`` and a stable code, never a 500, and nothing
of the request recorded — an idempotent POST answered 503 is not stored as its answer, so the retry with the
same key does the work once. (The real outages, with real processes: tests/faults.)"""

from __future__ import annotations

import uuid

import pytest
from django.db import OperationalError

from backend.cases.models import Case
from backend.common.storage import StorageError

pytestmark = pytest.mark.django_db


def test_a_database_that_went_away_is_503_database_unavailable(as_user, officer_a, monkeypatch):
    from backend.accounts import selectors

    def gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "user_with_profile", gone)
    response = as_user(officer_a).get("/api/v1/me/")
    assert response.status_code == 503
    assert response.json() == {"code": "database_unavailable",
                               "message": "数据库暂时不可用，本次请求未被记录，请稍后重试"}  # fmt: skip
    assert int(response["Retry-After"]) > 0
    assert "server closed" not in response.content.decode()  # the reason is in the log, not in the answer


def test_an_idempotent_create_answered_503_is_done_once_on_retry(as_user, officer_a, monkeypatch):
    from backend.cases import apis

    client = as_user(officer_a)
    key = str(uuid.uuid4())
    body = {"title": "销售超过保质期的食品案", "party_type": "organisation", "party_name": "辽源市某商贸有限公司"}
    real = apis.services.case_create

    def storage_down(**kwargs):
        real(**kwargs)  # the work is done, then the dependency fails: the transaction must take it all back
        raise StorageError("connection refused")

    monkeypatch.setattr(apis.services, "case_create", storage_down)
    failed = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert failed.status_code == 503 and failed.json()["code"] == "storage_unavailable"
    assert int(failed["Retry-After"]) > 0 and "Idempotent-Replayed" not in failed
    assert not Case.objects.exists()  # nothing recorded

    monkeypatch.setattr(apis.services, "case_create", real)
    retried = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert retried.status_code == 201, retried.content
    assert "Idempotent-Replayed" not in retried  # a new answer, not the stored 503
    assert Case.objects.count() == 1
