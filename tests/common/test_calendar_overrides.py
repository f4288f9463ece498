"""The admin-edited holiday table overrides and extends chinese_calendar."""

import datetime as dt

import pytest

from backend.common.calendar import get_calendar
from backend.common.models import CalendarYear, HolidayOverride
from backend.common.workdays import CalendarNotCovered

pytestmark = pytest.mark.django_db


def test_2027_is_provisional_until_its_notice_is_entered():
    friday = dt.date(2027, 1, 8)
    assert get_calendar().add_workdays(friday, 1).provisional
    with pytest.raises(CalendarNotCovered):
        get_calendar(strict=True).add_workdays(friday, 1)


def test_entered_holidays_and_a_covered_year_make_2027_final():
    # An illustrative entry (not the official 2027 notice): Monday 2027-01-11 as a holiday.
    HolidayOverride.objects.create(date=dt.date(2027, 1, 11), is_workday=False, name="测试假日")
    CalendarYear.objects.create(year=2027, source="test")
    deadline = get_calendar().add_workdays(dt.date(2027, 1, 8), 1)  # Friday + 1 working day
    assert deadline.due == dt.date(2027, 1, 12)
    assert not deadline.provisional
    assert get_calendar(strict=True).add_workdays(dt.date(2027, 1, 8), 1).due == dt.date(2027, 1, 12)


def test_an_override_wins_over_the_package_data():
    # 2026-10-09 is a working Friday in the package data; make it a holiday.
    before = get_calendar().is_workday(dt.date(2026, 10, 9))
    HolidayOverride.objects.create(date=dt.date(2026, 10, 9), is_workday=False, name="override")
    assert before is True
    assert get_calendar().is_workday(dt.date(2026, 10, 9)) is False
