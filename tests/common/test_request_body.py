"""The request-body fast path under a real gunicorn: exact bytes, keep-alive and pipelining stay correct."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import RequestFactory
from support import free_port

from backend.common.request_body import body_reader

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture(scope="module")
def echo_server():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "common"), str(REPO)])}
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "body_echo_app:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--keep-alive",
            "5",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("gunicorn did not start")
    yield port
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _request(body: bytes, block: int = 65536) -> bytes:
    head = (f"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: {len(body)}\r\nX-Block: {block}\r\n\r\n").encode()
    return head + body


def _read_responses(sock: socket.socket, count: int) -> list[str]:
    data = b""
    answers: list[str] = []
    sock.settimeout(10)
    while len(answers) < count:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        while b"\r\n\r\n" in data:
            head, rest = data.split(b"\r\n\r\n", 1)
            length = int(
                next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
            )
            if len(rest) < length:
                break
            answers.append(rest[:length].decode())
            data = rest[length:]
    return answers


def _expect(body: bytes) -> str:
    return f"fast {len(body)} {hashlib.sha256(body).hexdigest()}"


def test_large_body_arrives_exactly_through_the_socket_fast_path(echo_server):
    body = os.urandom(5 * 1024 * 1024 + 123)
    with socket.create_connection(("127.0.0.1", echo_server)) as sock:
        sock.sendall(_request(body, block=1024 * 1024))
        assert _read_responses(sock, 1) == [_expect(body)]


def test_keep_alive_and_pipelined_requests_stay_in_step(echo_server):
    # Three requests in one write: the first recv gunicorn makes holds all of them, so the fast path must
    # hand back exactly what belongs to the next request; odd block sizes split the bodies unevenly.
    bodies = [os.urandom(1000), b"", os.urandom(70_001)]
    with socket.create_connection(("127.0.0.1", echo_server)) as sock:
        sock.sendall(b"".join(_request(b, block=333) for b in bodies))
        assert _read_responses(sock, 3) == [_expect(b) for b in bodies]
        # ... and the connection is still good for another request afterwards.
        more = os.urandom(300_000)
        sock.sendall(_request(more, block=4096))
        assert _read_responses(sock, 1) == [_expect(more)]


def test_a_body_cut_short_is_not_mistaken_for_the_next_request(echo_server):
    partial = os.urandom(10_000)
    with socket.create_connection(("127.0.0.1", echo_server)) as sock:
        sock.sendall(_request(partial + os.urandom(10_000))[:-10_000])  # declares 20,000 bytes, sends 10,000
        sock.shutdown(socket.SHUT_WR)  # the client gives up mid-body
        answers = _read_responses(sock, 1)
        assert answers == [f"fast {len(partial)} {hashlib.sha256(partial).hexdigest()}"]
        sock.settimeout(5)
        assert sock.recv(1) == b"", "the connection is closed, not reused"
    # The worker is fine afterwards.
    body = os.urandom(2048)
    with socket.create_connection(("127.0.0.1", echo_server)) as sock:
        sock.sendall(_request(body))
        assert _read_responses(sock, 1) == [_expect(body)]


def test_outside_gunicorn_the_plain_stream_is_read():
    request = RequestFactory().generic(
        "PATCH", "/x", data=b"abc" * 1000, content_type="application/offset+octet-stream"
    )
    read = body_reader(request)
    assert getattr(read, "__self__", None) is request
    assert read(1000) + read(5000) == b"abc" * 1000
    assert read(10) == b""


def test_expect_100_continue_as_curl_sends_large_bodies(echo_server):
    body = os.urandom(3 * 1024 * 1024)
    head = (
        f"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", echo_server)) as sock:
        sock.settimeout(10)
        sock.sendall(head)
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += sock.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        assert _read_responses(sock, 1) == [_expect(body)]
