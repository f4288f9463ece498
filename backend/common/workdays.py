"""China's official working-day calendar and statutory deadline arithmetic.

Pure Python (no Django). The Django side builds a :class:`WorkdayCalendar` from the
admin-editable ``HolidayOverride`` table and hands it to the code that computes deadlines.

Legal sources (see ``/work/shared/DOMAIN.md`` §1):

* 行政处罚法 (2021) 第八十五条: "本法中“二日”“三日”“五日”“七日”的规定是指工作日，不含法定节假日。"
  Every other "日" in that law is a calendar day (90 days to decide, 15 days to pay, ...).
* 行政强制法 第六十九条: "本法中十日以内期限的规定是指工作日，不含法定节假日。"
* 市场监督管理行政处罚程序规定 第八十条 (mirrors 民事诉讼法): the day on which a period starts is not
  counted; if the last day of a period is a statutory holiday, the period ends on the first day after
  the holiday.
* 全国年节及纪念日放假办法 (2024): holidays and make-up working days (调休) are fixed per year by the
  State Council's annual notice, so weekends can be working days and weekdays can be rest days.

Working-day data comes from the ``chinese_calendar`` package (PyPI ``chinesecalendar``), whose data is
hard-coded and released once a year. Years it does not cover can be supplied through overrides. For a
day in a year that neither covers, Monday–Friday count as working days and Saturday/Sunday as rest days,
and any result that depended on such a day is marked ``provisional`` — or, in ``strict`` mode, a
:class:`CalendarNotCovered` error is raised (public-disclosure deadlines must fail loudly).

``chinese_calendar.find_workday`` is deliberately *not* used: it first snaps a weekend/holiday start
forward to a working day and then counts, so from a weekend start it is one working day late
(``find_workday(1, Sat 2025-03-08)`` gives 2025-03-11; the statutory answer is 2025-03-10, DOMAIN §1.6).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _cc_constants

__all__ = [
    "DEADLINE_RULES",
    "CalendarNotCovered",
    "DayInfo",
    "DayOverride",
    "Deadline",
    "DeadlineRule",
    "Direction",
    "Law",
    "PeriodUnit",
    "WorkdayCalendar",
    "add_calendar_days",
    "add_workdays",
    "chinese_calendar_years",
    "default_calendar",
    "get_rule",
    "is_workday",
    "period_kind",
    "reminder_dates",
    "workdays_between",
]

_ONE_DAY = dt.timedelta(days=1)


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


class Law(StrEnum):
    """Statutes whose own text says which short periods are working days."""

    PENALTY = "行政处罚法"
    COERCION = "行政强制法"
    OTHER = "other"


class Direction(StrEnum):
    """Whether a rule's due date lies after its anchor event or before it."""

    AFTER = "after"  # "自…之日起N日内": due = anchor + N
    BEFORE = "before"  # "…N日前": latest date = anchor − N (e.g. hearing notice ≥ 7 wd before the hearing)


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
    source: str  # "override" | "chinese_calendar" | "override_year" | "weekday_fallback"

    @property
    def provisional(self) -> bool:
        return self.source == "weekday_fallback"


