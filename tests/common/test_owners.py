"""Claim holders: a holder on this host whose process is gone may be taken over; nothing else."""

from __future__ import annotations

import os
import subprocess
import sys

from backend.common.owners import HOST, local_owner_gone, owner_token


def test_only_a_finished_process_on_this_host_is_gone():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert local_owner_gone(HOST, child.pid)
    assert not local_owner_gone(HOST, os.getpid())  # our own claims are judged by their caller
    assert not local_owner_gone("another-host", child.pid)  # we cannot tell for other hosts
    host, pid, rest = owner_token().split("|")
    assert (host, int(pid)) == (HOST, os.getpid()) and len(rest) == 32 and owner_token() != owner_token()
