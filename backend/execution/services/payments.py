"""履行: the party's payments and what they settle (行政处罚法 第六十六条、第六十七条、第七十二条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases import services as case_services
from backend.cases.deadlines import deadline_meet
from backend.cases.models import Case
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.execution.models import Payment
from backend.execution.selectors import execution_account
from backend.execution.services.common import act_date, begin
from backend.execution.services.plans import instalment_refresh
from backend.ledger.services import AuditContext, audit_record

S = Case.Status


def settle_case(*, case: Case, actor: User, context: AuditContext, on: dt.date, now: dt.datetime) -> Case:
    """Bring the case's own record in line with the account after a payment: the 执行 step starts with the
    first payment, the PAYMENT period is met once the amount decided is paid (late when after its last day),
    and 执行完毕 is recorded when nothing is left — which starts the 15-working-day 结案 limit
    (市场监督管理行政处罚程序规定 第七十七条)."""
    if case.status in (S.SERVED, S.FILED):
        case = case_services.case_start_execution(case=case, actor=actor, context=context, now=now)
    instalment_refresh(case=case, as_of=on)
    account = execution_account(case=case, as_of=on)
    if account.paid >= account.owed:
        deadline_meet(case=case, code="PAYMENT", on=on)
        deadline_meet(case=case, code="PAYMENT_INSTALMENT", on=on)
    if account.balance == 0 and case.executed_on is None and case.status == S.EXECUTING:
        case = case_services.case_record_execution(
            case=case,
            actor=actor,
            context=context,
            executed_on=on,
            paid_amount=account.paid,
            note="缴清罚没款及加处罚款",
            now=now,
        )
    return case


@transaction.atomic
def payment_record(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    amount: Decimal,
    channel: str,
    reference: str,
    paid_on: dt.date | None = None,
    payer: str = "",
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[Payment, Case]:
    """Record one payment (partial payments are allowed: the balance and the surcharge follow from them).

    Refused: before the decision (422 ``paid_before_decision``); more than the balance on that day
    (409 ``payment_exceeds_balance``: an overpayment is refunded, not booked); a receipt already recorded
    (409 ``payment_duplicate``)."""
    now = now or timezone.now()
    case, step = begin(step="payment_record", case=case, actor=actor, expected_version=expected_version)
    paid_on = act_date(paid_on, now, "paid_on", "缴纳日期")
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount <= 0:
        raise ApplicationError("invalid_amount", "缴纳金额须大于零", status=422, fields={"amount": ["须大于零"]})
    if case.decided_on and paid_on < case.decided_on:
        raise ApplicationError(
            "paid_before_decision", "缴纳日期早于处罚决定日期", status=422, fields={"paid_on": ["早于决定日期"]}
        )
    account = execution_account(case=case, as_of=max(paid_on, timezone.localdate(now)))
    if amount > account.balance:
        raise PreconditionFailed(
            "payment_exceeds_balance",
            f"缴纳金额{amount}元超过应缴余额{account.balance}元",
            extra={"balance": str(account.balance), "amount": str(amount)},
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                case=case,
                agency_id=case.agency_id,
                amount=amount,
                paid_on=paid_on,
                channel=channel,
                reference=reference.strip(),
                payer=payer,
                note=note,
                recorded_by=actor,
                recorded_at=now,
            )
    except IntegrityError:
        raise PreconditionFailed("payment_duplicate", "该缴款凭证已登记", extra={"reference": reference}) from None
    event = audit_record(
        action="execution.payment_recorded",
        target=payment,
        context=context,
        agency_id=case.agency_id,
        case_id=case.id,
        data={
            "amount": amount,
            "paid_on": paid_on,
            "channel": channel,
            "reference": payment.reference,
            "basis": step.basis,
            "balance_before": account.balance,
        },
    )
    Payment.objects.filter(pk=payment.pk).update(audit_event=event)
    case = settle_case(case=case, actor=actor, context=context, on=paid_on, now=now)
    return payment, case
