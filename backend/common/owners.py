"""The one claim-and-heartbeat mechanism: who holds a claim, whether that holder is gone, keeping a claim fresh.

Upload write locks (``evidence.services.claims``) and media-processing claims (``evidence.processing``) are
conditional UPDATEs of their row that record the holder as host + pid (:func:`owner_token`) and a heartbeat
time (:class:`Heartbeat`). A claim is free when its heartbeat is stale, and at once when :func:`holder_gone`
(after a crash or restart a request or worker on the same host takes over without waiting).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection

from backend.common.inputs import is_ascii_int

logger = logging.getLogger(__name__)

HOST = socket.gethostname()


def owner_token() -> str:
    """``host|pid|random``: names this process and is unique per claim."""
    return f"{HOST}|{os.getpid()}|{uuid.uuid4().hex}"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def local_owner_gone(host: str, pid: int) -> bool:
    """True only for another process on this host that no longer exists (a claim of our own is not gone)."""
    return host == HOST and pid != os.getpid() and not process_alive(pid)


def token_holder(token: str) -> tuple[str, int] | None:
    """The host and pid an :func:`owner_token` names, or None for a token of another shape."""
    try:
        host, pid, _random = token.split("|", 2)
    except ValueError:
        return None
    return (host, int(pid)) if is_ascii_int(pid) else None


def holder_gone(*, host: str, pid: int, token: str, active: Collection[str] | None = None) -> bool:
    """Whether the holder of a claim is gone, so the claim may be taken over at once (not after it goes stale).

    Another process on this host that no longer exists is gone. A claim of this very process is gone only when
    the caller keeps the set of tokens it is working on (``active``) and the token is not among them: it was left
    behind by an earlier attempt in this process (e.g. its final write failed). A holder on another host is never
    known to be gone here: its claim is taken over only once its heartbeat is stale.
    """
    if host == HOST and pid == os.getpid():
        return active is not None and token not in active
    return local_owner_gone(host, pid)


class Heartbeat:
    """Keeps a claim fresh: ``beat()`` (a conditional UPDATE of the claimed row that answers whether the claim is
    still ours) every ``every_s`` seconds, either from the holder's own loop (:meth:`tick`) or, for work with no
    loop of its own, from a thread (``with heartbeat:``). Once a beat finds the claim taken over, ``lost`` is set
    and the holder must not record its results.

    Inline, a database error of the beat propagates to the holder; in the thread it is logged and retried at the
    next beat (the holder's own final write will find out), and the thread closes its own connections.
    """

    def __init__(self, beat: Callable[[], bool], *, every_s: float, name: str = "heartbeat") -> None:
        self.beat = beat
        self.every_s = every_s
        self.lost = False
        self._last = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def touch(self) -> None:
        """The claim was just refreshed by another write of the holder (e.g. its progress)."""
        self._last = time.monotonic()

    def tick(self) -> bool:
        """Beat if one is due; False once the claim is lost."""
        if not self.lost and time.monotonic() - self._last > self.every_s:
            self.lost = not self.beat()
            self._last = time.monotonic()
        return not self.lost

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        from django.db import DatabaseError, connections

        try:
            while not self._stop.wait(self.every_s):
                try:
                    alive = self.beat()
                except DatabaseError:
                    logger.warning("%s: heartbeat failed", self._thread.name, exc_info=True)
                    continue
                if not alive:
                    self.lost = True
                    logger.warning("%s: claim lost", self._thread.name)
                    return
        finally:
            connections.close_all()  # this thread's own connections
