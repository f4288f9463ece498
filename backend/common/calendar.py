"""The working-day calendar as the service uses it: ``chinese_calendar`` plus the admin-edited
:class:`~backend.common.models.HolidayOverride` table (see :mod:`backend.common.workdays`).

Built once per process and rebuilt when an override or calendar year changes (a cache version bump, so
every gunicorn worker and Celery worker picks the change up on its next call).
"""

from __future__ import annotations

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
    """The current calendar. ``strict=True`` raises ``CalendarNotCovered`` for an uncovered year instead of
    a provisional date (disclosure due dates must fail loudly); otherwise weekends-only is assumed for
    such a year and the deadline is marked provisional."""
    version = cache.get(_VERSION_KEY, 0)
    if _built[strict] is None or _built["version"] != version:
        _build()
        _built["version"] = version
    return _built[strict]  # type: ignore[return-value]


def invalidate_calendar(**_kwargs: object) -> None:
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, timeout=None)
    _built[False] = _built[True] = None


for _model in (HolidayOverride, CalendarYear):
    post_save.connect(invalidate_calendar, sender=_model, dispatch_uid=f"calendar-{_model.__name__}-save")
    post_delete.connect(invalidate_calendar, sender=_model, dispatch_uid=f"calendar-{_model.__name__}-delete")
