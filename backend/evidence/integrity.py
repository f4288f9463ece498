"""The one integrity check of a stored original: re-hash it (SHA-256 and length) and compare with what was
recorded at intake. Used by media processing (on its local copy), the provenance check, the ledger's
self-audit (its AuditOriginals question) and ``manage.py verify_evidence``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from backend.common.storage import get_storage
from backend.evidence.models import EvidenceItem

BLOCK = 1 << 20


@dataclasses.dataclass(frozen=True, kw_only=True)
class OriginalIntegrity:
    sha256: str
    size: int
    recorded_sha256: str
    recorded_size: int

    @property
    def intact(self) -> bool:
        return self.sha256 == self.recorded_sha256 and self.size == self.recorded_size


def file_blocks(path: Path) -> Iterator[bytes]:
    """A local copy of an original, block by block."""
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            yield block


def original_rehash(
    item: EvidenceItem,
    *,
    blocks: Iterable[bytes] | None = None,
    sinks: Sequence[Callable[[bytes], object]] = (),
) -> OriginalIntegrity:
    """Re-hash ``item``'s original: the stored object (default, one read through the storage interface) or
    the given ``blocks`` (a local copy). Each block is also handed to ``sinks`` (a file being written, an SM3
    hasher), so a caller that needs the bytes reads them once. Raises ``StorageError`` when unreadable."""
    digest = hashlib.sha256()
    size = 0
    for block in get_storage().open(item.storage_key) if blocks is None else blocks:
        digest.update(block)
        size += len(block)
        for sink in sinks:
            sink(block)
    return OriginalIntegrity(sha256=digest.hexdigest(), size=size, recorded_sha256=item.sha256, recorded_size=item.size)
