"""The provenance check of a received original: stored SHA-256 re-verified, SM3, C2PA manifest.

For a new upload it runs inside media processing, on the processing task's one local copy of the original
(:mod:`backend.evidence.processing` calls :func:`provenance_record` once per item), so each new original is
read from storage once. :func:`evidence_record_provenance` does the same check on its own, reading the stored
original once (the ``evidence_provenance`` task: tasks queued before this change, or a check run by hand).
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction

from backend.evidence.conf import upload_limits
from backend.evidence.integrity import original_rehash
from backend.evidence.models import EvidenceItem
from backend.ledger.models import AuditEvent
from backend.ledger.services import audit_record

logger = logging.getLogger(__name__)

PROVENANCE_KINDS = ("photo", "video", "audio")


def provenance_recorded(item: EvidenceItem) -> bool:
    """Whether the item's provenance check was recorded already (an ``evidence.provenance`` event)."""
    return AuditEvent.objects.filter(action="evidence.provenance", target_id=str(item.pk)).exists()


def evidence_record_provenance(*, item_id: uuid.UUID | str) -> None:
    """Read the stored original once: re-verify SHA-256 (storage integrity), optional SM3, C2PA manifest.

    Runs in a task after receipt (never in the upload request). Stores results on the item's mutable
    processing fields and a ``evidence.provenance`` audit event.
    """
    from backend.evidence.provenance import c2pa_inspect, sm3_hasher

    item = EvidenceItem.objects.filter(pk=item_id, status=EvidenceItem.Status.RECEIVED).select_related("case").first()
    if item is None:
        logger.info("evidence %s no longer exists or is not received; skipping", item_id)
        return
    sm3 = sm3_hasher() if upload_limits().sm3_enabled else None
    scratch = settings.UPLOAD_SCRATCH_DIR
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".bin") as tmp:
        integrity = original_rehash(item, sinks=[tmp.write] if sm3 is None else [tmp.write, sm3.update])
        tmp.flush()
        c2pa = c2pa_inspect(tmp.name, mime=item.content_type) if item.kind in PROVENANCE_KINDS else {}
    provenance_record(
        item=item, stored_ok=integrity.intact, sm3=sm3.hexdigest() if sm3 is not None else None, c2pa=c2pa
    )


def provenance_record(*, item: EvidenceItem, stored_ok: bool, sm3: str | None, c2pa: dict[str, Any]) -> None:
    """Store what the check found on the item (``c2pa``, ``sm3``, a ``stored_hash_mismatch`` flag) and record the
    ``evidence.provenance`` event, under the item's row lock (processing writes ``flags`` too)."""
    with transaction.atomic():
        # Re-read under a row lock: the processing task writes ``flags`` too; never overwrite its flags.
        item = EvidenceItem.objects.select_for_update().select_related("case").get(pk=item.pk)
        fields = ["c2pa", "updated_at"]
        item.c2pa = c2pa
        if sm3 is not None:
            item.sm3 = sm3
            fields.append("sm3")
        if not stored_ok and not any(f.get("code") == "stored_hash_mismatch" for f in item.flags):
            mismatch = {"code": "stored_hash_mismatch", "message": "存储中的原始文件与接收时的哈希不一致"}
            item.flags = [*item.flags, mismatch]
            fields.append("flags")
        item.save(update_fields=fields)
        audit_record(
            action="evidence.provenance",
            target=item,
            case_id=item.case_id,
            agency_id=item.case.agency_id,
            data={"stored_sha256_ok": stored_ok, "sm3": item.sm3, "c2pa": c2pa.get("status", "")},
        )
