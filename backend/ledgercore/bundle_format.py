"""Evidence bundle format (``zhifa-evidence-bundle/1``) and a streaming, constant-memory writer.

A bundle is a ZIP (ZIP64 where needed) that a court, a 行政复议 body or a lawyer can check
offline with ``zhifa-verify bundle.zip --key <published key>``. Human-readable description:
``api_docs/verification.md``. Layout::

    manifest.json            what the bundle contains (UTF-8 JSON, see build_manifest)
    entries/<index>.json     log entries, one per file, exactly the canonical (RFC 8785) bytes
                             that were hashed into the log; <index> is the zero-padded leaf index
    proofs.json              one inclusion proof per entry, all against the same checkpoint
    checkpoint.txt           the signed tree head (C2SP tlog-checkpoint, Ed25519 signed note)
    checkpoint.tsr           only when the service has a TSA: the RFC 3161 TimeStampResp (DER) over
                             checkpoint.txt (可信时间戳: the checkpoint existed no later than its time)
    log_public_key.txt       the log's verifier key, ``<name>+<key id>+<base64 key>``
    originals/<file>         the original evidence files, byte for byte

How the pieces bind together (all verified by ``backend.ledgercore.offline_verifier``):

* each original's SHA-256 is recomputed and must equal the manifest's ``sha256`` and appear
  (as a JSON string) in the log entry at the manifest's ``log_index``;
* each entry file must be canonical JSON and have a valid inclusion proof against the
  checkpoint root; the checkpoint must carry a valid signature by the log key;
* a timestamp token, when present, must be an RFC 3161 response whose message imprint is the
  SHA-256 of ``checkpoint.txt``; its signature and chain are checked against TSA roots the reader
  trusts (``--tsa-roots``);
* the manifest itself is authenticated through the log: exporting a bundle appends an export
  entry that contains the SHA-256 of ``manifest.json`` (``proofs.json`` names it as
  ``manifest_entry_index``), so changing any byte of the manifest is detected too.

Export sequence for the Django side (the only order that works, because the checkpoint must
cover the export entry):

1. ``manifest = build_manifest(...)``                      (hashes as recorded at intake)
2. append the export entry containing ``sha256_hex(manifest)`` to the log
3. sign a checkpoint covering it; compute proofs for the case entries and the export entry
4. ``proofs = build_proofs(...)``; ``write_bundle(...)`` or ``iter_bundle(...)`` to stream it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from backend.ledgercore.canonical_json import canonical_json, format_timestamp

FORMAT = "zhifa-evidence-bundle/1"
MANIFEST = "manifest.json"
PROOFS = "proofs.json"
CHECKPOINT = "checkpoint.txt"
CHECKPOINT_TIMESTAMP = "checkpoint.tsr"
PUBLIC_KEY = "log_public_key.txt"
ENTRIES_DIR = "entries/"
ORIGINALS_DIR = "originals/"
CHUNK_SIZE = 1 << 20

# Limits the verifier applies before reading a member into memory (zip-bomb protection).
MAX_SMALL_MEMBER = 64 << 20
MAX_KEY_SIZE = 4096
MAX_CHECKPOINT_SIZE = 1 << 20
MAX_TIMESTAMP_SIZE = 1 << 20


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry_path(index: int) -> str:
    """``entries/000000000017.json``: zero-padded so the files sort in log order."""
    if index < 0:
        raise ValueError("log index must be >= 0")
    return f"{ENTRIES_DIR}{index:012d}.json"


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def original_path(sequence: int, filename: str) -> str:
    """A safe, unique path for an original: ``originals/0001-<sanitised name>``.

    The client-supplied name is only a hint: path separators, control and other unusual
    characters become ``_`` and the name is shortened, so no bundle can contain ``../``.
    Chinese characters are kept (``\\w`` is Unicode-aware).
    """
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip("._") or "file"
    if len(name) > 100:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 100 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:100]
    return f"{ORIGINALS_DIR}{sequence:04d}-{name}"


# --------------------------------------------------------------------------------------------
# Manifest and proofs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManifestFile:
    """One original file as the manifest describes it (values as recorded at intake)."""

    path: str                                   # original_path(...)
    sha256: str                                 # lowercase hex, as recorded at intake
    size: int
    log_index: int                              # leaf index of the entry that recorded the file
    log_entry: Mapping[str, Any]                # that entry (its canonical bytes are the leaf)
    capture_record: Mapping[str, Any] | None = None
    device_signature: str | None = None         # base64 Ed25519 signature over the capture record
    device_public_key: str | None = None        # base64 raw 32-byte Ed25519 public key

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "log_index": self.log_index,
            "log_entry": dict(self.log_entry),
            "capture_record": dict(self.capture_record) if self.capture_record is not None else None,
            "device_signature": self.device_signature,
            "device_public_key": self.device_public_key,
            "device_signature_alg": "ed25519" if self.device_signature else None,
        }


def dump_json(value: Any) -> bytes:
    """The exact JSON text form of ``manifest.json`` and ``proofs.json`` (sorted keys, indent 2)."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build_manifest(*, case: Mapping[str, Any], log_origin: str, files: Sequence[ManifestFile],
                   entry_indexes: Iterable[int], created_at: datetime | None = None) -> bytes:
    """``manifest.json`` bytes. Hash them and log the hash before writing the bundle.

    ``case`` is minimal case information for the reader (number, agency, title); personal data
    of parties does not belong here. ``entry_indexes`` are the leaf indexes of the case's audit
    entries included under ``entries/`` (the file entries must be among them).
    """
    indexes = sorted(set(entry_indexes))
    missing = {f.log_index for f in files} - set(indexes)
    if missing:
        raise ValueError(f"file log entries not included in entry_indexes: {sorted(missing)}")
    paths = [f.path for f in files]
    if len(set(paths)) != len(paths) or any(not p.startswith(ORIGINALS_DIR) for p in paths):
        raise ValueError("file paths must be unique and under originals/")
    for f in files:
        canonical_json(dict(f.log_entry))  # fail early if an entry cannot be canonicalized
    return dump_json({
        "format": FORMAT,
        "created_at": format_timestamp(created_at or datetime.now(UTC)),
        "case": dict(case),
        "log": {"origin": log_origin, "checkpoint": CHECKPOINT, "public_key": PUBLIC_KEY},
        "files": [f.to_json() for f in files],
        "entries": [{"index": i, "path": entry_path(i)} for i in indexes],
    })


