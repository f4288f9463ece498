import pytest

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_auth(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "up", "storage": "up", "broker": "up"}


def test_readyz_is_503_naming_what_is_down_and_nothing_more(client, monkeypatch, caplog):
    from backend.common import health
    from backend.common.storage import StorageError

    def storage_down() -> None:
        raise StorageError("bucket zhifa-evidence unreachable at http://10.0.3.7:9000 (AccessDenied for AKIA…)")

    monkeypatch.setitem(health.READINESS_CHECKS, "storage", storage_down)
    with caplog.at_level("WARNING", logger="backend.common.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "up", "storage": "down", "broker": "up"}
    assert body["code"] == "not_ready" and "storage" in body["message"]
    # Anonymous callers learn which component is down, never why: the reason is in the log.
    assert "10.0.3.7" not in response.content.decode() and "StorageError" not in response.content.decode()
    assert "bucket zhifa-evidence unreachable" in caplog.text


PRODUCTION_HOSTS = ["enforce.example.gov.cn"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/readyz/", "/healthz/"])
@pytest.mark.parametrize("host", ["10.0.0.5:8000", "127.0.0.1:8000", "[fd00::5]:8000", "172.18.0.4"])
def test_probes_answer_under_any_host_with_production_settings(client, settings, path, host):
    """A compose health check, a load balancer or a kubelet probes the container by IP, not by the
    public host name in ALLOWED_HOSTS."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = PRODUCTION_HOSTS
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
    assert client.head(path, HTTP_HOST=host).status_code == 200


def test_host_validation_still_guards_everything_else(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = PRODUCTION_HOSTS
    for path in ("/api/v1/me/", "/notices/", "/admin/login/", "/api/v1/public/notices/", "/readyz/../api/v1/me/"):
        assert client.get(path, HTTP_HOST="10.0.0.5:8000").status_code == 400, path
    assert client.get("/api/v1/public/notices/", HTTP_HOST="enforce.example.gov.cn").status_code == 200


def test_probes_only_read(client):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/readyz")
        assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_readyz_passes_when_a_production_server_is_probed_by_ip(tmp_path):
    """The real thing: gunicorn with DEBUG off and a production ALLOWED_HOSTS, probed at 127.0.0.1 like the
    compose health check does (python -c "urllib.request.urlopen('http://127.0.0.1:8000/readyz')")."""
    import os
    import signal
    import urllib.error
    import urllib.request

    from support import free_port, served_database_url, server_env, start_gunicorn

    from backend.ledgercore.signed_note import generate_key

    var = tmp_path / "var"
    var.mkdir()
    env = server_env(
        var, served_database_url(var), DEBUG="0", SECRET_KEY="s" * 64, ALLOWED_HOSTS="enforce.example.gov.cn",
        LEDGER_SIGNING_KEY=generate_key("zhifa.example/ledger").signer_key,
    )  # fmt: skip
    port = free_port()
    web = start_gunicorn(port, env)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=30) as response:
            assert response.status == 200
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/me/", timeout=30)
            raise AssertionError("an unknown host reached the API")
        except urllib.error.HTTPError as exc:
            assert exc.code == 400
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)


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
