"""Field devices: registration, revocation, and tokens bound to a device."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from support import PASSWORD

pytestmark = pytest.mark.django_db


def new_public_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def register(client, **overrides):
    body = {"model": "Huawei Mate 70", "public_key": new_public_key(), **overrides}
    return client.post("/api/v1/devices/", body, format="json")


def test_an_officer_registers_a_device_in_their_agency(as_user, officer_a):
    response = register(as_user(officer_a))
    assert response.status_code == 201
    device = response.json()
    assert device["status"] == "active"
    assert device["agency"] == officer_a.agency_id
    assert device["owner"] == "officer_a"


def test_a_bad_public_key_is_a_400_naming_the_field(as_user, officer_a):
    response = register(as_user(officer_a), public_key="bm90IGEga2V5")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_public_key"
    assert "public_key" in response.json()["fields"]


def test_revoking_a_device_stops_its_access_and_refresh_tokens(api, as_user, officer_a):
    device_id = register(as_user(officer_a)).json()["id"]
    tokens = api.post(
        "/api/v1/auth/token/", {"username": "officer_a", "password": PASSWORD, "device_id": device_id}, format="json"
    ).json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get("/api/v1/me/").status_code == 200

    revoke = as_user(officer_a).post(f"/api/v1/devices/{device_id}/revoke/", {"reason": "丢失"}, format="json")
    assert revoke.status_code == 200
    assert revoke.json()["status"] == "revoked"

    denied = api.get("/api/v1/me/")
    assert denied.status_code == 401
    assert denied.json()["extra"]["reason"] == "device_revoked"
    api.credentials()
    assert api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_login_with_someone_elses_device_is_refused(api, as_user, officer_a, officer_a2):
    device_id = register(as_user(officer_a)).json()["id"]
    response = api.post(
        "/api/v1/auth/token/", {"username": "officer_a2", "password": PASSWORD, "device_id": device_id}, format="json"
    )
    assert response.status_code == 401


def test_another_agencys_device_answers_404(as_user, officer_a, officer_b, head_a):
    device_id = register(as_user(officer_b)).json()["id"]
    for user in (officer_a, head_a):
        response = as_user(user).post(f"/api/v1/devices/{device_id}/revoke/", {"reason": "x"}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_head_sees_and_may_revoke_the_agencys_devices(as_user, officer_a, head_a):
    device_id = register(as_user(officer_a)).json()["id"]
    listed = as_user(head_a).get("/api/v1/devices/").json()["results"]
    assert [d["id"] for d in listed] == [device_id]
    response = as_user(head_a).post(f"/api/v1/devices/{device_id}/revoke/", {"reason": "离职"}, format="json")
    assert response.status_code == 200


def test_registration_and_revocation_are_in_the_audit_trail(as_user, officer_a):
    from backend.ledger.models import AuditEvent

    device_id = register(as_user(officer_a)).json()["id"]
    as_user(officer_a).post(f"/api/v1/devices/{device_id}/revoke/", {"reason": "丢失"}, format="json")
    actions = list(AuditEvent.objects.filter(target_id=device_id).values_list("action", flat=True))
    assert actions == ["device.registered", "device.revoked"]
