"""/admin/login/ is behind the API's login guard (backend/accounts/login_guard.py): the same per-username
lock-out and per-address budget, shared with POST /api/v1/auth/token/.

Before: 30 wrong passwords, then the right one, logged in to the admin.
"""

from __future__ import annotations

import pytest
from rest_framework.throttling import ScopedRateThrottle

from backend.accounts.login_guard import LOGIN_LOCKED_MESSAGE, LOGIN_THROTTLED_MESSAGE
from backend.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "root-password-2026"


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser(username="root", password=PASSWORD)


def admin_login(client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(client, root):
    for _ in range(30):
        assert admin_login(client, "root", "guess").status_code == 200
    response = admin_login(client, "root", PASSWORD)
    assert response.status_code == 200  # the form again, not the redirect to /admin/
    assert not logged_in(client)
    page = response.content.decode()
    # The address budget (20/min) or the username lock-out (5 failures), whichever refuses first.
    assert LOGIN_LOCKED_MESSAGE in page or LOGIN_THROTTLED_MESSAGE in page


@pytest.mark.parametrize(("failures", "admitted"), [(2, True), (3, False), (4, False)])
def test_the_lock_out_starts_at_the_configured_number_of_failures(client, root, settings, failures, admitted):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(failures):
        admin_login(client, "root", "guess")
    response = admin_login(client, "root", PASSWORD)
    assert logged_in(client) is admitted
    assert (response.status_code == 302) is admitted


def test_a_success_before_the_limit_forgives_the_earlier_failures(client, root, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        admin_login(client, "root", "guess")
    admin_login(client, "root", PASSWORD)
    client.logout()
    for _ in range(2):
        admin_login(client, "root", "guess")
    admin_login(client, "root", PASSWORD)
    assert logged_in(client)


def test_failures_at_the_api_lock_the_admin_login_too(client, api, root, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        response = api.post("/api/v1/auth/token/", {"username": "root", "password": "guess"}, format="json")
        assert response.status_code == 401
    admin_login(client, "root", PASSWORD)
    assert not logged_in(client)


def test_failures_at_the_admin_lock_the_api_login_too(client, api, root, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        admin_login(client, "root", "guess")
    response = api.post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_the_admin_login_is_throttled_per_client_address_across_usernames(client, root, settings, monkeypatch):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"}
    ScopedRateThrottle.THROTTLE_RATES = rates  # put back by the conftest (_throttle_rates_restored)
    pages = [admin_login(client, f"someone{i}", "x").content.decode() for i in range(3)]
    assert not any(LOGIN_THROTTLED_MESSAGE in page for page in pages)
    response = admin_login(client, "root", PASSWORD)  # the fourth attempt from this address
    assert LOGIN_THROTTLED_MESSAGE in response.content.decode()
    assert not logged_in(client)
