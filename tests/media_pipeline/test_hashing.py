from __future__ import annotations

import hashlib
import io
from pathlib import Path

from media_pipeline import HashingReader, sha256_file, sha256_stream


def test_sha256_file_matches_hashlib_across_chunk_boundaries(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000 + b"tail"  # not a multiple of the chunk size
    path = tmp_path / "blob.bin"
    path.write_bytes(data)

    assert sha256_file(path, chunk_size=4096) == hashlib.sha256(data).hexdigest()
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_sha256_of_an_empty_file_is_the_empty_digest(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")

    assert sha256_file(path) == hashlib.sha256(b"").hexdigest()


def test_sha256_stream_hashes_from_the_current_position_and_counts_bytes() -> None:
    stream = io.BytesIO(b"headerPAYLOAD")
    stream.seek(6)

    digest, size = sha256_stream(stream, chunk_size=3)

    assert digest == hashlib.sha256(b"PAYLOAD").hexdigest()
    assert size == 7


class _ReadOnly:
    """A stream without readinto(), like some upload wrappers."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)
        self.max_request = 0

    def read(self, size: int = -1) -> bytes:
        self.max_request = max(self.max_request, size)
        return self._buf.read(size)


def test_sha256_stream_reads_in_bounded_chunks_when_there_is_no_readinto() -> None:
    stream = _ReadOnly(b"x" * 100_000)

    digest, size = sha256_stream(stream, chunk_size=1024)  # type: ignore[arg-type]

    assert digest == hashlib.sha256(b"x" * 100_000).hexdigest()
    assert size == 100_000
    assert stream.max_request == 1024


def test_hashing_reader_hashes_what_passes_through_it() -> None:
    reader = HashingReader(io.BytesIO(b"evidence bytes"))

    copied = reader.read(4) + reader.read()

    assert copied == b"evidence bytes"
    assert reader.hexdigest() == hashlib.sha256(b"evidence bytes").hexdigest()
    assert reader.bytes_read == 14
