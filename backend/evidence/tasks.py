"""Thin Celery tasks over evidence services (STYLE R8): ids in, replays tolerated, enqueued on commit.

``evidence_process`` survives a worker that dies mid-job: ``acks_late`` + ``reject_on_worker_lost`` put the
message back when a pool process is killed, the item's claim names the dead process so the redelivery takes
over at once, and ``evidence_processing_recover`` (beat, and once when a worker starts) re-enqueues items
whose message went down with a whole worker (the filesystem broker of the embedded default deletes a
message when it is fetched).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from backend.common.storage import StorageError
from backend.evidence.processing import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="evidence_process",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.MEDIA_TASK_MAX_RETRIES,
    soft_time_limit=settings.MEDIA_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.MEDIA_TASK_TIME_LIMIT,
)
def evidence_process(self, item_id: str, force: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Verify the original, probe it and build derivatives (``backend.evidence.processing``).

    Transient faults (storage unavailable, tool missing, disk full, database hiccup) retry with exponential
    backoff and full jitter; permanent ones (bad media) end ``failed`` inside the service and never retry.
    """
    from backend.evidence.processing import evidence_process_item, evidence_processing_give_up

    try:
        return evidence_process_item(item_id=item_id, force=force)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            evidence_processing_give_up(item_id=item_id, error=exc)
            return "failed"
        countdown = get_exponential_backoff_interval(
            factor=settings.MEDIA_RETRY_BACKOFF_S,
            retries=self.request.retries,
            maximum=settings.MEDIA_RETRY_BACKOFF_MAX_S,
            full_jitter=True,
        )
        logger.warning(
            "evidence %s: transient fault (%s: %s); retry %d/%d in %d s",
            item_id, type(exc).__name__, exc, self.request.retries + 1, self.max_retries, countdown,
        )  # fmt: skip
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="evidence_processing_recover", soft_time_limit=300, time_limit=360)
def evidence_processing_recover(pending_older_than_s: int | None = None) -> int:
    """Periodic (``MEDIA_RECOVERY_INTERVAL_S``) and at worker start: re-enqueue lost or abandoned work."""
    from backend.evidence.processing import evidence_processing_recover as recover

    ids = recover(pending_older_than_s=pending_older_than_s)
    for item_id in ids:
        evidence_process.delay(item_id)
    if ids:
        logger.info("re-enqueued processing of %d evidence item(s)", len(ids))
    return len(ids)


@worker_ready.connect
def _recover_on_worker_start(sender: object = None, **_kwargs: object) -> None:
    # A worker (re)starting after a crash: pick up what the dead one held, and anything left pending.
    try:
        evidence_processing_recover.delay(pending_older_than_s=0)
    except Exception:  # a broker hiccup must not stop the worker from starting
        logger.warning("could not enqueue the processing recovery sweep", exc_info=True)


@shared_task(
    name="evidence_provenance",
    autoretry_for=(StorageError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def evidence_provenance(item_id: str) -> None:
    """Re-verify the stored SHA-256, optional SM3, C2PA manifest (one read of the original).

    A new upload no longer enqueues it: ``evidence_process`` runs the same check on its local copy. It stays for
    tasks queued before that change and for a check run by hand. Both write ``flags``, each under the item's row
    lock and merging with the current value, so neither loses the other's flags.
    """
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
