"""The one rule for dates a client sends about acts already done: they cannot lie in the future.

The field app records acts offline and syncs later (api_docs/guides/sync.md), so the server accepts the
date the act really happened (``performed_at``, ``served_on``, ``clue_received_on``, ...) — but never one
after the server's own time: a case cannot be received, served or registered tomorrow, and a future date
would open deadlines in the future (a 2030 线索 opened a 2030 核查 limit). A device clock slightly ahead is
tolerated (``CLIENT_CLOCK_SKEW_SECONDS``, default 10 minutes; the app compares its clock with the
``X-Server-Time`` header); a date is in the future when it is after the local (Asia/Shanghai) date of
``now`` plus that tolerance.

Refusals answer 400 ``date_in_future`` with the field named in ``fields`` and ``extra.server_time``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from backend.common.errors import ApplicationError

DATE_IN_FUTURE = "date_in_future"


def clock_skew_tolerance() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "CLIENT_CLOCK_SKEW_SECONDS", 600))


def latest_accepted(now: dt.datetime, tolerance: dt.timedelta | None = None) -> dt.datetime:
    """The latest moment a client may report for an act done by ``now`` (server time)."""
    return now + (clock_skew_tolerance() if tolerance is None else tolerance)


def is_in_future(
    value: dt.date | dt.datetime, *, now: dt.datetime, tolerance: dt.timedelta | None = None
) -> bool:
    """Pure check: ``value`` (a date or an aware datetime) lies after ``now`` beyond the tolerance.

    A date is compared with the local date of ``now + tolerance``: today is accepted, tomorrow only
    within the tolerance before midnight.
    """
    limit = latest_accepted(now, tolerance)
    if isinstance(value, dt.datetime):
        return value > limit
    return value > timezone.localdate(limit)


def ensure_not_future(
    value: dt.date | dt.datetime | None, *, field: str, now: dt.datetime, label: str = "日期"
) -> None:
    """Refuse (400 ``date_in_future``) a client-sent date of an act that lies in the future."""
    if value is None or not is_in_future(value, now=now):
        return
    message = f"{label}不能晚于当前时间"
    raise ApplicationError(
        DATE_IN_FUTURE,
        message,
        status=400,
        fields={field: [message]},
        extra={
            "value": value.isoformat(),
            "server_time": now.isoformat(),
            "tolerance_seconds": int(clock_skew_tolerance().total_seconds()),
        },
    )


DATE_BEFORE_PREVIOUS_ACT = "date_before_previous_act"


def ensure_not_before(
    value: dt.date | None, *, field: str, previous: dict[str, dt.date | None], label: str = "日期"
) -> None:
    """Refuse (422 ``date_before_previous_act``) the date of an act earlier than an act it follows.

    ``previous`` names the acts this one follows (``{"作出决定": case.decided_on, ...}``; ``None`` for an act
    not done). A decision cannot be served before it was made, a hearing requested before the notice of the
    right to one (行政处罚法 第四十四条、第六十四条), a decision revoked before it existed: such a record
    would move statutory periods that run from the earlier act (第六十一条 service, 第六十四条 hearing
    request). The same day is accepted (acts of one day have no order by date).
    """
    if value is None:
        return
    known = {name: day for name, day in previous.items() if day is not None}
    if not known:
        return
    name, latest = max(known.items(), key=lambda item: item[1])
    if value >= latest:
        return
    message = f"{label}（{value.isoformat()}）不能早于{name}的日期（{latest.isoformat()}）"
    raise ApplicationError(
        DATE_BEFORE_PREVIOUS_ACT,
        message,
        status=422,
        fields={field: [message]},
        extra={"value": value.isoformat(), "previous_act": name, "previous_on": latest.isoformat()},
    )
