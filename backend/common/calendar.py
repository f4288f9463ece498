"""The working-day calendar as the service uses it: ``chinese_calendar`` plus the admin-edited
:class:`~backend.common.models.HolidayOverride` table (see :mod:`backend.common.workdays`).

Built once per process and rebuilt when an override or calendar year changes (a cache version bump, so
every gunicorn worker and Celery worker picks the change up on its next call).

When a year is entered or corrected, :func:`calendar_recompute` is the one job that recomputes every open
deadline that depended on it: each app that stores due dates registers its recompute function here (in its
``AppConfig.ready``; the three are listed in :data:`EXPECTED_RECOMPUTERS` and the job refuses to run
without any of them), and the job calls them in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from backend.common.models import CalendarYear, HolidayOverride
from backend.common.workdays import Assume, DayInfo, DayOverride, WorkdayCalendar, provisional_reason

logger = logging.getLogger(__name__)

_VERSION_KEY = "workday-calendar-version"
_built: dict[str | bool, object] = {"version": None, False: None, True: None}


def _build() -> None:
    overrides = {
        row.date: DayOverride(is_workday=row.is_workday, name=row.name or None)
        for row in HolidayOverride.objects.all()
    }
    years = list(CalendarYear.objects.values_list("year", flat=True))
    _built[False] = WorkdayCalendar(overrides, override_years=years)
    _built[True] = WorkdayCalendar(overrides, override_years=years, strict=True)


def get_calendar(*, strict: bool = False) -> WorkdayCalendar:
    """The current calendar. Weekends-only is assumed for a year without official holiday data and the
    deadline is marked provisional; ``strict=True`` raises ``CalendarNotCovered`` instead."""
    version = cache.get(_VERSION_KEY, 0)
    if _built[strict] is None or _built["version"] != version:
        _build()
        _built["version"] = version
    return _built[strict]  # type: ignore[return-value]


def calendar_coverage_gap(today: dt.date) -> int | None:
    """The first year up to ``today`` + 1 year without official holiday data, or None (DOMAIN.md §1.5:
    alert when "today + 1 year" is outside the supported range). chinese-calendar learns a year from the
    State Council's notice, usually published in November; until then, deadlines reaching into that year
    are provisional. Enter the notice's holidays and 调休 days as ``HolidayOverride`` rows and the year as a
    ``CalendarYear`` (admin), or upgrade chinese-calendar."""
    calendar = get_calendar()
    horizon = (today + dt.timedelta(days=365)).year
    return next((year for year in range(today.year, horizon + 1) if not calendar.is_covered(year)), None)


def invalidate_calendar(**_kwargs: object) -> None:
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, timeout=None)
    _built[False] = _built[True] = None


for _model in (HolidayOverride, CalendarYear):
    post_save.connect(invalidate_calendar, sender=_model, dispatch_uid=f"calendar-{_model.__name__}-save")
    post_delete.connect(invalidate_calendar, sender=_model, dispatch_uid=f"calendar-{_model.__name__}-delete")


RECOMPUTE_PENDING = "该年度节假日安排已录入，期限正在重新计算。"


def provisional_reason_for(*, anchor: dt.date, due: dt.date, assume: Assume | str) -> str:
    """Why a stored provisional due date is provisional (shown beside it in the API and on pages)."""
    calendar = get_calendar()
    first, last = sorted((anchor, due))
    years = [y for y in range(first.year, last.year + 1) if not calendar.is_covered(y)]
    return provisional_reason(years, assume) if years else RECOMPUTE_PENDING


# --------------------------------------------------------------------------------------------------
# Recompute every open deadline when a year is entered or corrected
# --------------------------------------------------------------------------------------------------

Span = tuple[dt.date, dt.date]


class Recompute(Protocol):
    def __call__(self, *, spans: Iterable[Span], today: dt.date, context: Any) -> list[dict[str, Any]]: ...


# Registered by the apps that store due dates (cases, reviews, disclosures), in their AppConfig.ready.
EXPECTED_RECOMPUTERS = ("cases", "reviews", "disclosures")
_RECOMPUTERS: dict[str, Recompute] = {}


def register_calendar_recompute(name: str, function: Recompute) -> None:
    _RECOMPUTERS[name] = function


def registered_recomputers() -> dict[str, Recompute]:
    return dict(_RECOMPUTERS)


def year_span(year: int) -> Span:
    """The days whose deadlines a change to ``year`` can move: the year, and the December before it (a
    notice's 元旦 arrangement may reach back, e.g. 2011-12-31 worked for 2012's 元旦)."""
    return dt.date(year - 1, 12, 1), dt.date(year, 12, 31)


def calendar_recompute(
    *, years: Iterable[int] = (), today: dt.date, context: Any = None
) -> dict[str, list[dict[str, Any]]]:
    """The one job run when a year's holidays are entered or corrected (issue 13 §1): recompute every open
    deadline that is provisional or spans a day of ``years`` — case deadlines (陈述申辩, 听证, payment, service,
    seizure, closure …), review rounds' ``due_on``, disclosure notices' publication and withdrawal dates —
    through the function that computes each, audit each change and remind whoever's deadline moved earlier.

    With no ``years`` it recomputes only what is provisional (the daily run catches a newer chinese-calendar).
    Runs in one transaction; returns the changes per app.
    """
    missing = [name for name in EXPECTED_RECOMPUTERS if name not in _RECOMPUTERS]
    if missing:  # never a silent skip: a deadline left provisional for ever is the defect this job fixes
        raise RuntimeError(f"calendar recompute not registered for: {', '.join(missing)}")
    invalidate_calendar()
    spans = [year_span(y) for y in sorted(set(years))]
    with transaction.atomic():
        changes = {name: fn(spans=spans, today=today, context=context) for name, fn in _RECOMPUTERS.items()}
    logger.info(
        "calendar recompute (years %s): %s",
        list(years),
        {name: len(rows) for name, rows in changes.items()},
    )
    return changes


def recompute_summary(changes: dict[str, list[dict[str, Any]]]) -> str:
    """One line for the admin message and the management command."""
    parts = {"cases": "案件期限", "reviews": "审核期限", "disclosures": "公示期限"}
    return "；".join(f"{parts.get(name, name)} {len(rows)} 项" for name, rows in changes.items())



@dataclass(frozen=True, slots=True)
class CalendarYearOverview:
    """One year of the calendar in use: whether official data covers it, from where, and the days that differ
    from a plain Monday–Friday week (holidays on weekdays, make-up working days on weekends)."""

    year: int
    covered: bool
    entered: bool  # a State Council notice entered here (CalendarYear), not only the chinese_calendar package
    source: str
    days: tuple[DayInfo, ...]


def calendar_years_overview(*, today: dt.date) -> list[CalendarYearOverview]:
    """Last year, this year, next year and every year entered, oldest first (read by the API and the console)."""
    calendar = get_calendar()
    entered = dict(CalendarYear.objects.values_list("year", "source"))
    years = sorted({today.year - 1, today.year, today.year + 1, *entered})
    overview = []
    for year in years:
        day, days = dt.date(year, 1, 1), []
        while day.year == year:
            info = calendar.day_info(day)
            if info.is_workday != (day.weekday() < 5):
                days.append(info)
            day += dt.timedelta(days=1)
        covered = calendar.is_covered(year)
        source = entered.get(year) or ("chinese_calendar" if covered else "")
        overview.append(CalendarYearOverview(year=year, covered=covered, entered=year in entered, source=source,
                                             days=tuple(days)))  # fmt: skip
    return overview
