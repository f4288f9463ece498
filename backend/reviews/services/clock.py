"""The one clock of the review time limit (案件审核 / 法制审核).

The round holds it: received on ``received_on``, ``time_limit_workdays`` plus approved ``extension_workdays``
plus the working days paused while materials were supplemented (``paused_workdays``; ``paused_since`` while
the pause lasts), giving ``due_on`` (市场监督管理行政处罚程序规定 第五十五条; 内蒙古…办法 第三十一条: 补充材料的
时间不计入). Everything that moves it — submission, a supplement request (pause) and its answer (resume), an
approved extension (the reviewer's request or the head's own approval from the case), the opinion, a
withdrawal — changes the round and then calls :func:`review_clock_show`, which writes the case's
CASE_REVIEW/LEGAL_REVIEW row from it. The sweeps read the round (``reminders.py``); the case sweep skips
those rows (``backend.cases.deadlines.EXTERNAL_CLOCK_CODES``). So a paused or extended review is never
flagged overdue by a second, stale clock.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from backend.cases.deadlines import deadline_show_external
from backend.cases.models import CaseDeadline
from backend.common.workcalendar import Assume
from backend.reviews.checklist import ReviewKind
from backend.reviews.models import ReviewExtension, ReviewRound
from backend.reviews.services.common import _calendar

RS = ReviewRound.Status
ST = CaseDeadline.State


def review_clock_code(round_: ReviewRound) -> str:
    return "LEGAL_REVIEW" if round_.kind == ReviewKind.LEGAL_REVIEW else "CASE_REVIEW"


def review_due(*, received_on: dt.date, workdays: int) -> tuple[dt.date, bool]:
    """The due date ``workdays`` working days after receipt (start day not counted), and whether it is
    provisional (a year without official holiday data). The review limit is the agency's duty: in a year
    without official holiday data it falls due on the earliest plausible day (DOMAIN.md §1.5(d))."""
    result = _calendar().add_workdays(received_on, workdays, assume=Assume.MOST_WORKDAYS)
    return result.due, bool(result.provisional)


def review_clock_recompute(round_: ReviewRound) -> None:
    """Set ``due_on`` from the round's own parts (limit + extensions + paused working days)."""
    total = round_.time_limit_workdays + round_.extension_workdays + round_.paused_workdays
    round_.due_on, round_.due_provisional = review_due(received_on=round_.received_on, workdays=total)


def review_clock_state(round_: ReviewRound, today: dt.date) -> str:
    """Pure: the deadline state the round's clock is in on ``today``."""
    if round_.status == RS.COMPLETED:
        return ST.MET
    if round_.status == RS.WITHDRAWN:
        return ST.CANCELLED
    if round_.status == RS.SUPPLEMENTING:
        return ST.PAUSED
    return ST.OVERDUE if round_.due_on < today else ST.DUE


def review_clock_show(round_: ReviewRound, *, today: dt.date | None = None) -> CaseDeadline:
    """Write the case's CASE_REVIEW/LEGAL_REVIEW row from the round (inside the caller's transaction)."""
    today = today or timezone.localdate()
    met_on = timezone.localdate(round_.completed_at) if round_.status == RS.COMPLETED and round_.completed_at else None
    return deadline_show_external(
        case=round_.case,
        code=review_clock_code(round_),
        anchor_on=round_.received_on,
        due_on=round_.due_on,
        provisional=round_.due_provisional,
        state=review_clock_state(round_, today),
        extensions=round_.extensions.filter(status=ReviewExtension.Status.APPROVED).count(),
        paused_days=round_.paused_workdays,
        met_on=met_on,
    )
