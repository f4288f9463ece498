"""The one strict parser for numbers and dates that clients send as text (query strings, headers, path
segments, tus metadata).

Why not ``str.isdigit()`` + ``int()``: ``isdigit`` is true for ``³`` and ``①``, which ``int()`` then refuses
(a 500), while ``int()`` alone accepts ``٣``, ``+3``, `` 3 `` and ``3_000``. Clients speak ASCII: only
``[0-9]+`` is a number here, bounded so it always fits a 64-bit database column (SQLite and PostgreSQL
``bigint`` both stop at 2**63 − 1; an unbounded value overflows in the driver, another 500).

Dates: a client date must lie in :data:`CLIENT_DATE_MIN` … :data:`CLIENT_DATE_MAX`. Year 0, year 10000 and
an offset that carries 9999-12-31 past the end of the calendar raise in Python's ``datetime``; and dates
centuries away make day-by-day deadline arithmetic (workdays.py) spin. Nothing this service records —
enforcement acts under 行政处罚法 (1996), their evidence and their deadlines — falls outside the range.
"""

from __future__ import annotations

import datetime
import re
from typing import Final, TypeGuard

from django.utils import timezone

from backend.common.errors import ApplicationError

INT64_MAX: Final = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)

CLIENT_DATE_MIN: Final = datetime.date(1970, 1, 1)
CLIENT_DATE_MAX: Final = datetime.date(2199, 12, 31)

# RFC 3339 / ISO 8601 date-time, ASCII digits only (``\d`` would take any Unicode digit).
_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)"
    r"(?P<tz>[Zz]|[+-][0-9]{2}:?[0-9]{2})?",
    re.ASCII,
)


def is_ascii_int(value: str | None) -> TypeGuard[str]:
    """Whether ``value`` is a plain non-negative decimal integer (``[0-9]+``) that fits a 64-bit column."""
    if not value or len(value) > 19 or _ASCII_DIGITS.fullmatch(value) is None:
        return False
    return int(value) <= INT64_MAX


def parse_int(
    value: str | None,
    *,
    field: str,
    minimum: int = 0,
    maximum: int = INT64_MAX,
    code: str = "invalid_integer",
    status: int = 400,
) -> int:
    """``value`` as an int in ``minimum … maximum``, or an :class:`ApplicationError` (``code``, 400) naming
    ``field``. Leading/trailing blanks, signs, ``_`` and non-ASCII digits are refused."""
    if value is None or not is_ascii_int(value) or not minimum <= int(value) <= maximum:
        raise ApplicationError(
            code,
            f"{field} 须为 {minimum} 至 {maximum} 之间的整数",
            status=status,
            extra={"field": field, "minimum": minimum, "maximum": maximum},
        )
    return int(value)


def int_or_none(value: str | None, *, minimum: int = 0, maximum: int = INT64_MAX) -> int | None:
    """``value`` as an int in range, or None (for lenient query parameters that fall back to a default)."""
    if value is None or not is_ascii_int(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def date_in_range(value: datetime.date) -> bool:
    """Whether ``value`` (a date, or a datetime by its own wall-clock date) lies in the client range.

    The range stays centuries away from ``date.min``/``date.max``, so converting an accepted value to UTC
    or adding any statutory period to it can never overflow."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return CLIENT_DATE_MIN <= value <= CLIENT_DATE_MAX


def date_range_message() -> str:
    return f"日期须在 {CLIENT_DATE_MIN.isoformat()} 至 {CLIENT_DATE_MAX.isoformat()} 之间"


def parse_client_datetime(
    value: str | None, *, field: str, code: str, require_timezone: bool = False
) -> datetime.datetime | None:
    """An ISO 8601 / RFC 3339 date-time from a client, aware, within the client date range.

    ``None`` when ``value`` is empty. Anything malformed, out of range or (with ``require_timezone``)
    without an offset raises ``ApplicationError(code, 400)``. A naive value is taken in the server's zone.
    """
    if not value:
        return None
    message = f"{field} 须为 ISO 8601 时间（如 2026-05-01T08:30:00+08:00），{date_range_message()}"
    match = _DATETIME.fullmatch(value.strip())
    if match is None or (require_timezone and not match["tz"]):
        raise ApplicationError(code, message, status=400, extra={"field": field})
    text = value.strip().replace("z", "Z").replace("t", "T")
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ApplicationError(code, message, status=400, extra={"field": field}) from None
    if not date_in_range(parsed):
        raise ApplicationError(code, message, status=400, extra={"field": field})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse_client_date(value: str | None, *, field: str, code: str = "invalid_date") -> datetime.date | None:
    """``YYYY-MM-DD`` (ASCII) within the client date range; ``None`` when empty."""
    if not value:
        return None
    message = f"{field} 须为 YYYY-MM-DD 日期，{date_range_message()}"
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, re.ASCII):
        raise ApplicationError(code, message, status=400, extra={"field": field})
    try:
        parsed = datetime.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(code, message, status=400, extra={"field": field}) from None
    if not date_in_range(parsed):
        raise ApplicationError(code, message, status=400, extra={"field": field})
    return parsed
