"""The resumable SHA-256 state survives serialisation at any split point and equals hashlib."""

from __future__ import annotations

import hashlib
import os

import pytest

from backend.evidence import hashstate
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


def test_a_wheel_bundled_libcrypto_comes_after_the_system_one():
    maps = "\n".join(
        [
            "7f01-7f02 r--p 00000000 fe:01 11 /venv/site-packages/psycopg_binary.libs/libcrypto-3a0647ea.so.3",
            "7f03-7f04 r-xp 00001000 fe:01 11 /venv/site-packages/psycopg_binary.libs/libcrypto-3a0647ea.so.3",
            "7f05-7f06 r--p 00000000 fe:01 12 /usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            "7f07-7f08 r--p 00000000 fe:01 13 /usr/lib/x86_64-linux-gnu/libssl.so.3",
            "7f09-7f0a rw-p 00000000 00:00 0 ",
        ]
    )
    assert hashstate.rank_loaded_libcrypto(maps) == [
        "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
        "/venv/site-packages/psycopg_binary.libs/libcrypto-3a0647ea.so.3",
    ]
