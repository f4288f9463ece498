#!/usr/bin/env python3
"""Run the processes of the embedded service side by side: one dies, all stop; SIGTERM/SIGINT stop all, bounded.

    python scripts/supervise.py --stop-timeout 40 \
        --run web 'gunicorn -c python:backend.config.gunicorn ...' --run worker 'celery -A ... worker'

Used by ``scripts/serve.sh`` (``make run``). Standard library only. Why not plain ``cmd &`` in the shell:

- **Signals go to each process's leader only.** Every child gets its own session (process group), so a
  SIGTERM sent to the group of ``make run`` (a terminal's Ctrl-C, ``kill -TERM -<pgid>``, systemd) reaches
  this supervisor alone, which relays one SIGTERM to each leader. Sent to the whole group, the same signal
  also hit Celery's pool children directly: they died, and the Celery main process hung in its warm
  shutdown until SIGKILL (measured: ≥ 35 s and counting, against 5–8 s for a SIGTERM to the main process).
- **One dies, all stop.** When any child exits, whatever its status, the others are stopped the same way
  and the supervisor exits non-zero, naming the process that died and how.
- **Bounded.** Whatever has not exited ``--stop-timeout`` seconds after the SIGTERM is killed (SIGKILL to its
  whole group); a second SIGTERM/SIGINT kills at once. After a leader has exited, anything left in its
  group (an orphaned gunicorn worker or Celery pool child) is killed too.
- **No orphans if the supervisor itself is killed.** Each child gets ``PR_SET_PDEATHSIG`` = SIGTERM (Linux):
  should the supervisor die by SIGKILL, the kernel sends every leader the same SIGTERM it would have sent.

Exit status: 0 after a requested stop in which everything exited by itself within the bound; 1 when a
child died on its own (or failed to start) or something had to be killed; 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

_PR_SET_PDEATHSIG = 1
POLL_INTERVAL_S = 0.1


def _log(message: str) -> None:
    print(f"serve: {message}", file=sys.stderr, flush=True)


def describe_status(returncode: int) -> str:
    """Popen's return code in words: ``exited with status 3`` / ``was killed by SIGKILL``."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


def _pdeathsig_preexec(parent_pid: int) -> Callable[[], None] | None:
    """A preexec_fn that asks the kernel to SIGTERM the child when this supervisor dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # the supervisor died between fork and prctl
            os._exit(1)

    return preexec


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    returncode: int | None = None
    killed: bool = field(default=False)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.returncode is None


class Supervisor:
    def __init__(self, children: Sequence[Child], *, stop_timeout: float) -> None:
        self.children = list(children)
        self.stop_timeout = stop_timeout
        self.stop_reason: str | None = None  # set once stopping has begun
        self.failed = False  # a child died on its own, failed to start, or had to be killed
        self.deadline: float | None = None
        self._signals: list[int] = []

    # ----------------------------------------------------------------- signals
    def _on_signal(self, signum: int, _frame: object) -> None:
        self._signals.append(signum)  # handled in the loop, never inside the handler

    def _handle_signals(self) -> None:
        while self._signals:
            signum = self._signals.pop(0)
            name = signal.Signals(signum).name
            if self.stop_reason is None:
                self.begin_stop(f"{name} received")
            else:
                _log(f"{name} received again: killing what is still running")
                self.kill_all()

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        preexec = _pdeathsig_preexec(os.getpid())
        for child in self.children:
            try:
                child.proc = subprocess.Popen(child.argv, start_new_session=True, preexec_fn=preexec)
            except OSError as exc:
                self.failed = True
                _log(f"{child.name} could not be started ({child.argv[0]}: {exc.strerror})")
                self.begin_stop(f"{child.name} did not start")
                return
            _log(f"{child.name} started (pid {child.proc.pid}): {shlex.join(child.argv)}")

    def begin_stop(self, reason: str) -> None:
        if self.stop_reason is not None:
            return
        self.stop_reason = reason
        self.deadline = time.monotonic() + self.stop_timeout
        running = [c for c in self.children if c.running]
        if running:
            names = ", ".join(f"{c.name} ({c.proc.pid})" for c in running if c.proc)
            _log(f"{reason}: stopping {names}; SIGKILL after {self.stop_timeout:g} s")
        for child in running:
            self._signal_leader(child, signal.SIGTERM)

    def kill_all(self) -> None:
        for child in self.children:
            if child.running:
                child.killed = True
                self.failed = True
                _log(f"{child.name} (pid {child.proc.pid}) did not stop in time: SIGKILL to its process group")
                self._kill_group(child)

    @staticmethod
    def _signal_leader(child: Child, signum: int) -> None:
        # The leader only: gunicorn's and Celery's main processes stop their own children in order.
        if child.proc is not None and child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.proc.pid, signum)

    @staticmethod
    def _kill_group(child: Child) -> None:
        # Only while the leader is unreaped (zombie or alive): its pid, hence the group id, cannot be reused.
        if child.proc is not None and child.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.proc.pid, signal.SIGKILL)

    def _reap(self) -> list[Child]:
        """Children whose leader has exited since the last call; their leftover group members are killed."""
        ended = []
        for child in self.children:
            if not child.running or child.proc is None:
                continue
            try:  # look without reaping, so the group id stays reserved while the leftovers are killed
                if os.waitid(os.P_PID, child.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                    continue
            except ChildProcessError:  # already reaped elsewhere: nothing left to look at
                pass
            self._kill_group(child)
            child.returncode = child.proc.wait()
            ended.append(child)
        return ended

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        self.start()
        while any(c.running for c in self.children):
            self._handle_signals()
            for child in self._reap():
                how = describe_status(child.returncode or 0)
                if self.stop_reason is None:
                    self.failed = True
                    others = [c.name for c in self.children if c.running]
                    _log(f"{child.name} (pid {child.proc.pid}) {how} on its own")
                    self.begin_stop(
                        f"{child.name} died" + (f"; {', '.join(others)} must not run without it" if others else "")
                    )
                elif not child.killed:
                    _log(f"{child.name} stopped ({how})")
            if self.deadline is not None and time.monotonic() > self.deadline:
                self.kill_all()
                self.deadline = None
            time.sleep(POLL_INTERVAL_S)
        status = 1 if self.failed else 0
        _log(f"everything has stopped ({self.stop_reason or 'nothing ran'}); exit status {status}")
        return status


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--run",
        nargs=2,
        action="append",
        metavar=("NAME", "COMMAND"),
        required=True,
        help="a process to run (the command is split like a shell would, without a shell)",
    )
    parser.add_argument(
        "--stop-timeout",
        type=float,
        default=40.0,
        help="seconds between SIGTERM and SIGKILL when stopping (default 40)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    names = [name for name, _ in args.run]
    if len(set(names)) != len(names):
        _log(f"process names must differ: {names}")
        return 2
    children = [Child(name, shlex.split(command)) for name, command in args.run]
    return Supervisor(children, stop_timeout=args.stop_timeout).run()


if __name__ == "__main__":
    sys.exit(main())
