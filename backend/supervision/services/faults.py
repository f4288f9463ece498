"""过错追究: fault cases opened when a decision is revoked or found unlawful, their decision and closure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.supervision.models import (
    FaultCase,
)
from backend.supervision.selectors import responsible_chain
from backend.supervision.services.common import (
    FAULT_TRIGGER_KINDS,
    F,
    ensure_supervises,
    ensure_transition,
    now_and_today,
)

# --------------------------------------------------------------------------- 过错追究


def fault_case_open_for_correction(
    *, case_id: Any, agency_id: int, correction_id: int, kind: str, by: str, reason: str, reference: str
) -> FaultCase | None:
    """A 撤销/确认违法/确认无效 (the cases' ``DecisionCorrected``, supervision/subscribers.py) opens a fault
    case with the responsible chain read from the ledger; a 变更 opens none. Runs in the correction's
    transaction (it commits with it)."""
    if kind not in FAULT_TRIGGER_KINDS:
        return None
    from backend.cases.models import Case

    case = Case.objects.get(pk=case_id)
    fault = FaultCase.objects.create(
        agency_id=agency_id,
        case=case,
        correction_id=correction_id,
        trigger_kind=kind,
        trigger_by=by,
        trigger_reason=reason,
        chain=responsible_chain(case_id=case.pk),
        opened_at=timezone.now(),
    )
    audit_record(
        action="supervision.fault.opened",
        target=fault,
        case_id=case.pk,
        data={
            "trigger": "decision_corrected",
            "correction_id": correction_id,
            "kind": kind,
            "by": by,
            "reference": reference,
            "people": _chain_people(fault.chain),
        },
    )
    return fault


def _chain_people(chain: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"user_id": p["user_id"], "name": p["name"], "role": p["role"]} for p in chain]


@transaction.atomic
def fault_case_open(*, actor: User, context: AuditContext, case: Any, reason: str) -> FaultCase:
    """A supervisor opens a fault case on a decided case of a supervised agency (found by supervision)."""
    ensure_supervises(actor, case.agency_id)
    if not case.decision_number:
        raise PreconditionFailed("no_decision", "案件尚未作出决定")
    fault = FaultCase.objects.create(
        agency_id=case.agency_id,
        case=case,
        trigger_kind="supervision",
        trigger_reason=reason,
        chain=responsible_chain(case_id=case.pk),
        opened_by=actor,
        opened_at=timezone.now(),
    )
    audit_record(
        action="supervision.fault.opened",
        target=fault,
        context=context,
        actor=actor,
        case_id=case.pk,
        data={"trigger": "supervision", "reason": reason, "people": _chain_people(fault.chain)},
    )
    return fault


def _lock_fault(fault: FaultCase) -> FaultCase:
    return FaultCase.objects.select_for_update().get(pk=fault.pk)


@transaction.atomic
def fault_case_decide(
    *,
    fault: FaultCase,
    actor: User,
    context: AuditContext,
    finding: str,
    reasoning: str,
    responsible: list[dict[str, Any]],
    now: dt.datetime | None = None,
) -> FaultCase:
    """The supervisor records the finding and, when at fault, who answers for what and the measure taken.
    Only people of the responsible chain can be named: the record says why each of them is in it."""
    now, _ = now_and_today(now)
    fault = _lock_fault(fault)
    ensure_supervises(actor, fault.agency_id)
    ensure_transition(FaultCase, fault.status, F.DECIDED, "该过错追究案件")
    if finding == FaultCase.Finding.AT_FAULT and not responsible:
        raise ApplicationError(
            "responsible_required", "认定存在执法过错须写明责任人员", status=422, fields={"responsible": ["必填"]}
        )
    if finding != FaultCase.Finding.AT_FAULT and responsible:
        raise ApplicationError(
            "responsible_not_allowed",
            "未认定执法过错时不得列出责任人员",
            status=422,
            fields={"responsible": ["须为空"]},
        )
    in_chain = {p["user_id"]: p for p in fault.chain}
    named = []
    for entry in responsible:
        person = in_chain.get(str(entry["user_id"]))
        if person is None:
            raise ApplicationError(
                "not_in_chain", "责任人员须在责任链中", status=422, extra={"user_id": str(entry["user_id"])}
            )
        named.append(
            {
                "user_id": person["user_id"],
                "name": person["name"],
                "role": person["role"],
                "responsibility": entry["responsibility"],
                "measure": entry["measure"],
            }
        )
    fault.status, fault.finding, fault.reasoning, fault.responsible = F.DECIDED, finding, reasoning, named
    fault.decided_by, fault.decided_at = actor, now
    fault.save()
    audit_record(
        action="supervision.fault.decided",
        target=fault,
        context=context,
        actor=actor,
        case_id=fault.case_id,
        data={"finding": finding, "reasoning": reasoning, "responsible": named},
    )
    return fault


@transaction.atomic
def fault_case_close(
    *, fault: FaultCase, actor: User, context: AuditContext, note: str, now: dt.datetime | None = None
) -> FaultCase:
    now, _ = now_and_today(now)
    fault = _lock_fault(fault)
    ensure_supervises(actor, fault.agency_id)
    ensure_transition(FaultCase, fault.status, F.CLOSED, "该过错追究案件")
    fault.status, fault.closed_by, fault.closed_at, fault.close_note = F.CLOSED, actor, now, note
    fault.save()
    audit_record(
        action="supervision.fault.closed",
        target=fault,
        context=context,
        actor=actor,
        case_id=fault.case_id,
        data={"note": note},
    )
    return fault
