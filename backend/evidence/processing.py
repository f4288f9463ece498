"""Media processing of a received original (probe, derivatives). Minimal stub; the media helper owns it.

Contract: ``evidence_process_item(item_id=...)`` claims the item with a conditional UPDATE
(pending → processing), does its work, and ends in ``ready`` or ``failed``. Replays are harmless.
"""

from __future__ import annotations

import logging
import uuid

from backend.evidence.models import EvidenceItem

logger = logging.getLogger(__name__)


def evidence_process_item(*, item_id: uuid.UUID | str) -> None:
    claimed = EvidenceItem.objects.filter(
        pk=item_id,
        status=EvidenceItem.Status.RECEIVED,
        processing_status=EvidenceItem.ProcessingStatus.PENDING,
    ).update(processing_status=EvidenceItem.ProcessingStatus.PROCESSING)
    if not claimed:
        logger.info("evidence %s is gone or already claimed; skipping", item_id)
        return
    EvidenceItem.objects.filter(pk=item_id).update(processing_status=EvidenceItem.ProcessingStatus.READY)
