"""Security headers on every answer: HSTS with DEBUG off, a Content-Security-Policy on every HTML page (the
admin and the API docs included), nosniff, frame and referrer policies.

Before: no HSTS with DEBUG=0; no CSP anywhere; the Redoc page loaded Google Fonts and ran an inline script.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import requests
from support import free_port, served_database_url, server_env, start_gunicorn

HTML_PAGES = ["/admin/login/", "/api/docs/", "/api/redoc/", "/notices/", "/officers/"]
API_ANSWERS = ["/api/v1/public/notices/", "/api/v1/me/", "/api/schema/"]


def _directives(policy: str) -> dict[str, list[str]]:
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def _effective(policy: dict[str, list[str]], directive: str) -> list[str]:
    return policy.get(directive, policy["default-src"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", HTML_PAGES + API_ANSWERS)
def test_every_answer_has_the_policies(client, path):
    response = client.get(path)
    assert response.status_code in (200, 401), path
    policy = _directives(response["Content-Security-Policy"])
    # No inline script, no other origin, anywhere. (The public pages keep their own, stricter policy:
    # default-src 'none', no script at all — backend/disclosures/pages.py.)
    assert _effective(policy, "script-src") in (["'self'"], ["'none'"])
    assert _effective(policy, "object-src") == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] in (["'self'"], ["'none'"])
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer")  # public pages: no-referrer


@pytest.mark.django_db
def test_only_the_documents_with_their_own_styles_allow_inline_styles(client):
    assert "'unsafe-inline'" not in client.get("/admin/login/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get("/notices/")["Content-Security-Policy"]
    docs = _directives(client.get("/api/docs/")["Content-Security-Policy"])
    assert docs["style-src"] == ["'self'", "'unsafe-inline'"]
    assert docs["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_api_docs_run_no_inline_script_and_load_nothing_from_elsewhere(client):
    for path in ("/api/docs/", "/api/redoc/"):
        page = client.get(path).content.decode()
        assert "<script>" not in page.replace(" ", ""), path
        assert "https://" not in page and "http://" not in page, path  # assets are self-hosted (sidecar)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_settings_turn_hsts_on_exactly_when_debug_is_off():
    import subprocess
    import sys

    probe = (
        "from django.conf import settings; "
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    outputs = {}
    for debug in ("0", "1"):
        env = {**os.environ, "DEBUG": debug, "DJANGO_SETTINGS_MODULE": "backend.config.settings"}
        env.pop("SECURE_HSTS_SECONDS", None)
        outputs[debug] = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {probe}"],
            env=env, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
        ).stdout.split()  # fmt: skip
    assert outputs["0"] == ["31536000", "True"]
    assert outputs["1"][0] == "0"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_production_server_sends_hsts_on_https_and_the_policies_on_every_page(tmp_path: Path):
    """gunicorn with DEBUG=0 behind a TLS proxy (X-Forwarded-Proto from TRUSTED_PROXIES)."""
    from backend.ledgercore.signed_note import generate_key

    var = tmp_path / "var"
    var.mkdir()
    env = server_env(
        var, served_database_url(var), DEBUG="0", SECRET_KEY="s" * 50, ALLOWED_HOSTS="127.0.0.1",
        LEDGER_SIGNING_KEY=generate_key("zhifa.example/ledger").signer_key, TRUSTED_PROXIES="127.0.0.1",
    )  # fmt: skip
    env.pop("JWT_SIGNING_KEY", None)
    env.pop("SECURE_HSTS_SECONDS", None)
    port = free_port()
    web = start_gunicorn(port, env)
    try:
        for path in HTML_PAGES:
            https = requests.get(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}, timeout=30)
            assert https.status_code == 200, (path, https.status_code)
            assert https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
            policy = _directives(https.headers["Content-Security-Policy"])
            assert _effective(policy, "script-src") in (["'self'"], ["'none'"]), path
            assert https.headers["X-Content-Type-Options"] == "nosniff"
            # RFC 6797 §7.2: not over plain HTTP (a browser would ignore it there anyway).
            plain = requests.get(f"http://127.0.0.1:{port}{path}", timeout=30)
            assert "Strict-Transport-Security" not in plain.headers, path
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
