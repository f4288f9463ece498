"""Case-test fixtures: controllable stand-ins for the reviews/disclosures/evidence answers to the case
workflow's events and questions (backend/cases/events.py).

The handlers are replaced (not the other apps' code) so these tests pin the cases app's own behaviour;
``test_hooks.py`` checks that the real installation answers every one with the real app's function.
"""

from __future__ import annotations

import pytest
from cases.casekit import FakeApps
from support import replace_subscribers

from backend.cases import events


@pytest.fixture(autouse=True)
def fake_apps(monkeypatch) -> FakeApps:
    fake = FakeApps()
    # Anything else (e.g. the reviews app's collective-discussion gate) is the real app.
    replace_subscribers(monkeypatch, {
        events.MajorDecisionReasons: lambda q: fake.review_major_evaluate(case=q.case),
        events.ReviewPassedGate: lambda q: fake.review_ensure_passed(case=q.case),
        events.DecisionMade: lambda e: fake.notice_create_for_decision(case=e.case, context=e.context),
        events.DecisionChanged: lambda e: fake.notice_withdraw_for_case(
            case=e.case, reason=e.reason, kind=e.kind, triggered_on=e.triggered_on, context=e.context
        ),
        events.RecordedActivities: lambda q: fake.case_recorded_activities(case_id=q.case_id),
    })  # fmt: skip
    return fake


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Personas are created per test; Argon2 would make every test pay for hashing their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
