"""China's official working-day calendar: days, and periods counted on them (pure Python, no Django).

Legal sources (see ``/work/shared/DOMAIN.md`` §1):

* 行政处罚法 (2021) 第八十五条 / 行政强制法 第六十九条: which short periods are working days (see
  :func:`backend.common.workdays.period_kind`).
* 市场监督管理行政处罚程序规定 第八十条 (mirrors 民事诉讼法): the day on which a period starts is not
  counted; if the last day of a period is a statutory holiday, the period ends on the first day after it.
* 全国年节及纪念日放假办法 (2024) 第二条: the statutory holidays; the State Council's yearly notice adds the
  bridges and make-up working days (调休), so weekends can be working days and weekdays rest days.

Working-day data comes from the ``chinese_calendar`` package (PyPI ``chinesecalendar``, data released once a
year) and from notices entered by staff (overrides + complete years). For a year that neither covers, the
statutory holidays are still known (:mod:`backend.common.holidays`) but the 调休 arrangement is not: every
result that touched such a day is ``provisional`` and is computed under an :class:`Assume`:

* ``Assume.FEWEST_WORKDAYS``: only days certainly working count; a period running forward ends on the
  **latest** plausible day. Used for windows that protect the party (陈述申辩, 听证申请, payment before the
  surcharge, 复议/诉讼).
* ``Assume.MOST_WORKDAYS``: every day possibly working counts; a period running forward ends on the
  **earliest** plausible day. Used for the agency's duties (publish, withdraw, review, serve, report).
* ``Assume.EXPECTED``: weekends and statutory holidays rest, nothing else (display, horizons).

A period counted backwards (a duty to act "N working days before") takes the opposite assumption, so the
agency's latest date is again the earliest plausible one (:func:`assumption_for`). A party never loses a day
because data was missing. In ``strict`` mode :class:`CalendarNotCovered` is raised instead.

``chinese_calendar.find_workday`` is deliberately *not* used: it first snaps a weekend/holiday start
forward to a working day and then counts, so from a weekend start it is one working day late
(``find_workday(1, Sat 2025-03-08)`` gives 2025-03-11; the statutory answer is 2025-03-10, DOMAIN §1.6).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

import chinese_calendar
from chinese_calendar import constants as _cc_constants

from backend.common.holidays import plausible_year

if TYPE_CHECKING:
    from backend.common.workdays import DeadlineRule

__all__ = [
    "Assume",
    "CalendarNotCovered",
    "DayInfo",
    "DayOverride",
    "Deadline",
    "Direction",
    "PeriodUnit",
    "WorkdayCalendar",
    "assumption_for",
    "chinese_calendar_years",
    "provisional_reason",
]

_ONE_DAY = dt.timedelta(days=1)
FALLBACK_SOURCE = "statutory_fallback"


# --------------------------------------------------------------------------------------------------
# Basic types
# --------------------------------------------------------------------------------------------------


class PeriodUnit(StrEnum):
    """How the length of a statutory period is counted."""

    WORKDAYS = "workdays"  # 工作日 (holidays and rest days excluded, make-up working days included)
    CALENDAR_DAYS = "calendar_days"  # 日 (自然日)
    MONTHS = "months"  # 月
    YEARS = "years"  # 年
    HOURS = "hours"  # 小时 (computed on datetimes by the caller: ``rule.timedelta``)


class Direction(StrEnum):
    """Whether a rule's due date lies after its anchor event or before it."""

    AFTER = "after"  # "自…之日起N日内": due = anchor + N
    BEFORE = "before"  # "…N日前": latest date = anchor − N (e.g. hearing notice ≥ 7 wd before the hearing)


class Assume(StrEnum):
    """What to assume about the days of a year without official holiday data (see the module docstring)."""

    EXPECTED = "expected"  # weekends and the statutory holidays rest, nothing else
    FEWEST_WORKDAYS = "fewest_workdays"  # also every plausible bridge rests, no make-up day works
    MOST_WORKDAYS = "most_workdays"  # only statutory holidays and weekends no notice has ever made working rest


