"""The evidence app's answers to the case workflow's questions (backend/cases/events.py)."""

from __future__ import annotations

from backend.cases.events import EvidenceListText, ReceivedEvidenceCount, RecordedActivities
from backend.common.events import subscribe
from backend.evidence import selectors


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