def build_proofs(*, tree_size: int, root_hash: bytes, manifest_entry_index: int,
                 proofs: Mapping[int, tuple[bytes, Sequence[bytes]]]) -> bytes:
    """``proofs.json`` bytes: ``{index: (leaf_hash, inclusion_path)}`` against one tree head.

    Must include the export entry (``manifest_entry_index``) and every entry in the bundle.
    """
    if manifest_entry_index not in proofs:
        raise ValueError("the export entry needs an inclusion proof too")
    return dump_json({
        "format": FORMAT,
        "tree_size": tree_size,
        "root_hash": root_hash.hex(),
        "manifest_entry_index": manifest_entry_index,
        "inclusion": [
            {"index": index, "leaf_hash": leaf.hex(), "path": [h.hex() for h in path]}
            for index, (leaf, path) in sorted(proofs.items())
        ],
    })


# --------------------------------------------------------------------------------------------
# Streaming writer
# --------------------------------------------------------------------------------------------

Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True, slots=True)
class BundleOriginal:
    """An original to copy into the bundle. ``source`` is opened (if callable) only when its
    turn comes and closed right after, so a case with thousands of files holds one open file."""

    path: str
    source: Opener | IO[bytes]


class _Sink:
    """A write-only, non-seekable file object that buffers what ZipFile writes until drained."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _generate(fp: Any, *, manifest: bytes, entries: Iterable[tuple[int, bytes]], proofs: bytes,
              checkpoint: str, log_public_key: str, originals: Iterable[BundleOriginal],
              chunk_size: int, checkpoint_timestamp: bytes | None) -> Iterator[None]:
    """Write the bundle into ``fp``, yielding after each piece so a caller can drain ``fp``."""
    seen: set[str] = set()

    def info(name: str) -> zipfile.ZipInfo:
        if name in seen or name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"bad or duplicate bundle path {name!r}")
        seen.add(name)
        zinfo = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible archives
        zinfo.compress_type = zipfile.ZIP_STORED
        zinfo.external_attr = 0o644 << 16
        return zinfo

    # Every member is STORED, not deflated: media is already compressed, export runs at disk
    # speed, and every byte of the archive's data is a byte the verifier checks (a deflate
    # stream can carry padding bits whose change would go unnoticed).
    with zipfile.ZipFile(fp, "w", allowZip64=True) as zf:
        zf.writestr(info(MANIFEST), manifest)
        zf.writestr(info(PUBLIC_KEY), log_public_key.strip() + "\n")
        zf.writestr(info(CHECKPOINT), checkpoint.encode("utf-8"))
        if checkpoint_timestamp:
            zf.writestr(info(CHECKPOINT_TIMESTAMP), checkpoint_timestamp)
        zf.writestr(info(PROOFS), proofs)
        yield
        for index, data in entries:
            zf.writestr(info(entry_path(index)), data)
            yield
        for original in originals:
            if not original.path.startswith(ORIGINALS_DIR):
                raise ValueError("originals must live under originals/")
            zinfo = info(original.path)
            with ExitStack() as stack:
                src = original.source() if callable(original.source) else original.source
                if callable(original.source):
                    stack.enter_context(src)
                dst = stack.enter_context(zf.open(zinfo, "w", force_zip64=True))
                while chunk := src.read(chunk_size):
                    dst.write(chunk)
                    yield
            yield
    yield


def write_bundle(dest: str | Path | BinaryIO, *, manifest: bytes, entries: Iterable[tuple[int, bytes]],
                 proofs: bytes, checkpoint: str, log_public_key: str, originals: Iterable[BundleOriginal],
                 chunk_size: int = CHUNK_SIZE, checkpoint_timestamp: bytes | None = None) -> None:
    """Write a bundle to a path or binary file object (seekable or not) in constant memory."""
    with ExitStack() as stack:
        fp = stack.enter_context(open(dest, "wb")) if isinstance(dest, str | Path) else dest
        for _ in _generate(fp, manifest=manifest, entries=entries, proofs=proofs, checkpoint=checkpoint,
                           log_public_key=log_public_key, originals=originals, chunk_size=chunk_size,
                           checkpoint_timestamp=checkpoint_timestamp):
            pass


def iter_bundle(*, manifest: bytes, entries: Iterable[tuple[int, bytes]], proofs: bytes, checkpoint: str,
                log_public_key: str, originals: Iterable[BundleOriginal],
                chunk_size: int = CHUNK_SIZE, checkpoint_timestamp: bytes | None = None) -> Iterator[bytes]:
    """Yield the bundle as byte chunks (for ``StreamingHttpResponse``); memory ~ ``chunk_size``."""
    sink = _Sink()
    for _ in _generate(sink, manifest=manifest, entries=entries, proofs=proofs, checkpoint=checkpoint,
                       log_public_key=log_public_key, originals=originals, chunk_size=chunk_size,
                       checkpoint_timestamp=checkpoint_timestamp):
        data = sink.drain()
        if data:
            yield data
    data = sink.drain()
    if data:
        yield data
