"""The ledger sequencer: gives recorded audit events their place in the hash chain and the Merkle log.

Why: with every writer taking the chain head row lock from its ``audit_record`` until its transaction
commits, the whole cluster appended one event at a time. Measured with bench/bench_ledger_writes.py on
PostgreSQL (bench/README.md): flat at 150–210 appends/s from 1 to 32 writer processes while the same
transactions without the ledger ran at 600–800/s; batched, 256–308 from 4 writers on (1.6–1.9×), at the
price of 0.64–0.79× for a lone writer (two small transactions instead of one). The design now has two steps:

1. **Record** (the writer, inside the transaction of the change, no global lock): ``audit_record``
   inserts the event row with everything the hash covers except its place — ``seq``, ``prev_hash`` and
   ``hash`` stay NULL. The event is durable exactly when (and only if) the change it records commits.
2. **Sequence** (one sealer at a time, in batches): :func:`ledger_sequence` locks the chain head, reads
   the committed unsealed events in ``id`` order, gives them consecutive sequence numbers, extends the
   hash chain, appends their leaves to the Merkle log and moves the head — one transaction per batch,
   so a sealer killed mid-batch leaves nothing half-done (the batch rolls back; the events stay
   pending and the next sealer takes them).

Who seals: the writer itself, right after its commit (``on_commit``): it tries the head lock with
``SKIP LOCKED`` and, if another sealer holds it, returns at once — the holder re-checks for pending
events after each commit, so an event committed while a batch was running is taken by the next one.
A periodic task (``ledger_sequence`` in the beat schedule) and everything that needs the log complete
(checkpoint signing, bundle export, the self-audit, ``verify_ledger``) seal whatever a crashed writer
left. The head lock, not the try, is what makes sealing exclusive.

Order: ``id`` comes from the table's sequence at insert time. Writers of one case hold that case's row
lock until they commit (``lock_case`` and friends), so a later writer inserts — and draws its ``id`` —
after the earlier one committed: per case, the chain order is the commit order. In general, an event
whose transaction committed before another event was recorded always comes first.

What readers see while an event is pending: the event row (case timeline, custody log) with
``seq``/``hash`` null, ordered after every sealed event; no log entry, so proofs and checkpoints cover
only sealed events, exactly as before.

``LEDGER_SEQUENCER = "inline"`` keeps the previous design (each writer appends under the head lock in
its own transaction; the default on SQLite, where writers serialise anyway). The benchmark uses it as
its baseline. An inline writer first seals any pending events, so a cluster changing modes during a
rolling deploy keeps one exact order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction

from backend.ledger.models import AuditEvent, ChainHead
from backend.ledger.store import log_append

logger = logging.getLogger(__name__)

CHAIN = "audit"
INLINE = "inline"
BATCHED = "batched"
MODES = (INLINE, BATCHED)
DEFAULT_BATCH = 500


class SequencingError(RuntimeError):
    """The sealer found the table in a state it must not build on (refuses; nothing is written)."""


def sequencer_mode() -> str:
    """``batched`` on PostgreSQL unless ``LEDGER_SEQUENCER`` says otherwise; ``inline`` elsewhere."""
    mode = getattr(settings, "LEDGER_SEQUENCER", "") or (BATCHED if connection.vendor == "postgresql" else INLINE)
    if mode not in MODES:
        raise ValueError(f"LEDGER_SEQUENCER must be one of {MODES}, not {mode!r}")
    return mode


def batch_size() -> int:
    return max(1, int(getattr(settings, "LEDGER_SEQUENCE_BATCH", DEFAULT_BATCH)))


def pending_exists() -> bool:
    return AuditEvent.objects.filter(seq__isnull=True).exists()


def pending_count() -> int:
    return AuditEvent.objects.filter(seq__isnull=True).count()


def lock_head(*, wait: bool = True) -> ChainHead | None:
    """The chain head row, locked until the surrounding transaction ends; ``None`` if another sealer
    holds it and ``wait`` is false."""
    query = ChainHead.objects.filter(name=CHAIN)
    if not wait and connection.features.has_select_for_update_skip_locked:
        head = query.select_for_update(skip_locked=True).first()
        if head is not None or query.exists():
            return head
    head, _ = ChainHead.objects.select_for_update().get_or_create(name=CHAIN)
    return head


def seal_pending(head: ChainHead, *, limit: int | None = None) -> int:
    """Seal up to ``limit`` committed pending events after ``head`` (locked by the caller). Returns the
    number sealed; the caller's transaction makes the batch atomic."""
    from backend.ledger.services import compute_event_hash, pending_log_entry

    query = AuditEvent.objects.filter(seq__isnull=True).order_by("id")
    events = list(query[:limit] if limit else query)
    if not events:
        return 0
    # A head that lags behind the chain (edited by hand) cannot fork it: the unique ``seq`` refuses the
    # batch, and so does the log (tree size taken from the first seq, see store.log_append).
    seq, prev = head.last_seq, head.last_hash
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = compute_event_hash(event)
    _store_seals(events)
    log_append([pending_log_entry(event) for event in events])
    ChainHead.objects.filter(name=CHAIN).update(last_seq=seq, last_hash=prev)
    head.last_seq, head.last_hash = seq, prev
    return len(events)


def _store_seals(events: Sequence[AuditEvent]) -> None:
    """Write ``seq``/``prev_hash``/``hash`` of events that are still unsealed (one statement on
    PostgreSQL, where the append-only trigger admits exactly this NULL → value change; see migration
    0004). Any row found already sealed aborts the batch."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    ids = [e.id for e in events]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "  # nosec B608
                f"FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) AS v(id, seq, prev_hash, hash) "
                f"WHERE e.id = v.id AND e.seq IS NULL",
                [ids, [e.seq for e in events], [e.prev_hash for e in events], [e.hash for e in events]],
            )
            updated = cursor.rowcount
        else:
            updated = 0
            for event in events:
                cursor.execute(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",  # nosec B608
                    [event.seq, event.prev_hash, event.hash, event.id],
                )
                updated += cursor.rowcount
    if updated != len(events):
        raise SequencingError(f"sealed {updated} of {len(events)} events: another sealer ran without the head lock")


def ledger_sequence(*, wait: bool = True, limit: int | None = None) -> int:
    """Seal every committed pending event, in batches (one transaction each). Returns how many were sealed.

    ``wait=False`` (after a writer's commit): if another sealer holds the head, leave the work to it.
    ``limit``: stop after about this many (the periodic task never runs unbounded).
    """
    size = batch_size()
    sealed = 0
    while limit is None or sealed < limit:
        with transaction.atomic():
            head = lock_head(wait=wait)
            if head is None:
                return sealed
            done = seal_pending(head, limit=size if limit is None else min(size, limit - sealed))
        sealed += done
        if done == size:
            continue
        # Events committed while the batch ran may have had their own try refused by our lock: look again
        # now that it is released, so none is left waiting for the next writer.
        if not pending_exists():
            break
    return sealed


def sequence_after_commit() -> None:
    """``on_commit`` hook of a batched ``audit_record``: seal now unless another sealer is at it. Never
    raises into the request whose change has already committed; what is left is sealed later."""
    try:
        ledger_sequence(wait=False)
    except Exception:
        logger.exception("ledger sequencing after commit failed; pending events are sealed by the next run")


def schedule_sequencing() -> None:
    """Register :func:`sequence_after_commit` once per outermost transaction."""
    conn = transaction.get_connection()
    if any(entry[1] is sequence_after_commit for entry in conn.run_on_commit):
        return
    transaction.on_commit(sequence_after_commit, robust=True)
