"""One clock for the review time limit: the round's (received on, limit, approved extensions, paused working
days). The case's LEGAL_REVIEW/CASE_REVIEW row shows it; pauses, resumptions and extensions — from the reviews
side or from the case's deadlines — move that one clock, and the hourly sweeps read it. A paused or extended
review is never flagged overdue by a second, stale clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from support import pin_clock

from backend.cases import tasks as case_tasks
from backend.cases.models import CaseDeadline, DeadlineReminder
from backend.ledger.models import AuditEvent
from backend.reviews import services
from backend.reviews import tasks as review_tasks
from backend.reviews.models import ReviewReminder, ReviewRound
from backend.reviews.services.clock import review_clock_state

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")
SUBMITTED = D(2026, 11, 2)  # Mon; 10 working days → Mon 11-16


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    def at(day: dt.date) -> None:
        pin_clock(monkeypatch, dt.datetime.combine(day, dt.time(10), tzinfo=TZ))

    at(SUBMITTED)
    return at


@pytest.fixture
def submitted(catalog_a, make_case, officer_a, reviewer_a, as_user):
    case = make_case(fine="150000.00")  # major under the catalogue: 法制审核
    r = as_user(officer_a).post(f"/api/v1/cases/{case.pk}/reviews/", {
        "discretion": "适用裁量基准一般情节", "investigation_report": "违法事实清楚，证据确实充分",
    }, format="json")
    assert r.status_code == 201, r.json()
    round_ = ReviewRound.objects.get(pk=r.json()["id"])
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    return case, round_


def _case_row(as_user, user, case):
    rows = as_user(user).get(f"/api/v1/cases/{case.pk}/deadlines/").json()
    return next(r for r in rows if r["rule_code"] == "LEGAL_REVIEW")


def _sweep(clock, day):
    clock(day)
    case_tasks.deadline_reminders()
    review_tasks.deadline_reminders()


def _overdue_flags(case) -> int:
    return (
        ReviewReminder.objects.filter(round__case=case, kind="overdue").count()
        + DeadlineReminder.objects.filter(deadline__case=case, kind="overdue").count()
    )


def test_the_case_shows_the_rounds_clock_from_submission(submitted, as_user, officer_a):
    case, round_ = submitted
    row = _case_row(as_user, officer_a, case)
    assert (row["anchor_on"], row["due_on"], row["state"]) == ("2026-11-02", "2026-11-16", "due")
    assert round_.due_on == D(2026, 11, 16)
    assert CaseDeadline.objects.filter(case=case, rule_code__in=["LEGAL_REVIEW", "CASE_REVIEW"]).count() == 1


def test_a_paused_review_is_not_overdue_after_its_original_due_date(
    submitted, as_user, officer_a, reviewer_a, head_a, clock
):
    case, round_ = submitted
    clock(D(2026, 11, 4))
    r = as_user(reviewer_a).post(f"/api/v1/reviews/rounds/{round_.pk}/supplements/", {"items": "补充营业执照复印件"},
                                 format="json")
    assert r.status_code == 201, r.json()
    supplement_id = r.json()["id"]
    assert _case_row(as_user, officer_a, case)["state"] == "paused"

    for day in (D(2026, 11, 16), D(2026, 11, 17), D(2026, 11, 18)):  # the original due date and after
        _sweep(clock, day)
        row = _case_row(as_user, officer_a, case)
        assert row["state"] == row["effective_state"] == "paused", day
    assert _overdue_flags(case) == 0
    assert not AuditEvent.objects.filter(action__in=["deadline.overdue", "review.overdue"]).exists()
    assert as_user(head_a).get("/api/v1/reviews/overdue/").json()["results"] == []

    # Resumed on Wed 11-18: 10 working days were paused (11-05 … 11-18), so due Mon 11-30.
    r = as_user(officer_a).post(f"/api/v1/reviews/supplements/{supplement_id}/resolve/", {"response": "已补充"},
                                format="json")
    assert r.status_code == 200, r.json()
    round_.refresh_from_db()
    row = _case_row(as_user, officer_a, case)
    assert round_.due_on == D(2026, 11, 30) and row["due_on"] == "2026-11-30" and row["state"] == "due"
    assert row["paused_days"] == 10

    for day, overdue in ((D(2026, 11, 27), 0), (D(2026, 11, 30), 0), (D(2026, 12, 1), 1)):
        _sweep(clock, day)
        assert _overdue_flags(case) == overdue, day
    assert _case_row(as_user, officer_a, case)["state"] == "overdue"


def test_an_extension_from_the_cases_deadlines_moves_the_rounds_clock(
    submitted, as_user, officer_a, head_a, clock
):
    case, round_ = submitted
    clock(D(2026, 11, 16))  # the last day: still in time
    r = as_user(head_a).post(f"/api/v1/cases/{case.pk}/deadlines/LEGAL_REVIEW/extend/", {"reason": "案情复杂"},
                             format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["due_on"] == "2026-11-23" and r.json()["extensions"] == 1  # +5 working days
    round_.refresh_from_db()
    assert round_.due_on == D(2026, 11, 23) and round_.extension_workdays == 5

    for day, overdue in ((D(2026, 11, 17), 0), (D(2026, 11, 20), 0), (D(2026, 11, 23), 0), (D(2026, 11, 24), 1)):
        _sweep(clock, day)
        assert _overdue_flags(case) == overdue, day
    # One overdue flag, from the one clock: the round's, not a second one of the case.
    assert ReviewReminder.objects.filter(round=round_, kind="overdue", due_on=D(2026, 11, 23)).count() == 1
    assert not DeadlineReminder.objects.filter(deadline__case=case).exists()
    assert _case_row(as_user, officer_a, case)["state"] == "overdue"


def test_a_reviewers_extension_approved_by_the_head_moves_the_case_row(
    submitted, as_user, officer_a, reviewer_a, head_a, clock
):
    case, round_ = submitted
    clock(D(2026, 11, 13))
    r = as_user(reviewer_a).post(f"/api/v1/reviews/rounds/{round_.pk}/extensions/",
                                 {"workdays": 3, "reason": "证据较多"}, format="json")
    assert r.status_code == 201, r.json()
    extension_id = r.json()["id"]
    r = as_user(head_a).post(f"/api/v1/reviews/extensions/{extension_id}/decide/", {"approve": True},
                             format="json")
    assert r.status_code == 200, r.json()
    row = _case_row(as_user, officer_a, case)
    assert row["due_on"] == "2026-11-19" and row["extensions"] == 1
    _sweep(clock, D(2026, 11, 17))  # after the original due date
    assert _overdue_flags(case) == 0 and _case_row(as_user, officer_a, case)["effective_state"] == "due"


@pytest.mark.parametrize(("day", "status"), [(D(2026, 11, 13), 200), (D(2026, 11, 16), 200), (D(2026, 11, 17), 409)])
def test_a_review_extension_is_approved_only_before_the_limit_expires(
    submitted, as_user, reviewer_a, head_a, clock, day, status
):
    case, round_ = submitted
    clock(D(2026, 11, 12))
    r = as_user(reviewer_a).post(f"/api/v1/reviews/rounds/{round_.pk}/extensions/", {"reason": "证据较多"},
                                 format="json")
    extension_id = r.json()["id"]
    clock(day)
    r = as_user(head_a).post(f"/api/v1/reviews/extensions/{extension_id}/decide/", {"approve": True},
                             format="json")
    assert r.status_code == status, r.json()
    if status == 409:
        assert r.json()["code"] == "extension_after_expiry"
        r = as_user(head_a).post(f"/api/v1/cases/{case.pk}/deadlines/LEGAL_REVIEW/extend/", {"reason": "补批"},
                                 format="json")
        assert r.status_code == 409 and r.json()["code"] == "extension_after_expiry"


def test_the_opinion_meets_the_case_row(submitted, as_user, officer_a, reviewer_a, fill_all, clock):
    case, round_ = submitted
    clock(D(2026, 11, 18))  # two days late
    fill_all(round_, reviewer_a)
    services.review_complete(round_=round_, actor=reviewer_a, outcome="approved")
    row = _case_row(as_user, officer_a, case)
    assert (row["state"], row["met_on"], row["met_late"]) == ("met", "2026-11-18", True)


def test_a_withdrawal_cancels_the_case_row(submitted, as_user, officer_a, clock):
    case, round_ = submitted
    clock(D(2026, 11, 20))
    r = as_user(officer_a).post(f"/api/v1/reviews/rounds/{round_.pk}/withdraw/", {"reason": "补充调查后重新送审"},
                                format="json")
    assert r.status_code == 200, r.json()
    assert _case_row(as_user, officer_a, case)["state"] == "cancelled"
    _sweep(clock, D(2026, 11, 21))
    assert _overdue_flags(case) == 0


# --------------------------------------------------------------------------- the pure state rule


@pytest.mark.parametrize(("status", "due_on", "state"), [
    ("in_review", D(2026, 11, 15), "overdue"),
    ("in_review", D(2026, 11, 16), "due"),
    ("in_review", D(2026, 11, 17), "due"),
    ("supplementing", D(2026, 11, 1), "paused"),
    ("completed", D(2026, 11, 1), "met"),
    ("withdrawn", D(2026, 11, 1), "cancelled"),
])
def test_the_state_of_the_clock(status, due_on, state):
    assert review_clock_state(ReviewRound(status=status, due_on=due_on), D(2026, 11, 16)) == state


def test_the_case_cannot_write_a_clock_of_its_own_through_the_external_writer(make_case):
    from backend.cases.deadlines import EXTERNAL_CLOCK_CODES, deadline_show_external

    assert frozenset({"CASE_REVIEW", "LEGAL_REVIEW"}) == EXTERNAL_CLOCK_CODES
    with pytest.raises(ValueError):
        deadline_show_external(case=make_case(), code="DECISION", anchor_on=SUBMITTED, due_on=SUBMITTED,
                               provisional=False, state="due")
