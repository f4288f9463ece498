"""The demo evidence goes through the real intake services."""

from __future__ import annotations

import pytest

from backend.evidence.demo import seed_demo_data
from backend.evidence.models import EvidenceItem

pytestmark = pytest.mark.django_db


def test_demo_evidence_is_received_once(officer_a, case_a):
    state = {"users": {"officer1": officer_a}, "cases": {"open": case_a}}
    seed_demo_data(state)
    seed_demo_data(state)
    items = EvidenceItem.objects.filter(case=case_a)
    assert sorted(items.values_list("kind", flat=True)) == ["audio", "photo"]
    assert set(items.values_list("status", flat=True)) == {"received"}
