"""GET /api/v1/users/: the caller's agency only, filtered by role, name and 执法证 validity (and the console page)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from support import make_user

from backend.accounts.models import OfficerCredential, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [u["username"] for u in response.json()["results"]]


def test_it_lists_the_callers_agency_only_with_roles_and_credential_state(as_user, officer_a, officer_a2, officer_b,
                                                                         reviewer_a, head_a):  # fmt: skip
    body = as_user(head_a).get("/api/v1/users/").json()
    names = [u["username"] for u in body["results"]]
    assert names == sorted(["officer_a", "officer_a2", "reviewer_a", "head_a"]) and "officer_b" not in names
    entry = next(u for u in body["results"] if u["username"] == "officer_a")
    assert entry["full_name"] == "张伟" and entry["roles"] == ["field_officer"]
    assert entry["credential_status"] == "valid" and entry["credentials"][0]["number"] == "A-0001"
    assert next(u for u in body["results"] if u["username"] == "reviewer_a")["legal_qualification"] is True
    assert _names(as_user(officer_b).get("/api/v1/users/")) == ["officer_b"]


def test_filters_by_role_and_name(as_user, officer_a, officer_a2, reviewer_a, head_a):
    assert _names(as_user(officer_a).get("/api/v1/users/?role=legal_reviewer")) == ["reviewer_a"]
    assert _names(as_user(officer_a).get("/api/v1/users/?q=李")) == ["officer_a2"]  # 李娜
    assert _names(as_user(officer_a).get("/api/v1/users/?q=OFFICER_A2")) == ["officer_a2"]
    refused = as_user(officer_a).get("/api/v1/users/?role=janitor")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"


def test_credential_validity_counts_the_last_day_and_not_the_day_after(as_user, agency_a, head_a):
    today = timezone.localdate()
    make_user("last_day", agency_a, [Role.FIELD_OFFICER], credential="A-0101", valid_until=today)
    make_user("expired", agency_a, [Role.FIELD_OFFICER], credential="A-0102",
              valid_until=today - datetime.timedelta(days=1))  # fmt: skip
    make_user("suspended", agency_a, [Role.FIELD_OFFICER], credential="A-0103",
              credential_status=OfficerCredential.Status.SUSPENDED)  # fmt: skip
    client = as_user(head_a)
    assert _names(client.get("/api/v1/users/?credential=valid&role=field_officer")) == ["last_day"]
    assert _names(client.get("/api/v1/users/?credential=invalid&role=field_officer")) == ["expired", "suspended"]
    assert "head_a" in _names(client.get("/api/v1/users/?credential=invalid"))  # no 执法证 at all


def test_inactive_accounts_are_left_out_and_administrators_have_no_directory(as_user, officer_a, officer_a2,
                                                                            admin_user):  # fmt: skip
    officer_a2.is_active = False
    officer_a2.save()
    assert "officer_a2" not in _names(as_user(officer_a).get("/api/v1/users/"))
    assert as_user(admin_user).get("/api/v1/users/").status_code == 403
    assert as_user(None).get("/api/v1/users/").status_code == 401


def test_the_list_is_paginated_with_a_cursor(as_user, agency_a, head_a):
    for n in range(3):
        make_user(f"clerk{n}", agency_a, [Role.FIELD_OFFICER])
    first = as_user(head_a).get("/api/v1/users/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = as_user(head_a).get(first["next"]).json()
    assert {u["username"] for u in second["results"]}.isdisjoint({u["username"] for u in first["results"]})


def test_the_console_directory_shows_the_same_people(officer_a, officer_a2, officer_b, head_a):
    from django.test import Client

    client = Client()
    client.force_login(head_a)
    body = client.get("/console/directory/?role=field_officer").content.decode()
    assert 'data-user="officer_a"' in body and 'data-user="officer_a2"' in body and "officer_b" not in body
    assert "执法人员" in body and "有效" in body
