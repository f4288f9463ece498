"""The statutory holidays of any year, and the plausible range of a year the State Council has not announced.

Pure Python (no Django). Used by :class:`backend.common.workcalendar.WorkdayCalendar` for years that neither
``chinese_calendar`` nor an entered notice covers.

**Statutory days** (《全国年节及纪念日放假办法》第二条) are rest days whatever the State Council's yearly
notice says; only the bridges (调休放假) and the make-up working days (调休上班) are unknown until then. The
text in force changed three times within the data we hold, so a year gets the days of the revision in force
in it:

* 1999 revision (to 2007): 元旦 1月1日; 春节 正月初一至初三; 劳动节 5月1日至3日; 国庆节 10月1日至3日.
* 2007 revision (2008–2013): 元旦; 春节 除夕、正月初一、初二; 清明节; 劳动节 5月1日; 端午节; 中秋节; 国庆节 3 days.
* 2013 revision (2014–2024): as 2007, but 春节 正月初一至初三 (除夕 was a working day in 2014 and 2024).
* 2024 revision (2025 on): 元旦 1月1日; 春节 除夕至正月初三; 清明节; 劳动节 5月1日、2日; 端午节 (五月初五);
  中秋节 (八月十五); 国庆节 10月1日至3日 — 13 days.

Lunar dates and the 清明 solar term come from ``lunar-python`` (6tail), chosen by measurement
(``scripts/measure_lunar_libraries.py``; ARCHITECTURE.md "Working-day calendar").

**Plausible range.** For a year without official data each festival's notice may (a) give weekdays near it as
rest days (bridges, 补假 for a statutory day on a weekend, longer weeks) and (b) make weekends near it working
days. :data:`FESTIVAL_ENVELOPES` gives, for each festival, how far from its main day such days have fallen in
every notice since 2004 (derived by :func:`derive_envelopes` from ``chinese_calendar``'s data, tested to
still contain every notice). A day is then

* *possibly rest*: a statutory day, a weekend, or a weekday inside a festival's rest envelope;
* *possibly working*: a weekday that is not a statutory day, or a weekend inside a make-up envelope.

Counting only "certainly working" days (``FEWEST_WORKDAYS``) gives the latest plausible end of a period;
counting every "possibly working" day (``MOST_WORKDAYS``) gives the earliest. The true calendar of every year
2004–2026 lies between the two, except the one-off 2015 抗战胜利70周年纪念日 (9月3日至5日, 9月6日上班),
which no rule could foresee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from lunar_python import Lunar

__all__ = [
    "FESTIVAL_ENVELOPES",
    "Envelope",
    "Festival",
    "YearRange",
    "derive_envelopes",
    "festival_main_days",
    "plausible_year",
    "statutory_holidays",
]

_ONE_DAY = dt.timedelta(days=1)


class Festival(StrEnum):
    """The festivals of 放假办法 第二条, with the Chinese names used in notices and on screen."""

    NEW_YEAR = "元旦"
    SPRING = "春节"
    TOMB_SWEEPING = "清明节"
    LABOUR = "劳动节"
    DRAGON_BOAT = "端午节"
    MID_AUTUMN = "中秋节"
    NATIONAL = "国庆节"


# chinese_calendar's Holiday values → our festivals (its one-off "Anti-Fascist 70th Day" has none).
CHINESE_CALENDAR_NAMES: Mapping[str, Festival] = {
    "New Year's Day": Festival.NEW_YEAR,
    "Spring Festival": Festival.SPRING,
    "Tomb-sweeping Day": Festival.TOMB_SWEEPING,
    "Labour Day": Festival.LABOUR,
    "Dragon Boat Festival": Festival.DRAGON_BOAT,
    "Mid-autumn Festival": Festival.MID_AUTUMN,
    "National Day": Festival.NATIONAL,
}


@lru_cache(maxsize=512)
def _spring_festival(year: int) -> dt.date:
    """正月初一 of the lunar year that begins in ``year``."""
    solar = Lunar.fromYmd(year, 1, 1).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=512)
def _qingming(year: int) -> dt.date:
    """The day of the 清明 solar term (sun at 15° ecliptic longitude, Beijing time) in ``year``."""
    solar = Lunar.fromYmd(year, 2, 15).getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def festival_main_days(year: int) -> dict[Festival, dt.date]:
    """The day each festival of ``year`` is anchored on: 1月1日, 正月初一, 清明, 5月1日, 五月初五, 八月十五, 10月1日."""
    return {
        Festival.NEW_YEAR: dt.date(year, 1, 1),
        Festival.SPRING: _spring_festival(year),
        Festival.TOMB_SWEEPING: _qingming(year),
        Festival.LABOUR: dt.date(year, 5, 1),
        Festival.DRAGON_BOAT: _lunar(year, 5, 5),
        Festival.MID_AUTUMN: _lunar(year, 8, 15),
        Festival.NATIONAL: dt.date(year, 10, 1),
    }


def _span(first: dt.date, days: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(days)]


@lru_cache(maxsize=512)
def _statutory(year: int) -> tuple[tuple[dt.date, Festival], ...]:
    main = festival_main_days(year)
    spring = main[Festival.SPRING]
    days: dict[dt.date, Festival] = {main[Festival.NEW_YEAR]: Festival.NEW_YEAR}
    if year <= 2007:  # 1999 revision
        spring_days, labour_days, lunar_festivals = _span(spring, 3), 3, False
    elif year <= 2013:  # 2007 revision: 除夕、初一、初二
        spring_days, labour_days, lunar_festivals = _span(spring - _ONE_DAY, 3), 1, True
    elif year <= 2024:  # 2013 revision: 初一至初三
        spring_days, labour_days, lunar_festivals = _span(spring, 3), 1, True
    else:  # 2024 revision (第二条): 除夕至初三, 5月1日、2日
        spring_days, labour_days, lunar_festivals = _span(spring - _ONE_DAY, 4), 2, True
    days.update(dict.fromkeys(spring_days, Festival.SPRING))
    if lunar_festivals:
        days[main[Festival.TOMB_SWEEPING]] = Festival.TOMB_SWEEPING
        days[main[Festival.DRAGON_BOAT]] = Festival.DRAGON_BOAT
        days[main[Festival.MID_AUTUMN]] = Festival.MID_AUTUMN
    days.update(dict.fromkeys(_span(main[Festival.LABOUR], labour_days), Festival.LABOUR))
    # 国庆节 wins when 中秋 falls on 10月1日–3日 (2009, 2020): the day is one rest day, not two.
    days.update(dict.fromkeys(_span(main[Festival.NATIONAL], 3), Festival.NATIONAL))
    # 除夕 of the next lunar year can fall in late January of ``year + 1`` only, never in ``year``.
    return tuple(sorted((d, f) for d, f in days.items() if d.year == year))


def statutory_holidays(year: int) -> dict[dt.date, Festival]:
    """Every statutory rest day of ``year`` under the 放假办法 revision in force that year (第二条)."""
    return dict(_statutory(year))


# --------------------------------------------------------------------------------------------- envelopes


@dataclass(frozen=True, slots=True)
class Envelope:
    """How far from a festival's main day the notices have put extra rest weekdays and make-up weekends.

    Offsets are in calendar days relative to the main day (negative = before). ``rest`` bounds weekdays that
    were given as rest days, ``makeup`` bounds weekends that were made working days.
    """

    rest: tuple[int, int]
    makeup: tuple[int, int]

    def union(self, other: Envelope) -> Envelope:
        return Envelope(
            rest=(min(self.rest[0], other.rest[0]), max(self.rest[1], other.rest[1])),
            makeup=(min(self.makeup[0], other.makeup[0]), max(self.makeup[1], other.makeup[1])),
        )


# Derived by ``derive_envelopes(chinese_calendar data 2004–2026)`` (tests/common/test_plausible_calendar.py
# asserts these still contain every notice, so a chinese-calendar release that widens one fails a test rather
# than costing a party a day). Notable: 春节 rest +6 is the 2020 extension to 1月31日 (国办发明电〔2020〕1号);
# 国庆节 rest +7 is 中秋 joining it (2020: 10月1日至8日); 国庆节 make-up −11 is 2026's 9月20日.
FESTIVAL_ENVELOPES: Mapping[Festival, Envelope] = {
    Festival.NEW_YEAR: Envelope(rest=(-1, 2), makeup=(-3, 5)),
    Festival.SPRING: Envelope(rest=(-1, 6), makeup=(-6, 11)),
    Festival.TOMB_SWEEPING: Envelope(rest=(-2, 2), makeup=(-4, 3)),
    Festival.LABOUR: Envelope(rest=(-2, 6), makeup=(-8, 10)),
    Festival.DRAGON_BOAT: Envelope(rest=(-2, 2), makeup=(-4, 3)),
    Festival.MID_AUTUMN: Envelope(rest=(-1, 2), makeup=(-3, 3)),
    Festival.NATIONAL: Envelope(rest=(-2, 7), makeup=(-11, 11)),
}


def derive_envelopes(
    holidays: Mapping[dt.date, str], workdays: Mapping[dt.date, str], years: Iterable[int]
) -> dict[Festival, Envelope]:
    """The envelopes that contain every notice in the data: ``holidays``/``workdays`` as in
    ``chinese_calendar.constants`` (date → festival name), restricted to ``years``.

    A rest weekday named after a festival that is not a statutory day of its year extends that festival's
    ``rest`` envelope; a working weekend named after a festival extends its ``makeup`` envelope. Days whose
    name is not a festival of 第二条 (the 2015 one-off) are left out.
    """
    wanted = set(years)
    found: dict[Festival, tuple[list[int], list[int]]] = {f: ([0], [0]) for f in Festival}

    def offset(day: dt.date, festival: Festival) -> int:
        # The festival a day belongs to may be anchored in the neighbouring year (元旦 make-up in December).
        candidates = [festival_main_days(y)[festival] for y in (day.year - 1, day.year, day.year + 1)]
        main = min(candidates, key=lambda m: abs((day - m).days))
        return (day - main).days

    for day, name in holidays.items():
        festival = CHINESE_CALENDAR_NAMES.get(str(name))
        if day.year not in wanted or festival is None or day.weekday() >= 5 or day in statutory_holidays(day.year):
            continue
        found[festival][0].append(offset(day, festival))
    for day, name in workdays.items():
        festival = CHINESE_CALENDAR_NAMES.get(str(name))
        if day.year not in wanted or festival is None or day.weekday() < 5:
            continue
        found[festival][1].append(offset(day, festival))
    return {
        f: Envelope(rest=(min(rest), max(rest)), makeup=(min(makeup), max(makeup)))
        for f, (rest, makeup) in found.items()
    }


@dataclass(frozen=True, slots=True)
class YearRange:
    """The plausible calendar of one unannounced year.

    ``statutory``: the rest days of 第二条 (certain). ``maybe_rest``: weekdays a notice may make rest days.
    ``maybe_work``: weekends a notice may make working days.
    """

    year: int
    statutory: Mapping[dt.date, Festival]
    maybe_rest: Mapping[dt.date, Festival]
    maybe_work: Mapping[dt.date, Festival]


@lru_cache(maxsize=64)
def plausible_year(year: int) -> YearRange:
    """The plausible range of ``year``'s calendar (see the module docstring)."""
    statutory = statutory_holidays(year)
    maybe_rest: dict[dt.date, Festival] = {}
    maybe_work: dict[dt.date, Festival] = {}
    anchors = [*festival_main_days(year).items(), (Festival.NEW_YEAR, dt.date(year + 1, 1, 1))]
    for festival, main in anchors:
        envelope = FESTIVAL_ENVELOPES[festival]
        for offset in range(envelope.rest[0], envelope.rest[1] + 1):
            day = main + dt.timedelta(days=offset)
            if day.year == year and day.weekday() < 5 and day not in statutory:
                maybe_rest.setdefault(day, festival)
        for offset in range(envelope.makeup[0], envelope.makeup[1] + 1):
            day = main + dt.timedelta(days=offset)
            if day.year == year and day.weekday() >= 5 and day not in statutory:
                maybe_work.setdefault(day, festival)
    return YearRange(year=year, statutory=statutory, maybe_rest=maybe_rest, maybe_work=maybe_work)
