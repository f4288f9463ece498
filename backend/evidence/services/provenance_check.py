"""The provenance check after receipt (background): stored SHA-256 re-verified, SM3, C2PA manifest."""

from __future__ import annotations

import logging
import uuid

from django.db import transaction

from backend.evidence.conf import upload_limits
from backend.evidence.models import EvidenceItem
from backend.ledger.services import audit_record

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- provenance (background)


def evidence_record_provenance(*, item_id: uuid.UUID | str) -> None:
    """Read the stored original once: re-verify SHA-256 (storage integrity), optional SM3, C2PA manifest.

    Runs in a task after receipt (never in the upload request). Stores results on the item's mutable
    processing fields and a ``evidence.provenance`` audit event.
    """
    import tempfile

    from backend.evidence.provenance import c2pa_inspect, sm3_hasher

    item = EvidenceItem.objects.filter(pk=item_id, status=EvidenceItem.Status.RECEIVED).select_related("case").first()
    if item is None:
        logger.info("evidence %s no longer exists or is not received; skipping", item_id)
        return
    sm3 = sm3_hasher() if upload_limits().sm3_enabled else None
    from django.conf import settings

    from backend.evidence.integrity import original_rehash

    scratch = settings.UPLOAD_SCRATCH_DIR
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".bin") as tmp:
        integrity = original_rehash(item, sinks=[tmp.write] if sm3 is None else [tmp.write, sm3.update])
        tmp.flush()
        c2pa = c2pa_inspect(tmp.name, mime=item.content_type) if item.kind in ("photo", "video", "audio") else {}
    stored_ok = integrity.intact
    with transaction.atomic():
        # Re-read under a row lock: the processing task writes ``flags`` too; never overwrite its flags.
        item = EvidenceItem.objects.select_for_update().select_related("case").get(pk=item.pk)
        fields = ["c2pa", "updated_at"]
        item.c2pa = c2pa
        if sm3 is not None:
            item.sm3 = sm3.hexdigest()
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
