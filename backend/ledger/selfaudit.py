"""Self-audit: recompute the log from its stored entries and check everything that was signed or recorded.

Checks, in order (each mismatch is a problem; any problem raises an alert):

1. **tree**: every stored node is recomputed from the stored entries (``merkle.audit_store``); each
   entry row's ``leaf_hash`` column must match too;
2. **events ↔ log**: every audit event is in the log at ``seq - 1`` and its entry bytes are exactly
   the canonical bytes re-derived from the event row (an edited event or entry is found here);
3. **checkpoints**: the latest signed checkpoints (all with ``full``) have valid signatures by a
   published key and their roots equal the recomputed tree's root at their size;
4. **chain**: the hash chain of the audit events (``ledger_verify_chain``);
5. **originals**: a random sample (all with ``full``) of received evidence files is re-hashed from
   storage and compared with the recorded SHA-256 and size;
6. **pending**: pending events are sealed first; one still pending afterwards and older than
   ``LEDGER_PENDING_MAX_AGE`` seconds means the sequencer cannot seal it (a problem).

An alert is logged at ERROR and recorded as a ``ledger.alert`` audit event (which itself enters the log).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from backend.common.events import ask
from backend.ledger.checkpoints import raise_alert
from backend.ledger.events import AuditOriginals
from backend.ledger.keys import previous_verifiers, trusted_verifiers
from backend.ledger.models import AuditEvent, Checkpoint, LogEntry
from backend.ledger.sequencer import ledger_sequence
from backend.ledger.services import ledger_verify_chain, log_entry_bytes
from backend.ledger.store import DjangoNodeStore, log_tree
from backend.ledgercore.merkle import MerkleError, audit_store, leaf_hash
from backend.ledgercore.signed_note import NoteError, open_checkpoint

logger = logging.getLogger(__name__)

BATCH = 2000
DEFAULT_CHECKPOINTS = 50
MAX_PROBLEMS = 200


@dataclass
class SelfAuditReport:
    entries: int = 0
    root: str = ""
    checkpoints_checked: int = 0
    originals_checked: int = 0
    chain_events: int = 0
    seconds: float = 0.0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, message: str, **details: Any) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"kind": kind, "message": message, **details})

    def summary(self) -> str:
        verdict = "OK" if self.ok else f"{len(self.problems)} PROBLEM(S)"
        return (f"ledger self-audit {verdict}: {self.entries} entries, root {self.root}, "
                f"{self.checkpoints_checked} checkpoints, {self.chain_events} chained events, "
                f"{self.originals_checked} originals re-hashed, {self.seconds:.1f}s")


def _stored_entries(report: SelfAuditReport) -> Iterator[bytes]:
    """Entry bytes in index order; also checks gaps and each row's ``leaf_hash`` column."""
    expected = 0
    last = -1
    while True:
        rows = list(LogEntry.objects.filter(index__gt=last).order_by("index")
                    .values_list("index", "entry", "leaf_hash")[:BATCH])
        if not rows:
            return
        for index, entry, stored_leaf in rows:
            entry = bytes(entry)
            if index != expected:
                report.add("entry_missing", f"log entry #{expected} is missing", index=expected)
                return  # the tree comparison below would only repeat the same finding
            if leaf_hash(entry) != bytes(stored_leaf):
                report.add("entry_changed", f"log entry #{index} does not match its recorded leaf hash",
                           index=index)
            expected += 1
            yield entry
        last = rows[-1][0]


def _check_tree(report: SelfAuditReport) -> None:
    result = audit_store(DjangoNodeStore(), _stored_entries(report), batch=BATCH * 2)
    report.entries = result.size
    report.root = result.root.hex()
    for mismatch in result.mismatches:
        if mismatch.level == 0:
            message = f"log entry #{mismatch.index} differs from the tree's leaf (entry or leaf node changed)"
        else:
            message = f"tree node ({mismatch.level}, {mismatch.index}) differs from the recomputed hash"
        report.add("tree_mismatch", message, level=mismatch.level, index=mismatch.index)


