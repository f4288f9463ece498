import pytest

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_auth(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "storage": "ok", "broker": "ok"}


def test_readyz_is_503_naming_what_is_down(client, monkeypatch):
    from backend.common import health
    from backend.common.storage import StorageError

    def storage_down() -> None:
        raise StorageError("bucket unreachable")

    monkeypatch.setitem(health.READINESS_CHECKS, "storage", storage_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["storage"].startswith("down")
    assert body["checks"]["database"] == "ok"
    assert "storage" in body["message"]


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_malformed_json_is_400_not_500(api):
    response = api.post("/api/v1/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_missing_fields_are_400_with_field_details(api):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "username" in body["fields"]


def test_every_response_carries_a_request_id(api):
    response = api.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_openapi_schema_and_docs_are_served(api):
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200


def test_an_api_views_own_404_is_passed_through(api):
    # No checkpoint signed yet: the ledger answers its own coded 404, not the generic "unknown path".
    response = api.get("/api/v1/public/ledger/checkpoint", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "no_checkpoint"