def assumption_for(*, protects_party: bool, direction: Direction = Direction.AFTER) -> Assume:
    """The asymmetric provisional rule (api_docs/guides/deadlines.md §3): a period that protects the party
    ends on the latest plausible day, a duty of the agency falls due on the earliest plausible day.

    Forward, the latest end comes from counting the fewest working days; backward ("N working days before
    the hearing", 行政处罚法 第六十四条第二项), counting the fewest working days gives the earliest date.
    """
    fewest_forward = protects_party
    if direction is Direction.BEFORE:
        fewest_forward = not protects_party
    return Assume.FEWEST_WORKDAYS if fewest_forward else Assume.MOST_WORKDAYS


def provisional_reason(years: Iterable[int], assume: Assume | str) -> str:
    """Chinese explanation shown beside a provisional date (API ``provisional_reason``, pages)."""
    listed = "、".join(str(y) for y in sorted(set(years))) or "相关"
    base = f"{listed}年国务院节假日安排尚未录入，已按《全国年节及纪念日放假办法》第二条的法定节假日计算"
    assume = Assume(assume)
    if assume is Assume.FEWEST_WORKDAYS:
        return (
            base
            + "，并按历年可能的最多放假日、不计调休上班日，取最晚的可能日期（保护当事人期限，不因数据缺失少一天）。"
        )
    if assume is Assume.MOST_WORKDAYS:
        return base + "，并把历年可能调休上班的周末计为工作日，取最早的可能日期（机关办理期限从早）。"
    return base + "（仅周末与法定节假日休息）。"


class CalendarNotCovered(LookupError):
    """Raised in strict mode when a computation touches a year without official holiday data."""

    def __init__(self, years: Iterable[int]) -> None:
        self.years: tuple[int, ...] = tuple(sorted(set(years)))
        listed = "、".join(str(y) for y in self.years)
        super().__init__(
            f"{listed}年的法定节假日安排尚未录入（chinese_calendar 未覆盖且无节假日调整数据），"
            "无法精确计算工作日期限；请在“节假日调整”中补录该年度的放假与调休安排。"
        )


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One admin-entered day: ``is_workday`` True for a make-up working day (调休上班), False for rest."""

    is_workday: bool
    name: str | None = None


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Status of one day and where that status came from."""

    date: dt.date
    is_workday: bool
    name: str | None
    source: str  # "override" | "chinese_calendar" | "override_year" | "statutory_fallback"

    @property
    def provisional(self) -> bool:
        return self.source == FALLBACK_SOURCE


@dataclass(frozen=True, slots=True)
class Deadline:
    """Result of a deadline computation.

    ``provisional`` is True when the result depended on a day in a year for which neither
    ``chinese_calendar`` nor the overrides hold official holiday data; ``uncovered_years`` lists those years
    and ``assumption`` says how their unknown days were counted (:class:`Assume`). ``rolled_from`` is set
    when a calendar-day period ended on a rest day and was moved to the next working day (市场监管程序规定
    第八十条).
    """

    start: dt.date
    due: dt.date
    length: int
    unit: PeriodUnit
    provisional: bool = False
    uncovered_years: frozenset[int] = frozenset()
    rolled_from: dt.date | None = None
    assumption: Assume = Assume.EXPECTED

    @property
    def provisional_reason(self) -> str | None:
        return provisional_reason(self.uncovered_years, self.assumption) if self.provisional else None

    def __str__(self) -> str:
        suffix = "（暂定）" if self.provisional else ""
        return f"{self.due.isoformat()}{suffix}"


