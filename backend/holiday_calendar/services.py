"""Enter a year's holidays from the State Council's notice: preview, confirm, save, recompute (issue 13 §1).

The text is parsed by :mod:`backend.common.holiday_notice`; an administrator sees the parsed rest and make-up
days, and what changes against the calendar in use, before saving (Django admin "导入国务院放假通知", the
``import_holiday_notice`` command, or ``POST /api/v1/calendar/notices/``). Saving replaces that year's
``HolidayOverride`` rows with the notice's days, marks the year complete (``CalendarYear``), writes one ledger
entry with everything saved and removed, and runs the one recompute job (:func:`~backend.common.calendar.
calendar_recompute`) in the same transaction, so the deadlines and the calendar never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from backend.common.calendar import calendar_recompute, get_calendar, invalidate_calendar
from backend.common.errors import ApplicationError
from backend.common.holiday_notice import NoticeParseError, ParsedNotice, parse_notice
from backend.common.models import CalendarYear, HolidayOverride
from backend.ledger.services import AuditContext, audit_record


@dataclass(frozen=True, slots=True)
class DayChange:
    date: dt.date
    is_workday: bool
    name: str
    was_workday: bool
    was_source: str

    @property
    def changes(self) -> bool:
        return self.is_workday != self.was_workday


@dataclass(frozen=True, slots=True)
class NoticePreview:
    notice: ParsedNotice
    days: tuple[DayChange, ...]
    removed: tuple[dt.date, ...]  # entered rows of the year that the notice does not name
    already_entered: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.notice.year,
            "document_number": self.notice.document_number,
            "entries": [
                {"name": e.name, "rest": list(e.rest), "work": list(e.work), "stated_days": e.stated_days}
                for e in self.notice.entries
            ],
            "days": [
                {"date": d.date, "is_workday": d.is_workday, "name": d.name, "was_workday": d.was_workday,
                 "was_source": d.was_source, "changes": d.changes}
                for d in self.days
            ],
            "removed": list(self.removed),
            "warnings": list(self.notice.warnings),
            "already_entered": self.already_entered,
        }


def _parse(text: str, year: int | None) -> ParsedNotice:
    try:
        return parse_notice(text, year=year)
    except NoticeParseError as exc:
        raise ApplicationError(
            "holiday_notice_unreadable", "无法解析放假通知：" + "；".join(exc.problems), status=422,
            extra={"problems": exc.problems},
        ) from exc


def holiday_notice_preview(*, text: str, year: int | None = None) -> NoticePreview:
    """What saving the notice would enter, against the calendar in use (nothing is written)."""
    notice = _parse(text, year)
    calendar = get_calendar()
    days = tuple(
        DayChange(date=day, is_workday=entry.is_workday, name=entry.name or "",
                  was_workday=calendar.day_info(day).is_workday, was_source=calendar.day_info(day).source)
        for day, entry in sorted(notice.days().items())
    )
    named = set(notice.days())
    removed = tuple(
        HolidayOverride.objects.filter(date__year=notice.year).exclude(date__in=named).values_list("date", flat=True)
    )
    return NoticePreview(
        notice=notice, days=days, removed=removed,
        already_entered=CalendarYear.objects.filter(year=notice.year).exists(),
    )


@transaction.atomic
def holiday_notice_import(
    *, text: str, year: int | None = None, source: str = "", today: dt.date, context: AuditContext,
) -> tuple[NoticePreview, dict[str, list[dict[str, Any]]]]:
    """Save the notice's days for its year and recompute every deadline that depended on it.

    Returns the preview that was saved and the recompute job's changes per app.
    """
    preview = holiday_notice_preview(text=text, year=year)
    notice = preview.notice
    source = (source or notice.document_number or f"国务院办公厅关于{notice.year}年部分节假日安排的通知")[:200]
    HolidayOverride.objects.filter(date__in=preview.removed).delete()
    for day, entry in notice.days().items():
        HolidayOverride.objects.update_or_create(
            date=day, defaults={"is_workday": entry.is_workday, "name": (entry.name or "")[:50], "source": source},
        )
    previous = CalendarYear.objects.filter(year=notice.year).values_list("source", flat=True).first()
    CalendarYear.objects.update_or_create(year=notice.year, defaults={"source": source})
    invalidate_calendar()
    audit_record(
        action="calendar.notice_imported",
        target_type="common.calendaryear",
        target_id=str(notice.year),
        context=context,
        data={
            "year": notice.year,
            "source": source,
            "previous_source": previous,
            "rest": sorted(d for d, e in notice.days().items() if not e.is_workday),
            "work": sorted(d for d, e in notice.days().items() if e.is_workday),
            "removed": list(preview.removed),
            "changed_days": [d.date for d in preview.days if d.changes],
        },
    )
    changes = calendar_recompute(years=[notice.year], today=today, context=context)
    return preview, changes