def _check_events(report: SelfAuditReport) -> None:
    """Every event is logged at seq - 1 with exactly its canonical bytes."""
    last_seq = 0
    while True:
        events = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:BATCH])
        if not events:
            break
        entries = dict(LogEntry.objects.filter(index__in=[e.seq - 1 for e in events])
                       .values_list("index", "entry"))
        for event in events:
            stored = entries.get(event.seq - 1)
            if stored is None:
                report.add("event_not_logged", f"audit event #{event.seq} is not in the log", seq=event.seq)
            elif bytes(stored) != log_entry_bytes(event):
                report.add("event_entry_differs",
                           f"audit event #{event.seq} differs from its log entry #{event.seq - 1}", seq=event.seq)
        last_seq = events[-1].seq
    logged = LogEntry.objects.count()
    if logged != last_seq:
        report.add("log_event_count", f"the log has {logged} entries but the chain ends at event #{last_seq}")


def _check_pending(report: SelfAuditReport) -> None:
    """Seal what is pending; whatever stays pending and is older than the allowed age is a problem."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    try:
        ledger_sequence()
    except Exception as exc:  # reported, not raised: the remaining checks still run
        report.add("sequencer_failed", f"the sequencer could not seal pending events: {exc}")
    max_age = getattr(settings, "LEDGER_PENDING_MAX_AGE", 300)
    stale = AuditEvent.objects.filter(
        seq__isnull=True, occurred_at__lt=timezone.now() - datetime.timedelta(seconds=max_age))
    first = stale.order_by("id").values_list("id", flat=True).first()
    if first is not None:
        report.add("event_pending", f"{stale.count()} audit event(s) recorded more than {max_age} s ago are "
                   f"still not in the chain (first: event id {first})", event_id=first)


def _check_checkpoints(report: SelfAuditReport, *, full: bool) -> None:
    try:
        verifiers = trusted_verifiers()
    except ImproperlyConfigured:  # no signing key on this host: the published (previous) keys only
        verifiers = previous_verifiers()
    if not verifiers:
        report.add("no_trusted_key", "no ledger key configured: checkpoint signatures cannot be checked")
        return
    queryset = Checkpoint.objects.order_by("-tree_size", "-id")
    checkpoints = queryset if full else queryset[:DEFAULT_CHECKPOINTS]
    tree = log_tree(size=report.entries)
    for checkpoint in checkpoints.iterator(chunk_size=500) if full else checkpoints:
        report.checkpoints_checked += 1
        try:
            body = open_checkpoint(checkpoint.note, verifiers).checkpoint
        except NoteError as exc:
            report.add("checkpoint_signature", f"checkpoint {checkpoint.pk} does not verify: {exc}",
                       checkpoint=checkpoint.pk)
            continue
        if body.size != checkpoint.tree_size or body.root_hash != bytes(checkpoint.root_hash):
            report.add("checkpoint_row", f"checkpoint {checkpoint.pk} row differs from its signed note",
                       checkpoint=checkpoint.pk)
        try:
            root = tree.root(body.size)
        except MerkleError as exc:
            report.add("checkpoint_root", f"checkpoint {checkpoint.pk} (size {body.size}) cannot be recomputed: "
                       f"{exc}", checkpoint=checkpoint.pk)
            continue
        if root != body.root_hash:
            report.add("checkpoint_root",
                       f"signed checkpoint {checkpoint.pk} (size {body.size}) root {body.root_hash.hex()} "
                       f"differs from the recomputed root {root.hex()}", checkpoint=checkpoint.pk)


def _check_originals(report: SelfAuditReport, *, full: bool, sample: int) -> None:
    """The evidence app re-hashes the stored originals (backend/ledger/events.py AuditOriginals)."""
    audited = ask(AuditOriginals(full=full, sample=sample))
    report.originals_checked += audited.checked
    for problem in audited.problems:
        report.add(problem.kind, problem.message, evidence_id=problem.evidence_id, case_id=problem.case_id)


def ledger_self_audit(*, full: bool = False, sample: int = 20, alert: bool = True) -> SelfAuditReport:
    """Run every check; on any problem log at ERROR and record a ``ledger.alert`` event (unless ``alert=False``)."""
    started = time.monotonic()
    report = SelfAuditReport()
    _check_pending(report)
    _check_tree(report)
    _check_events(report)
    _check_checkpoints(report, full=full)
    chain = ledger_verify_chain()
    report.chain_events = chain.checked
    if not chain.ok:
        report.add("chain_broken", f"audit chain broken at event #{chain.first_broken_seq}: {chain.reason}",
                   seq=chain.first_broken_seq)
    _check_originals(report, full=full, sample=sample)
    report.seconds = time.monotonic() - started
    if report.ok:
        logger.info(report.summary())
    elif alert:
        raise_alert(kind="self_audit", message=report.summary(), details={"problems": report.problems[:50]})
    return report
