"""当场收缴罚款 (行政处罚法 第六十八条至第七十一条): who may collect on the spot, the official receipt, and the
money's way to the agency and the bank as two tracked deadlines.

* A 简易程序 decision's fine is collected with the decision (``case_create_summary(paid_on_spot=True,
  cash_collection=...)``), on the grounds of 第六十八条 (100 yuan or less; hard to enforce afterwards) or
  第六十九条 (remote, water-borne or hard-to-reach area, at the party's request).
* A 普通程序 decision's fine only on the ground of 第六十九条, once the decision is served
  (:func:`case_collect_cash`).
* Either way the party receives the 专用票据 whose number is recorded (第七十条), and the case's execution is
  complete. The officer then hands the money to the agency within 2 working days of collecting it (on water:
  of reaching the shore, :func:`case_cash_landed`), and the agency pays it into the designated bank within 2
  working days of receiving it (第七十一条; 二日 are working days, 第八十五条): deadlines ``CASH_FINE_HANDOVER``
  and ``CASH_FINE_BANK_DEPOSIT``, met by :func:`case_cash_handed_in` and :func:`case_cash_deposited`. A case
  whose collected cash has not reached the bank cannot be closed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases.deadlines import deadline_meet, deadline_open
from backend.cases.models import Case, CashCollection, Procedure
from backend.cases.rules import cash_collection_problem
from backend.cases.services.common import (
    ensure_decision_in_force,
    ensure_may_act,
    ensure_version,
    lock_case,
    resolve_now,
    save_case,
)
from backend.common.clock import ensure_not_future
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record

S = Case.Status
# 第六十九条 lets a 普通程序 fine (第五十七条) be collected on the spot once the decision is served.
GENERAL_COLLECTION_STATUSES = (S.SERVED, S.EXECUTING)


def _receipt(receipt_number: str) -> str:
    number = (receipt_number or "").strip()
    if not number:
        raise ApplicationError(
            "cash_receipt_required",
            "当场收缴罚款须出具财政部门统一制发的专用票据并登记票据号码（行政处罚法第七十条）",
            status=422, fields={"receipt_number": ["必填"]},
        )
    return number


def _as_data(collection: CashCollection) -> dict[str, Any]:
    return {
        "ground": collection.ground, "amount": collection.amount, "receipt_number": collection.receipt_number,
        "collected_at": collection.collected_at, "on_water": collection.on_water,
        "party_requested": collection.party_requested, "landed_on": collection.landed_on,
    }


def record_cash_collection(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    ground: str,
    receipt_number: str,
    collected_at: dt.datetime,
    ground_note: str = "",
    party_requested: bool = False,
    on_water: bool = False,
    landed_on: dt.date | None = None,
    now: dt.datetime,
) -> CashCollection:
    """Check the ground (第六十八条、第六十九条) and the receipt (第七十条), store the collection and open the
    hand-in deadline (第七十一条). The caller holds the case lock and has checked its status."""
    fine = case.fine_amount
    problem = cash_collection_problem(
        ground=ground, summary=case.procedure == Procedure.SUMMARY, fine=fine, party_requested=party_requested,
        ground_note=ground_note,
    )
    if problem is not None:
        raise PreconditionFailed(problem.code, problem.message, extra={"field": problem.field, "fine": str(fine)})
    number = _receipt(receipt_number)
    ensure_not_future(collected_at, field="collected_at", now=now, label="收缴时间")
    collected_on = timezone.localdate(collected_at)
    if landed_on is not None:
        if not on_water:
            raise ApplicationError("landed_without_water", "仅水上收缴须登记抵岸日", status=422,
                                   fields={"landed_on": ["仅水上收缴"]})
        ensure_not_future(landed_on, field="landed_on", now=now, label="抵岸日")
        if landed_on < collected_on:
            raise ApplicationError("landed_before_collection", "抵岸日不能早于收缴日", status=422,
                                   fields={"landed_on": ["不能早于收缴日"]})
    try:
        with transaction.atomic():
            collection = CashCollection.objects.create(
                case=case, agency_id=case.agency_id, ground=ground, ground_note=ground_note.strip(),
                party_requested=party_requested, amount=Decimal(fine or 0), receipt_number=number,
                collected_at=collected_at, collected_by=actor, on_water=on_water, landed_on=landed_on,
            )
    except IntegrityError as exc:
        raise ApplicationError("cash_receipt_in_use", "该专用票据号码已登记", status=409,
                               fields={"receipt_number": ["已登记"]}) from exc
    # 第七十一条: within 2 working days of collection; on water, of reaching the shore (opened on landing).
    if not on_water:
        deadline_open(case=case, code="CASH_FINE_HANDOVER", anchor_on=collected_on)
    elif landed_on is not None:
        deadline_open(case=case, code="CASH_FINE_HANDOVER", anchor_on=landed_on)
    case.executed_on = collected_on  # the party has paid: its obligation is performed
    deadline_meet(case=case, code="PAYMENT", on=collected_on)
    audit_record(action="case.cash_collected", target=case, context=context, case_id=case.id,
                 data={**_as_data(collection), "ground_note": collection.ground_note})
    return collection


@transaction.atomic
def case_collect_cash(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    receipt_number: str,
    ground: str = CashCollection.Ground.REMOTE_AREA,
    ground_note: str = "",
    party_requested: bool = False,
    on_water: bool = False,
    landed_on: dt.date | None = None,
    collected_at: dt.datetime | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CashCollection:
    """A 普通程序 fine collected on the spot after service: only in 边远、水上、交通不便地区 at the party's
    request (行政处罚法 第六十九条; 第六十八条 is for 当场处罚 only). Execution is then complete and the 结案
    limit starts (市场监管程序规定 第七十七条)."""
    now, _today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    if case.procedure != Procedure.GENERAL or case.status not in GENERAL_COLLECTION_STATUSES:
        raise PreconditionFailed("transition_not_allowed", "只有已送达、尚未执行完毕的罚款决定可以当场收缴",
                                 extra={"status": case.status})
    ensure_decision_in_force(case)
    if case.executed_on is not None or CashCollection.objects.filter(case=case).exists():
        raise PreconditionFailed("fine_already_paid", "罚款已缴纳或已当场收缴")
    collected_at = collected_at or now
    if case.served_on and timezone.localdate(collected_at) < case.served_on:
        raise ApplicationError("collected_before_service", "收缴时间不能早于决定书送达", status=422,
                               fields={"collected_at": ["不能早于送达日"]})
    collection = record_cash_collection(
        case=case, actor=actor, context=context, ground=ground, receipt_number=receipt_number,
        collected_at=collected_at, ground_note=ground_note, party_requested=party_requested, on_water=on_water,
        landed_on=landed_on, now=now,
    )
    deadline_open(case=case, code="CASE_CLOSURE", anchor_on=case.executed_on)
    save_case(case)
    return collection


def _locked_collection(case: Case, actor: User, expected_version: int | None) -> tuple[Case, CashCollection]:
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    collection = CashCollection.objects.select_for_update().filter(case=case).first()
    if collection is None:
        raise PreconditionFailed("no_cash_collection", "本案没有当场收缴的罚款")
    return case, collection


@transaction.atomic
def case_cash_landed(
    *, case: Case, actor: User, context: AuditContext, landed_on: dt.date, expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CashCollection:
    """Fines collected on water: the 2 working days to hand them in run from reaching the shore (第七十一条)."""
    now, _today = resolve_now(now)
    case, collection = _locked_collection(case, actor, expected_version)
    if not collection.on_water:
        raise PreconditionFailed("not_collected_on_water", "该罚款不是在水上收缴的")
    if collection.landed_on is not None:
        raise PreconditionFailed("already_landed", "已登记抵岸日",
                                 extra={"landed_on": collection.landed_on.isoformat()})
    ensure_not_future(landed_on, field="landed_on", now=now, label="抵岸日")
    if landed_on < timezone.localdate(collection.collected_at):
        raise ApplicationError("landed_before_collection", "抵岸日不能早于收缴日", status=422,
                               fields={"landed_on": ["不能早于收缴日"]})
    collection.landed_on = landed_on
    collection.save(update_fields=["landed_on"])
    deadline = deadline_open(case=case, code="CASH_FINE_HANDOVER", anchor_on=landed_on)
    save_case(case)
    audit_record(action="case.cash_landed", target=case, context=context, case_id=case.id,
                 data={"landed_on": landed_on, "handover_due_on": deadline.due_on, "version": case.version})
    return collection


@transaction.atomic
def case_cash_handed_in(
    *, case: Case, actor: User, context: AuditContext, handed_in_on: dt.date, expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CashCollection:
    """The officer hands the collected fine to the agency (第七十一条: within 2 working days); the agency's 2
    working days to pay it into the bank start."""
    now, _today = resolve_now(now)
    case, collection = _locked_collection(case, actor, expected_version)
    if collection.handed_in_on is not None:
        raise PreconditionFailed("cash_already_handed_in", "罚款已交至行政机关",
                                 extra={"handed_in_on": collection.handed_in_on.isoformat()})
    if collection.on_water and collection.landed_on is None:
        raise PreconditionFailed("landing_not_recorded", "水上收缴的罚款请先登记抵岸日（第七十一条）")
    ensure_not_future(handed_in_on, field="handed_in_on", now=now, label="交款日")
    earliest = collection.landed_on or timezone.localdate(collection.collected_at)
    if handed_in_on < earliest:
        raise ApplicationError("handed_in_before_collection", "交款日不能早于收缴日（水上为抵岸日）", status=422,
                               fields={"handed_in_on": ["不能早于收缴日或抵岸日"]})
    collection.handed_in_on = handed_in_on
    collection.handed_in_by = actor
    collection.save(update_fields=["handed_in_on", "handed_in_by"])
    met = deadline_meet(case=case, code="CASH_FINE_HANDOVER", on=handed_in_on)
    deposit = deadline_open(case=case, code="CASH_FINE_BANK_DEPOSIT", anchor_on=handed_in_on)
    save_case(case)
    audit_record(action="case.cash_handed_in", target=case, context=context, case_id=case.id, data={
        "handed_in_on": handed_in_on, "late": bool(met and met.met_late), "deposit_due_on": deposit.due_on,
        "version": case.version,
    })
    return collection


@transaction.atomic
def case_cash_deposited(
    *, case: Case, actor: User, context: AuditContext, deposited_on: dt.date, bank_receipt_number: str = "",
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> CashCollection:
    """The agency pays the fine into the designated bank (第七十一条: within 2 working days of receiving it)."""
    now, _today = resolve_now(now)
    case, collection = _locked_collection(case, actor, expected_version)
    if collection.handed_in_on is None:
        raise PreconditionFailed("cash_not_handed_in", "罚款尚未交至行政机关")
    if collection.deposited_on is not None:
        raise PreconditionFailed("cash_already_deposited", "罚款已缴付指定银行",
                                 extra={"deposited_on": collection.deposited_on.isoformat()})
    ensure_not_future(deposited_on, field="deposited_on", now=now, label="缴存日")
    if deposited_on < collection.handed_in_on:
        raise ApplicationError("deposited_before_hand_in", "缴存日不能早于交至行政机关之日", status=422,
                               fields={"deposited_on": ["不能早于交款日"]})
    collection.deposited_on = deposited_on
    collection.bank_receipt_number = bank_receipt_number.strip()
    collection.deposited_by = actor
    collection.save(update_fields=["deposited_on", "bank_receipt_number", "deposited_by"])
    met = deadline_meet(case=case, code="CASH_FINE_BANK_DEPOSIT", on=deposited_on)
    save_case(case)
    audit_record(action="case.cash_deposited", target=case, context=context, case_id=case.id, data={
        "deposited_on": deposited_on, "bank_receipt_number": collection.bank_receipt_number,
        "late": bool(met and met.met_late), "version": case.version,
    })
    return collection


def ensure_cash_deposited(case: Case) -> None:
    """结案 only once collected cash has reached the bank (第七十一条): until then the fine is not executed."""
    collection = CashCollection.objects.filter(case=case).first()
    if collection is not None and collection.deposited_on is None:
        raise PreconditionFailed(
            "cash_not_deposited", "当场收缴的罚款尚未缴付指定银行，不能结案（行政处罚法第七十一条）",
            extra={"handed_in_on": collection.handed_in_on.isoformat() if collection.handed_in_on else None},
        )
