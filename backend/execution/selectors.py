"""Reads of the execution app: the account of a decision (what is owed, paid and left) and the records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from backend.cases.models import Case, CaseDeadline, CashCollection, DecisionState, PenaltyKind
from backend.cases.rules import Surcharge, surcharge_accrued
from backend.common.errors import NotFound
from backend.execution.models import (
    CorrectionOrder,
    EnforcementAction,
    EnforcementReminder,
    Payment,
    PaymentPlan,
    PropertyItem,
    Remedy,
    Transfer,
)

ZERO = Decimal("0.00")
VOID_STATES = (DecisionState.REVOKED, DecisionState.CONFIRMED_VOID)


@dataclass(frozen=True)
class PaymentLine:
    paid_on: dt.date
    amount: Decimal
    channel: str
    reference: str


@dataclass(frozen=True)
class InstalmentLine:
    seq: int
    due_on: dt.date
    last_day: dt.date
    amount: Decimal
    paid: Decimal
    overdue: bool


@dataclass(frozen=True)
class Account:
    """The money side of a decision on ``as_of`` (all amounts in yuan).

    ``owed``: the fine plus 没收违法所得 as decided now (after any 变更); nothing when the decision was 撤销 or
    确认无效. Payments go to the fine first, then the confiscated gains, then the surcharge.
    """

    as_of: dt.date
    fine: Decimal
    confiscated_gains: Decimal
    owed: Decimal
    due_on: dt.date | None
    surcharge: Surcharge
    paid: Decimal
    balance: Decimal
    refund_due: Decimal
    decision_void: bool
    remedy_pending: bool
    payments: list[PaymentLine] = field(default_factory=list)
    plan_id: int | None = None
    instalments: list[InstalmentLine] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.decision_void:
            return "void"
        if self.owed == 0:
            return "nothing_owed"
        if self.balance == 0:
            return "paid"
        if self.due_on is None:
            return "not_served"
        if self.surcharge.amount > 0 or any(i.overdue for i in self.instalments):
            return "overdue"
        if self.due_on < self.as_of and self.balance > 0:
            return "overdue"
        return "due"

    def as_data(self) -> dict[str, Any]:
        return {
            "balance": str(self.balance),
            "paid": str(self.paid),
            "owed": str(self.owed),
            "surcharge": str(self.surcharge.amount),
            "state": self.state,
        }


def payment_lines(*, case: Case) -> list[PaymentLine]:
    """Recorded payments and a fine collected on the spot (行政处罚法 第六十八条), oldest first."""
    lines = [PaymentLine(p.paid_on, p.amount, p.channel, p.reference) for p in Payment.objects.filter(case=case)]
    cash = CashCollection.objects.filter(case=case).first()
    if cash is not None:
        lines.append(PaymentLine(cash.collected_at.date(), cash.amount, "on_site", cash.receipt_number))
    return sorted(lines, key=lambda line: (line.paid_on, line.reference))


def remedy_spans(*, case: Case) -> list[tuple[dt.date, dt.date | None]]:
    """The days a 复议 or 诉讼 was (or is) pending: 加处罚款 is not counted then (行政处罚法 第七十三条第三款)."""
    return [(r.filed_on, r.concluded_on) for r in Remedy.objects.filter(case=case)]


def payment_due_on(*, case: Case) -> dt.date | None:
    """The last day of the 15-day period (第六十七条) as the case's PAYMENT deadline counts it."""
    row = CaseDeadline.objects.filter(case=case, rule_code="PAYMENT").first()
    return row.due_on if row is not None else None


