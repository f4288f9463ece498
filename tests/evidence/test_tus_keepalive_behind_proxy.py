"""A tus request refused before its body is read leaves the connection (pipelined, or nginx's kept-alive one) usable.

nginx (nginx/zhifa-proxy.conf) keeps its connections to gunicorn alive and sends the next request — anybody's —
on the same one. A PATCH refused after the body reader was made but before a byte was read (an offset that
does not match: 409) used to take the bytes gunicorn had received with the headers and drop them, while
gunicorn still counted them as unread body: draining it then ate the start of the next request on that
connection, which came out garbled (gunicorn's 400, an nginx 502). backend/common/request_body.py now takes
nothing from gunicorn's buffer until it reads, and gives back what it did not use.
"""

from __future__ import annotations

import os
import re
import signal
import socket
from urllib.parse import urlsplit

import pytest
import requests
from deploy.proxy import nginx_binary, render_compose_nginx, start_nginx
from support import free_port, served_database_url, server_env, start_gunicorn, token_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed"),
]


def test_the_request_after_a_refused_patch_on_the_same_upstream_connection_is_answered(
    officer_a, case_a, kit, tmp_path
):
    var = tmp_path / "var"
    var.mkdir()
    env = server_env(var, served_database_url(var))
    port = free_port()
    web = start_gunicorn(port, env, threads=1)  # one thread: every request takes the same kept-alive connection
    https = free_port()
    conf = render_compose_nginx(tmp_path, http_port=free_port(), https_port=https, upstreams=[port])
    proxy = start_nginx(conf, tmp_path / "nginx.log")
    try:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(tmp_path / "fullchain.pem")
        base = f"https://localhost:{https}"
        auth = {"Authorization": f"Bearer {token_for(officer_a)}", "Tus-Resumable": "1.0.0"}
        data = b"\xff\xd8\xff\xe0" + os.urandom(6000) + b"\xff\xd9"
        created = session.post(f"{base}/api/v1/uploads/", timeout=30, headers={
            **auth, "Upload-Length": str(len(data)), "Upload-Metadata": kit.encode_md(kit.metadata_for(case_a, data)),
        })  # fmt: skip
        assert created.status_code == 201, created.text
        location = base + urlsplit(created.headers["Location"]).path
        patch = {**auth, "Content-Type": "application/offset+octet-stream"}
        for attempt in range(5):
            # Offset 100 while the upload is at 0: refused (409) before the body is read.
            refused = session.patch(
                location, data=data[100:3000], timeout=30, headers={**patch, "Upload-Offset": "100"}
            )
            assert refused.status_code == 409, (attempt, refused.status_code, refused.text)
            after = session.head(location, timeout=30, headers=auth)
            assert after.status_code == 200, (attempt, after.status_code, after.text)
            assert after.headers["Upload-Offset"] == "0"
        # Straight to gunicorn, the refused PATCH and the next request in one write (HTTP/1.1 pipelining).
        path = urlsplit(location).path
        head = f"HEAD {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {auth['Authorization']}\r\n"
        head += "Tus-Resumable: 1.0.0\r\nConnection: close\r\n\r\n"
        body = data[100:3000]
        refused = (
            f"PATCH {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {auth['Authorization']}\r\n"
            f"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 100\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
            raw.sendall(refused + head.encode())
            answers = b""
            while chunk := raw.recv(65536):
                answers += chunk
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answers)
        assert statuses == [b"409", b"200"], answers[:2000]
        done = session.patch(location, data=data, timeout=30, headers={**patch, "Upload-Offset": "0"})
        assert done.status_code == 204, done.text
        assert done.headers["Upload-Offset"] == str(len(data))
    finally:
        os.killpg(proxy.pid, signal.SIGKILL)
        proxy.wait(timeout=10)
        os.killpg(web.pid, signal.SIGKILL)
        web.wait(timeout=10)
