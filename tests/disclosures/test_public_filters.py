"""A mistyped filter of the public notice list answers 400, never a silently unfiltered (or empty) list."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("party_typ=organisation", "unknown_query_parameter"),
        ("penaltykind=fine", "unknown_query_parameter"),
        ("party_type=company", "invalid_party_type_filter"),
        ("penalty_kind=fines", "invalid_penalty_kind_filter"),
    ],
)
def test_a_mistyped_filter_is_refused(api, published_org_notice, query, code):
    r = api.get(f"/api/v1/public/notices/?{query}")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code
    assert r.json()["message"]


@pytest.mark.parametrize("query", ["party_type=organisation", "penalty_kind=fine", "status=published&page_size=5",
                                   "party_type=person"])  # fmt: skip  # person: the old word, still read
def test_the_documented_filters_still_work(api, published_org_notice, query):
    r = api.get(f"/api/v1/public/notices/?{query}")
    assert r.status_code == 200, r.content
