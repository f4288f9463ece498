"""Writing and verifying the hash-chained audit trail. See :mod:`backend.ledger.models`."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rfc8785
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from backend.common.client_address import client_address
from backend.ledger.models import GENESIS_HASH, AuditEvent, ChainHead
from backend.ledger.store import PendingEntry, log_append

CHAIN = "audit"


@dataclass(frozen=True)
class AuditContext:
    """Who did it and from where: built once per request (see :func:`audit_context_from_request`)."""

    actor: Any = None
    ip_address: str = ""
    request_id: str = ""
    device_id: uuid.UUID | None = None


def _jsonable(value: Any) -> Any:
    """Normalise to plain JSON types (dates, UUIDs and Decimals become strings) before hashing."""
    import json

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_event_body(event: AuditEvent) -> dict[str, Any]:
    """The fields of an event that the chain hash covers (before canonicalisation)."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "action": event.action,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_name": event.actor_name,
        "actor_roles": list(event.actor_roles),
        "agency_id": event.agency_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "case_id": str(event.case_id) if event.case_id else None,
        "data": event.data,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "device_id": str(event.device_id) if event.device_id else None,
        "prev_hash": event.prev_hash,
    }


def canonical_event_bytes(event: AuditEvent) -> bytes:
    """The RFC 8785 (JCS) serialisation that the chain hash covers."""
    return rfc8785.dumps(canonical_event_body(event))


def log_entry_bytes(event: AuditEvent) -> bytes:
    """The Merkle log leaf of an event: RFC 8785 JSON of the chained body plus its chain ``hash``.

    Anyone holding the entry can recompute both the chain hash (``SHA-256(prev_hash || body)``) and the
    leaf hash (``SHA-256(0x00 || entry)``).
    """
    return rfc8785.dumps({**canonical_event_body(event), "hash": event.hash})


def _evidence_sha256(event: AuditEvent) -> str | None:
    """The file hash an ``evidence.received`` event records (indexed for the public lookup)."""
    if event.action != "evidence.received" or not isinstance(event.data, dict):
        return None
    value = event.data.get("sha256")
    return value if isinstance(value, str) and len(value) == 64 else None


def pending_log_entry(event: AuditEvent) -> PendingEntry:
    return PendingEntry(seq=event.seq, entry=log_entry_bytes(event), evidence_sha256=_evidence_sha256(event))


def compute_event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(event.prev_hash.encode() + canonical_event_bytes(event)).hexdigest()


def audit_record(
    *,
    action: str,
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    context: AuditContext | None = None,
    actor: Any = None,
    agency_id: int | None = None,
    case_id: uuid.UUID | str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. MUST be called inside the transaction of the change it records.

    The event row is written now, in that transaction, so it is durable exactly when the change is.
    Its place in the chain depends on ``LEDGER_SEQUENCER`` (see :mod:`backend.ledger.sequencer`):

    - ``batched`` (default on PostgreSQL): no global lock; ``seq``, ``prev_hash`` and ``hash`` are
      ``None`` on the returned event and the sequencer assigns them in batches after the commit (use
      ``event.id`` to refer to the event meanwhile);
    - ``inline`` (default on SQLite): the chain head row is locked (``select_for_update``) until the
      transaction commits and the event is chained and logged at once, so ``seq`` is set on return.
    """
    from backend.ledger import sequencer  # imports this module

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside the transaction of the change it records")
    context = context or AuditContext()
    actor = actor if actor is not None else context.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        if agency_id is None:
            agency_id = getattr(target, "agency_id", None)
    if agency_id is None and actor is not None:
        agency_id = actor.agency_id

    event = AuditEvent(
        occurred_at=timezone.now(),
        action=action,
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "system"),
        actor_roles=sorted(actor.role_set) if actor is not None else [],
        agency_id=agency_id,
        target_type=target_type,
        target_id=str(target_id),
        case_id=uuid.UUID(str(case_id)) if case_id else None,
        data=_jsonable(data or {}),
        request_id=context.request_id,
        ip_address=context.ip_address,
        device_id=context.device_id,
    )
    if sequencer.sequencer_mode() != sequencer.INLINE:
        event.save()
        sequencer.schedule_sequencing()
        return event

    head = sequencer.lock_head(wait=True)
    if sequencer.pending_exists():  # recorded by batched writers (a cluster changing modes): they come first
        sequencer.seal_pending(head)
    event.occurred_at = timezone.now()  # taken under the lock, as before: time follows chain order
    event.seq = head.last_seq + 1
    event.prev_hash = head.last_hash
    event.hash = compute_event_hash(event)
    event.save()
    # Same transaction, same lock: the event is a leaf of the Merkle log from the moment it exists.
    log_append([pending_log_entry(event)])
    ChainHead.objects.filter(name=CHAIN).update(last_seq=event.seq, last_hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def ledger_verify_chain(*, events: Iterable[AuditEvent] | None = None) -> ChainVerification:
    """Re-walk the chain in sequence order; report the first event whose link or content is broken.

    Only sealed events are in the chain; events still waiting for the sequencer (``seq`` null) are not
    part of it yet (see :mod:`backend.ledger.sequencer`)."""
    events = events if events is not None else (
        AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000))
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in events:
        if event.seq != expected_seq:
            return ChainVerification(False, checked, expected_seq, f"缺少第 {expected_seq} 号事件（可能被删除）")
        if event.prev_hash != expected_prev:
            return ChainVerification(False, checked, event.seq, "前序哈希不匹配（链接被改动）")
        if compute_event_hash(event) != event.hash:
            return ChainVerification(False, checked, event.seq, "事件内容与哈希不符（内容被改动）")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(name=CHAIN).first()
    if head is not None and head.last_seq != checked:
        return ChainVerification(False, checked, checked + 1, "链尾与记录数不符（末尾事件可能被删除）")
    return ChainVerification(True, checked)


def audit_context_from_request(request: Any) -> AuditContext:
    """Actor, client address, request id and device of an API request, for :func:`audit_record`."""
    meta = request.META
    ip = client_address(request)  # resolved once per request (TRUSTED_PROXIES), never a client-written header
    user = getattr(request, "user", None)
    device = getattr(user, "_token_device_id", None) if user is not None else None
    return AuditContext(
        actor=user if user is not None and user.is_authenticated else None,
        ip_address=ip[:45],
        request_id=getattr(request, "request_id", "") or meta.get("HTTP_X_REQUEST_ID", "")[:64],
        device_id=uuid.UUID(str(device)) if device else None,
    )
