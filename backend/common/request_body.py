"""Reading a large request body in blocks, without the copies of the WSGI input stream.

Evidence uploads stream hundreds of megabytes per request. Under gunicorn, ``wsgi.input`` hands each block
through three buffers (``SocketUnreader`` → ``LengthReader`` → ``Body``), about six copies of every byte:
measured with ``bench/bench_uploads.py`` that is ~1.4 ms of CPU per MiB, more than the SHA-256 of the same
bytes. When the input is gunicorn's plain length-delimited body on a socket, :func:`body_reader` reads
straight from the socket into a fresh buffer (``recv_into``: the kernel's copy only) and keeps gunicorn's
own accounting right, so the connection is reused or closed exactly as gunicorn would. Any other server,
a chunked body, or a body somebody already started reading gets the plain ``request.read``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

BlockReader = Callable[[int], "bytes | bytearray"]


def body_reader(request: HttpRequest) -> BlockReader:
    """A ``read(n)`` for the body of ``request``: up to ``n`` bytes, ``b""`` at the end of the body.

    Like a socket, it may return fewer than ``n`` bytes only at the end of the body or when the client
    went away; it raises :class:`OSError` when the connection breaks.
    """
    fast = _gunicorn_socket_reader(request)
    return fast if fast is not None else request.read


def _gunicorn_socket_reader(request: HttpRequest) -> BlockReader | None:
    try:
        from gunicorn.http.body import Body, LengthReader
        from gunicorn.http.unreader import SocketUnreader
    except ImportError:  # not served by gunicorn (runserver, tests)
        return None
    body = request.META.get("wsgi.input")
    sock = request.META.get("gunicorn.socket")
    if (
        sock is None
        or type(body) is not Body
        or type(body.reader) is not LengthReader
        or type(body.reader.unreader) is not SocketUnreader
        or body.buf.tell()  # Body already holds read-ahead of its own
        or getattr(request, "_read_started", False)  # Django already read from it
        or not hasattr(body.reader.unreader, "take_buffered")
    ):
        return None
    return _SocketBodyReader(body, sock).read


class _SocketBodyReader:
    def __init__(self, body: Any, sock: Any) -> None:
        self._body = body
        self._length_reader = body.reader
        self._unreader = body.reader.unreader
        self._sock = sock

    def _take_buffered(self, size: int) -> bytes:
        """Up to ``size`` bytes of what gunicorn received with the headers; the rest goes straight back.

        Taken per read, never ahead: a view that refuses the request before reading it (a tus PATCH at the
        wrong offset, 409) must leave gunicorn's buffer and its count of unread body as they were, or
        gunicorn's drain of the unread body eats the start of the next request on the connection (a
        pipelined one, or the proxy's next request on its kept-alive connection), which is then garbled."""
        buffered = self._unreader.take_buffered()
        if len(buffered) > size:
            self._unreader.unread(buffered[size:])
            buffered = buffered[:size]
        return buffered

    def read(self, size: int) -> bytes | bytearray:
        size = min(size, self._length_reader.length)
        if size <= 0:
            return b""
        block = bytearray(size)
        view = memoryview(block)
        buffered = self._take_buffered(size)
        got = len(buffered)
        view[:got] = buffered
        try:
            while got < size:
                received = self._sock.recv_into(view[got:], size - got)
                if not received:
                    break
                got += received
        except OSError:
            self._consumed(got, broken=True)
            raise
        self._consumed(got, broken=got < size)
        return block if got == size else bytes(view[:got])

    def _consumed(self, count: int, *, broken: bool) -> None:
        # gunicorn drains what is left of the body before reading the next request on this connection;
        # it must know what we took, and must not reuse a connection whose body ended early.
        self._length_reader.length -= count
        if broken:
            self._body.failed = True
