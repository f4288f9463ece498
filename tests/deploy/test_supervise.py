"""scripts/supervise.py with small real processes: one dies → all stop; signals stop all within the bound.

Each case starts the supervisor in its own session (as ``make run`` in a terminal would be), with children
that are tiny Python programs, and looks at the processes in /proc. The real gunicorn + Celery pair is
tested in test_serve_script.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from deploy.procs import alive, members, stat, wait_gone

REPO = Path(__file__).resolve().parents[2]
SUPERVISE = REPO / "scripts" / "supervise.py"
PY = sys.executable

# A child that says READY and sleeps; TERM ends it normally (Python's default action). It prints 'ready'.upper()
# so that its own command line, which the supervisor logs, does not contain what it prints.
SLEEPER = "import os,time; print('ready'.upper(), os.getpid(), flush=True); time.sleep(600)"
# A child that ignores SIGTERM: only SIGKILL ends it.
STUBBORN = ("import os,signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready'.upper(), os.getpid(), flush=True); time.sleep(600)")  # fmt: skip
# A leader with a grandchild in its group that ignores SIGTERM (an orphan-to-be, like a pool child).
WITH_GRANDCHILD = (
    "import os,signal,subprocess,sys,time; "
    "g = subprocess.Popen([sys.executable, '-c', 'import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "time.sleep(600)']); print('grandchild-pid', g.pid, flush=True); time.sleep(600)"
)
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _cmd(code: str) -> str:
    return f'{PY} -c "{code}"'


class Run:
    def __init__(self, tmp_path: Path, *children: tuple[str, str], stop_timeout: float = 5) -> None:
        self.log_path = tmp_path / "supervise.log"
        args = [PY, str(SUPERVISE), "--stop-timeout", str(stop_timeout)]
        for name, code in children:
            args += ["--run", name, _cmd(code)]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, needle: str, count: int = 1, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.output().count(needle) >= count:
                return self.output()
            assert self.proc.poll() is None, self.output()
            time.sleep(0.05)
        raise AssertionError(f"never saw {needle!r} ×{count}\n{self.output()}")

    def child_pids(self) -> dict[str, int]:
        pids = {}
        for line in self.output().splitlines():
            if line.startswith("serve: ") and " started (pid " in line:
                name, _, rest = line[len("serve: ") :].partition(" started (pid ")
                pids[name] = int(rest.partition(")")[0])
        return pids

    def stop(self) -> None:
        for pid in [self.proc.pid, *self.child_pids().values()]:
            for member in members([pid]):
                os.kill(member, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def runs(tmp_path):
    started: list[Run] = []

    def start(*children, stop_timeout: float = 5) -> Run:
        run = Run(tmp_path, *children, stop_timeout=stop_timeout)
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()


def test_one_child_dying_stops_the_others_and_exits_non_zero(runs):
    run = runs(("web", SLEEPER), ("worker", SLEEPER))
    run.wait_for("READY", 2)
    pids = run.child_pids()
    os.kill(pids["web"], signal.SIGKILL)
    assert run.proc.wait(timeout=10) == 1
    assert not alive(pids["worker"])
    out = run.output()
    assert f"web (pid {pids['web']}) was killed by SIGKILL on its own" in out
    assert "web died; worker must not run without it: stopping worker" in out


def test_a_child_exiting_with_status_zero_still_stops_the_others(runs):
    run = runs(("web", SLEEPER), ("oneshot", "print('ready')"))
    assert run.proc.wait(timeout=10) == 1  # a service that ends by itself is a failure of the whole
    assert "oneshot" in run.output() and "exited with status 0 on its own" in run.output()
    assert not alive(run.child_pids()["web"])


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_whole_group_stops_every_child_once_and_exits_zero(runs, signum):
    run = runs(("web", SLEEPER), ("worker", SLEEPER))
    run.wait_for("READY", 2)
    pids = run.child_pids()
    # The children are in their own sessions: the group's signal reaches the supervisor only.
    assert {stat(pid)[3] for pid in pids.values()} == set(pids.values())
    os.killpg(run.proc.pid, signum)
    assert run.proc.wait(timeout=10) == 0
    assert wait_gone(pids.values(), 1) == set()
    out = run.output()
    assert f"{signal.Signals(signum).name} received: stopping web ({pids['web']}), worker ({pids['worker']})" in out
    assert "SIGKILL to its process group" not in out


def test_a_child_that_ignores_sigterm_is_killed_at_the_bound(runs):
    run = runs(("web", SLEEPER), ("stubborn", STUBBORN), stop_timeout=1.5)
    run.wait_for("READY", 2)
    started = time.monotonic()
    os.kill(run.proc.pid, signal.SIGTERM)
    assert run.proc.wait(timeout=10) == 1  # something had to be killed: not a clean stop
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 4, elapsed
    assert not alive(run.child_pids()["stubborn"])
    assert "stubborn (pid" in run.output() and "did not stop in time: SIGKILL to its process group" in run.output()


def test_a_second_signal_kills_at_once(runs):
    run = runs(("stubborn", STUBBORN), stop_timeout=60)
    run.wait_for("READY")
    os.kill(run.proc.pid, signal.SIGINT)
    run.wait_for("SIGINT received: stopping")
    started = time.monotonic()
    os.kill(run.proc.pid, signal.SIGINT)
    assert run.proc.wait(timeout=10) == 1
    assert time.monotonic() - started < 3
    assert "SIGINT received again: killing what is still running" in run.output()


def test_what_a_leader_leaves_in_its_group_is_killed(runs):
    run = runs(("web", SLEEPER), ("parent", WITH_GRANDCHILD))
    out = run.wait_for("grandchild-pid ")
    grandchild = int(out.split("grandchild-pid ", 1)[1].split()[0])
    parent = run.child_pids()["parent"]
    assert stat(grandchild)[2] == parent  # in the leader's group
    os.kill(parent, signal.SIGKILL)  # the leader dies; its child (ignoring SIGTERM) would live on
    assert run.proc.wait(timeout=10) == 1
    assert wait_gone([grandchild], 2) == set()


def test_killing_the_supervisor_itself_stops_the_children(runs):
    run = runs(("web", SLEEPER), ("worker", SLEEPER))
    run.wait_for("READY", 2)
    pids = run.child_pids()
    os.kill(run.proc.pid, signal.SIGKILL)  # no handler runs: the kernel's PR_SET_PDEATHSIG does the work
    run.proc.wait(timeout=10)
    assert wait_gone(pids.values(), 5) == set()


def test_a_command_that_cannot_start_stops_the_others():
    args = [PY, str(SUPERVISE), "--run", "web", _cmd(SLEEPER), "--run", "worker", "/nonexistent/celery worker"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=20)
    assert done.returncode == 1
    assert "worker could not be started (/nonexistent/celery: No such file or directory)" in done.stderr
    assert "stopping web" in done.stderr


def test_names_must_differ():
    done = subprocess.run([PY, str(SUPERVISE), "--run", "a", "true", "--run", "a", "true"],
                          capture_output=True, text=True, timeout=20)  # fmt: skip
    assert done.returncode == 2 and "process names must differ" in done.stderr
