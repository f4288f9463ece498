"""Who holds a claim or lock: this host and process, and whether a holder on this host is gone.

Upload write locks (evidence.services) and media-processing claims (evidence.processing) record their
holder as host + pid, so that after a crash or restart a request or worker on the same host can take over
at once instead of waiting for the claim to go stale.
"""

from __future__ import annotations

import os
import socket
import uuid

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
