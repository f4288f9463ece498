"""The fallback for years without official holiday data (issue 13 §1; DOMAIN.md §1.4, §1.5(d)).

Pure tests (no DB). The "truth" is chinese-calendar's data for 2004–2026, i.e. the State Council's notices.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants as cc_constants

from backend.common.holidays import FESTIVAL_ENVELOPES, Festival, derive_envelopes, plausible_year, statutory_holidays
from backend.common.workcalendar import Assume, WorkdayCalendar, assumption_for, chinese_calendar_years
from backend.common.workdays import Direction, get_rule

D = dt.date
ONE = dt.timedelta(days=1)
ALL_YEARS = list(chinese_calendar_years())
# The one-off 抗战胜利70周年纪念日 (2015-09-03 Thu, 09-04 Fri rest; Sun 09-06 working) is not a festival of
# 放假办法 第二条 and could not be foreseen: the "regular" truth of 2015 is the calendar without it.
ONE_OFF_2015 = {D(2015, 9, 3): True, D(2015, 9, 4): True, D(2015, 9, 6): False}


def test_statutory_days_2004_to_2026_are_all_rest_days_in_the_notices():
    days = [(d, f) for y in range(2004, 2027) for d, f in statutory_holidays(y).items()]
    assert len(days) == 251  # 4×10 (1999 text) + 6×11 + 11×11 + 2×13, less 中秋 on 10/3/2009 and 10/1/2020
    assert [d for d, _ in days if chinese_calendar.is_workday(d)] == []


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # 2024 revision, 第二条: 除夕至初三, 5月1日–2日, 10月1日–3日 — 13 days.
        (2027, {D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8), D(2027, 4, 5),
                D(2027, 5, 1), D(2027, 5, 2), D(2027, 6, 9), D(2027, 9, 15), D(2027, 10, 1), D(2027, 10, 2),
                D(2027, 10, 3)}),
        # 2013 revision: 春节 初一至初三, 除夕 (2014-01-30) a working day.
        (2014, {D(2014, 1, 1), D(2014, 1, 31), D(2014, 2, 1), D(2014, 2, 2), D(2014, 4, 5), D(2014, 5, 1),
                D(2014, 6, 2), D(2014, 9, 8), D(2014, 10, 1), D(2014, 10, 2), D(2014, 10, 3)}),
    ],
)
def test_statutory_days_follow_the_revision_in_force(year, expected):
    assert set(statutory_holidays(year)) == expected


def test_envelopes_still_contain_every_notice_in_the_data():
    derived = derive_envelopes(cc_constants.holidays, cc_constants.workdays, ALL_YEARS)
    for festival in Festival:
        have, need = FESTIVAL_ENVELOPES[festival], derived[festival]
        assert have.rest[0] <= need.rest[0] and have.rest[1] >= need.rest[1], festival
        assert have.makeup[0] <= need.makeup[0] and have.makeup[1] >= need.makeup[1], festival


def test_2027_new_year_friday_is_rest_and_its_weekend_may_not_be_a_make_up_day_before_the_holiday():
    year = plausible_year(2027)
    assert year.statutory[D(2027, 1, 1)] is Festival.NEW_YEAR
    cal = WorkdayCalendar()
    for assume in Assume:
        assert not cal.is_workday(D(2027, 1, 1), assume=assume)
        assert not cal.is_workday(D(2027, 2, 6), assume=assume)  # 正月初一
    assert cal.is_workday(D(2027, 3, 10), assume=Assume.FEWEST_WORKDAYS)  # far from any festival
    assert not cal.is_workday(D(2027, 3, 13), assume=Assume.MOST_WORKDAYS)  # an ordinary Saturday


def test_the_rule_side_decides_the_assumption():
    assert get_rule("HEARING_REQUEST").assumption is Assume.FEWEST_WORKDAYS
    assert get_rule("STATEMENT_DEFENCE").assumption is Assume.FEWEST_WORKDAYS
    assert get_rule("PAYMENT").assumption is Assume.FEWEST_WORKDAYS
    assert get_rule("DISCLOSE_WITHDRAW").assumption is Assume.MOST_WORKDAYS
    assert get_rule("LEGAL_REVIEW").assumption is Assume.MOST_WORKDAYS
    # A duty "7 working days before the hearing" counts backwards: fewest working days → earliest date.
    assert get_rule("HEARING_NOTICE").assumption is Assume.FEWEST_WORKDAYS
    assert assumption_for(protects_party=True, direction=Direction.BEFORE) is Assume.MOST_WORKDAYS


def test_a_provisional_result_says_why():
    deadline = WorkdayCalendar().compute("HEARING_REQUEST", D(2026, 12, 29))
    assert deadline.provisional and deadline.assumption is Assume.FEWEST_WORKDAYS
    assert "2027年" in deadline.provisional_reason and "最晚" in deadline.provisional_reason
    duty = WorkdayCalendar().compute("DISCLOSE_WITHDRAW", D(2026, 12, 29))
    assert "最早" in duty.provisional_reason
    assert WorkdayCalendar().compute("HEARING_REQUEST", D(2026, 3, 2)).provisional_reason is None


# ---------------------------------------------------------------------------------------- the property

WORKDAY_LENGTHS = (1, 2, 3, 5, 7, 10, 15, 20)
CALENDAR_LENGTHS = (15, 30, 60)


def _violations(year: int, truth: WorkdayCalendar) -> tuple[int, list[str]]:
    """Treat ``year`` as not yet announced and compare the two bounds with the truth for every start date from
    1 December of the year before to 31 December of ``year``; returns (comparisons, violations)."""
    missing = WorkdayCalendar(package_years=[y for y in ALL_YEARS if y != year])
    checks = 0
    bad: list[str] = []
    start = D(year - 1, 12, 1)
    while start <= D(year, 12, 31):
        for n in WORKDAY_LENGTHS:
            true = truth.add_workdays(start, n).due
            late = missing.add_workdays(start, n, assume=Assume.FEWEST_WORKDAYS).due
            early = missing.add_workdays(start, n, assume=Assume.MOST_WORKDAYS).due
            checks += 2
            if late < true or early > true:
                bad.append(f"{start}+{n}wd: true {true}, latest {late}, earliest {early}")
            # Backwards (a duty "N working days before"): fewest working days gives the earliest date.
            true_b = truth.add_workdays(start, -n).due
            early_b = missing.add_workdays(start, -n, assume=Assume.FEWEST_WORKDAYS).due
            late_b = missing.add_workdays(start, -n, assume=Assume.MOST_WORKDAYS).due
            checks += 2
            if early_b > true_b or late_b < true_b:
                bad.append(f"{start}-{n}wd: true {true_b}, earliest {early_b}, latest {late_b}")
        for n in CALENDAR_LENGTHS:
            true = truth.add_calendar_days(start, n).due
            late = missing.add_calendar_days(start, n, assume=Assume.FEWEST_WORKDAYS).due
            early = missing.add_calendar_days(start, n, assume=Assume.MOST_WORKDAYS).due
            checks += 2
            if late < true or early > true:
                bad.append(f"{start}+{n}d: true {true}, latest {late}, earliest {early}")
        start += ONE
    return checks, bad


@pytest.mark.parametrize("year", range(2010, 2027))
def test_with_the_year_missing_a_party_never_loses_a_day_and_a_duty_is_never_late(year):
    truth = WorkdayCalendar(ONE_OFF_2015) if year == 2015 else WorkdayCalendar()
    checks, bad = _violations(year, truth)
    assert checks >= 396 * 2 * (2 * len(WORKDAY_LENGTHS) + len(CALENDAR_LENGTHS)) - 31 * 2 * 27
    assert bad == []


def test_the_2015_one_off_is_the_only_thing_the_rule_cannot_foresee():
    _checks, bad = _violations(2015, WorkdayCalendar())
    assert bad  # the unforeseeable commemoration day does break the bounds ...
    for line in bad:  # ... but only for periods that run over it
        start, true_due = D.fromisoformat(line[:10]), D.fromisoformat(line.split("true ")[1][:10])
        first, last = min(start, true_due), max(start, true_due)
        assert any(first <= day <= last for day in ONE_OFF_2015), line
