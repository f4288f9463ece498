"""The agency's legal reviewers against its enforcement officers, reported against the 5% guideline."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from support import make_user

from backend.accounts.models import Role
from backend.reviews.selectors import review_statistics


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


def test_review_statistics_count_opinions_by_outcome(
    catalog_a, agency_a, make_case, officer_a, submit, approve
) -> None:
    approve(submit(make_case(fine="150000.00"), officer_a))
    approve(submit(make_case(fine="5000.00"), officer_a))
    today = timezone.localdate()
    stats = review_statistics(agency=agency_a, start=today - datetime.timedelta(days=1), end=today)
    assert stats["held"] == 2
    assert stats["by_outcome"] == [{"code": "approved", "label": "同意", "count": 2}]
    assert {k["code"] for k in stats["by_kind"]} == {"legal_review", "case_review"}
