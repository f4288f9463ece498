"""The agency's legal reviewers against its enforcement officers, reported against the 5% guideline."""

from __future__ import annotations

from decimal import Decimal

from support import make_user

from backend.accounts.models import Role


def test_the_ratio_is_reported_against_five_percent(
    agency_a, officer_a, officer_a2, reviewer_a, as_user, head_a
) -> None:
    body = as_user(head_a).get("/api/v1/reviews/stats/reviewers/").json()
    assert body["legal_reviewers"] == 1 and body["enforcement_officers"] == 2
    assert Decimal(body["ratio"]) == Decimal("0.5") and body["meets_guideline"] is True
    for i in range(23):
        make_user(f"officer_x{i}", agency_a, [Role.FIELD_OFFICER], full_name=f"执法{i}")
    body = as_user(head_a).get("/api/v1/reviews/stats/reviewers/").json()
    assert body["enforcement_officers"] == 25
    assert Decimal(body["ratio"]) == Decimal("0.04") and body["meets_guideline"] is False
    assert body["reviewers_needed"] == 2 and body["qualified_reviewers"] == 1
