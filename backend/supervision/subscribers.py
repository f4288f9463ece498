"""The supervision app's part of the case workflow (backend/cases/events.py): a decision 撤销, 确认违法 or
确认无效 opens a fault case (过错追究; 行政执法责任制)."""

from __future__ import annotations

from backend.cases.events import DecisionCorrected
from backend.common.events import subscribe
from backend.supervision.services import fault_case_open_for_correction


def on_decision_corrected(event: DecisionCorrected) -> None:
    fault_case_open_for_correction(
        case_id=event.case_id, agency_id=event.agency_id, correction_id=event.correction_id, kind=event.kind,
        by=event.by, reason=event.reason, reference=event.reference,
    )


def wire() -> None:
    """Called from SupervisionConfig.ready()."""
    subscribe(DecisionCorrected, on_decision_corrected)
