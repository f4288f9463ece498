"""Access to evidence: reading an original (chain of custody first) and notes on an item."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from backend.accounts.models import User
from backend.common.errors import ApplicationError
from backend.common.storage import get_storage
from backend.evidence.models import EvidenceItem, EvidenceNote
from backend.ledger.services import AuditContext, audit_record

# --------------------------------------------------------------------------- access and notes


@dataclass(frozen=True)
class OriginalRead:
    item: EvidenceItem
    start: int
    end: int  # inclusive
    chunks: Iterator[bytes]


def evidence_original_read(
    *, item: EvidenceItem, purpose: str, byte_range: tuple[int, int] | None, context: AuditContext
) -> OriginalRead:
    """Open the original for reading and write the chain-of-custody record first (who, when, where, why).

    DOMAIN.md §3.9: 调取、复制、查看 originals must be logged. The record is committed before a byte is sent.
    """
    purpose = purpose.strip()
    if not purpose:
        raise ApplicationError(
            "purpose_required", "调阅原始证据必须说明用途（purpose）", status=400, fields={"purpose": ["必填"]}
        )
    if len(purpose) > 200:
        raise ApplicationError("purpose_too_long", "用途说明不超过 200 字", status=400, fields={"purpose": ["过长"]})
    start, end = byte_range if byte_range is not None else (0, item.size - 1)
    with transaction.atomic():
        audit_record(
            action="evidence.accessed",
            target=item,
            context=context,
            case_id=item.case_id,
            agency_id=item.case.agency_id,
            data={"purpose": purpose, "range": [start, end] if byte_range else None, "sha256": item.sha256},
        )
    chunks = get_storage().open(item.storage_key, start=start, end=end) if item.size else iter(())
    return OriginalRead(item=item, start=start, end=end, chunks=chunks)


def evidence_note_create(
    *,
    item: EvidenceItem,
    author: User,
    text: str,
    kind: str = EvidenceNote.Kind.NOTE,
    field: str = "",
    context: AuditContext,
) -> EvidenceNote:
    """Attach a note or correction as a new record; the original record is never edited."""
    if kind == EvidenceNote.Kind.CORRECTION and field and field not in EvidenceItem.FROZEN_FIELDS | {"flags"}:
        raise ApplicationError("invalid_field", "更正的字段不存在", status=400, fields={"field": ["未知字段"]})
    note = EvidenceNote(item=item, author=author, kind=kind, field=field, text=text.strip())
    note.full_clean()
    with transaction.atomic():
        note.save()
        audit_record(
            action="evidence.note_added",
            target=item,
            context=context,
            case_id=item.case_id,
            agency_id=item.case.agency_id,
            data={"note": str(note.pk), "kind": kind, "field": field, "text": note.text},
        )
    return note
