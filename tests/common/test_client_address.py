"""Proxy headers count only from configured proxies (``TRUSTED_PROXIES``, default none).

Rotating ``X-Forwarded-For`` used to remove every login throttle (DRF keyed the throttle on the whole
header) and wrote the forged address into the tamper-evident audit trail. Now one middleware resolves the
client address: for a peer outside ``TRUSTED_PROXIES`` the ``X-Forwarded-*`` headers are dropped; behind a
trusted proxy ``X-Forwarded-For`` is walked right to left past the trusted hops.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from support import free_port, served_database_url, server_env, start_gunicorn

from backend.common.client_address import ClientAddressMiddleware, parse_trusted_proxies, resolve_client_address
from backend.ledger.models import AuditEvent

pytestmark = pytest.mark.django_db

CASE_BODY = {
    "title": "无照经营", "party_type": "natural_person", "party_name": "张三", "party_id_number": "220402199202021237",
    "party_phone": "13800000000", "place_address": "辽源市龙山区",
}  # fmt: skip


def _nets(*values: str) -> tuple:
    return parse_trusted_proxies(values)


# --------------------------------------------------------------------------- the rule (pure)


@pytest.mark.parametrize(
    ("peer", "xff", "trusted", "client"),
    [
        ("203.0.113.7", "6.6.6.6", (), "203.0.113.7"),  # nobody trusted: the peer, whatever it says
        ("203.0.113.7", "6.6.6.6", ("10.0.0.0/8",), "203.0.113.7"),  # peer is not a proxy of ours
        ("10.0.0.2", "203.0.113.7", ("10.0.0.0/8",), "203.0.113.7"),  # nginx appended the real client
        ("10.0.0.2", "6.6.6.6, 203.0.113.7", ("10.0.0.0/8",), "203.0.113.7"),  # forged left part ignored
        ("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.9", ("10.0.0.0/8",), "203.0.113.7"),  # two proxies
        ("127.0.0.1", "198.51.100.4", ("127.0.0.1",), "198.51.100.4"),  # embedded nginx on the same host
        ("10.0.0.2", "", ("10.0.0.0/8",), "10.0.0.2"),  # the proxy itself (its health check)
        ("10.0.0.2", "10.0.0.5, 10.0.0.3", ("10.0.0.0/8",), "10.0.0.5"),  # all hops trusted: the first
        ("10.0.0.2", "garbage, 203.0.113.7", ("10.0.0.0/8",), "203.0.113.7"),
        ("10.0.0.2", "203.0.113.7, not-an-ip", ("10.0.0.0/8",), "10.0.0.2"),  # junk from a hop: stop there
        ("10.0.0.2", "203.0.113.7:51234", ("10.0.0.0/8",), "203.0.113.7"),  # with a port
        ("fd00::2", "2001:db8::7, fd00::1", ("fd00::/8",), "2001:db8::7"),
        ("fd00::2", "[2001:db8::7]:443", ("fd00::/8",), "2001:db8::7"),
        ("::ffff:10.0.0.2", "203.0.113.7", ("10.0.0.0/8",), "203.0.113.7"),  # IPv4-mapped peer
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(peer, xff, trusted, client):
    assert resolve_client_address(peer, xff, _nets(*trusted)) == client


def test_trusted_proxies_take_addresses_and_networks_and_refuse_anything_else():
    assert _nets("127.0.0.1", " 10.0.0.0/8", "fd00::/8") == (
        ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"),
    )  # fmt: skip
    for bad in ("nginx", "10.0.0.1/8", "*", "0.0.0.0/0"):
        with pytest.raises(ImproperlyConfigured):
            _nets(bad)


# --------------------------------------------------------------------------- the middleware


def _through_middleware(settings, trusted: list[str], **meta: str):
    settings.TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen["request"] = request
        from django.http import HttpResponse

        return HttpResponse()

    request = RequestFactory().get("/api/v1/me/", **meta)
    ClientAddressMiddleware(view)(request)
    return seen["request"]


def test_an_untrusted_peer_cannot_claim_another_address_scheme_or_host(settings):
    request = _through_middleware(
        settings, [], REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="6.6.6.6",
        HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="evil.example", HTTP_FORWARDED="for=6.6.6.6",
    )  # fmt: skip
    assert request.client_address == request.META["REMOTE_ADDR"] == "203.0.113.7"
    assert not request.is_secure()
    assert request.get_host() == "testserver"
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED"):
        assert header not in request.META


def test_a_trusted_proxy_supplies_the_client_address_and_scheme(settings):
    request = _through_middleware(
        settings, ["10.0.0.0/8"], REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
        HTTP_X_FORWARDED_PROTO="https",
    )  # fmt: skip
    assert request.client_address == request.META["REMOTE_ADDR"] == "203.0.113.7"
    assert request.META["zhifa.peer_address"] == "10.0.0.2"
    assert request.is_secure()


def test_the_middleware_runs_before_anything_that_reads_the_address_or_scheme():
    middleware = django_settings.MIDDLEWARE
    ours = middleware.index("backend.common.client_address.ClientAddressMiddleware")
    assert ours < middleware.index("django.middleware.security.SecurityMiddleware")
    assert ours < middleware.index("django.middleware.csrf.CsrfViewMiddleware")
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == 0  # DRF throttles read REMOTE_ADDR only


# --------------------------------------------------------------------------- every consumer, through the API


def _login(api, username: str, **meta: str):
    return api.post("/api/v1/auth/token/", {"username": username, "password": "x"}, format="json", **meta)


@pytest.fixture
def login_rate_3(settings):
    from rest_framework.throttling import ScopedRateThrottle

    # Set directly: tests/conftest.py ``_throttle_rates_restored`` puts every throttle class's rates back
    # before the next test starts.
    ScopedRateThrottle.THROTTLE_RATES = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"}


def test_rotating_x_forwarded_for_does_not_escape_the_login_throttle(api, login_rate_3):
    codes = [_login(api, f"user{i}", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_login_budget(api, settings, login_rate_3):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # Forging the left part of the header through the proxy changes nothing: nginx appends the real peer.
    forged = [
        _login(api, f"u{i}", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.7", **proxy).status_code for i in range(4)
    ]
    assert forged == [401, 401, 401, 429]
    assert _login(api, "u9", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 401  # another client


def test_the_audit_trail_records_the_peer_not_a_forged_header(as_user, officer_a):
    client = as_user(officer_a)
    for i in range(3):
        response = client.post(
            "/api/v1/cases/", {**CASE_BODY, "title": f"无照经营 {i}"}, format="json",
            REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}",
        )  # fmt: skip
        assert response.status_code == 201
    addresses = set(AuditEvent.objects.filter(action="case.created").values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.7"}


def test_the_audit_trail_records_the_client_behind_a_trusted_proxy(as_user, officer_a, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = as_user(officer_a).post(
        "/api/v1/cases/", CASE_BODY, format="json", REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )  # fmt: skip
    assert response.status_code == 201
    assert AuditEvent.objects.get(action="case.created").ip_address == "203.0.113.7"


def test_the_public_throttle_keys_on_the_resolved_address(api, settings):
    from backend.disclosures.public_apis import PublicRateThrottle

    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    ClientAddressMiddleware(lambda r: None)(request)
    assert PublicRateThrottle().get_ident(request) == "203.0.113.7"


# --------------------------------------------------------------------------- settings and the real server


def test_behind_tls_proxy_without_trusted_proxies_is_flagged(settings):
    from backend.config.checks import trusted_proxies_check

    settings.TRUSTED_PROXIES = []
    settings.BEHIND_TLS_PROXY = True
    assert [p.id for p in trusted_proxies_check()] == ["proxy.W001"]
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert trusted_proxies_check() == []
    settings.TRUSTED_PROXIES = ["nginx"]
    assert [p.id for p in trusted_proxies_check()] == ["proxy.E001"]


def test_gunicorn_trusts_forwarded_scheme_headers_from_the_same_proxies(monkeypatch):
    import importlib

    from backend.config import gunicorn as gunicorn_conf

    try:
        monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
        assert importlib.reload(gunicorn_conf).forwarded_allow_ips == ""
        monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8")
        assert importlib.reload(gunicorn_conf).forwarded_allow_ips == "127.0.0.1,10.0.0.0/8"
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
        importlib.reload(gunicorn_conf)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_forwarded_headers_count_only_from_trusted_proxies(tmp_path: Path):
    """gunicorn itself trusts X-Forwarded-Proto from 127.0.0.1 unless told otherwise: one rule for both."""
    var = tmp_path / "var"
    var.mkdir()
    database_url = served_database_url(var)

    def run(trusted: str) -> tuple[list[int], str]:
        port = free_port()
        env = server_env(var, database_url, THROTTLE_LOGIN="3/min", TRUSTED_PROXIES=trusted)
        env.pop("FORWARDED_ALLOW_IPS", None)
        shutil.rmtree(var / "cache", ignore_errors=True)  # a fresh throttle budget for each server
        web = start_gunicorn(port, env)
        base = f"http://127.0.0.1:{port}"
        try:
            codes = [
                requests.post(
                    f"{base}/api/v1/auth/token/", json={"username": f"user{i}", "password": "x"},
                    headers={"X-Forwarded-For": f"6.6.6.{i}, 203.0.113.7"}, timeout=30,
                ).status_code
                for i in range(4)
            ]  # fmt: skip
            feed = requests.get(
                f"{base}/api/v1/public/notices/feed.atom", headers={"X-Forwarded-Proto": "https"}, timeout=30
            ).text
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=30)
        return codes, feed

    codes, feed = run("")
    assert codes == [401, 401, 401, 429]
    assert "http://127.0.0.1:" in feed and "https://" not in feed
    codes, feed = run("127.0.0.1")
    assert codes == [401, 401, 401, 429]  # the forged left part changes nothing behind the proxy either
    assert "https://127.0.0.1:" in feed
