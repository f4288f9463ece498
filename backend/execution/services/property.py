"""涉案财物: the 清单 at 查封扣押 / 先行登记保存 / 冻结, custody and every movement, the handling of each item,
and the reconciliation 结案 waits for (行政强制法 第二十一条至第三十三条; 行政处罚法 第五十六条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from backend.accounts.models import User
from backend.cases.deadlines import deadline_meet, deadline_open
from backend.cases.models import Case, DocumentType, EnforcementDocument
from backend.cases.workflow import DECISION_NOT_IN_FORCE
from backend.common.clock import ensure_not_before
from backend.common.errors import ApplicationError, NotFound, PreconditionFailed
from backend.execution.models import PropertyItem, PropertyMovement
from backend.execution.services.common import act_date, begin
from backend.execution.services.corrections import evidence_refs
from backend.ledger.services import AuditContext, audit_record

M = PropertyItem.Measure
PS = PropertyItem.Status
MEASURE_DOCUMENTS: dict[str, str] = {
    M.SEIZURE: DocumentType.SEIZURE_DECISION,
    M.PRESERVATION: DocumentType.PRESERVATION_DECISION,
}
# The time limit each measure's handling meets (DEADLINE_RULES): 30 days for 查封扣押 and 冻结 (行政强制法
# 第二十五条、第三十二条), 7 working days for the decision on preserved evidence (行政处罚法 第五十六条).
MEASURE_DEADLINES: dict[str, str] = {
    M.SEIZURE: "SEIZURE",
    M.PRESERVATION: "EVIDENCE_PRESERVATION_DECISION",
    M.FREEZE: "FREEZE",
}
# 没收 and 销毁 are what a decision orders (行政处罚法 第九条第二项); 拍卖 executes one (第七十二条第一款第二项,
# 行政强制法 第四十六条第三款).
NEEDS_DECISION = frozenset({PS.CONFISCATED, PS.AUCTIONED, PS.DESTROYED})
NEEDS_RECIPIENT = frozenset({PS.RETURNED, PS.TRANSFERRED})
HANDLINGS: dict[str, frozenset[str]] = {
    M.SEIZURE: frozenset({PS.RELEASED, PS.RETURNED, PS.CONFISCATED, PS.AUCTIONED, PS.DESTROYED, PS.TRANSFERRED}),
    M.PRESERVATION: frozenset({PS.RELEASED, PS.RETURNED, PS.CONFISCATED, PS.DESTROYED, PS.TRANSFERRED}),
    M.FREEZE: frozenset({PS.RELEASED, PS.TRANSFERRED}),  # 解除冻结 (第三十三条) or it goes with the case (第二十一条)
}


def _invalid(code: str, field: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, status=422, fields={field: [message]})


def _move(
    item: PropertyItem, *, kind: str, on: dt.date, actor: User, context: AuditContext, now: dt.datetime,
    from_place: str = "", note: str = "", data: dict[str, Any] | None = None,
) -> PropertyMovement:  # fmt: skip
    movement = PropertyMovement.objects.create(
        item=item, kind=kind, on=on, from_place=from_place, to_place=item.custody_place, keeper=item.keeper,
        note=note, recorded_by=actor, recorded_at=now,
    )  # fmt: skip
    event = audit_record(
        action=f"property.{kind}",
        target=item,
        context=context,
        agency_id=item.agency_id,
        case_id=item.case_id,
        data={
            "line": item.line, "name": item.name, "measure": item.measure, "status": item.status, "on": on,
            "from_place": from_place, "to_place": item.custody_place, "keeper": item.keeper, **(data or {}),
        },
    )  # fmt: skip
    PropertyMovement.objects.filter(pk=movement.pk).update(audit_event=event)
    return movement


def _item(case: Case, item_id: int) -> PropertyItem:
    item = PropertyItem.objects.select_for_update().filter(pk=item_id, case=case).first()
    if item is None:
        raise NotFound("该案件没有此涉案财物", code="property_item_not_found")
    return item


@transaction.atomic
def property_register(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    measure: str,
    items: list[dict[str, Any]],
    document_id: Any = None,
    taken_on: dt.date | None = None,
    legal_authority: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> list[PropertyItem]:
    """The 清单 of one measure. 查封扣押 / 先行登记保存: on the case's 决定书 of that measure (``document_id``),
    taken on its day, each item with custody place and keeper. 冻结: a deposit (bank, the account's last four
    digits, amount) under the law that gives the power (``legal_authority``, 第二十九条); the 30-day FREEZE and the
    3-working-day FREEZE_NOTICE limits start (第三十一条、第三十二条)."""
    now = now or timezone.now()
    case, _step = begin(step="property_register", case=case, actor=actor, expected_version=expected_version)
    document = None
    if measure in MEASURE_DOCUMENTS:
        document = EnforcementDocument.objects.filter(
            pk=document_id, case=case, doc_type=MEASURE_DOCUMENTS[measure]
        ).first() if document_id else None  # fmt: skip
        if document is None:
            raise _invalid(
                "invalid_measure_document", "document_id", f"须为本案的{DocumentType(MEASURE_DOCUMENTS[measure]).label}"
            )
        taken_on = timezone.localdate(document.occurred_at)
        for n, row in enumerate(items):
            if not row.get("custody_place") or not row.get("keeper"):
                raise _invalid("custody_required", f"items[{n}]", "须写明保管场所和保管人（行政强制法第二十六条）")
    else:
        if not legal_authority:
            raise _invalid(
                "freeze_authority_required",
                "legal_authority",
                "冻结须有法律规定的权限，请写明依据（行政强制法第二十二条、第二十九条）",
            )
        for n, row in enumerate(items):
            if not row.get("amount") or not row.get("bank"):
                raise _invalid("freeze_deposit_required", f"items[{n}]", "冻结须写明金融机构和冻结金额")
        taken_on = act_date(taken_on, now, "taken_on", "冻结日期")
    first = (PropertyItem.objects.filter(case=case).aggregate(m=Max("line"))["m"] or 0) + 1
    created: list[PropertyItem] = []
    for n, row in enumerate(items):
        refs = evidence_refs(case=case, evidence_ids=row.get("evidence_ids") or [], field=f"items[{n}].evidence_ids")
        item = PropertyItem.objects.create(
            case=case, agency_id=case.agency_id, measure=measure, document=document, line=first + n,
            name=row["name"], specification=row.get("specification", ""),
            quantity=row.get("quantity") or Decimal("1"), unit=row.get("unit") or "笔",
            amount=row.get("amount"), bank=row.get("bank", ""), account_tail=row.get("account_tail", ""),
            legal_authority=legal_authority, evidence_ids=refs, custody_place=row.get("custody_place", ""),
            keeper=row.get("keeper", ""), taken_on=taken_on,
            status=PS.FROZEN if measure == M.FREEZE else PS.IN_CUSTODY, recorded_by=actor, recorded_at=now,
        )  # fmt: skip
        _move(item, kind=PropertyMovement.Kind.REGISTERED, on=taken_on, actor=actor, context=context, now=now, data={
            "quantity": item.quantity, "unit": item.unit, "amount": item.amount, "evidence_ids": refs,
            "document_id": str(document.pk) if document else None, "legal_authority": legal_authority,
        })  # fmt: skip
        created.append(item)
    if measure == M.FREEZE:
        deadline_open(case=case, code="FREEZE", anchor_on=taken_on)
        deadline_open(case=case, code="FREEZE_NOTICE", anchor_on=taken_on)
    return created


@transaction.atomic
def property_freeze_notify(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    notified_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> list[PropertyItem]:
    """The 冻结决定书 was delivered to the party (行政强制法 第三十一条: within 3 working days): meets FREEZE_NOTICE
    (late when after it) for every frozen deposit not yet notified."""
    now = now or timezone.now()
    case, _step = begin(step="property_freeze_notify", case=case, actor=actor, expected_version=expected_version)
    items = list(PropertyItem.objects.select_for_update().filter(case=case, status=PS.FROZEN, notified_on=None))
    if not items:
        raise PreconditionFailed("nothing_frozen", "本案没有待交付冻结决定书的冻结财产")
    notified_on = act_date(notified_on, now, "notified_on", "交付日期")
    ensure_not_before(notified_on, field="notified_on", previous={"冻结": max(i.taken_on for i in items)})
    for item in items:
        item.notified_on = notified_on
        item.save(update_fields=["notified_on"])
        _move(item, kind=PropertyMovement.Kind.NOTIFIED, on=notified_on, actor=actor, context=context, now=now)
    deadline_meet(case=case, code="FREEZE_NOTICE", on=notified_on)
    return items


@transaction.atomic
def property_move(
    *,
    case: Case,
    item_id: int,
    actor: User,
    context: AuditContext,
    custody_place: str,
    keeper: str,
    note: str,
    moved_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> PropertyItem:
    """The item changes place or keeper (行政强制法 第二十六条: 妥善保管), in order, each an audited movement."""
    now = now or timezone.now()
    case, _step = begin(step="property_move", case=case, actor=actor, expected_version=expected_version)
    item = _item(case, item_id)
    if item.status != PS.IN_CUSTODY:
        raise PreconditionFailed("property_not_in_custody", "该财物已处理或为冻结存款，不能登记移动")
    moved_on = act_date(moved_on, now, "moved_on", "移动日期")
    last = item.movements.order_by("-on", "-pk").values_list("on", flat=True).first()
    ensure_not_before(moved_on, field="moved_on", previous={"上一次登记": last})
    before = item.custody_place
    item.custody_place, item.keeper = custody_place, keeper
    item.save(update_fields=["custody_place", "keeper"])
    _move(item, kind=PropertyMovement.Kind.MOVED, on=moved_on, actor=actor, context=context, now=now,
          from_place=before, note=note)  # fmt: skip
    return item


@transaction.atomic
def property_handle(
    *,
    case: Case,
    item_id: int,
    actor: User,
    context: AuditContext,
    handling: str,
    basis: str,
    handled_on: dt.date | None = None,
    reference: str = "",
    recipient: str = "",
    evidence_ids: list[Any] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> PropertyItem:
    """The head's handling of one item with its basis (第二十七条、第二十八条). 没收 / 拍卖 / 销毁 need a decision
    in force (409 ``handling_needs_decision``); 返还 and 移交 name who received it. When the last item of a
    measure is handled its time limit is met on that day (late when after it)."""
    now = now or timezone.now()
    case, _step = begin(step="property_handle", case=case, actor=actor, expected_version=expected_version)
    item = _item(case, item_id)
    if item.status not in PropertyItem.OPEN_STATUSES:
        raise PreconditionFailed(
            "property_already_handled", f"该财物已{item.get_status_display()}", extra={"status": item.status}
        )
    if handling not in HANDLINGS[item.measure]:
        raise _invalid(
            "handling_not_allowed", "handling", f"{item.get_measure_display()}的财物不能{PS(handling).label}"
        )
    if handling in NEEDS_DECISION and (not case.decision_number or case.decision_state in DECISION_NOT_IN_FORCE):
        raise PreconditionFailed("handling_needs_decision", f"{PS(handling).label}须有生效的行政处罚决定")
    if handling in NEEDS_RECIPIENT and not recipient:
        raise _invalid("recipient_required", "recipient", "返还或移交须写明接收人")
    handled_on = act_date(handled_on, now, "handled_on", "处理日期")
    ensure_not_before(handled_on, field="handled_on", previous={"查封扣押、登记保存或冻结": item.taken_on})
    refs = evidence_refs(case=case, evidence_ids=evidence_ids or [])
    item.status, item.handled_on, item.handling_basis = handling, handled_on, basis
    item.handling_reference, item.handling_recipient, item.handling_evidence_ids = reference, recipient, refs
    item.handled_by = actor
    item.save(update_fields=["status", "handled_on", "handling_basis", "handling_reference", "handling_recipient",
                             "handling_evidence_ids", "handled_by"])  # fmt: skip
    _move(item, kind=PropertyMovement.Kind.HANDLED, on=handled_on, actor=actor, context=context, now=now, data={
        "handling": handling, "basis": basis, "reference": reference, "recipient": recipient, "evidence_ids": refs,
    })  # fmt: skip
    still_open = PropertyItem.objects.filter(
        case=case, measure=item.measure, status__in=PropertyItem.OPEN_STATUSES
    ).exists()
    if not still_open:
        deadline_meet(case=case, code=MEASURE_DEADLINES[item.measure], on=handled_on)
    return item
