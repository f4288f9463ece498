"""What the notice services share: the agency's profile and redaction policy, the calendar, the publication and
display periods, the staff check, the row lock and the transition check, the audit call."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from backend import redaction
from backend.accounts.models import Agency, User
from backend.cases.models import PenaltyKind
from backend.common.errors import Forbidden, PreconditionFailed
from backend.common.workdays import Assume, Deadline, WorkdayCalendar, workdays_of
from backend.disclosures.models import (
    AgencyDisclosureProfile,
    Notice,
)
from backend.ledger.services import AuditContext, audit_record

# 暂扣/吊销许可证件 and 降低资质等级 touch a licence (双公示 field 许可证件); 警告, 通报批评 and 罚款 are the light
# kinds that may take the short display period (市场监督管理行政处罚信息公示规定 第十三条).
_LICENCE_KINDS = frozenset({PenaltyKind.SUSPEND_LICENCE, PenaltyKind.REVOKE_LICENCE, PenaltyKind.DOWNGRADE})
_LIGHT_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.CRITICISM, PenaltyKind.FINE})


def _calendar() -> WorkdayCalendar:
    from backend.common.calendar import get_calendar

    return get_calendar()


def _add_workdays(start: datetime.date, n: int) -> Deadline:
    """Working-day arithmetic on the official calendar for the agency's disclosure duties (publish, withdraw,
    answer). A year without official holiday data yet is counted with its statutory holidays and the result
    is ``provisional``; being a duty, it falls due on the earliest plausible day (DOMAIN §1.5(d)). A decision
    or a correction is never refused because next year's State Council notice has not been entered; the date
    is recomputed once it is (:func:`notices_recompute_for_calendar`) and the coverage alert asks for it."""
    return _calendar().add_workdays(start, n, assume=Assume.MOST_WORKDAYS)


def withdraw_workdays() -> int:
    """行政处罚法 第四十八条第二款、第八十五条: withdraw within 3 working days (the DISCLOSE_WITHDRAW rule; the
    statute fixes it, so no agency setting overrides it)."""
    return workdays_of("DISCLOSE_WITHDRAW")


def profile_for(agency: Agency) -> AgencyDisclosureProfile:
    profile = getattr(agency, "_disclosure_profile_cache", None)
    if profile is None:
        profile, _ = AgencyDisclosureProfile.objects.get_or_create(agency=agency)
        agency._disclosure_profile_cache = profile  # type: ignore[attr-defined]
    return profile


def policy_for(agency: Agency) -> redaction.RedactionPolicy:
    return redaction.RedactionPolicy.from_dict(profile_for(agency).redaction_policy or {})


def _require_staff(actor: User | None, agency_id: int, *roles: str) -> None:
    if actor is None or not actor.is_authenticated:
        raise Forbidden()
    if actor.agency_id != agency_id:
        raise Forbidden("只能处理本机关的公示信息", code="other_agency")
    if roles and not actor.has_role(*roles):
        raise Forbidden("当前角色无权执行此操作", code="role_not_allowed")


def _lock(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().get(pk=notice.pk)


def _ensure_transition(notice: Notice, target: str) -> None:
    if target not in Notice.TRANSITIONS[notice.status]:
        raise PreconditionFailed(
            "notice_invalid_transition",
            f"公示信息当前状态为“{notice.get_status_display()}”，不能变为“{Notice.Status(target).label}”",
            extra={"status": notice.status, "target": target},
        )


def _audit(
    action: str,
    notice: Notice,
    context: AuditContext | None,
    data: dict[str, Any] | None = None,
    *,
    actor: User | None = None,
) -> None:
    audit_record(
        action=action,
        target=notice,
        context=context,
        actor=actor,
        agency_id=notice.agency_id,
        case_id=notice.case_id,
        data={"decision_number": notice.decision_number, "status": notice.status, **(data or {})},
    )


def due_date_for(*, decision_date: datetime.date, decision_kind: str, profile: AgencyDisclosureProfile) -> Deadline:
    """国办发〔2018〕118号 (六): penalty decisions within 7 working days, others within 20 (configurable)."""
    days = (
        profile.penalty_deadline_workdays
        if decision_kind == Notice.DecisionKind.PENALTY
        else profile.other_deadline_workdays
    )
    return _add_workdays(decision_date, days)


def display_until_for(
    *, notice: Notice, profile: AgencyDisclosureProfile, published_on: datetime.date
) -> datetime.date:
    """End of the display period (市场监督管理行政处罚信息公示规定 第十三条, per agency).

    Short period (default 3 months) for 通报批评 and low fines when nothing heavier was imposed; the long
    period (default 3 years) otherwise; a restriction lasting longer than that keeps it on display.
    """
    kinds = set(notice.penalty_kind_list)
    short_kinds = set(profile.short_display_kinds or [])
    heavy = bool(kinds - _LIGHT_KINDS)
    fine_is_low = (
        "fine" in kinds
        and profile.low_fine_threshold is not None
        and (notice.fine_amount or Decimal(0)) <= profile.low_fine_threshold
    )
    fine_is_high = "fine" in kinds and not fine_is_low
    short = not heavy and not fine_is_high and bool(kinds & short_kinds or fine_is_low)
    months = profile.display_months_short if short else profile.display_months_default
    calendar = _calendar()
    until = calendar.add_months(published_on, months, roll_forward=False).due
    if notice.penalty_valid_until and notice.penalty_valid_until > until:
        until = notice.penalty_valid_until
    return until
