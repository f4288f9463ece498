"""The demo seeds a few cases for officer1's agency in different states, and can run twice."""

from __future__ import annotations

from backend.accounts import demo as accounts_demo
from backend.cases import demo
from backend.cases.models import Case, RecordingRequirement
from backend.ledger.services import ledger_verify_chain


def test_the_demo_seeds_cases_in_different_states_idempotently(db):
    state: dict = {}
    accounts_demo.seed_demo_data(state)
    demo.seed_demo_data(state)
    market = state["agencies"]["market"]
    statuses = set(Case.objects.filter(agency=market).values_list("status", flat=True))
    assert {"clue_received", "investigating", "suspended", "investigation_concluded", "closed", "on_site"} <= statuses
    count = Case.objects.count()
    assert count == 7
    assert RecordingRequirement.objects.filter(agency=market).count() == 5
    # The inspection was recorded without a video: the flag is visible.
    assert state["cases"]["investigating"].missing_recordings == ["现场检查"]

    demo.seed_demo_data(state)
    assert Case.objects.count() == count
    assert ledger_verify_chain().ok
