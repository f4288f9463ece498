"""The case detail's ETag covers everything its representation depends on, not only ``version``.

The detail shows date-dependent content — the 加处罚款 owed today (行政处罚法 第七十二条) and each deadline's
state — that changes without the case changing. An ETag of the version alone let ``If-None-Match`` answer
304 on yesterday's figures. ``If-None-Match`` uses the weak comparison (RFC 9110 §13.1.2: ``W/"x"`` matches
``"x"``); ``If-Match`` stays the version check with the strong comparison (a weak tag never matches).
"""

from __future__ import annotations

import datetime as dt
from datetime import date as D

import pytest
from cases.casekit import new_case, walk
from django.utils import timezone

from backend.cases.models import CaseDeadline
from backend.ledger.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    """``today.set(date)``: the server's calendar day (timezone.localdate) for the requests that follow."""
    real = timezone.localdate

    class Clock:
        def set(self, day: dt.date) -> None:
            monkeypatch.setattr(
                timezone, "localdate", lambda value=None, tz=None: day if value is None else real(value, tz)
            )

    return Clock()


@pytest.fixture
def served_case(officer_a, officer_a2, head_a):
    """A 5,000 yuan fine served in March 2026 and not paid."""
    start = D(2026, 3, 2)
    return walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="served", start=start)


def test_a_stale_etag_is_not_answered_304_once_the_surcharge_has_grown(as_user, officer_a, served_case, today):
    client = as_user(officer_a)
    url = f"/api/v1/cases/{served_case.id}/"
    due = CaseDeadline.objects.get(case=served_case, rule_code="PAYMENT").due_on

    today.set(due + dt.timedelta(days=10))
    first = client.get(url, {"masked": "1"})
    assert first.json()["late_payment_surcharge"]["amount"] == "1500.00"
    etag = first["ETag"]
    assert client.get(url, {"masked": "1"}, HTTP_IF_NONE_MATCH=etag).status_code == 304  # same day: unchanged

    today.set(due + dt.timedelta(days=11))  # a day later: nothing about the case changed, the amount owed did
    later = client.get(url, {"masked": "1"}, HTTP_IF_NONE_MATCH=etag)
    assert later.status_code == 200
    assert later.json()["late_payment_surcharge"]["amount"] == "1650.00"
    assert later["ETag"] != etag
    assert later.json()["version"] == first.json()["version"]


def test_a_stale_etag_is_not_answered_304_once_a_deadline_has_passed(as_user, officer_a, officer_a2, head_a, today):
    start = D(2026, 3, 2)
    case = walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="decided", start=start)
    service = CaseDeadline.objects.get(case=case, rule_code="DECISION_SERVICE")  # 送达 within 7 days (第六十一条)
    client = as_user(officer_a)
    url = f"/api/v1/cases/{case.id}/"

    def state(response) -> str:
        return {d["rule_code"]: d["effective_state"] for d in response.json()["deadlines"]}["DECISION_SERVICE"]

    today.set(service.due_on)
    first = client.get(url, {"masked": "1"})
    assert state(first) == "due"
    today.set(service.due_on + dt.timedelta(days=1))
    later = client.get(url, {"masked": "1"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 200 and state(later) == "overdue"


def test_if_none_match_uses_the_weak_comparison(as_user, officer_a, served_case):
    client = as_user(officer_a)
    url = f"/api/v1/cases/{served_case.id}/"
    etag = client.get(url, {"masked": "1"})["ETag"]
    assert not etag.startswith("W/")
    for header in (etag, f"W/{etag}", f'"other", W/{etag}', "*"):
        response = client.get(url, {"masked": "1"}, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response["ETag"] == etag
    assert client.get(url, {"masked": "1"}, HTTP_IF_NONE_MATCH='"other", W/"1"').status_code == 200


def test_the_masked_and_the_full_detail_are_different_representations(as_user, officer_a, served_case):
    client = as_user(officer_a)
    url = f"/api/v1/cases/{served_case.id}/"
    masked = client.get(url, {"masked": "1"})
    full = client.get(url, {"purpose": "核对当事人"})
    assert masked["ETag"] != full["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=masked["ETag"]).status_code == 200
    reads = AuditEvent.objects.filter(action="case.personal_data_read").count()
    assert client.get(url, HTTP_IF_NONE_MATCH=full["ETag"]).status_code == 304
    assert AuditEvent.objects.filter(action="case.personal_data_read").count() == reads  # no data shown, no read


def test_if_match_still_checks_the_version_strongly(as_user, officer_a, officer_a2):
    case = new_case(officer_a, officer_a2, on=timezone.localdate())
    client = as_user(officer_a)
    url = f"/api/v1/cases/{case.id}/"
    etag = client.get(url, {"masked": "1"})["ETag"]
    assert etag.startswith('"1-')

    missing = client.patch(url, {"title": "更正"}, format="json")
    assert missing.status_code == 428 and missing.json()["code"] == "if_match_required"
    weak = client.patch(url, {"title": "更正"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert weak.status_code == 412 and weak.json()["code"] == "version_mismatch"
    changed = client.patch(url, {"title": "更正"}, format="json", HTTP_IF_MATCH=etag)  # the detail's own ETag
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    stale = client.patch(url, {"title": "旧设备"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "version_mismatch" and stale.json()["extra"]["current_version"] == 2
    again = client.patch(url, {"title": "再更正"}, format="json", HTTP_IF_MATCH=changed["ETag"])  # a step's ETag
    assert again.status_code == 200
    garbage = client.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH="not-a-tag")
    assert garbage.status_code == 412 and garbage.json()["code"] == "if_match_invalid"
