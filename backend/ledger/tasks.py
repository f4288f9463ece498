"""Periodic ledger tasks (Celery beat, see ``CELERY_BEAT_SCHEDULE`` in settings): thin wrappers over services."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="ledger_sequence", ignore_result=True)
def ledger_sequence() -> int:
    """Seal events that no writer sealed after its commit (a writer that died between its commit and its
    sealing); normally there are none and this is one index probe."""
    from backend.ledger.sequencer import ledger_sequence as run

    return run(wait=False, limit=100_000)


@shared_task(name="ledger_checkpoint", acks_late=True, ignore_result=True)
def ledger_checkpoint() -> int:
    """Sign a checkpoint if the log grew (or the last one is older than LEDGER_CHECKPOINT_MAX_AGE)."""
    from backend.ledger.checkpoints import checkpoint_sign

    result = checkpoint_sign()
    return result.checkpoint.tree_size


@shared_task(name="ledger_self_audit", acks_late=True, ignore_result=True, soft_time_limit=6 * 3600,
             time_limit=6 * 3600 + 300)
def ledger_self_audit(full: bool = False) -> bool:
    """Recompute the tree, check checkpoints and the chain, re-hash a sample of originals; alert on mismatch."""
    from django.conf import settings

    from backend.ledger.selfaudit import ledger_self_audit as run

    report = run(full=full, sample=getattr(settings, "LEDGER_SELF_AUDIT_SAMPLE", 20))
    return report.ok