def execution_account(*, case: Case, as_of: dt.date) -> Account:
    """The one account of a decision: what is owed, the 加处罚款 from the recorded payments (第七十二条),
    paused while a 复议/诉讼 is pending (第七十三条第三款) and capped at the fine, the payments and the balance."""
    void = case.decision_state in VOID_STATES
    fine = ZERO if void else (case.fine_amount or ZERO)
    gains = (
        ZERO
        if void
        else sum(
            (
                Decimal(m["amount"])
                for m in case.decided_measures or []
                if m.get("kind") == PenaltyKind.CONFISCATE_GAINS and m.get("amount") is not None
            ),
            ZERO,
        )
    )
    owed = fine + gains
    lines = payment_lines(case=case)
    payments = [(line.paid_on, line.amount) for line in lines if line.paid_on <= as_of]
    paid = sum((amount for _, amount in payments), ZERO)
    due_on = payment_due_on(case=case)
    paused = remedy_spans(case=case)
    schedule: list[tuple[dt.date, Decimal]] = [(due_on, owed)] if due_on is not None and owed > 0 else []
    plan = PaymentPlan.objects.filter(case=case, status=PaymentPlan.Status.APPROVED).first()
    instalments: list[InstalmentLine] = []
    if plan is None or not schedule:
        surcharge = surcharge_accrued(fine=fine, schedule=schedule, payments=payments, paused=paused, as_of=as_of)
    else:
        # 第六十六条第二款: up to the approval the 15-day period applied; from the next day the schedule does.
        decided_on = plan.decided_on
        assert decided_on is not None  # an approved plan has its approval date (plan_decide)
        rows = list(plan.instalments.all())
        covered = max(owed - sum((i.amount for i in rows), ZERO), ZERO)  # what was paid before the application
        before = surcharge_accrued(
            fine=fine, schedule=schedule, payments=payments, paused=paused, as_of=min(as_of, decided_on)
        )
        planned: list[tuple[dt.date, Decimal]] = [(i.last_day, i.amount) for i in rows]
        if covered > 0 and due_on is not None:
            planned.insert(0, (due_on, covered))
        after = surcharge_accrued(
            fine=fine,
            schedule=planned,
            payments=payments,
            paused=paused,
            as_of=as_of,
            counted_from=decided_on + dt.timedelta(days=1),
        )
        amount = min(before.amount + after.amount, fine)
        surcharge = Surcharge(
            before.since or after.since,
            before.days + after.days,
            before.paused_days + after.paused_days,
            amount,
            amount == fine,
        )
        remaining = max(min(paid, owed) - covered, ZERO)
        for i in rows:
            share = min(i.amount, remaining)
            remaining -= share
            instalments.append(
                InstalmentLine(i.seq, i.due_on, i.last_day, i.amount, share, share < i.amount and i.last_day < as_of)
            )
        unsettled = [line for line in instalments if line.paid < line.amount]
        due_on = unsettled[0].last_day if unsettled else rows[-1].last_day
    total = owed + surcharge.amount
    return Account(
        as_of=as_of,
        fine=fine,
        confiscated_gains=gains,
        owed=owed,
        due_on=due_on,
        surcharge=surcharge,
        paid=paid,
        balance=max(total - paid, ZERO),
        refund_due=max(paid - total, ZERO),
        decision_void=void,
        remedy_pending=Remedy.objects.filter(case=case, status=Remedy.Status.PENDING).exists(),
        payments=lines,
        plan_id=plan.pk if plan is not None else None,
        instalments=instalments,
    )


def payment_list(*, case: Case) -> QuerySet[Payment]:
    return Payment.objects.filter(case=case).select_related("recorded_by")


def remedy_list(*, case: Case) -> QuerySet[Remedy]:
    return Remedy.objects.filter(case=case).select_related("recorded_by", "concluded_by")


def plan_list(*, case: Case) -> QuerySet[PaymentPlan]:
    return PaymentPlan.objects.filter(case=case).prefetch_related("instalments")


def enforcement_record(*, case: Case) -> dict[str, Any]:
    return {
        "reminders": list(EnforcementReminder.objects.filter(case=case)),
        "actions": list(EnforcementAction.objects.filter(case=case)),
    }


def correction_order_get(*, case: Case) -> CorrectionOrder:
    """The case's 责令改正 (404 ``correction_order_not_found`` when none is recorded)."""
    order = CorrectionOrder.objects.filter(case=case).first()
    if order is None:
        raise NotFound("本案未登记责令改正", code="correction_order_not_found")
    return order


def property_ledger(*, case: Case) -> dict[str, Any]:
    """The case's 涉案财物 with their movements, counted per status: reconciled when none is left open."""
    items = list(PropertyItem.objects.filter(case=case).prefetch_related("movements"))
    by_status: dict[str, int] = {}
    for item in items:
        by_status[item.status] = by_status.get(item.status, 0) + 1
    open_items = sum(1 for item in items if item.status in PropertyItem.OPEN_STATUSES)
    return {"items": items, "by_status": by_status, "open_items": open_items, "reconciled": open_items == 0}


def transfer_list(*, case: Case) -> QuerySet[Transfer]:
    return Transfer.objects.filter(case=case)
