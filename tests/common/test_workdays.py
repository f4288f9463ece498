"""Working-day calendar and statutory deadlines (DOMAIN.md §1, §5, §8; issues 3 and 7).

The 2026 holiday dates asserted here are those of the State Council's 2026 notice as shipped in
chinese_calendar 1.11.0 (DOMAIN.md does not list them):
- 春节: rest 2026-02-15 (Sun) .. 2026-02-23 (Mon); make-up working days Sat 2026-02-14 and Sat 2026-02-28.
- 国庆节/中秋: rest 2026-10-01 .. 2026-10-07; make-up working days Sun 2026-09-20 and Sat 2026-10-10.
"""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.common.workdays import (
    DEADLINE_RULES,
    CalendarNotCovered,
    DayOverride,
    Direction,
    Law,
    PeriodUnit,
    WorkdayCalendar,
    add_calendar_days,
    add_workdays,
    default_calendar,
    get_rule,
    is_workday,
    period_kind,
    reminder_dates,
    workdays_between,
)

D = dt.date
CAL = WorkdayCalendar()


# ---------------------------------------------------------------------------------------------------
# The 2026 calendar as chinese_calendar ships it
# ---------------------------------------------------------------------------------------------------


def test_chinese_calendar_package_covers_2026_but_not_2027():
    assert chinese_calendar.is_workday(D(2026, 2, 14))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))
    assert CAL.is_covered(2026)
    assert not CAL.is_covered(2027)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 2, 13), True),  # Fri before the holiday
        (D(2026, 2, 14), True),  # Sat, make-up working day
        *[(D(2026, 2, d), False) for d in range(15, 24)],  # 春节 rest 15..23
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Sat, make-up working day
        (D(2026, 3, 1), False),  # ordinary Sunday
        (D(2026, 9, 20), True),  # Sun, make-up working day
        *[(D(2026, 10, d), False) for d in range(1, 8)],  # 国庆 rest 1..7
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Sat, make-up working day
        (D(2026, 10, 11), False),
    ],
)
def test_2026_spring_festival_and_national_day_days(day, expected):
    assert CAL.is_workday(day) is expected
    assert is_workday(day) is expected


def test_day_info_names_the_holiday_and_its_source():
    info = CAL.day_info(D(2026, 2, 14))
    assert info.is_workday and info.name == "Spring Festival" and info.source == "chinese_calendar"
    assert CAL.day_info(D(2027, 3, 1)).source == "statutory_fallback"


# ---------------------------------------------------------------------------------------------------
# add_workdays
# ---------------------------------------------------------------------------------------------------


def test_find_workday_pitfall_saturday_plus_one_workday_is_monday():
    # DOMAIN §1.6: chinese_calendar snaps the weekend start forward first and is one day late.
    assert chinese_calendar.find_workday(1, D(2025, 3, 8)) == D(2025, 3, 11)
    assert add_workdays(D(2025, 3, 8), 1).due == D(2025, 3, 10)
    assert add_workdays(D(2025, 3, 9), 1).due == D(2025, 3, 10)


def test_start_day_is_not_counted():
    assert CAL.add_workdays(D(2025, 3, 10), 1).due == D(2025, 3, 11)
    assert CAL.add_workdays(D(2025, 3, 10), 0).due == D(2025, 3, 10)


def test_friday_before_spring_festival_plus_one_is_the_make_up_saturday():
    assert CAL.add_workdays(D(2026, 2, 13), 1).due == D(2026, 2, 14)


def test_disclosure_due_seven_workdays_across_spring_festival():
    # Decision Tue 2026-02-10: 11, 12, 13, 14(Sat, make-up), [15..23 rest], 24, 25, 26.
    deadline = CAL.compute("DISCLOSE_PENALTY_OR_LICENSE", D(2026, 2, 10), strict=True)
    assert deadline.due == D(2026, 2, 26)
    assert deadline.unit is PeriodUnit.WORKDAYS and not deadline.provisional


def test_service_within_seven_workdays_across_national_day():
    # Decided Mon 2026-09-28: 29, 30, [10/1..10/7 rest], 8, 9, 10(Sat, make-up), [11 Sun], 12, 13.
    assert CAL.compute("DECISION_SERVICE", D(2026, 9, 28)).due == D(2026, 10, 13)


