"""The execution app's part of the case workflow (backend/cases/events.py): a served decision opens the
party's remedy periods; 结案 is refused while money is owed or a 复议/诉讼 is pending."""

from __future__ import annotations

from backend.cases.events import CaseClosing, DecisionServed
from backend.common.events import subscribe
from backend.execution.services.handlers import case_closing_check, remedy_windows_open


def on_decision_served(event: DecisionServed) -> None:
    remedy_windows_open(case=event.case, served_on=event.served_on)


def on_case_closing(event: CaseClosing) -> None:
    case_closing_check(case=event.case, closing_on=event.closing_on)


def wire() -> None:
    """Called from ExecutionConfig.ready()."""
    subscribe(DecisionServed, on_decision_served)
    subscribe(CaseClosing, on_case_closing)