@dataclass(frozen=True, slots=True)
class Deadline:
    """Result of a deadline computation.

    ``provisional`` is True when the result depended on a day in a year for which neither
    ``chinese_calendar`` nor the overrides hold official holiday data (weekends were then assumed to be
    the only rest days); ``uncovered_years`` lists those years. ``rolled_from`` is set when a calendar-day
    period ended on a rest day and was moved to the next working day (市场监管程序规定 第八十条).
    """

    start: dt.date
    due: dt.date
    length: int
    unit: PeriodUnit
    provisional: bool = False
    uncovered_years: frozenset[int] = frozenset()
    rolled_from: dt.date | None = None

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
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool | DayOverride | tuple[bool, str | None]] | None = None,
        *,
        override_years: Iterable[int] = (),
        strict: bool = False,
    ) -> None:
        self._overrides: dict[dt.date, DayOverride] = {
            _as_date(day): _normalise_override(value) for day, value in (overrides or {}).items()
        }
        self._override_years: frozenset[int] = frozenset(int(y) for y in override_years)
        self._cc_years = chinese_calendar_years()
        self.strict = strict

    def __repr__(self) -> str:
        return (
            f"WorkdayCalendar(overrides={len(self._overrides)}, "
            f"override_years={sorted(self._override_years)}, "
            f"chinese_calendar={self._cc_years.start}-{self._cc_years.stop - 1}, strict={self.strict})"
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
        return f"{listed}年的法定节假日数据缺失：相关期限将按周末休息暂定计算，请及时补录国务院放假安排。"

    # -- single days -------------------------------------------------------------------------------

    def day_info(self, day: dt.date) -> DayInfo:
        """Status of one day, with its source (never raises, see :meth:`is_workday` for strict mode)."""
        day = _as_date(day)
        override = self._overrides.get(day)
        if override is not None:
            return DayInfo(day, override.is_workday, override.name, "override")
        if day.year in self._cc_years:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            return DayInfo(day, not is_holiday, name, "chinese_calendar")
        source = "override_year" if day.year in self._override_years else "weekday_fallback"
        return DayInfo(day, day.weekday() < 5, None, source)

    def is_workday(self, day: dt.date, *, strict: bool | None = None) -> bool:
        """Is ``day`` a working day (工作日)? Make-up working weekends are; holidays and weekends are not."""
        info = self.day_info(day)
        if info.provisional and self._strict(strict):
            raise CalendarNotCovered([info.date.year])
        return info.is_workday

    def next_workday(self, day: dt.date, *, include_self: bool = True, strict: bool | None = None) -> dt.date:
        """First working day on or after ``day`` (after it when ``include_self`` is False)."""
        return self._roll(_as_date(day), include_self=include_self, strict=strict)[0]

    # -- periods -----------------------------------------------------------------------------------

    def add_workdays(self, start: dt.date, n: int, *, strict: bool | None = None) -> Deadline:
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
            info = self.day_info(day)
            if info.provisional:
                uncovered.add(day.year)
            if info.is_workday:
                remaining -= 1
        return self._result(start, day, n, PeriodUnit.WORKDAYS, uncovered, None, strict)

    def add_calendar_days(
        self, start: dt.date, n: int, roll_forward: bool = True, *, strict: bool | None = None
    ) -> Deadline:
        """``start + n`` calendar days; if that day is a rest day, roll to the next working day.

        Source: 市场监督管理行政处罚程序规定 第八十条 ("期间届满的最后一日为法定节假日的，以法定节假日后的
        第一日为期间届满的日期"), mirroring 民事诉讼法. Rest days include ordinary weekends; make-up
        working weekends (调休上班) are working days and do not roll. Only the days actually inspected
        (the end day and any roll) can make the result provisional.
        """
        start = _as_date(start)
        return self._calendar_result(
            start, start + dt.timedelta(days=n), n, PeriodUnit.CALENDAR_DAYS, roll_forward, strict
        )

    def add_months(self, start: dt.date, n: int, roll_forward: bool = True, *, strict: bool | None = None) -> Deadline:
        """Period counted in months: same day-of-month ``n`` months later (clamped to the month's end)."""
        start = _as_date(start)
        return self._calendar_result(start, _add_months_raw(start, n), n, PeriodUnit.MONTHS, roll_forward, strict)

    def add_years(self, start: dt.date, n: int, roll_forward: bool = False, *, strict: bool | None = None) -> Deadline:
        """Period counted in years (29 Feb → 28 Feb); does not roll by default (limitation, display)."""
        start = _as_date(start)
        return self._calendar_result(start, _add_years_raw(start, n), n, PeriodUnit.YEARS, roll_forward, strict)

    def add_period(
        self,
        start: dt.date,
        n: int,
        unit: PeriodUnit | str,
        *,
        roll_forward: bool = True,
        strict: bool | None = None,
    ) -> Deadline:
        """Dispatch on ``unit``. Hour-based periods must be computed on datetimes by the caller."""
        unit = PeriodUnit(unit)
        if unit is PeriodUnit.WORKDAYS:
            return self.add_workdays(start, n, strict=strict)
        if unit is PeriodUnit.CALENDAR_DAYS:
            return self.add_calendar_days(start, n, roll_forward, strict=strict)
        if unit is PeriodUnit.MONTHS:
            return self.add_months(start, n, roll_forward, strict=strict)
        if unit is PeriodUnit.YEARS:
            return self.add_years(start, n, roll_forward, strict=strict)
        raise ValueError("hour-based periods are computed on datetimes: anchor + DeadlineRule.timedelta")

    def workdays_between(self, a: dt.date, b: dt.date, *, strict: bool | None = None) -> int:
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
            info = self.day_info(day)
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
        self, rule: DeadlineRule | str, anchor: dt.date, *, extensions: int = 0, strict: bool | None = None
    ) -> Deadline:
        """Deadline for a :data:`DEADLINE_RULES` entry counted from ``anchor``.

        ``extensions`` is the number of approved extensions (each adds ``rule.extension``, in the rule's
        unit). For ``Direction.BEFORE`` rules the result is the latest permissible date before ``anchor``.
        Paused clocks (中止, 听证, 公告, 检测鉴定) are the caller's business: shift ``anchor`` by the
        paused days.
        """
        rule = get_rule(rule) if isinstance(rule, str) else rule
        if extensions and not rule.extension:
            raise ValueError(f"{rule.code} cannot be extended")
        if rule.max_extensions is not None and extensions > rule.max_extensions:
            raise ValueError(f"{rule.code} allows at most {rule.max_extensions} extension(s)")
        length = rule.length + extensions * (rule.extension or 0)
        if rule.direction is Direction.BEFORE:
            if rule.unit is not PeriodUnit.WORKDAYS:
                raise ValueError("only working-day rules are counted backwards")
            return self.add_workdays(anchor, -length, strict=strict)
        return self.add_period(anchor, length, rule.unit, roll_forward=rule.roll_forward, strict=strict)

    # -- helpers -----------------------------------------------------------------------------------

    def _strict(self, strict: bool | None) -> bool:
        return self.strict if strict is None else strict

    def _roll(self, day: dt.date, *, include_self: bool, strict: bool | None) -> tuple[dt.date, set[int]]:
        uncovered: set[int] = set()
        if not include_self:
            day += _ONE_DAY
        while True:
            info = self.day_info(day)
            if info.provisional:
                uncovered.add(day.year)
            if info.is_workday:
                break
            day += _ONE_DAY
        if uncovered and self._strict(strict):
            raise CalendarNotCovered(uncovered)
        return day, uncovered

    def _calendar_result(
        self, start: dt.date, end: dt.date, n: int, unit: PeriodUnit, roll_forward: bool, strict: bool | None
    ) -> Deadline:
        if not roll_forward:
            return Deadline(start=start, due=end, length=n, unit=unit)
        rolled, uncovered = self._roll(end, include_self=True, strict=strict)
        return self._result(start, rolled, n, unit, uncovered, end if rolled != end else None, strict)

    def _result(
        self,
        start: dt.date,
        due: dt.date,
        n: int,
        unit: PeriodUnit,
        uncovered: set[int],
        rolled_from: dt.date | None,
        strict: bool | None,
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


# --------------------------------------------------------------------------------------------------
# Which periods are working days
# --------------------------------------------------------------------------------------------------

# 行政处罚法 第八十五条: "本法中“二日”“三日”“五日”“七日”的规定是指工作日，不含法定节假日。"
PENALTY_LAW_WORKDAY_PERIODS: frozenset[int] = frozenset({2, 3, 5, 7})
# 行政强制法 第六十九条: "本法中十日以内期限的规定是指工作日，不含法定节假日。"
COERCION_LAW_WORKDAY_MAX: int = 10

_LAW_ALIASES: dict[str, Law] = {
    "行政处罚法": Law.PENALTY,
    "中华人民共和国行政处罚法": Law.PENALTY,
    "penalty": Law.PENALTY,
    "行政强制法": Law.COERCION,
    "中华人民共和国行政强制法": Law.COERCION,
    "coercion": Law.COERCION,
}


def period_kind(law: Law | str, days: int) -> PeriodUnit:
    """Whether an "N日" period written in ``law`` counts working days or calendar days.

    * 行政处罚法 第八十五条: 二日、三日、五日、七日 are working days; every other "日" (15, 90 ...)
      is a calendar day.
    * 行政强制法 第六十九条: any period of ten days or less is working days.
    * Anything else: calendar days (rules that mean working days say "工作日" explicitly).
    """
    if isinstance(law, str) and not isinstance(law, Law):
        law = _LAW_ALIASES.get(law.strip(), Law.OTHER)
    if days < 0:
        raise ValueError("a period cannot be negative")
    if law is Law.PENALTY and days in PENALTY_LAW_WORKDAY_PERIODS:
        return PeriodUnit.WORKDAYS
    if law is Law.COERCION and days <= COERCION_LAW_WORKDAY_MAX:
        return PeriodUnit.WORKDAYS
    return PeriodUnit.CALENDAR_DAYS


# --------------------------------------------------------------------------------------------------
# Statutory time limits (DOMAIN.md §1, §2, §3, §4, §5, §8)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """One statutory or regulatory time limit.

    ``length``/``unit`` give the period, ``anchor`` the event it runs from (or, for ``Direction.BEFORE``,
    the event it must precede). ``extension`` is the length of one approved extension (same unit) and
    ``max_extensions`` how many are allowed (None = no cap stated). ``configurable`` marks defaults that
    an agency may change (DOMAIN §0: unconfirmed or ministry-specific values).
    """

    code: str
    name: str
    length: int
    unit: PeriodUnit
    anchor: str
    source: str
    direction: Direction = Direction.AFTER
    extension: int | None = None
    max_extensions: int | None = 1
    roll_forward: bool = True
    configurable: bool = False
    pausable: bool = False
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def timedelta(self) -> dt.timedelta:
        """Length of an hour-based rule as a ``timedelta``."""
        if self.unit is not PeriodUnit.HOURS:
            raise ValueError(f"{self.code} is not hour-based")
        return dt.timedelta(hours=self.length)


_W, _D, _M, _Y, _H = (
    PeriodUnit.WORKDAYS,
    PeriodUnit.CALENDAR_DAYS,
    PeriodUnit.MONTHS,
    PeriodUnit.YEARS,
    PeriodUnit.HOURS,
)

_RULES: tuple[DeadlineRule, ...] = (
    # ---- 普通程序: 线索 → 立案 → 调查 -------------------------------------------------------------
    DeadlineRule(
        code="CLUE_VERIFY",
        name="线索核查（决定是否立案）",
        length=15,
        unit=_W,
        anchor="发现线索或者收到材料之日",
        source="市场监督管理行政处罚程序规定 第十八条",
        extension=15,
        configurable=True,
        pausable=True,
        note="经负责人批准可延长十五个工作日；检测、检验、检疫、鉴定及权利人辨认、鉴别时间不计入。",
    ),
    DeadlineRule(
        code="LIMITATION_GENERAL",
        name="行政处罚追责时效",
        length=2,
        unit=_Y,
        anchor="违法行为发生之日（连续或继续状态的，行为终了之日）",
        source="行政处罚法 第三十六条第一款",
        roll_forward=False,
        note="二年内未被发现的，不再给予行政处罚。",
    ),
    DeadlineRule(
        code="LIMITATION_SERIOUS",
        name="行政处罚追责时效（涉及生命健康、金融安全且有危害后果）",
        length=5,
        unit=_Y,
        anchor="违法行为发生之日（连续或继续状态的，行为终了之日）",
        source="行政处罚法 第三十六条第一款",
        roll_forward=False,
    ),
    DeadlineRule(
        code="EVIDENCE_PRESERVATION_DECISION",
        name="先行登记保存后作出处理决定",
        length=7,
        unit=_W,
        anchor="先行登记保存之日",
        source="行政处罚法 第五十六条、第八十五条；市场监督管理行政处罚程序规定 第三十五条",
        note="逾期未采取措施的，先行登记保存措施自动解除（市场监管）。",
    ),
    DeadlineRule(
        code="EMERGENCY_MEASURE_REPORT",
        name="当场实施强制措施/先行登记保存后向负责人报告并补办批准",
        length=24,
        unit=_H,
        anchor="当场实施措施之时",
        source="行政强制法 第十九条；市场监督管理行政处罚程序规定 第三十三条、第三十六条",
    ),
    DeadlineRule(
        code="SEIZURE",
        name="查封、扣押期限",
        length=30,
        unit=_D,
        anchor="查封、扣押之日",
        source="行政强制法 第二十五条",
        extension=30,
        pausable=True,
        note="情况复杂的经负责人批准可延长，延长不得超过三十日并书面告知理由；检测、检验、检疫、鉴定期间不计入。",
    ),
    DeadlineRule(
        code="FREEZE_NOTICE",
        name="交付冻结决定书",
        length=3,
        unit=_W,
        anchor="依法冻结存款、汇款之日",
        source="行政强制法 第三十一条、第六十九条",
    ),
    DeadlineRule(
        code="FREEZE",
        name="冻结后作出处理决定或解除冻结",
        length=30,
        unit=_D,
        anchor="冻结存款、汇款之日",
        source="行政强制法 第三十二条",
        extension=30,
    ),
    DeadlineRule(
        code="AV_UPLOAD",
        name="音像记录上传至执法信息系统",
        length=24,
        unit=_H,
        anchor="音像记录结束之时",
        source="内蒙古自治区行政执法公示执法全过程记录重大执法决定法制审核办法 第二十条",
        configurable=True,
        note="连续执法、异地执法或边远、水上、交通不便地区可在条件具备时尽快上传。",
    ),
    # ---- 审核 -------------------------------------------------------------------------------------
    DeadlineRule(
        code="CASE_REVIEW",
        name="案件审核",
        length=10,
        unit=_W,
        anchor="审核机构接到审核材料之日",
        source="市场监督管理行政处罚程序规定 第五十二条、第五十五条",
        extension=5,
        max_extensions=None,
        configurable=True,
        note="特殊情况经负责人批准可延长（规章未设上限，默认每次五个工作日，可配置）。",
    ),
    DeadlineRule(
        code="LEGAL_REVIEW",
        name="法制审核",
        length=10,
        unit=_W,
        anchor="审核机构接到审核材料之日",
        source="行政处罚法 第五十八条；市场监督管理行政处罚程序规定 第五十条、第五十五条",
        extension=5,
        max_extensions=None,
        configurable=True,
        pausable=True,
        note="国家层面无统一时限：市场监管十个工作日（可延长）；内蒙古五个工作日加五个；补充材料期间不计入。",
    ),
    # ---- 告知 → 陈述申辩 / 听证 -------------------------------------------------------------------
    DeadlineRule(
        code="STATEMENT_DEFENCE",
        name="陈述、申辩期限",
        length=5,
        unit=_W,
        anchor="行政处罚事先告知书送达之日",
        source="市场监督管理行政处罚程序规定 第五十七条第二款",
        configurable=True,
        note="逾期未陈述、申辩、未要求听证的，视为放弃；其他部门按本部门规定配置。",
    ),
    DeadlineRule(
        code="HEARING_REQUEST",
        name="要求听证期限",
        length=5,
        unit=_W,
        anchor="行政机关告知之日（告知书送达之日）",
        source="行政处罚法 第六十四条第一项、第八十五条",
    ),
    DeadlineRule(
        code="HEARING_NOTICE",
        name="听证通知（举行听证七日前）",
        length=7,
        unit=_W,
        anchor="举行听证之日",
        source="行政处罚法 第六十四条第二项、第八十五条",
        direction=Direction.BEFORE,
        note="结果为最迟通知日期：自该日（不计）起算满七个工作日恰为听证日。",
    ),
    # ---- 决定、送达 -------------------------------------------------------------------------------
    DeadlineRule(
        code="DECISION",
        name="作出行政处罚决定",
        length=90,
        unit=_D,
        anchor="立案之日",
        source=("行政处罚法 第六十条；市场监督管理行政处罚程序规定 第六十四条；交通运输行政执法程序规定 第七十八条"),
        extension=30,
        max_extensions=None,
        configurable=True,
        pausable=True,
        note="经负责人批准可延长三十日；市场监管经集体讨论可继续延期；中止、听证、公告、检测检验检疫鉴定、"
        "权利人辨认鉴别、责令退款时间不计入（市场监管）。",
    ),
    DeadlineRule(
        code="DECISION_SERVICE",
        name="行政处罚决定书送达（当事人不在场）",
        length=7,
        unit=_W,
        anchor="作出并宣告行政处罚决定之日",
        source="行政处罚法 第六十一条、第八十五条；市场监督管理行政处罚程序规定 第八十一条",
    ),
    DeadlineRule(
        code="PUBLIC_NOTICE_SERVICE",
        name="公告送达视为送达",
        length=30,
        unit=_D,
        anchor="公告发布之日",
        source="民事诉讼法 第九十五条；市场监督管理行政处罚程序规定 第八十二条第五项",
        configurable=True,
        note="交通运输部门为六十日（交通运输行政执法程序规定）。",
    ),
    DeadlineRule(
        code="SUMMARY_FILING",
        name="简易程序案卷材料交回归档",
        length=7,
        unit=_W,
        anchor="当场作出行政处罚决定之日",
        source="市场监督管理行政处罚程序规定 第七十条",
    ),
    # ---- 执行 -------------------------------------------------------------------------------------
    DeadlineRule(
        code="PAYMENT",
        name="缴纳罚款",
        length=15,
        unit=_D,
        anchor="收到行政处罚决定书之日",
        source="行政处罚法 第六十七条第三款；市场监督管理行政处罚程序规定 第七十二条",
        note="到期不缴纳的，每日按罚款数额的百分之三加处罚款，不超过罚款数额（第七十二条）。",
    ),
    DeadlineRule(
        code="CASH_FINE_HANDOVER",
        name="当场收缴罚款交至行政机关",
        length=2,
        unit=_W,
        anchor="当场收缴罚款之日（水上为抵岸之日）",
        source="行政处罚法 第七十一条、第八十五条；市场监督管理行政处罚程序规定 第七十三条",
    ),
    DeadlineRule(
        code="CASH_FINE_BANK_DEPOSIT",
        name="行政机关将当场收缴的罚款缴付指定银行",
        length=2,
        unit=_W,
        anchor="罚款交至行政机关之日",
        source="行政处罚法 第七十一条、第八十五条；市场监督管理行政处罚程序规定 第七十三条",
    ),
    DeadlineRule(
        code="ADMIN_REVIEW_WINDOW",
        name="申请行政复议期限",
        length=60,
        unit=_D,
        anchor="知道或者应当知道行政行为之日",
        source="行政复议法（2023）第二十条",
        note="未告知复议权利和期限的，最长不超过一年。",
    ),
    DeadlineRule(
        code="LITIGATION_WINDOW",
        name="提起行政诉讼期限",
        length=6,
        unit=_M,
        anchor="知道或者应当知道作出行政行为之日",
        source="行政诉讼法 第四十六条",
    ),
    DeadlineRule(
        code="SURCHARGE_BEFORE_ENFORCEMENT",
        name="加处罚款或滞纳金超过三十日后经催告可强制执行",
        length=30,
        unit=_D,
        anchor="开始加处罚款或者滞纳金之日",
        source="行政强制法 第四十五条、第四十六条",
    ),
    DeadlineRule(
        code="ENFORCEMENT_REMINDER",
        name="催告书送达后方可申请法院强制执行",
        length=10,
        unit=_W,
        anchor="催告书送达之日",
        source="行政强制法 第五十四条、第六十九条；市场监督管理行政处罚程序规定 第七十六条",
        note="送达催告书十个工作日后当事人仍未履行的，方可申请人民法院强制执行。",
    ),
    DeadlineRule(
        code="COURT_ENFORCEMENT_APPLICATION",
        name="申请人民法院强制执行",
        length=3,
        unit=_M,
        anchor="复议、诉讼期限届满之日",
        source="行政强制法 第五十三条；市场监督管理行政处罚程序规定 第七十六条",
        note="批准延期、分期缴纳的，自暂缓或分期缴纳期限结束之日起计算。",
    ),
    DeadlineRule(
        code="CASE_CLOSURE",
        name="结案审批",
        length=15,
        unit=_W,
        anchor="执行完毕、终结执行、终止调查或作出不予处罚/移送决定之日",
        source="市场监督管理行政处罚程序规定 第七十七条",
    ),
    # ---- 公示 -------------------------------------------------------------------------------------
    DeadlineRule(
        code="DISCLOSE_PENALTY_OR_LICENSE",
        name="行政处罚、行政许可决定公示",
        length=7,
        unit=_W,
        anchor="作出执法决定之日",
        source="国办发〔2018〕118号 （六）；内蒙古三项制度办法 第十条、第十二条",
        configurable=True,
        note="法律、行政法规另有规定的除外。",
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="DISCLOSE_OTHER_DECISION",
        name="其他执法决定（行政强制、行政检查等）公示",
        length=20,
        unit=_W,
        anchor="作出执法决定之日",
        source="国办发〔2018〕118号 （六）；内蒙古三项制度办法 第十条、第十二条；吉政办发〔2019〕39号",
        configurable=True,
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="DISCLOSE_WITHDRAW",
        name="撤回已公开的行政处罚决定并说明理由",
        length=3,
        unit=_W,
        anchor="决定被变更、撤销、确认违法或者确认无效之日",
        source="行政处罚法 第四十八条第二款、第八十五条；市场监督管理行政处罚程序规定 第六十三条；"
        "市场监督管理行政处罚信息公示规定 第十一条",
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="CREDIT_FEED_PUSH",
        name="行政处罚信息报送信用平台（双公示）",
        length=7,
        unit=_W,
        anchor="作出行政处罚决定之日",
        source="国办发〔2018〕118号 （六）；发改办财金〔2019〕527号",
        configurable=True,
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="SAMR_GSXT_PUBLISH",
        name="市场监管：通过国家企业信用信息公示系统公示",
        length=20,
        unit=_W,
        anchor="作出行政处罚决定之日",
        source="市场监督管理行政处罚信息公示规定 第九条；企业信息公示暂行条例 第七条",
        configurable=True,
        note="当事人登记地在同一省级行政区的；跨省的见 SAMR_GSXT_PUSH_CROSS_PROVINCE。",
        tags=("disclosure", "samr"),
    ),
    DeadlineRule(
        code="SAMR_GSXT_PUSH_CROSS_PROVINCE",
        name="市场监管：跨省推送行政处罚信息至登记地（住所地）部门",
        length=10,
        unit=_W,
        anchor="作出行政处罚决定之日",
        source="市场监督管理行政处罚信息公示规定 第十条",
        note="登记地部门自收到之日起再有十个工作日完成公示。",
        tags=("disclosure", "samr"),
    ),
    DeadlineRule(
        code="SAMR_DISPLAY_SHORT",
        name="市场监管：通报批评或较低数额罚款的公示期",
        length=3,
        unit=_M,
        anchor="公示之日",
        source="市场监督管理行政处罚信息公示规定 第十三条",
        roll_forward=False,
        configurable=True,
        tags=("disclosure", "samr"),
    ),
    DeadlineRule(
        code="SAMR_DISPLAY_LONG",
        name="市场监管：其他行政处罚信息的公示期",
        length=3,
        unit=_Y,
        anchor="公示之日",
        source="市场监督管理行政处罚信息公示规定 第十三条",
        roll_forward=False,
        configurable=True,
        note="限制开展生产经营活动、限制从业等期限超过三年的，公示期按实际期限。",
        tags=("disclosure", "samr"),
    ),
)

DEADLINE_RULES: Mapping[str, DeadlineRule] = {rule.code: rule for rule in _RULES}
if len(DEADLINE_RULES) != len(_RULES):  # pragma: no cover - guards against copy-paste mistakes
    raise RuntimeError("duplicate DEADLINE_RULES code")


def get_rule(code: str) -> DeadlineRule:
    """Look up a rule by code; raises ``KeyError`` naming the unknown code."""
    try:
        return DEADLINE_RULES[code]
    except KeyError:
        raise KeyError(f"unknown deadline rule: {code}") from None


# --------------------------------------------------------------------------------------------------
# Module-level convenience functions (use the package data only, unless a calendar is given)
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def default_calendar() -> WorkdayCalendar:
    """A calendar with ``chinese_calendar`` data only (no overrides, not strict)."""
    return WorkdayCalendar()


def is_workday(day: dt.date, *, calendar: WorkdayCalendar | None = None, strict: bool | None = None) -> bool:
    return (calendar or default_calendar()).is_workday(day, strict=strict)


def add_workdays(
    start: dt.date, n: int, *, calendar: WorkdayCalendar | None = None, strict: bool | None = None
) -> Deadline:
    return (calendar or default_calendar()).add_workdays(start, n, strict=strict)


def add_calendar_days(
    start: dt.date,
    n: int,
    roll_forward: bool = True,
    *,
    calendar: WorkdayCalendar | None = None,
    strict: bool | None = None,
) -> Deadline:
    return (calendar or default_calendar()).add_calendar_days(start, n, roll_forward, strict=strict)


def workdays_between(
    a: dt.date, b: dt.date, *, calendar: WorkdayCalendar | None = None, strict: bool | None = None
) -> int:
    return (calendar or default_calendar()).workdays_between(a, b, strict=strict)


def reminder_dates(
    due: dt.date,
    offsets: Sequence[int] = (3, 1),
    *,
    calendar: WorkdayCalendar | None = None,
    strict: bool | None = None,
) -> list[dt.date]:
    return (calendar or default_calendar()).reminder_dates(due, offsets, strict=strict)
