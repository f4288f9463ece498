"""The working-day calendar as the service uses it: ``chinese_calendar`` plus the admin-edited
:class:`~backend.common.models.HolidayOverride` table (see :mod:`backend.common.workdays`).

Built once per process and rebuilt when an override or calendar year changes (a cache version bump, so
every gunicorn worker and Celery worker picks the change up on its next call).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from backend.common.models import CalendarYear, HolidayOverride
from backend.common.workdays import DayOverride, WorkdayCalendar

_VERSION_KEY = "workday-calendar-version"
_built: dict[str, object] = {"version": None, False: None, True: None}


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
