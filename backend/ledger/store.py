"""The Merkle log in the database: a :class:`~backend.ledgercore.merkle.NodeStore` over :class:`TreeNode`.

Every audit event becomes one leaf (see :func:`backend.ledger.services.audit_record`), appended in the
same transaction while the audit chain head is locked, so leaves are written in chain order and the
leaf index of event ``seq`` is ``seq - 1``. An append reads the frontier (at most ``log2 n`` nodes, one
query) and inserts at most ``log2 n + 1`` nodes (one query) plus the entry row: O(log n).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import Q

from backend.ledger.models import LogEntry, TreeNode
from backend.ledgercore.merkle import MerkleTree, NodeKey, leaf_hash

BULK_BATCH = 5000


class DjangoNodeStore:
    """Complete-subtree hashes in the ``ledger_treenode`` table, keyed by ``(level, index)``.

    ``get_nodes`` answers with one query per call; ``put_nodes`` inserts only (an existing key makes the
    insert fail on the primary key, which is exactly the "never overwrite" rule of the protocol).
    """

    def __init__(self, using: str = "default", *, model: type[TreeNode] = TreeNode) -> None:
        self.using = using
        self.model = model

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        if connections[self.using].vendor == "postgresql":
            return self._pg_get_nodes(keys)
        by_level: dict[int, list[int]] = defaultdict(list)
        for level, index in keys:
            by_level[level].append(index)
        if not by_level:
            return {}
        condition = Q()
        for level, indexes in by_level.items():
            condition |= Q(level=level, index__in=indexes) if len(indexes) > 1 else Q(level=level, index=indexes[0])
        rows = self.model.objects.using(self.using).filter(condition).values_list("level", "index", "hash")
        return {(level, index): bytes(value) for level, index, value in rows}

    def _pg_get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        """Join the wanted keys (two array parameters) against the primary key: one index probe per key,
        a stable plan and no SQL text that grows with the number of keys."""
        keys = list(keys)
        if not keys:
            return {}
        meta = self.model._meta
        quote = connections[self.using].ops.quote_name
        level, index = quote(meta.get_field("level").column), quote(meta.get_field("index").column)
        sql = (f"SELECT n.{level}, n.{index}, n.{quote(meta.get_field('hash').column)} "  # quoted names  # nosec B608
               f"FROM unnest(%s::smallint[], %s::bigint[]) AS k(l, i) "
               f"JOIN {quote(meta.db_table)} n ON n.{level} = k.l AND n.{index} = k.i")
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [[k[0] for k in keys], [k[1] for k in keys]])
            return {(lv, ix): bytes(value) for lv, ix, value in cursor.fetchall()}

    def put_nodes(self, nodes: Mapping[NodeKey, bytes]) -> None:
        if not nodes:
            return
        if connections[self.using].vendor == "postgresql":
            keys = list(nodes)
            _pg_insert_arrays(self.using, self.model, [
                ("level", "smallint", [k[0] for k in keys]),
                ("index", "bigint", [k[1] for k in keys]),
                ("hash", "bytea", [nodes[k] for k in keys]),
            ])
            return
        objs = [self.model(level=level, index=index, hash=value) for (level, index), value in nodes.items()]
        self.model.objects.using(self.using).bulk_create(objs, batch_size=BULK_BATCH)

    def leaf_count(self) -> int:
        last = (self.model.objects.using(self.using).filter(level=0).order_by("-index")
                .values_list("index", flat=True).first())
        return 0 if last is None else last + 1


def _pg_insert_arrays(using: str, model: type, columns: Sequence[tuple[str, str, list]]) -> None:
    """One ``INSERT ... SELECT FROM unnest(arrays)`` statement: on PostgreSQL many times faster than
    ``bulk_create`` for the thousands of small rows of a batch append (3 parameters, whatever the count)."""
    meta = model._meta
    quote = connections[using].ops.quote_name
    names = ", ".join(quote(meta.get_field(name).column) for name, _, _ in columns)
    arrays = ", ".join(f"%s::{sql_type}[]" for _, sql_type, _ in columns)
    with connections[using].cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT * FROM unnest({arrays})",  # nosec B608
                       [values for _, _, values in columns])


class CachedNodeStore:
    """Read-through cache over a store, for computing many proofs against one tree size (bundle export):
    the upper nodes that all proofs share are fetched once. Stored nodes never change, so caching them
    for the duration of one operation is always correct."""

    def __init__(self, store: DjangoNodeStore) -> None:
        self.store = store
        self.cache: dict[NodeKey, bytes] = {}

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        wanted = set(keys)
        missing = [k for k in wanted if k not in self.cache]
        for start in range(0, len(missing), BULK_BATCH):
            self.cache.update(self.store.get_nodes(missing[start:start + BULK_BATCH]))
        return {k: self.cache[k] for k in wanted if k in self.cache}

    def put_nodes(self, nodes: Mapping[NodeKey, bytes]) -> None:
        raise TypeError("a cached view of the log is read-only")

    def leaf_count(self) -> int:
        return self.store.leaf_count()


def log_tree(*, size: int | None = None) -> MerkleTree:
    """The log's tree over the database store (size read from the store unless given)."""
    return MerkleTree(DjangoNodeStore(), size=size)


def log_size() -> int:
    return DjangoNodeStore().leaf_count()


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """A leaf to append: the event's ``seq``, its canonical entry bytes and the evidence hash it records."""

    seq: int
    entry: bytes
    evidence_sha256: str | None = None


def log_append(entries: Sequence[PendingEntry]) -> int:
    """Append entries (in ``seq`` order, continuing the log) and return the first leaf index.

    Callers hold the audit chain head lock (``audit_record``) or otherwise exclude concurrent writers
    (the backfill migration, the benchmark). The tree size is taken from the first entry's ``seq``
    rather than counted: if the stored tree disagrees, the frontier read fails (tree too short) or the
    insert hits the primary key (tree too long), so a wrong size can never silently fork the log.
    """
    if not entries:
        return log_size()
    first = entries[0].seq - 1
    for offset, item in enumerate(entries):
        if item.seq - 1 != first + offset:
            raise ValueError("log entries must be appended in consecutive seq order")
    leaves = [leaf_hash(item.entry) for item in entries]
    tree = MerkleTree(DjangoNodeStore(), size=first)
    tree.append_leaf_hashes(leaves)
    if connection.vendor == "postgresql" and len(entries) > 1:
        _pg_insert_arrays("default", LogEntry, [
            ("index", "bigint", list(range(first, first + len(entries)))),
            ("event", "bigint", [item.seq for item in entries]),
            ("leaf_hash", "bytea", leaves),
            ("entry", "bytea", [item.entry for item in entries]),
            ("evidence_sha256", "varchar", [item.evidence_sha256 for item in entries]),
        ])
        return first
    LogEntry.objects.bulk_create(
        [
            LogEntry(index=first + offset, event_id=item.seq, leaf_hash=leaf, entry=item.entry,
                     evidence_sha256=item.evidence_sha256)
            for offset, (item, leaf) in enumerate(zip(entries, leaves, strict=True))
        ],
        batch_size=BULK_BATCH,
    )
    return first
