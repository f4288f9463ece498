"""The hook adapter reaches the real apps by name, and a missing target is an error, never a skip."""

import pytest

from backend.cases import hooks

REAL_RESOLVE = hooks._resolve  # captured before the autouse fixture replaces it

HOOK_TARGETS = [
    ("backend.reviews.services", "review_major_evaluate"),
    ("backend.reviews.services", "review_ensure_passed"),
    ("backend.reviews.services", "review_decision_reference"),
    ("backend.reviews.services", "review_ensure_collective_discussion"),
    ("backend.disclosures.services", "notice_create_for_decision"),
    ("backend.disclosures.services", "notice_withdraw_for_case"),
    ("backend.evidence.selectors", "case_recorded_activities"),
]


@pytest.mark.parametrize(("module", "name"), HOOK_TARGETS)
def test_every_hook_target_exists(module, name):
    assert callable(REAL_RESOLVE(module, name))


def test_a_missing_target_is_an_error_not_a_silent_skip():
    with pytest.raises(AttributeError):
        REAL_RESOLVE("backend.disclosures.services", "no_such_function")
    with pytest.raises(ModuleNotFoundError):
        REAL_RESOLVE("backend.no_such_app.services", "x")


def test_the_cases_services_keep_the_names_other_apps_call():
    """The reviews app drives the case into and out of review through these, by name."""
    from backend.cases import services

    for name in ("case_submit_review", "case_submit_post_hearing_review", "case_return_for_investigation"):
        assert callable(getattr(services, name))