def _as_date(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise TypeError(f"expected datetime.date, got {type(value).__name__}")
    return value


@lru_cache(maxsize=1)
def chinese_calendar_years() -> range:
    """Years for which the installed ``chinese_calendar`` has official holiday data."""
    years = {d.year for d in _cc_constants.holidays}
    return range(min(years), max(years) + 1)


def _normalise_override(value: bool | DayOverride | tuple[bool, str | None] | Mapping) -> DayOverride:
    if isinstance(value, DayOverride):
        return value
    if isinstance(value, bool):
        return DayOverride(is_workday=value)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], bool):
        return DayOverride(is_workday=value[0], name=value[1])
    if isinstance(value, Mapping) and isinstance(value.get("is_workday"), bool):
        return DayOverride(is_workday=value["is_workday"], name=value.get("name"))
    raise TypeError(f"override must be a bool, (bool, name), {{'is_workday': bool}} or DayOverride: {value!r}")


# --------------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------------


class WorkdayCalendar:
    """Working-day calendar: ``chinese_calendar`` data, overridden and extended by admin entries.

    :param overrides: ``{date: is_workday}`` (or ``DayOverride`` / ``(is_workday, name)``). An entry always
        wins over ``chinese_calendar``. Entries only need to list exceptions to the Mon–Fri rule.
    :param override_years: years that the overrides *fully* describe (every holiday and make-up working
        day of that year has been entered), so days of those years are not provisional.
    :param strict: default for the ``strict`` argument of the computing methods: raise
        :class:`CalendarNotCovered` instead of returning a provisional result.
    :param package_years: the ``chinese_calendar`` years to use (default: all it has). Tests and the
        property checks pass fewer to treat a year as not yet announced.

    Every computing method takes ``assume`` (:class:`Assume`), which matters only for days of uncovered years.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool | DayOverride | tuple[bool, str | None]] | None = None,
        *,
        override_years: Iterable[int] = (),
        strict: bool = False,
        package_years: Iterable[int] | None = None,
    ) -> None:
        self._overrides: dict[dt.date, DayOverride] = {
            _as_date(day): _normalise_override(value) for day, value in (overrides or {}).items()
        }
        self._override_years: frozenset[int] = frozenset(int(y) for y in override_years)
        self._cc_years: range | frozenset[int] = (
            chinese_calendar_years() if package_years is None else frozenset(package_years)
        )
        self.strict = strict
        # The calendar is immutable once built (a new one is built when data changes), so day lookups can be
        # memoised; the number of distinct days a process touches is small (a few years' worth).
        self._memo: dict[tuple[dt.date, Assume], DayInfo] = {}

    def __repr__(self) -> str:
        return (
            f"WorkdayCalendar(overrides={len(self._overrides)}, "
            f"override_years={sorted(self._override_years)}, "
            f"chinese_calendar={min(self._cc_years, default=None)}-{max(self._cc_years, default=None)}, "
            f"strict={self.strict})"
        )

    # -- coverage ----------------------------------------------------------------------------------

    def is_covered(self, year: int) -> bool:
        """True when official holiday data exists for ``year`` (chinese_calendar or complete overrides)."""
        return year in self._cc_years or year in self._override_years

    @property
    def covered_years(self) -> frozenset[int]:
        return frozenset(self._cc_years) | self._override_years

    def last_covered_year(self, from_year: int) -> int | None:
        """Last year of the unbroken covered run that contains ``from_year`` (None if not covered)."""
        if not self.is_covered(from_year):
            return None
        year = from_year
        while self.is_covered(year + 1):
            year += 1
        return year

    def coverage_warning(self, today: dt.date) -> str | None:
        """Chinese warning text when ``today + 1 year`` is not covered (DOMAIN §1.5: alert in time)."""
        horizon = _add_years_raw(_as_date(today), 1)
        missing = [y for y in range(_as_date(today).year, horizon.year + 1) if not self.is_covered(y)]
        if not missing:
            return None
        listed = "、".join(str(y) for y in missing)
        return (
            f"{listed}年的国务院节假日安排尚未录入：相关期限按法定节假日暂定计算（当事人期限取最晚、机关期限取最早），"
            "请及时导入国务院办公厅放假通知。"
        )

    # -- single days -------------------------------------------------------------------------------

    def day_info(self, day: dt.date, assume: Assume = Assume.EXPECTED) -> DayInfo:
        """Status of one day, with its source (never raises, see :meth:`is_workday` for strict mode).

        In a year without official data, a statutory holiday (放假办法 第二条) always rests; what else
        rests depends on ``assume`` (:mod:`backend.common.holidays` gives the plausible bridges and make-ups).
        """
        day = _as_date(day)
        key = (day, assume)
        info = self._memo.get(key)
        if info is None:
            info = self._memo[key] = self._day_info(day, assume)
        return info

    def _day_info(self, day: dt.date, assume: Assume) -> DayInfo:
        override = self._overrides.get(day)
        if override is not None:
            return DayInfo(day, override.is_workday, override.name, "override")
        if day.year in self._cc_years:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            return DayInfo(day, not is_holiday, name, "chinese_calendar")
        weekday = day.weekday() < 5
        if day.year in self._override_years:
            return DayInfo(day, weekday, None, "override_year")
        plausible = plausible_year(day.year)
        festival = plausible.statutory.get(day)
        if festival is not None:
            return DayInfo(day, False, str(festival), FALLBACK_SOURCE)
        if assume is Assume.FEWEST_WORKDAYS and weekday and day in plausible.maybe_rest:
            return DayInfo(day, False, f"{plausible.maybe_rest[day]}（可能调休放假）", FALLBACK_SOURCE)
        if assume is Assume.MOST_WORKDAYS and not weekday and day in plausible.maybe_work:
            return DayInfo(day, True, f"{plausible.maybe_work[day]}（可能调休上班）", FALLBACK_SOURCE)
        return DayInfo(day, weekday, None, FALLBACK_SOURCE)

    def is_workday(self, day: dt.date, *, strict: bool | None = None, assume: Assume = Assume.EXPECTED) -> bool:
        """Is ``day`` a working day (工作日)? Make-up working weekends are; holidays and weekends are not."""
        info = self.day_info(day, assume)
        if info.provisional and self._strict(strict):
            raise CalendarNotCovered([info.date.year])
        return info.is_workday

    def next_workday(
        self, day: dt.date, *, include_self: bool = True, strict: bool | None = None, assume: Assume = Assume.EXPECTED
    ) -> dt.date:
        """First working day on or after ``day`` (after it when ``include_self`` is False)."""
        return self._roll(_as_date(day), include_self=include_self, strict=strict, assume=assume)[0]

    # -- periods -----------------------------------------------------------------------------------

    def add_workdays(
        self, start: dt.date, n: int, *, strict: bool | None = None, assume: Assume = Assume.EXPECTED
    ) -> Deadline:
        """The day ``n`` working days after ``start``; the start day itself is never counted.

        Counts forward from ``start + 1`` and returns the n-th working day, whatever ``start`` is
        (a weekend or holiday start is *not* snapped first — the ``find_workday`` pitfall, DOMAIN §1.6).
        A negative ``n`` walks backwards and returns the |n|-th working day before ``start``
        (used for "N working days before" rules and reminders). ``n == 0`` returns ``start``.
        """
        start = _as_date(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        day = start
        uncovered: set[int] = set()
        while remaining:
            day += step
            info = self.day_info(day, assume)
            if info.provisional:
                uncovered.add(day.year)
            if info.is_workday:
                remaining -= 1
        return self._result(start, day, n, PeriodUnit.WORKDAYS, uncovered, None, strict, assume)

    def add_calendar_days(
        self,
        start: dt.date,
        n: int,
        roll_forward: bool = True,
        *,
        strict: bool | None = None,
        assume: Assume = Assume.EXPECTED,
    ) -> Deadline:
        """``start + n`` calendar days; if that day is a rest day, roll to the next working day.

        Source: 市场监督管理行政处罚程序规定 第八十条 ("期间届满的最后一日为法定节假日的，以法定节假日后的
        第一日为期间届满的日期"), mirroring 民事诉讼法. Rest days include ordinary weekends; make-up
        working weekends (调休上班) are working days and do not roll. Only the days actually inspected
        (the end day and any roll) can make the result provisional.
        """
        start = _as_date(start)
        return self._calendar_result(
            start, start + dt.timedelta(days=n), n, PeriodUnit.CALENDAR_DAYS, roll_forward, strict, assume
        )

    def add_months(
        self,
        start: dt.date,
        n: int,
        roll_forward: bool = True,
        *,
        strict: bool | None = None,
        assume: Assume = Assume.EXPECTED,
    ) -> Deadline:
        """Period counted in months: same day-of-month ``n`` months later (clamped to the month's end)."""
        start = _as_date(start)
        end = _add_months_raw(start, n)
        return self._calendar_result(start, end, n, PeriodUnit.MONTHS, roll_forward, strict, assume)

    def add_years(
        self,
        start: dt.date,
        n: int,
        roll_forward: bool = False,
        *,
        strict: bool | None = None,
        assume: Assume = Assume.EXPECTED,
    ) -> Deadline:
        """Period counted in years (29 Feb → 28 Feb); does not roll by default (limitation, display)."""
        start = _as_date(start)
        end = _add_years_raw(start, n)
        return self._calendar_result(start, end, n, PeriodUnit.YEARS, roll_forward, strict, assume)

    def add_period(
        self,
        start: dt.date,
        n: int,
        unit: PeriodUnit | str,
        *,
        roll_forward: bool = True,
        strict: bool | None = None,
        assume: Assume = Assume.EXPECTED,
    ) -> Deadline:
        """Dispatch on ``unit``. Hour-based periods must be computed on datetimes by the caller."""
        unit = PeriodUnit(unit)
        if unit is PeriodUnit.WORKDAYS:
            return self.add_workdays(start, n, strict=strict, assume=assume)
        if unit is PeriodUnit.CALENDAR_DAYS:
            return self.add_calendar_days(start, n, roll_forward, strict=strict, assume=assume)
        if unit is PeriodUnit.MONTHS:
            return self.add_months(start, n, roll_forward, strict=strict, assume=assume)
        if unit is PeriodUnit.YEARS:
            return self.add_years(start, n, roll_forward, strict=strict, assume=assume)
        raise ValueError("hour-based periods are computed on datetimes: anchor + DeadlineRule.timedelta")

    def workdays_between(
        self, a: dt.date, b: dt.date, *, strict: bool | None = None, assume: Assume = Assume.EXPECTED
    ) -> int:
        """Signed number of working days landed on when walking from ``a`` to ``b``.

        For ``b >= a`` this counts working days in ``(a, b]`` (start excluded, end included); for
        ``b < a`` it is minus the count in ``[b, a)``. It is the exact inverse of :meth:`add_workdays`:
        ``workdays_between(a, add_workdays(a, n).due) == n`` for every integer n.
        """
        a, b = _as_date(a), _as_date(b)
        if b >= a:
            days: Iterator[dt.date] = _date_range(a + _ONE_DAY, b)
            sign = 1
        else:
            days = _date_range(b, a - _ONE_DAY)
            sign = -1
        count = 0
        uncovered: set[int] = set()
        for day in days:
            info = self.day_info(day, assume)
            if info.provisional:
                uncovered.add(day.year)
            count += info.is_workday
        if uncovered and self._strict(strict):
            raise CalendarNotCovered(uncovered)
        return sign * count

    def reminder_dates(
        self, due: dt.date, offsets: Sequence[int] = (3, 1), *, strict: bool | None = None
    ) -> list[dt.date]:
        """Reminder days ``k`` working days before ``due`` for each k in ``offsets`` (DOMAIN §8: T-3, T-1).

        Returned in the order of ``offsets``; ``0`` gives ``due`` itself.
        """
        return [self.add_workdays(due, -abs(k), strict=strict).due for k in offsets]

    def compute(
        self,
        rule: DeadlineRule | str,
        anchor: dt.date,
        *,
        extensions: int = 0,
        length: int | None = None,
        strict: bool | None = None,
    ) -> Deadline:
        """Deadline for a :data:`~backend.common.workdays.DEADLINE_RULES` entry counted from ``anchor``.

        ``extensions`` is the number of approved extensions (each adds ``rule.extension``, in the rule's
        unit); ``length`` replaces the rule's own length (an agency's setting). For ``Direction.BEFORE``
        rules the result is the latest permissible date before ``anchor``. Paused clocks (中止, 听证, 公告,
        检测鉴定) are the caller's business: shift ``anchor`` by the paused days. In a year without official
        data the rule's side decides the assumption (:func:`assumption_for`: party windows latest, duties
        earliest).
        """
        from backend.common.workdays import get_rule

        rule = get_rule(rule) if isinstance(rule, str) else rule
        assume = rule.assumption
        if extensions and not rule.extension:
            raise ValueError(f"{rule.code} cannot be extended")
        if rule.max_extensions is not None and extensions > rule.max_extensions:
            raise ValueError(f"{rule.code} allows at most {rule.max_extensions} extension(s)")
        length = (rule.length if length is None else length) + extensions * (rule.extension or 0)
        if rule.direction is Direction.BEFORE:
            if rule.unit is not PeriodUnit.WORKDAYS:
                raise ValueError("only working-day rules are counted backwards")
            return self.add_workdays(anchor, -length, strict=strict, assume=assume)
        return self.add_period(anchor, length, rule.unit, roll_forward=rule.roll_forward, strict=strict, assume=assume)

    # -- helpers -----------------------------------------------------------------------------------

    def _strict(self, strict: bool | None) -> bool:
        return self.strict if strict is None else strict

    def _roll(
        self, day: dt.date, *, include_self: bool, strict: bool | None, assume: Assume
    ) -> tuple[dt.date, set[int]]:
        uncovered: set[int] = set()
        if not include_self:
            day += _ONE_DAY
        while True:
            info = self.day_info(day, assume)
            if info.provisional:
                uncovered.add(day.year)
            if info.is_workday:
                break
            day += _ONE_DAY
        if uncovered and self._strict(strict):
            raise CalendarNotCovered(uncovered)
        return day, uncovered

    def _calendar_result(
        self,
        start: dt.date,
        end: dt.date,
        n: int,
        unit: PeriodUnit,
        roll_forward: bool,
        strict: bool | None,
        assume: Assume,
    ) -> Deadline:
        if not roll_forward:
            return Deadline(start=start, due=end, length=n, unit=unit)
        rolled, uncovered = self._roll(end, include_self=True, strict=strict, assume=assume)
        return self._result(start, rolled, n, unit, uncovered, end if rolled != end else None, strict, assume)

    def _result(
        self,
        start: dt.date,
        due: dt.date,
        n: int,
        unit: PeriodUnit,
        uncovered: set[int],
        rolled_from: dt.date | None,
        strict: bool | None,
        assume: Assume = Assume.EXPECTED,
    ) -> Deadline:
        if uncovered and self._strict(strict):
            raise CalendarNotCovered(uncovered)
        return Deadline(
            start=start,
            due=due,
            length=n,
            unit=unit,
            provisional=bool(uncovered),
            uncovered_years=frozenset(uncovered),
            rolled_from=rolled_from,
            assumption=assume if uncovered else Assume.EXPECTED,
        )


def _date_range(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def _add_months_raw(start: dt.date, n: int) -> dt.date:
    month_index = start.year * 12 + (start.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last_day))


def _add_years_raw(start: dt.date, n: int) -> dt.date:
    return _add_months_raw(start, 12 * n)
