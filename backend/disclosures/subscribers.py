"""The disclosures app's part of the case workflow (backend/cases/events.py): a decision made is drafted
as a public notice, a decision changed withdraws it (行政处罚法 第四十八条)."""

from __future__ import annotations

from backend.cases.events import DecisionChanged, DecisionMade
from backend.common.events import subscribe
from backend.disclosures.services.creation import notice_create_for_decision
from backend.disclosures.services.withdrawal import notice_withdraw_for_case


def on_decision_made(event: DecisionMade) -> None:
    notice_create_for_decision(case=event.case, context=event.context)


def on_decision_changed(event: DecisionChanged) -> None:
    notice_withdraw_for_case(
        case=event.case, reason=event.reason, kind=event.kind, triggered_on=event.triggered_on, context=event.context
    )


def wire() -> None:
    """Called from DisclosuresConfig.ready()."""
    subscribe(DecisionMade, on_decision_made)
    subscribe(DecisionChanged, on_decision_changed)