def test_make_up_sunday_before_national_day_counts():
    assert CAL.add_workdays(D(2026, 9, 18), 1).due == D(2026, 9, 20)


def test_withdrawal_three_workdays_ending_on_make_up_saturday():
    # Revoked Wed 2026-10-07 (rest day): 8, 9, 10 (Sat, make-up working day).
    assert CAL.compute("DISCLOSE_WITHDRAW", D(2026, 10, 7)).due == D(2026, 10, 10)


def test_negative_workdays_walk_backwards():
    assert CAL.add_workdays(D(2026, 2, 24), -1).due == D(2026, 2, 14)
    assert CAL.add_workdays(D(2026, 10, 8), -2).due == D(2026, 9, 29)


# ---------------------------------------------------------------------------------------------------
# calendar-day periods
# ---------------------------------------------------------------------------------------------------


def test_calendar_period_ending_on_national_day_rolls_to_first_working_day_after():
    deadline = add_calendar_days(D(2026, 9, 16), 15)  # payment: 15 days
    assert deadline.due == D(2026, 10, 8)
    assert deadline.rolled_from == D(2026, 10, 1)


def test_calendar_period_ending_in_spring_festival_rolls_forward():
    assert CAL.compute("PAYMENT", D(2026, 2, 1)).due == D(2026, 2, 24)


def test_calendar_period_ending_on_ordinary_sunday_rolls_to_monday():
    assert CAL.add_calendar_days(D(2025, 2, 22), 15).due == D(2025, 3, 10)


def test_calendar_period_ending_on_make_up_saturday_does_not_roll():
    deadline = CAL.add_calendar_days(D(2026, 2, 13), 15)
    assert deadline.due == D(2026, 2, 28) and deadline.rolled_from is None


def test_calendar_period_without_roll_forward():
    deadline = CAL.add_calendar_days(D(2026, 9, 16), 15, roll_forward=False)
    assert deadline.due == D(2026, 10, 1) and deadline.rolled_from is None


def test_decision_within_90_days_and_extension():
    # 立案 2026-07-03: +90 = 2026-10-01 (National Day) → 2026-10-08.
    assert CAL.compute("DECISION", D(2026, 7, 3)).due == D(2026, 10, 8)
    # +30 on approval: 2026-10-31 is a Saturday → Monday 2026-11-02.
    assert CAL.compute("DECISION", D(2026, 7, 3), extensions=1).due == D(2026, 11, 2)


def test_seizure_thirty_days_plus_thirty_once():
    assert CAL.compute("SEIZURE", D(2025, 3, 3)).due == D(2025, 4, 2)
    assert CAL.compute("SEIZURE", D(2025, 3, 3), extensions=1).due == D(2025, 5, 6)  # 5/2 is a holiday
    with pytest.raises(ValueError, match="at most 1"):
        CAL.compute("SEIZURE", D(2025, 3, 3), extensions=2)


def test_non_extendable_rule_refuses_extensions():
    with pytest.raises(ValueError, match="cannot be extended"):
        CAL.compute("PAYMENT", D(2025, 3, 3), extensions=1)


def test_month_periods_clamp_to_month_end_and_roll():
    assert CAL.add_months(D(2026, 1, 31), 1).due == D(2026, 2, 28)  # make-up Saturday: no roll
    assert CAL.add_months(D(2025, 8, 31), 1).due == D(2025, 9, 30)
    assert CAL.compute("LITIGATION_WINDOW", D(2026, 4, 1)).due == D(2026, 10, 8)


def test_year_periods_do_not_roll_by_default():
    assert CAL.compute("LIMITATION_GENERAL", D(2024, 2, 29)).due == D(2026, 2, 28)
    assert CAL.compute("SAMR_DISPLAY_LONG", D(2023, 10, 1)).due == D(2026, 10, 1)


