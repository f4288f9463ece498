"""移送 / 两法衔接: the case sent with its verifiable package (backend/sharing's bundle and share link), the
receiving organ's acknowledgement and decision, the return of a declined case; property follows the case
(行政强制法 第二十一条)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases.models import Case, DecisionOutcome
from backend.common.clock import ensure_not_before
from backend.common.errors import NotFound, PreconditionFailed
from backend.execution.models import PropertyItem, PropertyMovement, Transfer
from backend.execution.services.common import act_date, begin
from backend.execution.services.property import _move
from backend.ledger.services import AuditContext, audit_record
from backend.sharing import services as sharing

TS = Transfer.Status
TRANSFER_OUTCOMES = frozenset({DecisionOutcome.TRANSFER_JUDICIAL, DecisionOutcome.TRANSFER_OTHER})
ACTIVE = frozenset({TS.SENT, TS.ACKNOWLEDGED, TS.ACCEPTED})


@dataclass(frozen=True)
class SentTransfer:
    transfer: Transfer
    token: str  # the share link's token for the receiving organ, shown once


def _audit(action: str, transfer: Transfer, context: AuditContext, data: dict[str, Any]) -> None:
    event = audit_record(
        action=action, target=transfer, context=context, agency_id=transfer.agency_id, case_id=transfer.case_id,
        data={"organ": transfer.organ, "status": transfer.status, **data},
    )  # fmt: skip
    Transfer.objects.filter(pk=transfer.pk).update(audit_event=event)


def _transfer(case: Case, transfer_id: int) -> Transfer:
    transfer = Transfer.objects.select_for_update().filter(pk=transfer_id, case=case).first()
    if transfer is None:
        raise NotFound("该案件没有此移送记录", code="transfer_not_found")
    return transfer


@transaction.atomic
def transfer_send(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    organ: str,
    organ_kind: str,
    basis: str,
    sent_on: dt.date | None = None,
    party_notified_on: dt.date | None = None,
    valid_days: int | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SentTransfer:
    """The head sends a case decided 移送 (第五十七条第一款第四项) with its package: a frozen evidence bundle
    (manifest, checkpoint, proofs; verifiable offline with ``zhifa-verify``) behind a share link for the organ.
    Every item still in custody or frozen is 移交 with it (行政强制法 第二十一条), each an audited movement."""
    now = now or timezone.now()
    case, _step = begin(step="transfer_send", case=case, actor=actor, expected_version=expected_version)
    if case.decision_outcome not in TRANSFER_OUTCOMES:
        raise PreconditionFailed("transfer_not_decided", "案件未经负责人决定移送，不能移送（行政处罚法第五十七条）")
    if Transfer.objects.filter(case=case, status__in=ACTIVE).exists():
        raise PreconditionFailed("transfer_active", "案件已移送，尚未退回")
    sent_on = act_date(sent_on, now, "sent_on", "移送日期")
    ensure_not_before(sent_on, field="sent_on", previous={"决定移送": case.decided_on})
    if party_notified_on is not None:
        ensure_not_before(party_notified_on, field="party_notified_on", previous={"移送": sent_on})
    created = sharing.share_create(
        case=case, user=actor, recipient_kind=organ_kind, recipient_name=organ, purpose=f"移送：{basis}"[:200],
        valid_days=valid_days, context=context,
    )  # fmt: skip
    items = list(PropertyItem.objects.select_for_update().filter(case=case, status__in=PropertyItem.OPEN_STATUSES))
    transfer = Transfer.objects.create(
        case=case, agency_id=case.agency_id, organ=organ, organ_kind=organ_kind, basis=basis, sent_on=sent_on,
        party_notified_on=party_notified_on, export_id=created.share.export_id,
        manifest_sha256=created.share.export.manifest_sha256, share_id=created.share.pk,
        property_item_ids=[item.pk for item in items], recorded_by=actor, recorded_at=now,
    )  # fmt: skip
    for item in items:
        item.status, item.handled_on, item.handling_basis = PropertyItem.Status.TRANSFERRED, sent_on, basis
        item.handling_recipient, item.handled_by = organ, actor
        item.save(update_fields=["status", "handled_on", "handling_basis", "handling_recipient", "handled_by"])
        _move(item, kind=PropertyMovement.Kind.HANDLED, on=sent_on, actor=actor, context=context, now=now,
              note=f"随案移送{organ}", data={"handling": item.status, "transfer_id": transfer.pk})  # fmt: skip
    _audit("transfer.sent", transfer, context, {
        "organ_kind": organ_kind, "basis": basis, "sent_on": sent_on, "party_notified_on": party_notified_on,
        "export_id": str(transfer.export_id), "manifest_sha256": transfer.manifest_sha256,
        "share_id": str(transfer.share_id), "property_item_ids": transfer.property_item_ids,
    })  # fmt: skip
    return SentTransfer(transfer=transfer, token=created.token)


@transaction.atomic
def transfer_acknowledge(
    *,
    case: Case,
    transfer_id: int,
    actor: User,
    context: AuditContext,
    acknowledged_on: dt.date | None = None,
    organ_reference: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Transfer:
    """The organ signed for the case and its package (回执)."""
    now = now or timezone.now()
    case, _step = begin(step="transfer_acknowledge", case=case, actor=actor, expected_version=expected_version)
    transfer = _transfer(case, transfer_id)
    if transfer.status != TS.SENT:
        raise PreconditionFailed("transfer_not_sent", f"移送记录状态为“{transfer.get_status_display()}”，不能登记签收")
    acknowledged_on = act_date(acknowledged_on, now, "acknowledged_on", "签收日期")
    ensure_not_before(acknowledged_on, field="acknowledged_on", previous={"移送": transfer.sent_on})
    transfer.status, transfer.acknowledged_on, transfer.organ_reference = (
        TS.ACKNOWLEDGED,
        acknowledged_on,
        organ_reference,
    )
    transfer.save(update_fields=["status", "acknowledged_on", "organ_reference"])
    _audit(
        "transfer.acknowledged",
        transfer,
        context,
        {"acknowledged_on": acknowledged_on, "organ_reference": organ_reference},
    )
    return transfer


@transaction.atomic
def transfer_decide(
    *,
    case: Case,
    transfer_id: int,
    actor: User,
    context: AuditContext,
    accepted: bool,
    note: str,
    decided_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Transfer:
    """The organ's decision: 立案 (accepted) or 不予立案 (declined, the case may come back)."""
    now = now or timezone.now()
    case, _step = begin(step="transfer_decide", case=case, actor=actor, expected_version=expected_version)
    transfer = _transfer(case, transfer_id)
    if transfer.status != TS.ACKNOWLEDGED:
        raise PreconditionFailed("transfer_not_acknowledged", "接收机关尚未签收，不能登记其决定")
    decided_on = act_date(decided_on, now, "decided_on", "决定日期")
    ensure_not_before(decided_on, field="decided_on", previous={"签收": transfer.acknowledged_on})
    transfer.status = TS.ACCEPTED if accepted else TS.DECLINED
    transfer.decided_on, transfer.decision_note = decided_on, note
    transfer.save(update_fields=["status", "decided_on", "decision_note"])
    _audit("transfer.decided", transfer, context, {"accepted": accepted, "decided_on": decided_on, "note": note})
    return transfer


@transaction.atomic
def transfer_return(
    *,
    case: Case,
    transfer_id: int,
    actor: User,
    context: AuditContext,
    reason: str,
    returned_on: dt.date | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Transfer:
    """A declined case comes back with its package (移送涉嫌犯罪案件的规定 第九条): recorded with the reason."""
    now = now or timezone.now()
    case, _step = begin(step="transfer_return", case=case, actor=actor, expected_version=expected_version)
    transfer = _transfer(case, transfer_id)
    if transfer.status != TS.DECLINED:
        raise PreconditionFailed("transfer_not_declined", "接收机关未决定不予立案，案件不能退回")
    returned_on = act_date(returned_on, now, "returned_on", "退回日期")
    ensure_not_before(returned_on, field="returned_on", previous={"不予立案": transfer.decided_on})
    transfer.status, transfer.returned_on, transfer.return_reason = TS.RETURNED, returned_on, reason
    transfer.save(update_fields=["status", "returned_on", "return_reason"])
    _audit("transfer.returned", transfer, context, {"returned_on": returned_on, "reason": reason})
    return transfer
