"""Review time limit: 10 working days, extension by the head's approval, paused while materials are
supplemented, overdue list, T-3 / T-1 reminders."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from backend.common.calendar import get_calendar
from backend.common.errors import Forbidden
from backend.ledger.models import AuditEvent
from backend.reviews import services
from backend.reviews.models import ReviewReminder, ReviewRound


@pytest.fixture
def round_(catalog_a, make_case, officer_a, reviewer_a, submit):
    round_ = submit(make_case(fine="150000.00"), officer_a)
    return services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)


def test_the_default_limit_is_ten_working_days(round_) -> None:
    today = timezone.localdate()
    assert round_.time_limit_workdays == 10
    assert round_.due_on == get_calendar().add_workdays(today, 10).due


def test_an_extension_needs_the_heads_approval(round_, reviewer_a, head_a) -> None:
    extension = services.review_extension_request(round_=round_, actor=reviewer_a, reason="案情复杂，需查阅大量证据")
    with pytest.raises(Forbidden):
        services.review_extension_decide(extension=extension, actor=reviewer_a, approve=True)
    services.review_extension_decide(extension=extension, actor=head_a, approve=True, note="同意延长")
    round_.refresh_from_db()
    assert extension.workdays == 5 and round_.extension_workdays == 5
    assert round_.due_on == get_calendar().add_workdays(round_.received_on, 15).due


def test_a_refused_extension_leaves_the_due_date(round_, reviewer_a, head_a) -> None:
    due = round_.due_on
    extension = services.review_extension_request(round_=round_, actor=reviewer_a, workdays=3, reason="材料较多")
    services.review_extension_decide(extension=extension, actor=head_a, approve=False)
    round_.refresh_from_db()
    assert round_.due_on == due


def test_the_clock_pauses_while_materials_are_supplemented(round_, reviewer_a, officer_a) -> None:
    supplement = services.review_supplement_request(round_=round_, actor=reviewer_a, items="补充当事人营业执照复印件")
    round_.refresh_from_db()
    assert round_.status == "supplementing"
    # Pretend the request went out a week ago.
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    ReviewRound.objects.filter(pk=round_.pk).update(paused_since=week_ago)
    services.review_supplement_resolve(supplement=supplement, actor=officer_a, response="已补充")
    round_.refresh_from_db()
    paused = get_calendar().workdays_between(week_ago, timezone.localdate())
    assert round_.status == "in_review" and round_.paused_workdays == paused > 0
    assert round_.due_on == get_calendar().add_workdays(round_.received_on, 10 + paused).due


def test_overdue_reviews_are_listed_but_not_paused_ones(round_, reviewer_a, as_user, head_a) -> None:
    past = timezone.localdate() - datetime.timedelta(days=3)
    ReviewRound.objects.filter(pk=round_.pk).update(due_on=past)
    response = as_user(head_a).get("/api/v1/reviews/overdue/")
    assert [r["id"] for r in response.json()["results"]] == [str(round_.pk)]
    assert response.json()["results"][0]["overdue"] is True
    services.review_supplement_request(round_=round_, actor=reviewer_a, items="补充材料")
    assert as_user(head_a).get("/api/v1/reviews/overdue/").json()["results"] == []


# --------------------------------------------------------------------------- reminders (DOMAIN.md §8)

D = datetime.date


def _sweep(round_: ReviewRound, day: str) -> list[str]:
    services.review_deadline_reminders(today=D.fromisoformat(day))
    return list(ReviewReminder.objects.filter(round=round_).order_by("pk").values_list("kind", flat=True))


def test_reminders_at_t_minus_3_and_t_minus_1_working_days_then_overdue(round_, reviewer_a, head_a) -> None:
    """Due Tue 2026-09-29: T-3 = Wed 09-23, T-1 = Mon 09-28 (中秋, Fri 09-25, is not a working day)."""
    ReviewRound.objects.filter(pk=round_.pk).update(due_on=D(2026, 9, 29))
    assert _sweep(round_, "2026-09-22") == []
    assert _sweep(round_, "2026-09-23") == ["t-3"]
    assert _sweep(round_, "2026-09-23") == ["t-3"]  # a replayed sweep issues nothing twice
    assert _sweep(round_, "2026-09-28") == ["t-3", "t-1"]
    assert _sweep(round_, "2026-09-29") == ["t-3", "t-1"]  # due today: not overdue yet
    assert _sweep(round_, "2026-09-30") == ["t-3", "t-1", "overdue"]
    assert ReviewReminder.objects.get(round=round_, kind="t-1").recipient_ids == [str(reviewer_a.pk)]
    overdue = ReviewReminder.objects.get(round=round_, kind="overdue")
    assert set(overdue.recipient_ids) == {str(reviewer_a.pk), str(head_a.pk)}
    event = AuditEvent.objects.get(action="review.overdue", target_id=str(round_.pk))
    assert event.case_id == round_.case_id and event.data["due_on"] == "2026-09-29"

    # An approved extension is a new due date: a new series of reminders. Due Tue 10-13: T-3 is Fri 10-09
    # (Sat 10-10 is a make-up working day after 国庆).
    ReviewRound.objects.filter(pk=round_.pk).update(due_on=D(2026, 10, 13))
    assert _sweep(round_, "2026-10-08") == ["t-3", "t-1", "overdue"]
    assert _sweep(round_, "2026-10-09") == ["t-3", "t-1", "overdue", "t-3"]


def test_a_sweep_that_missed_t_minus_3_sends_only_t_minus_1(round_) -> None:
    ReviewRound.objects.filter(pk=round_.pk).update(due_on=D(2026, 9, 29))
    assert _sweep(round_, "2026-09-28") == ["t-1"]


def test_an_unassigned_round_reminds_every_reviewer_of_the_agency(
    catalog_a, make_case, officer_a, reviewer_a, reviewer_a2, submit
) -> None:
    round_ = submit(make_case(fine="150000.00"), officer_a)
    ReviewRound.objects.filter(pk=round_.pk).update(due_on=D(2026, 9, 29))
    assert _sweep(round_, "2026-09-23") == ["t-3"]
    reminder = ReviewReminder.objects.get(round=round_)
    assert set(reminder.recipient_ids) == {str(reviewer_a.pk), str(reviewer_a2.pk)}
    assert AuditEvent.objects.filter(action="review.reminder", target_id=str(round_.pk)).count() == 1


def test_a_round_waiting_for_materials_is_paused_and_not_reminded(round_, reviewer_a) -> None:
    services.review_supplement_request(round_=round_, actor=reviewer_a, items="补充当事人营业执照复印件")
    ReviewRound.objects.filter(pk=round_.pk).update(due_on=D(2026, 9, 29))
    assert _sweep(round_, "2026-09-30") == []
