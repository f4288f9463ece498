"""What the supervision services share: the clock, the status guard, who supervises or heads an agency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from backend.accounts.models import Agency, Role, User
from backend.cases.models import DecisionCorrection
from backend.common.errors import Forbidden, NotFound, PreconditionFailed
from backend.supervision.models import (
    CorrectionOrder,
    FaultCase,
)
from backend.supervision.selectors import supervised_agency_ids

OS = CorrectionOrder.Status
F = FaultCase.Status

# 撤销、确认违法、确认无效 of a decision mean it was wrong: whoever made it answers for it (过错追究). A 变更
# (changed penalty) alone opens nothing; a supervisor may still open a fault case by hand.
FAULT_TRIGGER_KINDS = frozenset({
    DecisionCorrection.Kind.REVOKED, DecisionCorrection.Kind.CONFIRMED_ILLEGAL, DecisionCorrection.Kind.CONFIRMED_VOID,
})


def now_and_today(now: dt.datetime | None) -> tuple[dt.datetime, dt.date]:
    now = now or timezone.now()
    return now, timezone.localdate(now)


def ensure_transition(model: Any, current: str, target: str, label: str) -> None:
    if target not in model.TRANSITIONS[current]:
        raise PreconditionFailed(
            "transition_not_allowed",
            f"{label}当前状态为“{model.Status(current).label}”，不能办理此操作",
            extra={"status": current},
        )


def ensure_supervises(actor: User, agency_id: int) -> None:
    """Only a supervisor of a body above the agency acts on it (吉林省行政执法监督条例: 上级对下级)."""
    if not actor.has_role(Role.SUPERVISOR):
        raise Forbidden("仅执法监督人员可以办理", code="supervisor_required")
    if agency_id not in supervised_agency_ids(actor):
        raise NotFound("执法主体不存在", code="agency_not_found")


def supervising_body(actor: User) -> Agency:
    """The supervising body a supervisor acts for (its own agency: a supervisor without one supervises none)."""
    if not actor.has_role(Role.SUPERVISOR) or actor.agency is None:
        raise Forbidden("仅执法监督人员可以办理", code="supervisor_required")
    return actor.agency


def ensure_head_of(actor: User, agency_id: int) -> None:
    if not (actor.has_role(Role.AGENCY_HEAD) and actor.agency_id == agency_id):
        raise Forbidden("仅被监督机关的负责人可以答复", code="agency_head_required")
