"""Under a real gunicorn: a body announced larger than 2 MiB is refused with the JSON 413 before a byte of
it is sent (the client never has to upload it), and the connection is closed rather than parsed on."""

from __future__ import annotations

import json
import os
import signal
import socket

from support import free_port, server_env, start_gunicorn


def _answer(port: int, head: bytes) -> bytes:
    """The response to ``head`` (headers only: the announced body never follows), read to its Content-Length."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
            headers, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                length = next((int(line.split(b":", 1)[1]) for line in headers.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), None)
                if length is not None and len(body) >= length:
                    return data


def test_an_announced_huge_body_gets_413_json_before_it_is_sent(tmp_path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    port = free_port()
    # No database is touched: the answer comes from the middleware, before the view and its queries.
    web = start_gunicorn(port, server_env(var, f"sqlite:///{var / 'db.sqlite3'}"))
    try:
        for path in (
            "/api/v1/auth/token/", "/api/v1/cases/", "/notices/00000000-0000-0000-0000-000000000000/correction/"
        ):
            raw = _answer(port, (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
            ).encode())
            head, _, body = raw.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 413"), raw[:300]
            assert b"application/json" in head.lower()
            assert json.loads(body)["code"] == "request_body_too_large"
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
