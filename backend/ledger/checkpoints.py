"""Signing tree heads: C2SP checkpoints over the Merkle log, periodically and on demand.

A new checkpoint is signed only if the current tree is consistent with the latest checkpoint already
signed (an RFC 9162 consistency proof computed from the stored nodes must verify against the signed
old root). A tampered stored node that any proof would use therefore stops the log from signing
instead of publishing a forked history; the refusal raises :class:`LedgerInconsistent` and records a
``ledger.alert`` event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.common.errors import ApplicationError
from backend.ledger.keys import get_signer, log_origin
from backend.ledger.models import Checkpoint
from backend.ledger.store import log_tree
from backend.ledgercore.canonical_json import format_timestamp
from backend.ledgercore.merkle import MerkleError, verify_consistency
from backend.ledgercore.signed_note import Checkpoint as CheckpointBody

logger = logging.getLogger(__name__)

TIME_EXTENSION_PREFIX = "time "


class LedgerInconsistent(ApplicationError):
    """The stored tree no longer matches what was signed: someone changed the log."""

    status = 500

    def __init__(self, message: str, **kwargs: object) -> None:
        super().__init__("ledger_inconsistent", message, **kwargs)  # type: ignore[arg-type]


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size", "-id").first()


def checkpoint_for_size(size: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(tree_size=size).order_by("-id").first()


def raise_alert(*, kind: str, message: str, details: dict | None = None) -> None:
    """Log at ERROR and append a ``ledger.alert`` audit event (its own transaction)."""
    from backend.ledger.services import audit_record

    logger.error("LEDGER ALERT [%s] %s %s", kind, message, details or {})
    try:
        with transaction.atomic():
            audit_record(action="ledger.alert", target_type="ledger", target_id=kind,
                         data={"kind": kind, "message": message, "details": details or {}})
    except Exception:  # the alert must not hide the original failure
        logger.exception("could not record the ledger alert event")


@dataclass(frozen=True)
class SignResult:
    checkpoint: Checkpoint
    created: bool


def checkpoint_sign(*, min_size: int = 0, force: bool = False) -> SignResult:
    """Sign the current tree head unless the latest checkpoint already covers it.

    ``min_size``: the caller needs a checkpoint covering at least this many leaves (bundle export).
    ``force``: sign even if the size did not change (fresh timestamp for monitors).
    A checkpoint older than ``LEDGER_CHECKPOINT_MAX_AGE`` seconds is re-signed even at the same size.
    Events still pending when it is called are sealed first; a checkpoint covers sealed entries only.
    """
    from backend.ledger.sequencer import ledger_sequence

    ledger_sequence()
    tree = log_tree()
    size = tree.size
    if size < min_size:
        raise MerkleError(f"log has {size} leaves, a checkpoint over {min_size} was requested")
    latest = checkpoint_latest()
    now = timezone.now()
    max_age = getattr(settings, "LEDGER_CHECKPOINT_MAX_AGE", 3600)
    if (latest is not None and not force and latest.tree_size >= max(size, min_size)
            and (now - latest.signed_at).total_seconds() < max_age):
        return SignResult(latest, False)

    root = tree.root(size)
    if latest is not None:
        _ensure_consistent(tree, latest, size, root)

    body = CheckpointBody(origin=log_origin(), size=size, root_hash=root,
                          extensions=(TIME_EXTENSION_PREFIX + format_timestamp(now),))
    signer = get_signer()
    note = body.sign(signer)
    token, tsa_url = _timestamp(note)
    checkpoint = Checkpoint.objects.create(
        origin=body.origin, tree_size=size, root_hash=root, signed_at=now, note=note,
        verifier_key=signer.verifier().to_vkey(), tsa_token=token, tsa_url=tsa_url,
    )
    logger.info("signed checkpoint size=%s root=%s", size, root.hex())
    return SignResult(checkpoint, True)


def _ensure_consistent(tree, latest: Checkpoint, size: int, root: bytes) -> None:  # type: ignore[no-untyped-def]
    old_root = bytes(latest.root_hash)
    problem = ""
    if latest.tree_size > size:
        problem = f"the log shrank: {size} leaves, but checkpoint {latest.pk} signed {latest.tree_size}"
    else:
        try:
            proof = tree.consistency_proof(latest.tree_size, size)
            if not verify_consistency(latest.tree_size, size, old_root, root, proof):
                problem = (f"the stored tree is not consistent with checkpoint {latest.pk} "
                           f"(size {latest.tree_size}, root {old_root.hex()})")
        except MerkleError as exc:
            problem = f"stored tree nodes are missing: {exc}"
    if problem:
        raise_alert(kind="checkpoint_inconsistent", message=problem,
                    details={"checkpoint": latest.pk, "old_size": latest.tree_size, "new_size": size})
        raise LedgerInconsistent("台账数据与已签名的检查点不一致，已拒绝签名并告警：" + problem)


def _timestamp(note: str) -> tuple[bytes | None, str]:
    """An RFC 3161 timestamp over SHA-256(note) when LEDGER_TSA_URL is set (best effort: a TSA outage never
    stops the log; the checkpoint is stored without a token and the next one tries again)."""
    url = getattr(settings, "LEDGER_TSA_URL", "")
    if not url:
        return None, ""
    try:
        from backend.ledger.tsa import request_timestamp

        return request_timestamp(url, note.encode("utf-8")), url
    except Exception as exc:  # a TSA outage must not stop the log; the next checkpoint tries again
        logger.warning("RFC 3161 timestamp from %s failed: %s", url, exc)
        return None, url


def checkpoint_time(checkpoint: Checkpoint) -> str | None:
    """The signed time extension line of a checkpoint (``2026-01-01T00:00:00.000Z``)."""
    for line in CheckpointBody.parse(checkpoint.note[: checkpoint.note.index("\n\n") + 1]).extensions:
        if line.startswith(TIME_EXTENSION_PREFIX):
            return line[len(TIME_EXTENSION_PREFIX):]
    return None
