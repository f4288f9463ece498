"""Review time limit: 10 working days, extension by the head's approval, paused while materials are
supplemented, overdue list."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from backend.common.calendar import get_calendar
from backend.common.errors import Forbidden
from backend.reviews import services
from backend.reviews.models import ReviewRound


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
    assert [r["id"] for r in response.json()] == [str(round_.pk)]
    assert response.json()[0]["overdue"] is True
    services.review_supplement_request(round_=round_, actor=reviewer_a, items="补充材料")
    assert as_user(head_a).get("/api/v1/reviews/overdue/").json() == []
