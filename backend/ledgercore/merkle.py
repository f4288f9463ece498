"""Append-only Merkle tree (RFC 9162 / RFC 6962 hashing) over a pluggable node store.

This module is pure Python (no Django) so that the offline verifier, the self-audit and the
Django-backed log all share one implementation of the tree arithmetic.

Hashing (RFC 9162 §2.1.1):

    leaf hash  = SHA-256(0x00 || entry)
    node hash  = SHA-256(0x01 || left || right)
    empty tree = SHA-256("")

The tree over ``n`` leaves is the RFC tree: ``MTH(D[0:n]) = H(MTH(D[0:k]), MTH(D[k:n]))`` where
``k`` is the largest power of two smaller than ``n``.

Storage model
-------------
Only *complete* subtrees are stored. Node ``(level, index)`` is the hash of the perfect subtree
covering leaves ``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes.
A node is written exactly once, when its subtree becomes complete, and is never changed. Any
other hash the RFC tree needs (the root, the right edge of a tree whose size is not a power of
two) is folded on the fly from at most ``log2(n)`` stored nodes. Consequences:

* appending a leaf reads at most ``log2(n)`` nodes and writes at most ``log2(n) + 1``;
* the root at *any* size ``m <= n``, an inclusion proof and a consistency proof each need
  ``O(log n)`` stored nodes, fetched in a single :meth:`NodeStore.get_nodes` call;
* the stored nodes of an old tree never change when the tree grows, which is exactly the
  append-only property a consistency proof demonstrates to outsiders.

Proofs are computed from the RFC 6962 §2.1.1 / §2.1.2 recursive definitions (PATH and
SUBPROOF), so their element order is the RFC's (leaf side first). The verifiers implement
RFC 9162 §2.1.3.2 and §2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
"""``(level, index)`` of a complete subtree; level 0 is the leaves."""


class MerkleError(ValueError):
    """Raised for impossible requests (index out of range, size larger than the tree)."""


class StoreCorruptError(MerkleError):
    """A node the tree arithmetic says must exist is missing from the store."""


# --------------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash: ``SHA-256(0x00 || entry)``."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The split point ``k`` of RFC 6962: the largest power of two strictly less than ``n >= 2``."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_keys(start: int, end: int) -> list[NodeKey]:
    """Decompose leaves ``[start, end)`` into perfect subtrees, left to right.

    Valid for every range the RFC recursion produces: ``start`` is then a multiple of the
    largest power of two not exceeding ``end - start``, so each piece below is aligned.
    """
    keys: list[NodeKey] = []
    width = end - start
    position = start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Hash of a range from its perfect-subtree pieces: ``H(p1, H(p2, ... H(pk-1, pk)))``."""
    result = hashes[-1]
    for piece in reversed(hashes[:-1]):
        result = node_hash(piece, result)
    return result


# --------------------------------------------------------------------------------------------
# Node stores
# --------------------------------------------------------------------------------------------


@runtime_checkable
class NodeStore(Protocol):
    """Where the hashes of complete subtrees live.

    Implementations (in-memory below; a Django model with one row per node later) MUST:

    * return, from :meth:`get_nodes`, the stored hash for every requested key that exists and
      simply omit keys that do not exist;
    * in :meth:`put_nodes`, store new nodes only. A node is immutable once written: an
      implementation MUST refuse to overwrite an existing key with a different hash (the
      database version enforces this with a primary key and a trigger that rejects UPDATE);
    * report in :meth:`leaf_count` the number of level-0 nodes stored, i.e. the tree size.

    The tree calls :meth:`get_nodes` once per operation with every key it needs, so a database
    implementation answers each append/root/proof with one query.
    """

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]: ...

    def put_nodes(self, nodes: Mapping[NodeKey, bytes]) -> None: ...

    def leaf_count(self) -> int: ...


class InMemoryNodeStore:
    """A :class:`NodeStore` kept in Python lists, one list per level (for tests and benchmarks)."""

    def __init__(self) -> None:
        self._levels: list[list[bytes]] = []

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        levels = self._levels
        found: dict[NodeKey, bytes] = {}
        for level, index in keys:
            if level < len(levels) and 0 <= index < len(levels[level]):
                found[(level, index)] = levels[level][index]
        return found

    def put_nodes(self, nodes: Mapping[NodeKey, bytes]) -> None:
        # Nodes arrive in append order per level (a subtree completes only after the one to its
        # left), so a list per level suffices; anything else is a caller bug.
        for (level, index), value in sorted(nodes.items()):
            while len(self._levels) <= level:
                self._levels.append([])
            row = self._levels[level]
            if index < len(row):
                if row[index] != value:
                    raise MerkleError(f"node ({level}, {index}) already stored with a different hash")
                continue
            if index != len(row):
                raise MerkleError(f"node ({level}, {index}) written out of order")
            row.append(value)

    def leaf_count(self) -> int:
        return len(self._levels[0]) if self._levels else 0