def test_hearing_notice_is_latest_date_seven_workdays_before_hearing():
    rule = get_rule("HEARING_NOTICE")
    assert rule.direction is Direction.BEFORE
    assert CAL.compute(rule, D(2025, 3, 14)).due == D(2025, 3, 5)
    # Hearing Thu 2026-02-26, counted back over the Spring Festival: 25, 24, [23..15], 14 (Sat), 13, 12, 11, 10.
    assert CAL.compute(rule, D(2026, 2, 26)).due == D(2026, 2, 10)


def test_hour_rules_are_not_date_arithmetic():
    rule = get_rule("EMERGENCY_MEASURE_REPORT")
    assert rule.timedelta == dt.timedelta(hours=24)
    with pytest.raises(ValueError, match="hour-based"):
        CAL.compute(rule, D(2025, 3, 3))
    with pytest.raises(ValueError, match="not hour-based"):
        get_rule("PAYMENT").timedelta  # noqa: B018


def test_datetimes_are_accepted_as_dates():
    assert CAL.add_workdays(dt.datetime(2025, 3, 8, 23, 59), 1).due == D(2025, 3, 10)


# ---------------------------------------------------------------------------------------------------
# Years without data: provisional or strict
# ---------------------------------------------------------------------------------------------------


def test_span_into_2027_is_provisional():
    deadline = CAL.add_workdays(D(2026, 12, 28), 5)
    # 29, 30, 31, then Mon 1/4 and Tue 1/5: Fri 1/1 is 元旦 by 放假办法 第二条 even before the 2027 notice.
    assert deadline.due == D(2027, 1, 5)
    assert deadline.provisional and deadline.uncovered_years == frozenset({2027})
    assert str(deadline).endswith("（暂定）")


def test_span_inside_2026_is_not_provisional():
    assert not CAL.add_workdays(D(2026, 12, 28), 3).provisional


def test_strict_mode_raises_for_2027():
    with pytest.raises(CalendarNotCovered) as excinfo:
        CAL.add_workdays(D(2026, 12, 28), 5, strict=True)
    assert excinfo.value.years == (2027,)
    assert "2027年" in str(excinfo.value)
    strict_cal = WorkdayCalendar(strict=True)
    with pytest.raises(CalendarNotCovered):
        strict_cal.compute("DISCLOSE_PENALTY_OR_LICENSE", D(2026, 12, 25))
    with pytest.raises(CalendarNotCovered):
        strict_cal.is_workday(D(2027, 6, 1))
    with pytest.raises(CalendarNotCovered):
        strict_cal.workdays_between(D(2026, 12, 1), D(2027, 1, 10))
    # a per-call strict=False wins over the calendar default
    assert strict_cal.add_workdays(D(2026, 12, 28), 5, strict=False).provisional


def test_calendar_roll_into_2027_is_provisional_but_plain_calendar_days_are_not():
    assert CAL.add_calendar_days(D(2026, 12, 20), 15).provisional
    assert not CAL.add_calendar_days(D(2026, 12, 20), 15, roll_forward=False).provisional


def test_overrides_for_2027_make_it_covered():
    overrides = {
        D(2027, 1, 1): DayOverride(False, "元旦"),
        D(2027, 1, 2): False,
        D(2027, 1, 3): (False, "元旦"),
        D(2027, 1, 9): {"is_workday": True, "name": "元旦调休"},
    }
    cal = WorkdayCalendar(overrides, override_years={2027}, strict=True)
    deadline = cal.add_workdays(D(2026, 12, 28), 5)
    assert deadline.due == D(2027, 1, 5)  # 29, 30, 31, [1..3 rest], 4, 5
    assert not deadline.provisional
    assert cal.is_workday(D(2027, 1, 9))
    assert cal.day_info(D(2027, 1, 9)).name == "元旦调休"
    assert cal.day_info(D(2027, 3, 1)).source == "override_year"


def test_overrides_without_full_year_still_provisional_but_applied():
    cal = WorkdayCalendar({D(2027, 1, 1): False})
    deadline = cal.add_workdays(D(2026, 12, 28), 5)
    assert deadline.due == D(2027, 1, 5) and deadline.provisional


def test_override_wins_over_chinese_calendar_inside_covered_year():
    cal = WorkdayCalendar({D(2025, 3, 10): False, D(2025, 3, 15): True})
    assert not cal.is_workday(D(2025, 3, 10))
    assert cal.add_workdays(D(2025, 3, 8), 1).due == D(2025, 3, 11)
    assert cal.add_workdays(D(2025, 3, 14), 1).due == D(2025, 3, 15)


