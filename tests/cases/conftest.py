"""Case-test fixtures: controllable stand-ins for the reviews/disclosures/evidence hooks.

The hooks are replaced (not the other apps' code) so these tests pin the cases app's own behaviour;
``test_hooks.py`` checks that the adapter reaches the real apps.
"""

from __future__ import annotations

import pytest
from cases.casekit import FakeApps

from backend.cases import hooks


@pytest.fixture(autouse=True)
def fake_apps(monkeypatch) -> FakeApps:
    fake = FakeApps()
    table = {
        ("backend.reviews.services", "review_major_evaluate"): fake.review_major_evaluate,
        ("backend.reviews.services", "review_ensure_passed"): fake.review_ensure_passed,
        ("backend.disclosures.services", "notice_create_for_decision"): fake.notice_create_for_decision,
        ("backend.disclosures.services", "notice_withdraw_for_case"): fake.notice_withdraw_for_case,
        ("backend.evidence.selectors", "case_recorded_activities"): fake.case_recorded_activities,
    }
    real_resolve = hooks._resolve
    # Anything else (e.g. the reviews app's collective-discussion gate) is the real app.
    monkeypatch.setattr(hooks, "_resolve", lambda module, name: table.get((module, name)) or real_resolve(module, name))
    return fake


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Personas are created per test; Argon2 would make every test pay for hashing their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
