"""The resumable SHA-256 state survives serialisation at any split point and equals hashlib."""

from __future__ import annotations

import hashlib
import os

import pytest

from backend.evidence.hashstate import HashStateError, ResumableSha256


@pytest.mark.parametrize("split", [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 4095])
def test_a_state_saved_at_any_point_continues_to_the_same_digest(split):
    data = os.urandom(5000)
    first = ResumableSha256()
    first.update(data[:split])
    resumed = ResumableSha256.from_state(first.state())
    resumed.update(bytearray(data[split:]))
    assert resumed.hexdigest() == hashlib.sha256(data).hexdigest()


def test_digest_does_not_finalise_the_running_hash():
    h = ResumableSha256()
    h.update(b"abc")
    assert h.hexdigest() == hashlib.sha256(b"abc").hexdigest()
    h.update(memoryview(b"def"))
    assert h.hexdigest() == hashlib.sha256(b"abcdef").hexdigest()


@pytest.mark.parametrize("state", [b"garbage", b"SHA256CTXv1:" + b"\x00" * 10, b"SHA256CTXv1:" + b"\xff" * 112])
def test_a_foreign_or_corrupt_state_is_refused(state):
    with pytest.raises(HashStateError):
        ResumableSha256.from_state(state)
