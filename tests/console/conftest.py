"""Fixtures for the console tests: a major case waiting for the head, its evidence, its review round."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from console.consolekit import add_photo, make_deciding_case, submit_for_review
from django.test import Client

from backend.accounts.models import User
from backend.cases.models import Case
from backend.reviews import services as review_services
from backend.reviews.models import ReviewRound


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalog(agency_a, reviewer_a, head_a):
    """A published 目录清单: a fine of 10 000 yuan or more on a natural person is a major decision."""
    draft = review_services.catalog_create(agency=agency_a, actor=reviewer_a, title="重大执法决定法制审核目录清单")
    review_services.catalog_rule_add(
        catalog=draft, actor=reviewer_a, code="fine_person", kind="fine_amount", description="对自然人罚款一万元以上",
        party_types=["natural_person", "sole_trader"], amount=Decimal("10000"), inclusive=True,
    )  # fmt: skip
    return review_services.catalog_publish(catalog=draft, actor=head_a, document_number="辽市监〔2026〕1号")


@pytest.fixture
def deciding_case(catalog, agency_a, officer_a, officer_a2) -> Case:
    case = make_deciding_case(agency_a, [officer_a, officer_a2])
    add_photo(case, officer_a)
    return case


@pytest.fixture
def submitted_round(deciding_case, officer_a) -> ReviewRound:
    return submit_for_review(deciding_case, officer_a)


@pytest.fixture
def console() -> Callable[[User | None], Client]:
    """``console(user)`` → a Django test client with a console session for ``user`` (None: anonymous)."""

    def _client(user: User | None) -> Client:
        client = Client(enforce_csrf_checks=False)
        if user is not None:
            client.force_login(user)
        return client

    return _client
