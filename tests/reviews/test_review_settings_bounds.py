"""The agency's review parameters are bounded: a number the columns or the audit trail cannot hold is a 400.

Found by the schema fuzzing (issue 19): ``extension_workdays = 2^63 − 1`` passed validation on SQLite and made
the audit record's canonical JSON raise, a 500."""

from __future__ import annotations

import pytest

URL = "/api/v1/reviews/settings/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value",
    [
        ("extension_workdays", 9223372036854775807),
        ("legal_review_workdays", 2**53 + 1),
        ("case_review_workdays", 0),
        ("collective_min_participants", 10**6),
        ("max_extensions", -1),
    ],
)
def test_an_absurd_review_parameter_is_refused_and_nothing_changes(as_user, head_a, field, value):
    client = as_user(head_a)
    before = client.get(URL).json()
    response = client.patch(URL, {field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert client.get(URL).json() == before


@pytest.mark.django_db
def test_a_sensible_change_still_lands(as_user, head_a):
    client = as_user(head_a)
    response = client.patch(URL, {"extension_workdays": 5, "legal_review_workdays": 7}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["extension_workdays"], response.json()["legal_review_workdays"]) == (5, 7)
