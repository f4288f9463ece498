"""Dates of acts cannot lie in the future (api_docs/guides/sync.md): 400 ``date_in_future``, with a small
tolerance for a device clock running ahead (CLIENT_CLOCK_SKEW_SECONDS, 10 minutes by default)."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import TZ
from support import pin_clock

from backend.cases.models import Case, CaseDeadline
from backend.common.clock import is_in_future

D = dt.date
NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)  # Tue
TOLERANCE = dt.timedelta(seconds=600)
LEGAL_BASIS = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]

# --------------------------------------------------------------------------- the pure rule


@pytest.mark.parametrize(("value", "future"), [
    (NOW + TOLERANCE - dt.timedelta(seconds=1), False),
    (NOW + TOLERANCE, False),
    (NOW + TOLERANCE + dt.timedelta(seconds=1), True),
    (D(2026, 11, 9), False),
    (D(2026, 11, 10), False),
    (D(2026, 11, 11), True),
])
def test_a_value_is_in_the_future_only_beyond_the_tolerance(value, future):
    assert is_in_future(value, now=NOW, tolerance=TOLERANCE) is future


def test_tomorrow_is_accepted_within_the_tolerance_before_midnight():
    late = dt.datetime(2026, 11, 10, 23, 55, tzinfo=TZ)
    assert is_in_future(D(2026, 11, 11), now=late, tolerance=TOLERANCE) is False
    assert is_in_future(D(2026, 11, 11), now=late - TOLERANCE, tolerance=TOLERANCE) is True
    assert is_in_future(D(2026, 11, 12), now=late, tolerance=TOLERANCE) is True


def test_the_date_is_the_local_date_of_the_server():
    # 17:00 UTC is 01:00 the next day in Asia/Shanghai.
    utc = dt.datetime(2026, 11, 10, 17, 0, tzinfo=dt.UTC)
    assert is_in_future(D(2026, 11, 11), now=utc, tolerance=dt.timedelta(0)) is False


# --------------------------------------------------------------------------- through the API


@pytest.fixture
def server_clock(monkeypatch):
    pin_clock(monkeypatch, NOW)


def _body(officer2, **extra):
    return {"title": "销售过期食品案", "party_type": "organisation", "party_name": "辽源市某某商贸有限公司",
            "facts": "销售超过保质期的食品", "legal_basis": LEGAL_BASIS, "officer_ids": [str(officer2.pk)], **extra}


def _assert_refused(r, field):
    assert r.status_code == 400, r.json()
    body = r.json()
    assert body["code"] == "date_in_future" and field in body["fields"]
    assert body["extra"]["server_time"] == NOW.isoformat() and body["extra"]["tolerance_seconds"] == 600


@pytest.mark.parametrize(("day", "accepted"), [("2026-11-09", True), ("2026-11-10", True), ("2026-11-11", False)])
def test_a_clue_received_tomorrow_is_refused_and_opens_no_deadline(
    server_clock, as_user, officer_a, officer_a2, day, accepted
):
    r = as_user(officer_a).post("/api/v1/cases/", _body(officer_a2, clue_received_on=day), format="json")
    if accepted:
        assert r.status_code == 201, r.json()
        verify = CaseDeadline.objects.get(case_id=r.json()["id"], rule_code="CLUE_VERIFY")
        assert verify.anchor_on == D.fromisoformat(day)
    else:
        _assert_refused(r, "clue_received_on")
        assert not Case.objects.exists() and not CaseDeadline.objects.exists()


def test_the_2030_clue_of_the_audit_is_refused(server_clock, as_user, officer_a, officer_a2):
    r = as_user(officer_a).post("/api/v1/cases/", _body(officer_a2, clue_received_on="2030-01-01"), format="json")
    _assert_refused(r, "clue_received_on")


@pytest.mark.parametrize(("day", "accepted"), [("2026-11-09", True), ("2026-11-10", True), ("2026-11-11", False)])
def test_a_violation_date_in_the_future_is_refused_at_creation_and_in_an_edit(
    server_clock, as_user, officer_a, officer_a2, day, accepted
):
    officer = as_user(officer_a)
    r = officer.post("/api/v1/cases/", _body(officer_a2, violation_on=day), format="json")
    if accepted:
        assert r.status_code == 201, r.json()
    else:
        _assert_refused(r, "violation_on")
    created = officer.post("/api/v1/cases/", _body(officer_a2), format="json")
    r = officer.patch(f"/api/v1/cases/{created.json()['id']}/", {"violation_on": day}, format="json",
                      HTTP_IF_MATCH=created["ETag"])
    if accepted:
        assert r.status_code == 200, r.json()
    else:
        _assert_refused(r, "violation_on")


@pytest.mark.parametrize(("offset", "accepted"), [(599, True), (600, True), (601, False)])
def test_performed_at_of_a_step_may_be_ahead_only_by_the_tolerance(
    server_clock, as_user, officer_a, officer_a2, offset, accepted
):
    officer = as_user(officer_a)
    case_id = officer.post("/api/v1/cases/", _body(officer_a2), format="json").json()["id"]
    performed_at = (NOW + dt.timedelta(seconds=offset)).isoformat()
    r = officer.post(f"/api/v1/cases/{case_id}/start_verification/", {"performed_at": performed_at}, format="json")
    if accepted:
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "pre_review"
    else:
        _assert_refused(r, "performed_at")
        assert Case.objects.get(pk=case_id).status == "clue_received"  # nothing happened


@pytest.mark.parametrize(("day", "accepted"), [("2026-11-09", True), ("2026-11-10", True), ("2026-11-11", False)])
def test_registration_and_service_dates_cannot_lie_in_the_future(
    server_clock, as_user, officer_a, officer_a2, head_a, day, accepted
):
    officer, head = as_user(officer_a), as_user(head_a)
    case_id = officer.post("/api/v1/cases/", _body(officer_a2, clue_received_on="2026-11-02"),
                           format="json").json()["id"]
    r = head.post(f"/api/v1/cases/{case_id}/register/", {
        "officer_ids": [str(officer_a.pk), str(officer_a2.pk)], "registered_on": day}, format="json")
    if accepted:
        assert r.status_code == 200, r.json()
    else:
        _assert_refused(r, "registered_on")


@pytest.mark.parametrize(("offset", "accepted"), [(599, True), (600, True), (601, False)])
def test_documents_and_on_the_spot_decisions_cannot_be_dated_ahead(
    server_clock, as_user, officer_a, officer_a2, offset, accepted
):
    officer = as_user(officer_a)
    moment = (NOW + dt.timedelta(seconds=offset)).isoformat()
    r = officer.post("/api/v1/cases/summary/", {
        "title": "占道经营", "party_type": "natural_person", "party_name": "李四", "facts": "在人行道上摆摊经营",
        "legal_basis": LEGAL_BASIS, "officer_ids": [str(officer_a2.pk)], "measures": [{"kind": "warning"}],
        "decided_at": moment,
    }, format="json")
    if accepted:
        assert r.status_code == 201, r.json()
    else:
        _assert_refused(r, "decided_at")
    case_id = officer.post("/api/v1/cases/", _body(officer_a2), format="json").json()["id"]
    r = officer.post(f"/api/v1/cases/{case_id}/documents/", {
        "doc_type": "inquiry_record", "content": {"q": "a"}, "occurred_at": moment}, format="json")
    if accepted:
        assert r.status_code == 201, r.json()
    else:
        _assert_refused(r, "occurred_at")
