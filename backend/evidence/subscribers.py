"""The evidence app's answers to the case workflow's questions (backend/cases/events.py) and to the ledger's
self-audit (backend/ledger/events.py)."""

from __future__ import annotations

import random

from backend.cases.events import EvidenceListText, ReceivedEvidenceCount, RecordedActivities
from backend.common.events import subscribe
from backend.common.storage import StorageError
from backend.evidence import selectors
from backend.evidence.integrity import original_rehash
from backend.evidence.models import EvidenceItem
from backend.ledger.events import AuditOriginals, OriginalProblem, OriginalsAudited


def answer_recorded_activities(question: RecordedActivities) -> set[str]:
    return set(selectors.case_recorded_activities(case_id=question.case_id))


def answer_evidence_list_text(question: EvidenceListText) -> list[str]:
    return list(selectors.case_evidence_list_text(case_id=question.case_id))


def answer_received_evidence_count(question: ReceivedEvidenceCount) -> int:
    return selectors.evidence_received_count(case_id=question.case_id)


def wire() -> None:
    """Called from EvidenceConfig.ready()."""
    subscribe(RecordedActivities, answer_recorded_activities)
    subscribe(EvidenceListText, answer_evidence_list_text)
    subscribe(ReceivedEvidenceCount, answer_received_evidence_count)
    subscribe(AuditOriginals, answer_audit_originals)


def answer_audit_originals(question: AuditOriginals) -> OriginalsAudited:
    """The self-audit's re-hash of stored originals (all with ``full``, else a random sample)."""
    items = EvidenceItem.objects.filter(status=EvidenceItem.Status.RECEIVED).exclude(storage_key="")
    if not question.full:
        ids = list(items.values_list("id", flat=True))
        items = items.filter(id__in=random.sample(ids, min(question.sample, len(ids))))
    checked = 0
    problems: list[OriginalProblem] = []
    for item in items.only("id", "sha256", "size", "storage_key", "case_id").iterator(chunk_size=200):
        where = {"evidence_id": str(item.id), "case_id": str(item.case_id)}
        try:
            integrity = original_rehash(item)
        except StorageError as exc:
            problems.append(
                OriginalProblem(
                    kind="original_missing", message=f"evidence {item.id}: original unreadable: {exc}", **where
                )
            )
            continue
        checked += 1
        if not integrity.intact:
            problems.append(OriginalProblem(
                kind="original_changed",
                message=f"evidence {item.id}: stored original hashes to {integrity.sha256} ({integrity.size} bytes), "
                f"recorded {item.sha256} ({item.size} bytes)",
                **where,
            ))  # fmt: skip
    return OriginalsAudited(checked=checked, problems=problems)