# --------------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------------


class MerkleTree:
    """An append-only RFC 9162 tree whose complete-subtree hashes live in a :class:`NodeStore`.

    The tree caches only its size. With a shared (database) store, build one ``MerkleTree`` per
    transaction while holding the log's append lock, so two writers never compute the same
    leaf index.
    """

    def __init__(self, store: NodeStore, *, size: int | None = None) -> None:
        self.store = store
        self.size = store.leaf_count() if size is None else size

    # -- writing ---------------------------------------------------------------------------

    def append(self, entry: bytes) -> int:
        """Append one entry (its bytes, not its hash); return its leaf index."""
        return self.append_leaf_hashes([leaf_hash(entry)])

    def append_many(self, entries: Iterable[bytes]) -> int:
        """Append entries in order; return the index of the first one (or the size if none)."""
        return self.append_leaf_hashes([leaf_hash(e) for e in entries])

    def append_leaf_hashes(self, hashes: Sequence[bytes]) -> int:
        """Append pre-computed leaf hashes with one read and one write; return the first index.

        The read fetches the current "frontier" (the complete subtrees along the right edge,
        one per set bit of the size), from which every node completed by the batch follows.
        """
        first = self.size
        if not hashes:
            return first
        frontier_keys = [(level, (first >> level) - 1) for level in range(first.bit_length())
                         if first >> level & 1]
        known = self.store.get_nodes(frontier_keys) if frontier_keys else {}
        if len(known) != len(frontier_keys):
            raise StoreCorruptError("frontier nodes missing from the store")
        new: dict[NodeKey, bytes] = {}
        for offset, value in enumerate(hashes):
            if len(value) != HASH_SIZE:
                raise MerkleError("leaf hash must be 32 bytes")
            index = first + offset
            new[(0, index)] = value
            level = 0
            # Each trailing 1-bit of the index is a left sibling waiting for this subtree.
            while index & 1:
                left = new.get((level, index - 1)) or known[(level, index - 1)]
                value = node_hash(left, value)
                level += 1
                index >>= 1
                new[(level, index)] = value
        self.store.put_nodes(new)
        self.size = first + len(hashes)
        return first

    # -- reading ---------------------------------------------------------------------------

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise MerkleError(f"tree size {size} outside 0..{self.size}")

    def _fetch(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        wanted = set(keys)
        found = self.store.get_nodes(wanted) if wanted else {}
        if len(found) != len(wanted):
            missing = sorted(wanted - found.keys())
            raise StoreCorruptError(f"stored nodes missing: {missing[:5]}")
        return found

    def leaf_hash_at(self, index: int) -> bytes:
        if not 0 <= index < self.size:
            raise MerkleError(f"leaf index {index} outside 0..{self.size - 1}")
        return self._fetch([(0, index)])[(0, index)]

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the tree made of the first ``size`` leaves (default: all of them)."""
        size = self.size if size is None else size
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        keys = _range_keys(0, size)
        nodes = self._fetch(keys)
        return _fold([nodes[k] for k in keys])

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path for leaf ``index`` in the tree of ``size`` leaves (RFC 6962 PATH)."""
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise MerkleError(f"leaf index {index} outside 0..{size - 1}")
        ranges: list[tuple[int, int]] = []
        start, end = 0, size
        while end - start > 1:
            k = _largest_power_of_two_below(end - start)
            if index < start + k:
                ranges.append((start + k, end))
                end = start + k
            else:
                ranges.append((start, start + k))
                start += k
        ranges.reverse()  # the RFC lists the leaf's sibling first
        return self._hash_ranges(ranges)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Proof that the first ``old_size`` leaves are a prefix of the first ``new_size``.

        RFC 6962 PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty when ``m`` is 0 or ``m == n``.
        """
        new_size = self.size if new_size is None else new_size
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise MerkleError(f"old size {old_size} outside 0..{new_size}")
        if old_size in (0, new_size):
            return []
        ranges: list[tuple[int, int]] = []
        start, end, m, complete = 0, new_size, old_size, True
        while True:
            n = end - start
            if m == n:
                if not complete:
                    ranges.append((start, end))
                break
            k = _largest_power_of_two_below(n)
            if m <= k:
                ranges.append((start + k, end))
                end = start + k
            else:
                ranges.append((start, start + k))
                start += k
                m -= k
                complete = False
        ranges.reverse()
        return self._hash_ranges(ranges)

    def _hash_ranges(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        pieces = [_range_keys(a, b) for a, b in ranges]
        nodes = self._fetch(k for keys in pieces for k in keys)
        return [_fold([nodes[k] for k in keys]) for keys in pieces]


# --------------------------------------------------------------------------------------------
# Full recomputation (self-audit)
# --------------------------------------------------------------------------------------------


class _CompactRange:
    """Streaming RFC tree builder: O(log n) memory, reports every complete subtree."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing

    def push(self, value: bytes) -> list[tuple[NodeKey, bytes]]:
        completed = [((0, self.size), value)]
        level, index = 0, self.size
        while self.stack and self.stack[-1][0] == level:
            _, left = self.stack.pop()
            value = node_hash(left, value)
            level += 1
            index >>= 1
            completed.append(((level, index), value))
        self.stack.append((level, value))
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        return _fold([h for _, h in self.stack])


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """Recompute the root from leaf hashes alone, streaming (O(log n) memory)."""
    builder = _CompactRange()
    for value in hashes:
        builder.push(value)
    return builder.root()


def root_from_leaves(entries: Iterable[bytes]) -> bytes:
    """Recompute the root from the entries themselves (the self-audit's ground truth)."""
    return root_from_leaf_hashes(leaf_hash(e) for e in entries)


@dataclass(frozen=True, slots=True)
class NodeMismatch:
    level: int
    index: int
    expected: bytes
    stored: bytes | None


@dataclass(frozen=True, slots=True)
class StoreAudit:
    size: int
    root: bytes
    mismatches: tuple[NodeMismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def audit_store(store: NodeStore, entries: Iterable[bytes], *, batch: int = 4096,
                max_mismatches: int = 100) -> StoreAudit:
    """Recompute every node from the entries and compare with what ``store`` holds.

    Detects a changed entry (its leaf and every node above it differ), a changed stored node,
    and missing nodes. Reads the store in batches of ``batch`` leaves' worth of nodes. The
    returned root is the recomputed one; compare it with the latest signed checkpoint.
    """
    builder = _CompactRange()
    pending: list[tuple[NodeKey, bytes]] = []
    mismatches: list[NodeMismatch] = []

    def flush() -> None:
        stored = store.get_nodes(k for k, _ in pending)
        for key, expected in pending:
            actual = stored.get(key)
            if actual != expected and len(mismatches) < max_mismatches:
                mismatches.append(NodeMismatch(key[0], key[1], expected, actual))
        pending.clear()

    for entry in entries:
        pending.extend(builder.push(leaf_hash(entry)))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    if store.leaf_count() != builder.size and len(mismatches) < max_mismatches:
        # More stored leaves than entries: the node table was extended behind the log's back.
        extra = store.get_nodes([(0, builder.size)])
        mismatches.append(NodeMismatch(0, builder.size, b"", extra.get((0, builder.size))))
    return StoreAudit(size=builder.size, root=builder.root(), mismatches=tuple(mismatches))


def iter_range_keys(start: int, end: int) -> Iterator[NodeKey]:
    """Public form of the perfect-subtree decomposition (useful to database implementations)."""
    yield from _range_keys(start, end)


# --------------------------------------------------------------------------------------------
# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2)
# --------------------------------------------------------------------------------------------


def _valid_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    """The root implied by an inclusion proof, or ``None`` if the proof is malformed."""
    if not (0 <= index < size) or not _valid_hash(leaf) or not all(_valid_hash(p) for p in proof):
        return None
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """True iff ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` with ``root``."""
    computed = root_from_inclusion_proof(leaf, index, size, proof)
    return computed is not None and _valid_hash(root) and computed == bytes(root)


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """True iff ``proof`` shows the tree (old_size, old_root) is a prefix of (new_size, new_root)."""
    if not (_valid_hash(old_root) and _valid_hash(new_root)) or not all(_valid_hash(p) for p in proof):
        return False
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and bytes(old_root) == bytes(new_root)
    if old_size == 0:
        # Everything extends the empty tree; RFC 9162 defines no proof for it.
        return not proof and bytes(old_root) == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # exact power of two: the old root is a node of the new tree
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == bytes(old_root) and sr == bytes(new_root)
