"""A password change, a role change and a deactivation revoke every access and refresh token of the user:
each token carries the user's token version (claim ``tv``), raised by those changes and checked on each use.

Before: after the admin changed a user's password, the old access token still read /me/ and the old refresh
token still minted new ones.
"""

from __future__ import annotations

import pytest
from support import PASSWORD

from backend.accounts.models import Role, User, UserRole

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-horse-battery-2027"


def login(api, username: str, password: str = PASSWORD) -> dict:
    response = api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def me(api, access: str):
    return api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access}")


def refresh(api, token: str):
    return api.post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json")


def assert_revoked(api, tokens: dict) -> None:
    response = me(api, tokens["access"])
    assert response.status_code == 401
    assert response.json()["extra"]["reason"] == "token_revoked"
    response = refresh(api, tokens["refresh"])
    assert response.status_code == 401
    # Refused for its version, or already for being blacklisted (revocation blacklists outstanding tokens too).
    assert response.json()["extra"]["reason"] in ("token_revoked", "token_not_valid")


@pytest.fixture
def admin_client(client):
    root = User.objects.create_superuser(username="root", password="root-password-2026")
    client.force_login(root)
    return client


def test_tokens_work_until_something_changes(api, officer_a):
    tokens = login(api, "officer_a")
    assert me(api, tokens["access"]).status_code == 200
    rotated = refresh(api, tokens["refresh"])
    assert rotated.status_code == 200
    assert me(api, rotated.json()["access"]).status_code == 200


def test_a_password_changed_in_the_admin_revokes_access_and_refresh_tokens(api, admin_client, officer_a):
    tokens = login(api, "officer_a")
    rotated = refresh(api, tokens["refresh"]).json()  # a second generation, from before the change
    response = admin_client.post(
        f"/admin/accounts/user/{officer_a.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_revoked(api, tokens)
    assert_revoked(api, rotated)
    fresh = login(api, "officer_a", NEW_PASSWORD)
    assert me(api, fresh["access"]).status_code == 200


def test_a_password_changed_anywhere_revokes_the_tokens(api, officer_a):
    """manage.py changepassword, a future self-service form: every path goes through set_password + save."""
    tokens = login(api, "officer_a")
    user = User.objects.get(pk=officer_a.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert_revoked(api, tokens)


def test_granting_a_role_revokes_the_tokens_that_carry_the_old_roles(api, officer_a):
    tokens = login(api, "officer_a")
    UserRole.objects.create(user=officer_a, role=Role.LEGAL_REVIEWER)
    assert_revoked(api, tokens)
    fresh = login(api, "officer_a")
    assert sorted(me(api, fresh["access"]).json()["roles"]) == [Role.FIELD_OFFICER, Role.LEGAL_REVIEWER]


def test_withdrawing_a_role_revokes_the_tokens(api, officer_a):
    tokens = login(api, "officer_a")
    UserRole.objects.get(user=officer_a, role=Role.FIELD_OFFICER).delete()
    assert_revoked(api, tokens)


def test_deactivation_in_the_admin_revokes_the_tokens_and_reactivation_does_not_revive_them(
    api, admin_client, officer_a
):
    tokens = login(api, "officer_a")
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "deactivate_users", "_selected_action": [str(officer_a.pk)]},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=officer_a.pk).is_active is False
    assert me(api, tokens["access"]).status_code == 401
    user = User.objects.get(pk=officer_a.pk)
    user.is_active = True
    user.save()
    assert_revoked(api, tokens)


def test_an_unrelated_change_keeps_the_tokens(api, officer_a):
    tokens = login(api, "officer_a")
    user = User.objects.get(pk=officer_a.pk)
    user.full_name = "张伟（已更名）"
    user.save()
    assert me(api, tokens["access"]).status_code == 200
    assert refresh(api, tokens["refresh"]).status_code == 200


def test_a_stale_instance_saved_later_does_not_revive_revoked_tokens(api, officer_a):
    stale = User.objects.get(pk=officer_a.pk)
    tokens = login(api, "officer_a")
    UserRole.objects.create(user=officer_a, role=Role.AUDITOR)  # raises the version in the database
    stale.full_name = "stale"
    stale.save()  # its in-memory token_version is the old one
    assert_revoked(api, tokens)


def test_changing_a_role_in_place_revokes_the_tokens(api, officer_a):
    """The admin's inline edits the role of an existing row (no new row)."""
    tokens = login(api, "officer_a")
    role = UserRole.objects.get(user=officer_a, role=Role.FIELD_OFFICER)
    role.role = Role.AUDITOR
    role.save()
    assert_revoked(api, tokens)


def test_a_token_from_before_token_versions_is_valid_until_the_first_revocation(api, officer_a):
    """Sessions issued by the previous release (no ``tv`` claim) survive the upgrade, not a revocation."""
    from rest_framework_simplejwt.tokens import RefreshToken

    from backend.accounts.serializers import add_identity_claims

    User.objects.filter(pk=officer_a.pk).update(token_version=0)  # as every user is right after the migration
    legacy = RefreshToken.for_user(officer_a)
    add_identity_claims(legacy, officer_a)
    del legacy["tv"]
    tokens = {"access": str(legacy.access_token), "refresh": str(legacy)}
    assert me(api, tokens["access"]).status_code == 200
    officer_a.set_password(NEW_PASSWORD)
    officer_a.save()
    assert_revoked(api, tokens)


def test_a_save_of_a_partly_loaded_user_revokes_nothing(api, officer_a):
    tokens = login(api, "officer_a")
    partial = User.objects.only("id", "full_name").get(pk=officer_a.pk)
    partial.full_name = "部分加载"
    partial.save()
    assert me(api, tokens["access"]).status_code == 200
