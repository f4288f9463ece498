"""Thin Celery tasks over evidence services (STYLE R8): ids in, replays tolerated, enqueued on commit."""

from __future__ import annotations

import logging

from celery import shared_task

from backend.common.storage import StorageError
from backend.config.celery import app

logger = logging.getLogger(__name__)


@shared_task(
    name="evidence_process",
    autoretry_for=(StorageError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def evidence_process(item_id: str) -> None:
    """Probe the original and build derivatives (``backend.evidence.processing``)."""
    from backend.evidence.processing import evidence_process_item

    evidence_process_item(item_id=item_id)


@shared_task(
    name="evidence_provenance",
    autoretry_for=(StorageError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def evidence_provenance(item_id: str) -> None:
    """Re-verify the stored SHA-256, optional SM3, C2PA manifest (one read of the original)."""
    from backend.evidence.services import evidence_record_provenance

    evidence_record_provenance(item_id=item_id)


@shared_task(name="evidence_expire_uploads")
def evidence_expire_uploads() -> int:
    """Periodic (hourly): expire abandoned partial uploads and delete their bytes."""
    from backend.evidence.services import upload_expire_abandoned

    count = upload_expire_abandoned()
    if count:
        logger.info("expired %d abandoned uploads", count)
    return count


@app.on_after_finalize.connect
def _schedule_periodic(sender: object, **_kwargs: object) -> None:
    # Hourly: abandoned partial uploads are removed within an hour of their (sliding) expiry.
    sender.add_periodic_task(3600.0, evidence_expire_uploads.s(), name="evidence: expire abandoned uploads")