def test_bad_override_value_is_rejected():
    with pytest.raises(TypeError):
        WorkdayCalendar({D(2027, 1, 1): "yes"})


def test_coverage_warning_one_year_ahead():
    assert "2027" in CAL.coverage_warning(D(2026, 6, 1))
    assert CAL.coverage_warning(D(2025, 6, 1)) is None
    assert WorkdayCalendar(override_years={2027}).coverage_warning(D(2026, 6, 1)) is None
    assert CAL.last_covered_year(2020) == 2026
    assert CAL.last_covered_year(2027) is None


# ---------------------------------------------------------------------------------------------------
# workdays_between, reminders
# ---------------------------------------------------------------------------------------------------


def test_workdays_between_across_spring_festival():
    assert workdays_between(D(2026, 2, 10), D(2026, 2, 26)) == 7
    assert workdays_between(D(2026, 2, 26), D(2026, 2, 10)) == -7
    assert workdays_between(D(2026, 2, 15), D(2026, 2, 23)) == 0


def test_reminders_three_and_one_workday_before_due():
    # Due Thu 2026-02-26: T-1 = 2/25, T-3 = 2/14 (make-up Saturday before the Spring Festival).
    assert reminder_dates(D(2026, 2, 26), [3, 1]) == [D(2026, 2, 14), D(2026, 2, 25)]
    assert CAL.reminder_dates(D(2026, 10, 8)) == [D(2026, 9, 28), D(2026, 9, 30)]


# ---------------------------------------------------------------------------------------------------
# period_kind and the rules table
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("law", "days", "unit"),
    [
        (Law.PENALTY, 2, PeriodUnit.WORKDAYS),
        ("行政处罚法", 3, PeriodUnit.WORKDAYS),
        (Law.PENALTY, 5, PeriodUnit.WORKDAYS),
        (Law.PENALTY, 7, PeriodUnit.WORKDAYS),
        (Law.PENALTY, 10, PeriodUnit.CALENDAR_DAYS),
        (Law.PENALTY, 15, PeriodUnit.CALENDAR_DAYS),
        (Law.PENALTY, 90, PeriodUnit.CALENDAR_DAYS),
        (Law.COERCION, 3, PeriodUnit.WORKDAYS),
        ("行政强制法", 10, PeriodUnit.WORKDAYS),
        (Law.COERCION, 30, PeriodUnit.CALENDAR_DAYS),
        ("治安管理处罚法", 5, PeriodUnit.CALENDAR_DAYS),
    ],
)
def test_period_kind(law, days, unit):
    assert period_kind(law, days) is unit


def test_rules_table_has_the_codes_the_cases_app_uses():
    expected = {
        "CLUE_VERIFY", "DECISION", "DECISION_SERVICE", "STATEMENT_DEFENCE", "HEARING_REQUEST",
        "HEARING_NOTICE", "PAYMENT", "CASE_CLOSURE", "SEIZURE", "FREEZE", "FREEZE_NOTICE", "SUMMARY_FILING",
        "DISCLOSE_PENALTY_OR_LICENSE", "DISCLOSE_OTHER_DECISION", "DISCLOSE_WITHDRAW", "LEGAL_REVIEW",
        "CASE_REVIEW", "EVIDENCE_PRESERVATION_DECISION",
    }  # fmt: skip
    assert expected <= set(DEADLINE_RULES)
    with pytest.raises(KeyError, match="NOPE"):
        get_rule("NOPE")


