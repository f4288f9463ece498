"""Parsing the State Council's yearly holiday notice (issue 13 §1). Pure tests (no DB).

The corpus (tests/common/notices/YYYY.txt) holds the notices for 2015, 2019, 2023, 2024, 2025 and 2026 as
published (国办发明电〔2014〕28号, 〔2018〕15号 with the 2019 劳动节 revision, 〔2022〕16号, 〔2023〕7号,
〔2024〕12号, 〔2025〕7号); each must reproduce chinese-calendar's data for its year, day by day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from backend.common.holiday_notice import NoticeParseError, parse_notice
from backend.common.holidays import CHINESE_CALENDAR_NAMES
from backend.common.workcalendar import WorkdayCalendar, chinese_calendar_years

D = dt.date
CORPUS = Path(__file__).parent / "notices"
# 2015's separate 抗战胜利70周年纪念日 notice (9月3日至5日放假, 9月6日上班) is not a yearly-notice item.
ONE_OFF = {D(2015, 9, 3), D(2015, 9, 4), D(2015, 9, 6)}


def _calendar_from_notice(year: int, text: str) -> WorkdayCalendar:
    """The calendar as the service builds it after the import: the notice's days as overrides, the year
    complete, and chinese-calendar's data for that year *not* used."""
    notice = parse_notice(text)
    others = [y for y in chinese_calendar_years() if y != year]
    return WorkdayCalendar(notice.days(), override_years=[year], package_years=others)


def _every_day(year: int):
    day = D(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def test_the_2026_notice_reproduces_chinese_calendars_2026_exactly():
    notice = parse_notice((CORPUS / "2026.txt").read_text(encoding="utf-8"))
    assert (notice.year, notice.document_number) == (2026, "国办发明电〔2025〕7号")
    assert [e.name for e in notice.entries] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    spring = notice.entries[1]
    assert spring.rest == tuple(D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9))
    assert spring.work == (D(2026, 2, 14), D(2026, 2, 28)) and spring.stated_days == 9
    assert notice.entries[6].work == (D(2026, 9, 20), D(2026, 10, 10))
    assert notice.warnings == ()
    cal = _calendar_from_notice(2026, (CORPUS / "2026.txt").read_text(encoding="utf-8"))
    differing = [d for d in _every_day(2026) if cal.is_workday(d) != chinese_calendar.is_workday(d)]
    assert differing == []
    assert not cal.add_workdays(D(2026, 12, 1), 10).provisional


def test_every_named_day_carries_chinese_calendars_festival():
    notice = parse_notice((CORPUS / "2026.txt").read_text(encoding="utf-8"))
    for day, entry in notice.days().items():
        _, name = chinese_calendar.get_holiday_detail(day)
        assert CHINESE_CALENDAR_NAMES[name] in entry.name, day


@pytest.mark.parametrize("year", [2015, 2019, 2023, 2024, 2025])
def test_older_notices_reproduce_chinese_calendar(year):
    text = (CORPUS / f"{year}.txt").read_text(encoding="utf-8")
    cal = _calendar_from_notice(year, text)
    differing = [d for d in _every_day(year) if cal.is_workday(d) != chinese_calendar.is_workday(d)]
    assert set(differing) == (ONE_OFF if year == 2015 else set())
    # Days the notice names in the December before (2019: 2018-12-29 worked, 12-30/31 rest) match too.
    for day, entry in parse_notice(text).days().items():
        assert entry.is_workday == chinese_calendar.is_workday(day), day


def test_the_day_before_and_after_each_2026_block():
    notice = parse_notice((CORPUS / "2026.txt").read_text(encoding="utf-8"))
    cal = _calendar_from_notice(2026, (CORPUS / "2026.txt").read_text(encoding="utf-8"))
    for entry in notice.entries:
        before, after = entry.rest[0] - dt.timedelta(days=1), entry.rest[-1] + dt.timedelta(days=1)
        for day in (before, entry.rest[0], entry.rest[-1], after):
            assert cal.is_workday(day) == chinese_calendar.is_workday(day), day


def test_full_width_digits_and_punctuation_read_the_same():
    text = (CORPUS / "2026.txt").read_text(encoding="utf-8")
    full_width = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_notice(full_width).days() == parse_notice(text).days()


def test_a_new_year_arrangement_across_the_year_end_without_explicit_years():
    text = "国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：12月31日（星期六）至1月2日（星期一）放假调休，共3天。"
    notice = parse_notice(text)
    assert notice.entries[0].rest == (D(2022, 12, 31), D(2023, 1, 1), D(2023, 1, 2))


def test_a_range_across_a_month_end_without_the_month():
    text = "一、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。"
    notice = parse_notice(text, year=2023)
    assert notice.entries[0].rest == tuple(D(2023, 4, 29) + dt.timedelta(days=i) for i in range(5))
    assert notice.entries[0].work == (D(2023, 4, 23), D(2023, 5, 6))


def test_a_remark_in_brackets_is_not_an_arrangement():
    notice = parse_notice((CORPUS / "2024.txt").read_text(encoding="utf-8"))
    assert D(2024, 2, 9) not in notice.days()  # "安排职工在除夕（2月9日）休息" is encouragement only


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。", "不是周五"),
        ("一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。", "共4天"),
        ("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月5日（周一）上班。", "不是周末"),
        ("一、元旦：1月1日至3日，共3天。", "无法判断"),
        ("一、元旦：2月30日放假。", "不存在"),
    ],
)
def test_it_refuses_what_the_text_contradicts(text, problem):
    with pytest.raises(NoticeParseError) as failure:
        parse_notice(text, year=2026)
    assert any(problem in p for p in failure.value.problems), failure.value.problems


def test_it_needs_a_year_and_items():
    with pytest.raises(NoticeParseError, match="年份"):
        parse_notice("一、元旦：1月1日放假。")
    with pytest.raises(NoticeParseError, match="条目"):
        parse_notice("国务院办公厅关于2027年部分节假日安排的通知")
    with pytest.raises(NoticeParseError, match="不一致"):
        parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假。", year=2026)


def test_a_statutory_day_missing_from_the_notice_is_a_warning():
    notice = parse_notice("一、元旦：1月1日（周五）放假。", year=2027)
    assert any("2027-02-05" in w and "春节" in w for w in notice.warnings)
