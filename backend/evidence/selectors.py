"""Evidence reads. Only ``received`` items are evidence; rejected (quarantined) ones are never listed."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.permissions import readable_agency_ids
from backend.common.errors import NotFound
from backend.evidence.models import EvidenceItem, EvidenceKind, EvidenceNote, Upload
from backend.ledger.models import AuditEvent

RECORDING_KINDS = (EvidenceKind.VIDEO, EvidenceKind.AUDIO)


def evidence_list_for_case(*, case_id: uuid.UUID | str) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(case_id=case_id, status=EvidenceItem.Status.RECEIVED).order_by(
        "captured_at", "id"
    )


def case_recorded_activities(*, case_id: Any) -> set[str]:
    """Enforcement activities of the case with at least one received audio or video recording."""
    return set(
        evidence_list_for_case(case_id=case_id)
        .filter(kind__in=RECORDING_KINDS)
        .exclude(activity="")
        .values_list("activity", flat=True)
        .distinct()
    )


def evidence_received_count(*, case_id: Any) -> int:
    """Number of received evidence items of the case (告知 needs evidence on record)."""
    return EvidenceItem.objects.filter(case_id=case_id, status=EvidenceItem.Status.RECEIVED).count()


def case_evidence_list_text(*, case_id: Any) -> list[str]:
    """The case's received evidence as a 决定书 lists it (行政处罚法 第五十九条第二项: 事实和证据): kind, what it
    shows (the officer's description, else the file name), when it was captured, and its SHA-256 so that a
    reader can match it with the evidence record."""
    lines = []
    for item in evidence_list_for_case(case_id=case_id):
        what = item.description or item.original_filename or item.activity or ""
        captured = timezone.localtime(item.captured_at).date().isoformat()
        lines.append(f"{EvidenceKind(item.kind).label}：{what}（{captured}，SHA-256 {item.sha256}）")
    return lines


def evidence_visible_to(*, user: User) -> QuerySet[EvidenceItem]:
    """Received items of cases in the agencies ``user`` may read (others answer 404)."""
    return EvidenceItem.objects.filter(
        status=EvidenceItem.Status.RECEIVED, case__agency_id__in=readable_agency_ids(user)
    ).select_related("case", "uploaded_by", "device")


def evidence_get_for_user(*, user: User, item_id: uuid.UUID | str) -> EvidenceItem:
    item = evidence_visible_to(user=user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("证据不存在", code="evidence_not_found")
    return item


def evidence_custody_log(*, item: EvidenceItem) -> QuerySet[AuditEvent]:
    """The chain of custody: every audit event about the item (receipt, each access, notes), in ledger order
    (the model's ordering: sealed events by ``seq``, then events still waiting for the sequencer)."""
    return AuditEvent.objects.filter(target_type=EvidenceItem._meta.label_lower, target_id=str(item.pk))


def evidence_notes(*, item: EvidenceItem) -> QuerySet[EvidenceNote]:
    return item.notes.select_related("author").order_by("created_at")


def upload_get_for_user(*, user: User, upload_id: uuid.UUID | str) -> Upload:
    """An upload belongs to its creator: anyone else gets 404."""
    # No joins: a PATCH needs only this row (the case and device are loaded at completion).
    upload = Upload.objects.filter(pk=upload_id, created_by=user).first()
    if upload is None:
        raise NotFound("上传不存在", code="upload_not_found")
    return upload
