"""Retention of the file, legal hold and the purge of personal data when the term ends."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.cases.masking import PERSONAL_FIELDS
from backend.cases.models import (
    Case,
)
from backend.cases.services.common import (
    ensure_may_act,
    ensure_version,
    lock_case,
    save_case,
)
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record

# --------------------------------------------------------------------------- retention and legal hold


@transaction.atomic
def case_set_retention(
    *, case: Case, actor: User, context: AuditContext, legal_hold: bool | None = None, reason: str = "",
    retention_term: str | None = None, retention_until: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """The head sets the retention term and places or lifts a legal hold (archives, litigation)."""
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    before = {"legal_hold": case.legal_hold, "retention_term": case.retention_term,
              "retention_until": case.retention_until}
    if legal_hold is not None:
        if legal_hold and not reason:
            raise ApplicationError("reason_required", "设置法律保全须说明理由", status=422)
        case.legal_hold = legal_hold
        case.legal_hold_reason = reason if legal_hold else ""
    if retention_term is not None:
        case.retention_term = retention_term
    if retention_until is not None:
        case.retention_until = retention_until
    save_case(case)
    audit_record(action="case.retention_changed", target=case, context=context, case_id=case.id, data={
        "before": before,
        "after": {"legal_hold": case.legal_hold, "retention_term": case.retention_term,
                  "retention_until": case.retention_until},
        "reason": reason,
        "version": case.version,
    })
    return case


def case_ensure_purgeable(*, case: Case, today: dt.date | None = None) -> None:
    """Refuse to purge anything of a case under legal hold or inside its retention term (DOMAIN.md §3
    item 9: 保存期限内不得销毁)."""
    today = today or timezone.localdate()
    if case.legal_hold:
        raise PreconditionFailed(
            "legal_hold", "案件处于法律保全状态，不得销毁", extra={"reason": case.legal_hold_reason}
        )
    if case.is_open or case.archived_on is None:
        raise PreconditionFailed("case_not_archived", "案件尚未归档，不得销毁")
    if case.retention_until is None or today <= case.retention_until:
        raise PreconditionFailed(
            "retention_term_not_elapsed", "案卷保存期限未满，不得销毁",
            extra={"retention_term": case.retention_term,
                   "retention_until": case.retention_until.isoformat() if case.retention_until else None},
        )


@transaction.atomic
def case_purge_personal_data(
    *, case: Case, actor: User, context: AuditContext, today: dt.date | None = None
) -> Case:
    """Erase the parties' personal data of an archived case whose term has elapsed (个人信息保护法
    第四十七条). The case skeleton and its audit trail stay; the ledger never held the values."""
    case = lock_case(case)
    if actor.agency_id != case.agency_id or not actor.has_role(Role.AGENCY_HEAD):
        raise Forbidden("该操作须由机关负责人作出", code="head_required")
    case_ensure_purgeable(case=case, today=today)
    for name in PERSONAL_FIELDS:
        setattr(case, name, "已删除" if name == "party_name" else "")
    save_case(case)
    audit_record(action="case.personal_data_purged", target=case, context=context, case_id=case.id,
                 data={"fields": sorted(PERSONAL_FIELDS), "version": case.version})
    return case
