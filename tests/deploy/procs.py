"""Looking at real processes from /proc (Linux): who is in which process group, who is still alive."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path


def stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgid, sid) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[3])


def alive(pid: int) -> bool:
    """Running or stopped; a zombie (exited, not yet reaped) counts as gone."""
    info = stat(pid)
    return info is not None and info[0] not in ("Z", "X")


def members(groups: Iterable[int]) -> set[int]:
    """Every live process whose process group is one of ``groups``."""
    wanted = set(groups)
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = stat(int(entry.name))
            if info is not None and info[2] in wanted and info[0] not in ("Z", "X"):
                found.add(int(entry.name))
    return found


def wait_gone(pids: Iterable[int], timeout: float) -> set[int]:
    """Wait until every pid is gone; returns those still alive at the deadline."""
    left = set(pids)
    deadline = time.monotonic() + timeout
    while left and time.monotonic() < deadline:
        left = {pid for pid in left if alive(pid)}
        if left:
            time.sleep(0.05)
    return {pid for pid in left if alive(pid)}
