"""What every execution step does first: lock the case, check the version, who acts and the case status."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from backend.accounts.models import User
from backend.cases.models import Case, DecisionOutcome
from backend.cases.services.common import ensure_may_act, ensure_version, lock_case
from backend.common.clock import ensure_not_future
from backend.common.errors import PreconditionFailed
from backend.execution.workflow import STEPS, Step


def begin(*, step: str, case: Case, actor: User, expected_version: int | None) -> tuple[Case, Step]:
    """Lock the case (its services and these serialise on that row), then the row's checks."""
    row = STEPS[step]
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who=row.who)
    if not row.needs_decision:
        if not case.is_open:
            raise PreconditionFailed("case_closed", f"案件已结案，不能{row.label}")
        return case, row
    if case.decision_outcome != DecisionOutcome.PENALTY or not case.decision_number:
        raise PreconditionFailed("no_decision", "案件尚未作出行政处罚决定")
    if case.status not in row.statuses:
        raise PreconditionFailed(
            "step_not_allowed",
            f"案件当前状态为“{case.get_status_display()}”，不能{row.label}",
            extra={"status": case.status, "step": row.name, "allowed_from": sorted(row.statuses)},
        )
    return case, row


def act_date(value: dt.date | None, now: dt.datetime, field: str, label: str) -> dt.date:
    """The day the act happened as reported (offline work), never in the future; today when omitted."""
    ensure_not_future(value, field=field, now=now, label=label)
    return value if value is not None else timezone.localdate(now)
