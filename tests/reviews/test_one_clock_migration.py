"""The data migration that makes the review round the one clock rewrites a stale case-side row."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps as django_apps
from django.utils import timezone

from backend.cases.models import CaseDeadline
from backend.reviews.models import ReviewRound

migration = importlib.import_module("backend.reviews.migrations.0003_one_review_clock")


def test_a_stale_case_row_is_rewritten_from_the_round(catalog_a, make_case, officer_a, submit):
    round_ = submit(make_case(fine="150000.00"), officer_a)
    today = timezone.localdate()
    # What the old code left behind: the case's own clock, past due, beside a round waiting for materials.
    CaseDeadline.objects.filter(case=round_.case, rule_code="LEGAL_REVIEW").update(
        due_on=today - dt.timedelta(days=3), state="due", anchor_on=today - dt.timedelta(days=20)
    )
    ReviewRound.objects.filter(pk=round_.pk).update(status="supplementing", paused_since=today)
    migration.forwards(django_apps, None)
    row = CaseDeadline.objects.get(case=round_.case, rule_code="LEGAL_REVIEW")
    assert (row.anchor_on, row.due_on, row.state) == (round_.received_on, round_.due_on, "paused")
