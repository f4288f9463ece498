"""Benchmark of the pure Merkle log (in-memory node store; no database).

    .venv/bin/python bench/bench_ledger_pure.py [--entries 1000000] [--proofs 2000]

Prints: append throughput (one-by-one and batched), root/inclusion/consistency proof latency
(p50/p99) at the final size, full recomputation time, and the bundle verifier's hashing speed.
The PostgreSQL-backed figures come from a separate benchmark once the Django node store exists.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import statistics
import tempfile
import time
from pathlib import Path

from backend.ledgercore.bundle_format import (
    BundleOriginal,
    ManifestFile,
    build_manifest,
    build_proofs,
    original_path,
    write_bundle,
)
from backend.ledgercore.canonical_json import canonical_json
from backend.ledgercore.merkle import (
    InMemoryNodeStore,
    MerkleTree,
    audit_store,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from backend.ledgercore.signed_note import Checkpoint, NoteSigner, generate_key


def entry(i: int) -> bytes:
    return canonical_json(
        {
            "seq": i,
            "action": "evidence.recorded",
            "case_id": f"case-{i % 997}",
            "data": {"sha256": hashlib.sha256(i.to_bytes(8, "big")).hexdigest()},
        }
    )


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"p50 {p50 * 1e6:8.1f} µs   p99 {p99 * 1e6:8.1f} µs   max {samples[-1] * 1e6:8.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs (CI), no figures")
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.proofs = 2000, 20
    n = args.entries
    rng = random.Random(20260501)

    print(f"Pure Merkle log benchmark, {n:,} entries (in-memory node store)")
    t = time.perf_counter()
    entries = [entry(i) for i in range(n)]
    print(
        f"  build {n:,} canonical JSON entries (JCS):        {time.perf_counter() - t:7.2f} s "
        f"({n / (time.perf_counter() - t):,.0f} entries/s, avg {sum(map(len, entries)) / n:.0f} B)"
    )

    store = InMemoryNodeStore()
    tree = MerkleTree(store)
    t = time.perf_counter()
    for data in entries:
        tree.append(data)
    single = time.perf_counter() - t
    print(f"  append one at a time:                          {single:7.2f} s  ({n / single:,.0f} entries/s)")

    batched_store = InMemoryNodeStore()
    batched = MerkleTree(batched_store)
    t = time.perf_counter()
    for start in range(0, n, 1000):
        batched.append_many(entries[start : start + 1000])
    batch_time = time.perf_counter() - t
    print(f"  append in batches of 1000:                     {batch_time:7.2f} s  ({n / batch_time:,.0f} entries/s)")
    assert batched.root() == tree.root()

    root = tree.root()
    timings: list[float] = []
    for _ in range(args.proofs):
        size = rng.randint(1, n)
        t = time.perf_counter()
        tree.root(size)
        timings.append(time.perf_counter() - t)
    print(f"  root at a random size:                         {percentiles(timings)}")

    timings = []
    leaves = []
    for _ in range(args.proofs):
        index = rng.randrange(n)
        t = time.perf_counter()
        proof = tree.inclusion_proof(index, n)
        timings.append(time.perf_counter() - t)
        leaves.append((index, proof))
    print(f"  inclusion proof at size {n:,}:             {percentiles(timings)}")
    for index, proof in leaves[:200]:
        assert verify_inclusion(hashlib.sha256(b"\x00" + entries[index]).digest(), index, n, proof, root)

    timings = []
    checks = []
    for _ in range(args.proofs):
        old = rng.randint(1, n)
        t = time.perf_counter()
        proof = tree.consistency_proof(old, n)
        timings.append(time.perf_counter() - t)
        checks.append((old, proof))
    print(f"  consistency proof (random old → {n:,}):    {percentiles(timings)}")
    for old, proof in checks[:50]:
        assert verify_consistency(old, n, tree.root(old), root, proof)

    timings = []
    for index, proof in leaves:
        leaf = hashlib.sha256(b"\x00" + entries[index]).digest()
        t = time.perf_counter()
        verify_inclusion(leaf, index, n, proof, root)
        timings.append(time.perf_counter() - t)
    print(f"  verify one inclusion proof:                    {percentiles(timings)}")

    t = time.perf_counter()
    recomputed = root_from_leaves(entries)
    recompute = time.perf_counter() - t
    assert recomputed == root
    print(f"  full recomputation of the root from entries:   {recompute:7.2f} s  ({n / recompute:,.0f} entries/s)")

    t = time.perf_counter()
    audit = audit_store(store, entries)
    audit_time = time.perf_counter() - t
    assert audit.ok and audit.root == root
    print(f"  self-audit (recompute + compare every node):   {audit_time:7.2f} s")

    # Bundle writer and verifier throughput on one 256 MiB original.
    from backend.ledgercore.offline_verifier import verify_bundle

    size = 256 << 20
    block = bytes(range(256)) * 4096
    digest = hashlib.sha256()
    for _ in range(size // len(block)):
        digest.update(block)

    class Source(io.RawIOBase):
        def __init__(self) -> None:
            self.left = size

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            k = min(len(buffer), self.left, len(block))
            buffer[:k] = block[:k]
            self.left -= k
            return k

    keys = generate_key("bench.example/ledger")
    small = MerkleTree(InMemoryNodeStore())
    file_entry = {"action": "evidence.recorded", "data": {"sha256": digest.hexdigest()}}
    index = small.append(canonical_json(file_entry))
    path = original_path(1, "big.mp4")
    manifest = build_manifest(
        case={"id": "bench"},
        log_origin="bench.example/ledger",
        entry_indexes=[index],
        files=[ManifestFile(path, digest.hexdigest(), size, index, file_entry)],
    )
    export = {"action": "bundle.exported", "data": {"manifest_sha256": hashlib.sha256(manifest).hexdigest()}}
    export_index = small.append(canonical_json(export))
    proofs = build_proofs(
        tree_size=small.size,
        root_hash=small.root(),
        manifest_entry_index=export_index,
        proofs={i: (small.leaf_hash_at(i), small.inclusion_proof(i)) for i in (index, export_index)},
    )
    note = Checkpoint("bench.example/ledger", small.size, small.root()).sign(NoteSigner.parse(keys.signer_key))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bundle.zip"
        t = time.perf_counter()
        write_bundle(
            out,
            manifest=manifest,
            proofs=proofs,
            checkpoint=note,
            log_public_key=keys.verifier_key,
            entries=[(index, canonical_json(file_entry)), (export_index, canonical_json(export))],
            originals=[BundleOriginal(path, Source)],
        )
        written = time.perf_counter() - t
        t = time.perf_counter()
        report = verify_bundle(out, trusted_keys=[keys.verifier_key])
        verified = time.perf_counter() - t
        assert report.ok, report.render()
    mib = size / (1 << 20)
    print(f"  bundle export, one 256 MiB original:           {written:7.2f} s  ({mib / written:,.0f} MiB/s)")
    print(f"  offline verification of that bundle:           {verified:7.2f} s  ({mib / verified:,.0f} MiB/s)")


if __name__ == "__main__":
    main()
