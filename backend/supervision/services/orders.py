"""责令纠正 / 执法监督意见书: a supervisor's correction order, the agency's answer, its review and the escalation of
overdue orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from backend.accounts.models import Agency, User
from backend.common.errors import ApplicationError, NotFound
from backend.ledger.services import AuditContext, audit_record
from backend.supervision.models import (
    CorrectionOrder,
    OrderCounter,
)
from backend.supervision.reminders import order_escalated_notify
from backend.supervision.services.common import (
    OS,
    ensure_head_of,
    ensure_supervises,
    ensure_transition,
    now_and_today,
    supervising_body,
)

# --------------------------------------------------------------------------- 责令纠正 / 执法监督意见书


def _next_order_number(agency: Agency, year: int, kind: str) -> str:
    counter, _ = OrderCounter.objects.select_for_update().get_or_create(agency=agency, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    word = "纠" if kind == CorrectionOrder.Kind.CORRECTION else "监"
    return f"{agency.name}执法监督{word}〔{year}〕{counter.last_value}号"


@transaction.atomic
def order_issue(
    *,
    actor: User,
    context: AuditContext,
    agency: Agency,
    kind: str,
    subject: str,
    findings: str,
    requirement: str,
    deadline: dt.date,
    legal_basis: str = "",
    case: Any = None,
    now: dt.datetime | None = None,
) -> CorrectionOrder:
    """A supervisor orders a supervised agency to correct a case or a practice by ``deadline``."""
    now, today = now_and_today(now)
    ensure_supervises(actor, agency.pk)
    if case is not None and case.agency_id != agency.pk:
        raise NotFound("案件不存在", code="case_not_found")
    if deadline <= today:
        raise ApplicationError(
            "invalid_deadline", "整改期限须晚于今天", status=422, fields={"deadline": ["须晚于今天"]}
        )
    body = supervising_body(actor)
    order = CorrectionOrder.objects.create(
        number=_next_order_number(body, today.year, kind),
        kind=kind,
        issuing_agency=body,
        agency=agency,
        case=case,
        subject=subject,
        findings=findings,
        requirement=requirement,
        legal_basis=legal_basis,
        deadline=deadline,
        issued_by=actor,
        issued_at=now,
    )
    audit_record(
        action="supervision.order.issued",
        target=order,
        context=context,
        actor=actor,
        case_id=order.case_id,
        data={
            "number": order.number,
            "kind": kind,
            "agency_id": agency.pk,
            "subject": subject,
            "findings": findings,
            "requirement": requirement,
            "deadline": deadline,
            "issuing_agency_id": actor.agency_id,
        },
    )
    return order


def _lock_order(order: CorrectionOrder) -> CorrectionOrder:
    return CorrectionOrder.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def order_answer(
    *, order: CorrectionOrder, actor: User, context: AuditContext, answer: str, now: dt.datetime | None = None
) -> CorrectionOrder:
    """The agency's head says what it corrected. After the deadline the answer is accepted and marked late."""
    now, today = now_and_today(now)
    order = _lock_order(order)
    ensure_head_of(actor, order.agency_id)
    ensure_transition(CorrectionOrder, order.status, OS.ANSWERED, "该监督文书")
    order.status = OS.ANSWERED
    order.answer = answer
    order.answered_by = actor
    order.answered_at = now
    order.answered_late = today > order.deadline
    order.save()
    audit_record(
        action="supervision.order.answered",
        target=order,
        context=context,
        actor=actor,
        case_id=order.case_id,
        data={"number": order.number, "answer": answer, "late": order.answered_late, "deadline": order.deadline},
    )
    return order


@transaction.atomic
def order_review(
    *,
    order: CorrectionOrder,
    actor: User,
    context: AuditContext,
    accept: bool,
    note: str = "",
    new_deadline: dt.date | None = None,
    now: dt.datetime | None = None,
) -> CorrectionOrder:
    """The supervisor accepts the answer (closed) or rejects it with a new deadline (issued again)."""
    now, today = now_and_today(now)
    order = _lock_order(order)
    ensure_supervises(actor, order.agency_id)
    target = OS.CLOSED if accept else OS.ISSUED
    ensure_transition(CorrectionOrder, order.status, target, "该监督文书")
    if accept:
        order.closed_at, order.closed_by, order.close_note = now, actor, note
    else:
        if new_deadline is None or new_deadline <= today:
            raise ApplicationError(
                "invalid_deadline",
                "退回重新整改须给出晚于今天的新期限",
                status=422,
                fields={"new_deadline": ["须晚于今天"]},
            )
        if not note:
            raise ApplicationError("reason_required", "退回重新整改须说明理由", status=422, fields={"note": ["必填"]})
        order.deadline, order.rejections, order.escalated_at = new_deadline, order.rejections + 1, None
        order.answered_late = False
    order.status = target
    order.save()
    audit_record(
        action="supervision.order.closed" if accept else "supervision.order.rejected",
        target=order,
        context=context,
        actor=actor,
        case_id=order.case_id,
        data={"number": order.number, "note": note, "new_deadline": new_deadline},
    )
    return order


def orders_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every order whose deadline has passed unanswered (督办): status ``escalated``, an audit event
    each, and a message to the agency's heads and the issuing supervisor (supervision/reminders.py). Safe to
    run concurrently and repeatedly (conditional UPDATE per order: escalated once)."""
    now, today = now_and_today(now)
    escalated = 0
    for order_id in CorrectionOrder.objects.filter(status=OS.ISSUED, deadline__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            if not CorrectionOrder.objects.filter(pk=order_id, status=OS.ISSUED).update(
                status=OS.ESCALATED, escalated_at=now
            ):
                continue  # answered or escalated meanwhile
            order = CorrectionOrder.objects.get(pk=order_id)
            audit_record(
                action="supervision.order.escalated",
                target=order,
                case_id=order.case_id,
                data={
                    "number": order.number,
                    "deadline": order.deadline,
                    "days_overdue": (today - order.deadline).days,
                    "issuing_agency_id": order.issuing_agency_id,
                },
            )
            order_escalated_notify(order, now=now)
            escalated += 1
    return escalated
