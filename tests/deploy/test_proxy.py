"""The compose proxy (docker/nginx.conf + nginx/zhifa-proxy.conf) on loopback: its own refusals speak the API's
error shape, plain HTTP redirects to https, and TLS is what it terminates."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl

import pytest
import requests
from deploy.proxy import nginx_binary, render_compose_nginx, start_nginx
from support import free_port

pytestmark = pytest.mark.skipif(
    nginx_binary() is None, reason="nginx is not installed and could not be (scripts/system-deps.sh)"
)


@pytest.fixture
def proxy(tmp_path):
    """The proxy in front of an instance that is down (nothing listens on its port)."""
    https, http = free_port(), free_port()
    conf = render_compose_nginx(tmp_path, http_port=http, https_port=https, upstreams=[free_port()])
    proc = start_nginx(conf, tmp_path / "nginx.log")
    session = requests.Session()
    session.trust_env = False
    session.verify = str(tmp_path / "fullchain.pem")
    yield {"https": f"https://localhost:{https}", "http": f"http://127.0.0.1:{http}", "session": session,
           "https_port": https, "cert": tmp_path / "fullchain.pem"}  # fmt: skip
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def test_an_instance_that_is_down_gets_a_json_503_with_retry_after(proxy):
    answer = proxy["session"].get(f"{proxy['https']}/api/v1/cases/", timeout=20)
    assert answer.status_code == 503
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["code"] == "service_unavailable"


def test_a_body_over_the_limit_is_refused_in_json_before_it_is_sent(proxy):
    # Announced 2 GiB + 1 byte: refused from the headers alone, nothing of the body is read.
    context = ssl.create_default_context(cafile=str(proxy["cert"]))
    raw = socket.create_connection(("127.0.0.1", proxy["https_port"]), timeout=20)
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"PATCH /api/v1/uploads/00000000-0000-0000-0000-000000000000/ HTTP/1.1\r\nHost: localhost\r\n"
                    b"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
                    b"Content-Length: %d\r\n\r\n" % (2 * 1024**3 + 1))  # fmt: skip
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = tls.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"Tus-Resumable: 1.0.0" in head
    assert json.loads(body)["code"] == "request_body_too_large"


def test_plain_http_is_redirected_to_https_keeping_the_method(proxy):
    answer = proxy["session"].post(f"{proxy['http']}/api/v1/uploads/", allow_redirects=False, timeout=20,
                                   headers={"Host": "enforce.example.gov.cn"})  # fmt: skip
    assert answer.status_code == 308
    assert answer.headers["Location"] == "https://enforce.example.gov.cn/api/v1/uploads/"


def _raw_exchange(proxy, request: bytes) -> tuple[bytes, bytes]:
    context = ssl.create_default_context(cafile=str(proxy["cert"]))
    raw = socket.create_connection(("127.0.0.1", proxy["https_port"]), timeout=20)
    answer = b""
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(request)
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def test_a_request_line_too_long_is_refused_in_json(proxy):
    # Over large_client_header_buffers (8 KiB): nginx's own 414, never its HTML page.
    head, body = _raw_exchange(proxy, b"GET /api/v1/cases/?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: localhost\r\n"
                               b"Connection: close\r\n\r\n")  # fmt: skip
    assert head.startswith(b"HTTP/1.1 414"), head
    assert b"Content-Type: application/json" in head
    answer = json.loads(body)
    assert answer["code"] == "uri_too_long" and "过长" in answer["message"]


def test_a_header_too_large_is_refused_as_431_in_json(proxy):
    head, body = _raw_exchange(proxy, b"GET /api/v1/cases/ HTTP/1.1\r\nHost: localhost\r\nCookie: s=" + b"b" * 9000
                               + b"\r\nConnection: close\r\n\r\n")  # fmt: skip
    assert head.startswith(b"HTTP/1.1 431"), head
    assert b"Content-Type: application/json" in head
    answer = json.loads(body)
    assert answer["code"] == "request_headers_too_large" and "请求头" in answer["message"]
