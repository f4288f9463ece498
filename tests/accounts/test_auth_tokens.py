"""The pinned auth contract the mobile apps depend on."""

import pytest
from rest_framework.test import APIClient
from support import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: APIClient, username: str, password: str = PASSWORD, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json")


def test_login_returns_access_and_refresh_tokens(api, officer_a):
    response = login(api, "officer_a")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_me_shows_role_agency_and_credential_status(api, officer_a):
    access = login(api, "officer_a").json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "officer_a"
    assert me["roles"] == ["field_officer"]
    assert me["agency"]["name"] == "辽源市市场监督管理局"
    assert me["credential_status"] == "valid"
    assert me["credentials"][0]["number"] == "A-0001"


def test_wrong_password_is_401_with_a_stable_code(api, officer_a):
    response = login(api, "officer_a", "wrong-password")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "authentication_failed"
    assert body["message"]


def test_unknown_user_is_401(api, db):
    assert login(api, "nobody").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/devices/"])
def test_anonymous_api_calls_are_401_json(api, path):
    response = api.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_garbage_token_is_401(api, db):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_access_token_carries_role_and_agency_claims(api, officer_a):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken(login(api, "officer_a").json()["access"])
    assert token["roles"] == ["field_officer"]
    assert token["agency"] == officer_a.agency_id


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api, officer_a):
    first = login(api, "officer_a").json()
    rotated = api.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first["refresh"]
    replay = api.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert replay.status_code == 401


def test_logout_revokes_the_refresh_token(api, officer_a):
    tokens = login(api, "officer_a").json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code == 205
    again = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401


def test_logout_cannot_revoke_someone_elses_token(api, officer_a, officer_a2):
    victim = login(api, "officer_a2").json()
    mine = login(api, "officer_a").json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {mine['access']}")
    response = api.post("/api/v1/auth/logout/", {"refresh": victim["refresh"]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "token_not_yours"


def test_repeated_failures_lock_the_username_even_with_the_right_password(api, officer_a, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert login(api, "officer_a", "guess").status_code == 401
    locked = login(api, "officer_a")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"


def test_login_is_throttled_per_client_address(api, officer_a, settings, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    # monkeypatch restores the class attribute after the test (restoring it from api_settings inside the test
    # would keep the 3/min of the overridden settings for every later test).
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"}
    ScopedRateThrottle.THROTTLE_RATES = rates  # put back by the conftest (_throttle_rates_restored)
    codes = [login(api, f"user{i}", "x").status_code for i in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_passwords_are_hashed_with_argon2(officer_a):
    assert officer_a.password.startswith("argon2")
