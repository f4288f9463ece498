"""The queue and a case's review history do not issue a query per round (N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_rounds(
    catalog_a, make_case, officer_a, reviewer_a, submit, as_user
) -> None:
    client = as_user(reviewer_a)
    submit(make_case(fine="150000.00"), officer_a)
    one = _count(client, "/api/v1/reviews/queue/")
    for _ in range(3):
        submit(make_case(fine="150000.00"), officer_a)
    assert _count(client, "/api/v1/reviews/queue/") == one


def test_case_history_query_count_does_not_grow_with_rounds(
    catalog_a, make_case, officer_a, reviewer_a, submit, as_user
) -> None:
    case = make_case(fine="150000.00")
    client = as_user(reviewer_a)
    submit(case, officer_a)
    one = _count(client, f"/api/v1/cases/{case.pk}/reviews/")
    for _ in range(3):
        submit(case, officer_a)  # each supersedes the open one
    assert _count(client, f"/api/v1/cases/{case.pk}/reviews/") == one
