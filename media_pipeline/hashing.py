"""Chunked SHA-256 in constant memory, for originals at ingest and for derivatives."""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

CHUNK_SIZE = 1024 * 1024


def sha256_stream(stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """Hash a binary stream from its current position to EOF.

    Returns:
        (hex digest, number of bytes read). The stream is not rewound or closed.
    """
    digest = hashlib.sha256()
    total = 0
    buf = bytearray(chunk_size)
    view = memoryview(buf)
    readinto = getattr(stream, "readinto", None)
    while True:
        if readinto is not None:
            n = readinto(view)
            if not n:
                break
            digest.update(view[:n])
        else:
            data = stream.read(chunk_size)
            if not data:
                break
            n = len(data)
            digest.update(data)
        total += n
    return digest.hexdigest(), total


def sha256_file(path: str | os.PathLike[str], *, chunk_size: int = CHUNK_SIZE) -> str:
    """Hex SHA-256 of a file, read in ``chunk_size`` chunks (opened read-only)."""
    with open(path, "rb") as fh:
        return sha256_stream(fh, chunk_size=chunk_size)[0]


class HashingReader:
    """Wrap a readable stream and hash everything read through it.

    Lets a caller copy an upload to storage and hash it in the same pass::

        reader = HashingReader(request_stream)
        storage.put(key, reader)
        reader.hexdigest(), reader.bytes_read
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if data:
            self._digest.update(data)
            self.bytes_read += len(data)
        return data

    def readable(self) -> bool:
        return True

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
