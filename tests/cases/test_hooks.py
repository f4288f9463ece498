"""The hook adapter: calls the other apps by name, and is conservative while a target is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import new_case

from backend.cases import hooks
from backend.cases.models import Case
from backend.common.errors import PreconditionFailed

REAL_RESOLVE = hooks._resolve  # captured before the autouse fixture replaces it


@pytest.fixture
def nothing_installed(monkeypatch):
    monkeypatch.setattr(hooks, "_resolve", lambda module, name: None)


def test_without_the_reviews_app_a_major_case_is_never_treated_as_reviewed(nothing_installed):
    with pytest.raises(PreconditionFailed) as failure:
        hooks.review_ensure_passed(case=Case(is_major=True, major_reasons=["经过听证程序"]))
    assert failure.value.code == "legal_review_required"
    hooks.review_ensure_passed(case=Case(is_major=False))


def test_without_the_other_apps_notices_do_nothing_and_no_recording_is_known(nothing_installed):
    case = Case()
    hooks.notice_create_for_decision(case=case, context=None)
    hooks.notice_withdraw_for_case(case=case, reason="x", kind="revoked", context=None)
    assert hooks.case_recorded_activities(case_id=case.id) == set()
    assert hooks.review_major_evaluate(case=Case(hearing_held_on=dt.date(2026, 3, 2))) == ["经过听证程序"]


def test_the_collective_discussion_fallback_asks_for_the_record(nothing_installed, officer_a, officer_a2):
    case = new_case(officer_a, officer_a2, on=dt.date(2026, 3, 2))
    case.collective_discussion_required = True
    with pytest.raises(PreconditionFailed) as failure:
        hooks.review_ensure_collective_discussion(case=case)
    assert failure.value.code == "collective_discussion_required"


def test_the_adapter_resolves_real_modules_by_name():
    assert REAL_RESOLVE("backend.cases.services", "case_decide") is not None
    assert REAL_RESOLVE("backend.no_such_app.services", "x") is None
    assert REAL_RESOLVE("backend.cases.services", "no_such_function") is None


def test_the_cases_services_keep_the_names_other_apps_call():
    """The reviews app drives the case into and out of review through these, by name."""
    from backend.cases import services

    for name in ("case_submit_review", "case_submit_post_hearing_review", "case_return_for_investigation"):
        assert callable(getattr(services, name))