@pytest.mark.parametrize(
    ("code", "length", "unit", "extension"),
    [
        ("CLUE_VERIFY", 15, PeriodUnit.WORKDAYS, 15),
        ("DECISION", 90, PeriodUnit.CALENDAR_DAYS, 30),
        ("DECISION_SERVICE", 7, PeriodUnit.WORKDAYS, None),
        ("STATEMENT_DEFENCE", 5, PeriodUnit.WORKDAYS, None),
        ("HEARING_REQUEST", 5, PeriodUnit.WORKDAYS, None),
        ("HEARING_NOTICE", 7, PeriodUnit.WORKDAYS, None),
        ("PAYMENT", 15, PeriodUnit.CALENDAR_DAYS, None),
        ("CASE_CLOSURE", 15, PeriodUnit.WORKDAYS, None),
        ("SEIZURE", 30, PeriodUnit.CALENDAR_DAYS, 30),
        ("SUMMARY_FILING", 7, PeriodUnit.WORKDAYS, None),
        ("DISCLOSE_PENALTY_OR_LICENSE", 7, PeriodUnit.WORKDAYS, None),
        ("DISCLOSE_OTHER_DECISION", 20, PeriodUnit.WORKDAYS, None),
        ("DISCLOSE_WITHDRAW", 3, PeriodUnit.WORKDAYS, None),
        ("LEGAL_REVIEW", 10, PeriodUnit.WORKDAYS, 5),
    ],
)
def test_rule_values_match_domain(code, length, unit, extension):
    rule = DEADLINE_RULES[code]
    assert (rule.length, rule.unit, rule.extension) == (length, unit, extension)


def test_every_rule_cites_an_article_and_is_consistent_with_the_statute():
    for rule in DEADLINE_RULES.values():
        assert rule.length > 0 and rule.name and rule.anchor, rule.code
        assert "条" in rule.source or "〔" in rule.source, rule.code
        if rule.unit in (PeriodUnit.WORKDAYS, PeriodUnit.CALENDAR_DAYS):
            # A period taken from 行政处罚法 alone must follow its 第八十五条.
            if rule.source.startswith("行政处罚法") and "第八十五条" in rule.source:
                assert period_kind(Law.PENALTY, rule.length) is rule.unit, rule.code
            if rule.source.startswith("行政强制法"):
                assert period_kind(Law.COERCION, rule.length) is rule.unit, rule.code


def test_default_calendar_is_shared():
    assert default_calendar() is default_calendar()


# ---------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------

covered_dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 6, 30))
any_dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2028, 12, 31))


@settings(max_examples=200, deadline=None)
@given(start=any_dates, n=st.integers(min_value=1, max_value=60))
def test_result_of_adding_workdays_is_a_workday(start, n):
    assert CAL.is_workday(CAL.add_workdays(start, n).due)
    assert CAL.is_workday(CAL.add_workdays(start, -n).due)


@settings(max_examples=200, deadline=None)
@given(start=any_dates, n=st.integers(min_value=-40, max_value=40))
def test_add_workdays_is_strictly_monotone_in_n(start, n):
    assert CAL.add_workdays(start, n).due < CAL.add_workdays(start, n + 1).due


@settings(max_examples=200, deadline=None)
@given(start=any_dates, n=st.integers(min_value=-60, max_value=60))
def test_workdays_between_inverts_add_workdays(start, n):
    assert CAL.workdays_between(start, CAL.add_workdays(start, n).due) == n


@settings(max_examples=100, deadline=None)
@given(a=covered_dates, b=covered_dates)
def test_workdays_between_matches_chinese_calendar_count(a, b):
    lo, hi = min(a, b), max(a, b)
    expected = len(chinese_calendar.get_workdays(lo + dt.timedelta(days=1), hi)) if hi > lo else 0
    assert CAL.workdays_between(lo, hi) == expected


@settings(max_examples=100, deadline=None)
@given(start=covered_dates, n=st.integers(min_value=0, max_value=120))
def test_calendar_days_due_is_a_workday_and_never_early(start, n):
    deadline = CAL.add_calendar_days(start, n)
    assert deadline.due >= start + dt.timedelta(days=n)
    assert CAL.is_workday(deadline.due)
    # every day skipped by the roll was a rest day
    day = start + dt.timedelta(days=n)
    while day < deadline.due:
        assert not CAL.is_workday(day)
        day += dt.timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(start=st.dates(min_value=D(2026, 10, 1), max_value=D(2026, 12, 31)), n=st.integers(1, 40))
def test_provisional_exactly_when_span_leaves_covered_years(start, n):
    deadline = CAL.add_workdays(start, n)
    assert deadline.provisional is (deadline.due.year > 2026)
