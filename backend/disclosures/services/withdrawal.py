"""Withdrawal (撤回) of a notice, by hand and when the decision is changed (变更/撤销/确认违法/确认无效), with its
public reason and the 3-working-day withdrawal period."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend import redaction
from backend.accounts.models import Role, User
from backend.common.errors import ApplicationError
from backend.disclosures import revision
from backend.disclosures.models import (
    Notice,
    WithdrawalKind,
)
from backend.disclosures.services.common import (
    _add_workdays,
    _audit,
    _ensure_transition,
    _lock,
    _require_staff,
    policy_for,
    withdraw_workdays,
)
from backend.disclosures.services.creation import notice_create_for_decision
from backend.ledger.services import AuditContext


def _withdrawal_kind(kind: str) -> str:
    # Internal callers may name the kind by its Chinese label (变更, 撤销 …): the labels of the one enum, not a
    # second list of words.
    by_label = {str(label): value for value, label in WithdrawalKind.choices}
    kind = by_label.get(str(kind), str(kind))
    if kind not in WithdrawalKind.values:
        raise ApplicationError(
            "withdrawal_kind_invalid", "撤回类型无效", status=422, extra={"allowed": list(WithdrawalKind.values)}
        )
    return kind


@transaction.atomic
def notice_withdraw(
    *,
    notice: Notice,
    reason: str,
    kind: str,
    actor: User | None = None,
    triggered_on: datetime.date | None = None,
    context: AuditContext | None = None,
) -> Notice:
    """Withdraw a notice (行政处罚法 第四十八条第二款): due 3 working days after the decision was changed,
    revoked, or confirmed illegal or void; the public page stays, marked 撤回, with the (redacted) reason
    and without the decision's content."""
    if actor is not None:
        _require_staff(actor, notice.agency_id, Role.DISCLOSURE_MANAGER, Role.AGENCY_HEAD)
    kind = _withdrawal_kind(kind)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("withdrawal_reason_required", "撤回须公开说明理由", status=422)
    notice = _lock(notice)
    _ensure_transition(notice, Notice.Status.WITHDRAWN)
    today = timezone.localdate()
    triggered_on = triggered_on or today
    policy = policy_for(notice.agency)
    party = {k: v for k, v in dict(notice.original.get("party") or {}).items() if v not in (None, "")}
    public_reason = redaction.redact_text(
        reason, parties=[party] if party else [], keep_phrases=[notice.agency_name], policy=policy
    ).text
    was_public = notice.was_public
    notice.status = Notice.Status.WITHDRAWN
    notice.withdrawal_kind = kind
    notice.withdrawal_reason = public_reason
    notice.withdrawal_triggered_on = triggered_on
    withdrawal_due = _add_workdays(triggered_on, withdraw_workdays())
    notice.withdrawal_due, notice.withdrawal_due_provisional = withdrawal_due.due, withdrawal_due.provisional
    notice.withdrawn_at = timezone.now()
    notice.withdrawn_by = actor
    notice.withdrawn_late = was_public and today > notice.withdrawal_due
    notice.version += 1
    if was_public:
        revision.bump()
    notice.save()
    _audit(
        "notice.withdrawn",
        notice,
        context,
        {
            "kind": kind,
            "reason": public_reason,
            "triggered_on": triggered_on,
            "due": notice.withdrawal_due,
            "late": notice.withdrawn_late,
            "was_public": was_public,
        },
        actor=actor,
    )
    return notice


def notice_withdraw_for_case(
    *,
    case: Any,
    reason: str,
    kind: str,
    triggered_on: datetime.date | None = None,
    context: AuditContext | None = None,
) -> None:
    """Hook called by the cases service on 变更/撤销/确认违法/确认无效 (CONTRACTS.md): withdraw every live
    notice of the case at once, well inside the 3-working-day limit."""
    with transaction.atomic():
        live = Notice.objects.select_for_update().filter(
            case=case, status__in=[Notice.Status.DRAFT, Notice.Status.PUBLISHED, Notice.Status.EXPIRED]
        )
        withdrawn = [
            notice_withdraw(notice=notice, reason=reason, kind=kind, triggered_on=triggered_on, context=context)
            for notice in live
        ]
        # A changed decision (变更) stays in force with new content: publish it as a new notice that links
        # to the withdrawn one (国办发〔2018〕118号 (六)).
        if (
            _withdrawal_kind(kind) == WithdrawalKind.CHANGED
            and any(n.was_public for n in withdrawn)
            and (getattr(case, "decided_measures", None) or [])
        ):
            notice_create_for_decision(case=case, context=context)
