"""The case workflow's events and questions (backend/cases/events.py) are answered, in the real
installation, by the real functions of the apps above cases — and an unanswered one is an error."""

import inspect

import pytest

from backend.cases import events as case_events
from backend.common import events
from backend.disclosures import subscribers as disclosures
from backend.evidence import subscribers as evidence
from backend.execution import subscribers as execution
from backend.reviews import subscribers as reviews
from backend.supervision import subscribers as supervision

# What answers each one in a complete installation (the module-level autouse fixture replaces some of these
# per test; ``subscriptions`` is read before, at import).
INSTALLED = events.subscriptions()

EXPECTED = {
    case_events.MajorDecisionReasons: reviews.answer_major_reasons,
    case_events.ReviewPassedGate: reviews.answer_review_passed,
    case_events.CollectiveDiscussionGate: reviews.answer_collective_discussion,
    case_events.DecisionReviewReference: reviews.answer_decision_reference,
    case_events.ReviewTimeLimitExtended: reviews.on_review_time_limit_extended,
    case_events.DecisionMade: disclosures.on_decision_made,
    case_events.DecisionChanged: disclosures.on_decision_changed,
    case_events.DecisionCorrected: supervision.on_decision_corrected,
    case_events.RecordedActivities: evidence.answer_recorded_activities,
    case_events.EvidenceListText: evidence.answer_evidence_list_text,
    case_events.ReceivedEvidenceCount: evidence.answer_received_evidence_count,
    case_events.DecisionServed: execution.on_decision_served,
    case_events.CaseClosing: execution.on_case_closing,
}


def test_every_case_event_is_declared_here():
    declared = {
        obj for obj in vars(case_events).values() if inspect.isclass(obj) and obj.__module__ == case_events.__name__
    }
    assert declared == set(EXPECTED)


@pytest.mark.parametrize("event_type", list(EXPECTED), ids=lambda t: t.__name__)
def test_each_is_answered_by_the_real_app_function(event_type):
    assert INSTALLED[event_type] == [EXPECTED[event_type]]


def test_an_unanswered_question_is_an_error_not_a_silent_skip(monkeypatch, fake_apps):
    monkeypatch.setitem(events._subscribers, case_events.ReviewPassedGate, [])
    with pytest.raises(events.EventWiringError):
        events.ask(case_events.ReviewPassedGate(case=None))


def test_a_second_answerer_is_refused(monkeypatch):
    monkeypatch.setitem(events._subscribers, case_events.RecordedActivities, [evidence.answer_recorded_activities])

    def another(question: case_events.RecordedActivities) -> set[str]:
        return set()

    with pytest.raises(events.EventWiringError):
        events.subscribe(case_events.RecordedActivities, another)


def test_the_cases_services_keep_the_names_other_apps_call():
    """The reviews app drives the case into and out of review through these (imported, not looked up)."""
    from backend.cases import services

    for name in ("case_submit_review", "case_submit_post_hearing_review", "case_return_for_investigation"):
        assert callable(getattr(services, name))
