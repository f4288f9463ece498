"""Benchmark of the database-backed Merkle log on PostgreSQL.

    .venv/bin/python bench/bench_ledger.py [--entries 1000000] [--proofs 2000] [--bundle-mb 512]
        [--db postgres://postgres@127.0.0.1:5432/zhifa_bench] [--keep] [--reuse --bundle-mb 0]

Creates the database (drops it first, and again at the end unless ``--keep``), migrates, then measures:

1. ``audit_record`` one event per transaction (the production path: event + chain + leaf + nodes) on
   an empty log;
2. bulk append up to ``--entries`` leaves through the same ``DjangoNodeStore`` / ``log_append``
   (batches of 10,000 synthetic event entries of realistic size);
3. ``audit_record`` again at that size (append cost must not grow with n: O(log n));
4. inclusion and consistency proof latency at that size (tree level: one DB query each; and the
   public HTTP endpoint end to end through Django/DRF);
5. full tree recomputation from the stored entries (the self-audit's ``audit_store``);
6. evidence bundle export throughput: export + stream a case with ``--bundle-mb`` of originals from
   local storage, then the offline verifier's throughput on the written bundle.

Bounded runtime: about 6-10 minutes on the 2-core CI machine for the defaults.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import recreate_database  # noqa: E402

BATCH = 10_000


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"p50 {p50 * 1e3:7.3f} ms   p99 {p99 * 1e3:7.3f} ms   max {samples[-1] * 1e3:7.3f} ms"


def synthetic_entry(seq: int) -> tuple[bytes, str | None]:
    """An entry shaped like a real audit event (about 600 bytes); every 5th records an evidence hash."""
    sha = hashlib.sha256(seq.to_bytes(8, "big")).hexdigest() if seq % 5 == 0 else None
    body = {
        "action": "evidence.received" if sha else "case.transition",
        "actor_id": str(1 + seq % 50), "actor_name": f"officer{seq % 50}", "actor_roles": ["field_officer"],
        "agency_id": 1 + seq % 7, "case_id": f"00000000-0000-4000-8000-{seq % 99991:012d}",
        "data": {"sha256": sha, "size": 1000 + seq} if sha else {"from": "investigating", "to": "proposed"},
        "device_id": None, "hash": hashlib.sha256(b"h%d" % seq).hexdigest(), "ip_address": "10.0.0.1",
        "occurred_at": "2026-11-26T10:00:00.000000Z", "prev_hash": hashlib.sha256(b"h%d" % (seq - 1)).hexdigest(),
        "request_id": "bench", "seq": seq, "target_id": str(seq), "target_type": "cases.case",
    }
    # ASCII-only strings and small integers: sorted compact JSON is exactly the RFC 8785 form.
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode(), sha


def bench_audit_record(count: int, label: str) -> None:
    """One writer, one event per transaction, both sequencer modes (see bench_ledger_writes.py for many writers):
    inline (chain + leaf under the head lock in the writer's transaction), batched (insert; sealed by the
    writer's commit hook, a batch of one), and the sealer alone on ``count`` pending events (batches of
    LEDGER_SEQUENCE_BATCH) — the cost per event once writers are concurrent."""
    from django.conf import settings
    from django.db import transaction

    from backend.ledger import sequencer
    from backend.ledger.services import audit_record

    def write(n: int) -> None:
        for i in range(n):
            with transaction.atomic():
                audit_record(action="bench.event", target_type="bench", target_id=str(i), data={"n": i})

    for mode in ("inline", "batched"):
        settings.LEDGER_SEQUENCER = mode
        started = time.perf_counter()
        write(count)
        elapsed = time.perf_counter() - started
        print(f"audit_record {mode:<7} (event + chain + Merkle leaf, 1 tx each) {label}: {count / elapsed:8.0f} "
              f"events/s ({elapsed / count * 1e3:.2f} ms/event)")
    schedule = sequencer.schedule_sequencing
    sequencer.schedule_sequencing = lambda: None
    try:
        started = time.perf_counter()
        write(count)
        recorded = time.perf_counter() - started
    finally:
        sequencer.schedule_sequencing = schedule
    started = time.perf_counter()
    sealed = sequencer.ledger_sequence()
    elapsed = time.perf_counter() - started
    print(f"  batched, split: record only {count / recorded:8.0f} events/s; the sealer on {sealed} pending "
          f"events {sealed / elapsed:8.0f} events/s ({elapsed / sealed * 1e3:.3f} ms/event, batches of "
          f"{sequencer.batch_size()})")


def bulk_append(target: int) -> None:
    from django.db import transaction

    from backend.ledger.models import ChainHead
    from backend.ledger.store import PendingEntry, log_append, log_size

    size = log_size()
    started = time.perf_counter()
    appended = 0
    report_every = max(target // 10, BATCH)
    next_report = size + report_every
    while size < target:
        n = min(BATCH, target - size)
        batch = []
        for seq in range(size + 1, size + n + 1):
            entry, sha = synthetic_entry(seq)
            batch.append(PendingEntry(seq=seq, entry=entry, evidence_sha256=sha))
        with transaction.atomic():
            log_append(batch)
        size += n
        appended += n
        if size >= next_report:
            rate = appended / (time.perf_counter() - started)
            print(f"  ... {size:>9,} leaves, {rate:8.0f} entries/s", flush=True)
            next_report += report_every
    elapsed = time.perf_counter() - started
    print(f"bulk append (log_append, batches of {BATCH:,}): {appended:,} entries in {elapsed:.1f}s = "
          f"{appended / elapsed:8.0f} entries/s")
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:  # what autovacuum would do next; measure the steady state
        cursor.execute("VACUUM ANALYZE ledger_treenode")
        cursor.execute("VACUUM ANALYZE ledger_logentry")
    print(f"VACUUM ANALYZE after the bulk load: {time.perf_counter() - started:.1f}s")
    # Let the real write path continue after the synthetic entries.
    ChainHead.objects.update_or_create(name="audit", defaults={"last_seq": size, "last_hash": "0" * 64})


def bench_proofs(count: int) -> None:
    from django.db import connection

    from backend.ledger.store import log_tree

    tree = log_tree()
    n = tree.size
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_treenode")
    for _ in range(50):  # warm the connection and the index pages
        tree.inclusion_proof(rng.randrange(n), n)
    samples = []
    for _ in range(count):
        index = rng.randrange(n)
        started = time.perf_counter()
        tree.inclusion_proof(index, n)
        samples.append(time.perf_counter() - started)
    print(f"inclusion proof at n={n:,} (tree, 1 query):        {percentiles(samples)}")
    samples = []
    for _ in range(count):
        first = rng.randrange(1, n)
        started = time.perf_counter()
        tree.consistency_proof(first, n)
        samples.append(time.perf_counter() - started)
    print(f"consistency proof at n={n:,} (tree, 1 query):      {percentiles(samples)}")
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        tree.root(rng.randrange(1, n + 1))
        samples.append(time.perf_counter() - started)
    print(f"root at a random size (1 query):                    {percentiles(samples)}")


def bench_proof_api(count: int) -> None:
    from django.test import Client

    from backend.ledger.checkpoints import checkpoint_sign

    size = checkpoint_sign(force=True).checkpoint.tree_size
    client = Client()
    rng = random.Random(11)
    for name, url, params in (
        ("inclusion", "/api/v1/public/ledger/proof/inclusion", lambda: {"index": rng.randrange(size)}),
        ("consistency", "/api/v1/public/ledger/proof/consistency", lambda: {"first": rng.randrange(1, size)}),
    ):
        samples = []
        for _ in range(count):
            query = params()
            started = time.perf_counter()
            response = client.get(url, query)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:200]
        print(f"public API {name:<12} GET end to end (n={size:,}): {percentiles(samples)}")


def bench_recompute() -> None:
    from backend.ledger.selfaudit import SelfAuditReport, _check_tree

    report = SelfAuditReport()
    started = time.perf_counter()
    _check_tree(report)
    elapsed = time.perf_counter() - started
    assert report.ok, report.problems[:3]
    print(f"full tree recomputation from stored entries + node comparison: {report.entries:,} entries in "
          f"{elapsed:.1f}s ({report.entries / elapsed:,.0f} entries/s), root {report.root[:16]}…")


def bench_bundle(total_mb: int, workdir: Path) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from backend.accounts.models import Agency, Role, UserRole
    from backend.cases.models import Case
    from backend.common.storage import get_storage
    from backend.evidence.models import EvidenceItem
    from backend.ledger.keys import current_verifier
    from backend.ledger.services import audit_record
    from backend.ledgercore.canonical_json import capture_record
    from backend.ledgercore.offline_verifier import verify_bundle
    from backend.sharing.services import bundle_export_create, bundle_stream

    agency = Agency.objects.create(name="基准测试局", uscc="11220400MB0000000B", region_code="220400",
                                   region_name="吉林省辽源市")
    user = get_user_model().objects.create_user(username="bench", password="x" * 12, agency=agency)
    UserRole.objects.create(user=user, role=Role.AUDITOR)
    case = Case.objects.create(agency=agency, title="基准", party_type="organisation", party_name="某公司")
    files = 8
    per_file = max(1, total_mb // files) << 20  # whole MiB: distinct originals
    storage = get_storage()
    block = os.urandom(1 << 20)
    for n in range(files):
        source = workdir / f"src-{n}"
        digest = hashlib.sha256()
        with open(source, "wb") as fh:
            for i in range(per_file >> 20):
                chunk = bytes([n, i & 0xFF]) + block[2:]
                fh.write(chunk)
                digest.update(chunk)
        sha = digest.hexdigest()
        key = f"originals/{case.id}/{n}"
        storage.put_file(key, source)
        source.unlink()
        now = timezone.now()
        record = capture_record(sha256=sha, captured_at=now, case=str(case.id), device=None, latitude=None,
                                longitude=None)
        with transaction.atomic():
            item = EvidenceItem.objects.create(
                case=case, kind="video", sha256=sha, size=per_file, status="received", captured_at=now,
                captured_at_raw=record["captured_at"], received_at=now, uploaded_by=user,
                original_filename=f"video-{n}.mp4", signature_status="absent", capture_record=record,
                storage_key=key,
            )
            audit_record(action="evidence.received", target=item, actor=user, case_id=case.id,
                         data={"sha256": sha, "size": per_file, "capture_record": record})
    started = time.perf_counter()
    export = bundle_export_create(case=case, user=user)
    prepared = time.perf_counter() - started
    out = workdir / "bundle.zip"
    written = 0
    with open(out, "wb") as fh:
        for chunk in bundle_stream(export):
            fh.write(chunk)
            written += len(chunk)
    elapsed = time.perf_counter() - started
    mb = written / (1 << 20)
    print(f"bundle export ({files} originals, {mb:,.0f} MB, log n={export.checkpoint.tree_size:,}): "
          f"prepare {prepared * 1e3:.0f} ms, total {elapsed:.1f}s = {mb / elapsed:,.0f} MB/s")
    started = time.perf_counter()
    report = verify_bundle(out, trusted_keys=[current_verifier()])
    elapsed = time.perf_counter() - started
    assert report.ok, report.render()
    print(f"offline verifier on that bundle: {elapsed:.1f}s = {mb / elapsed:,.0f} MB/s")
    out.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument("--api-requests", type=int, default=300)
    parser.add_argument("--bundle-mb", type=int, default=512)
    parser.add_argument("--events", type=int, default=2000, help="audit_record calls per measurement")
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/zhifa_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again on a database kept with --keep (skips the load phases)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs (CI), no figures")
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.proofs, args.api_requests, args.bundle_mb, args.events = 3000, 20, 20, 8, 30
        args.db += "_smoke"

    workdir = Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    if not args.reuse:
        recreate_database(args.db)
    from backend.ledgercore.signed_note import generate_key

    os.environ.update({
        "DATABASE_URL": args.db, "DJANGO_SETTINGS_MODULE": "backend.config.settings",
        "STORAGE_BACKEND": "local", "STORAGE_LOCAL_ROOT": str(workdir / "storage"),
        "LEDGER_ORIGIN": "bench.example/ledger", "LEDGER_SIGNING_KEY": generate_key("bench.example/ledger").signer_key,
        "THROTTLE_PUBLIC": "1000000/min", "LOG_LEVEL": "WARNING", "DEBUG": "false",
    })
    import django

    django.setup()
    from django.conf import settings

    # Throttling counters: production shares them in Redis; the embedded default (a file cache) would
    # dominate the API timings, so the benchmark uses the in-process cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.management import call_command

    try:
        print(f"PostgreSQL {args.db}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
        if not args.reuse:
            if not os.environ.get("BENCH_DB_TEMPLATE"):
                call_command("migrate", verbosity=0)
            bench_audit_record(args.events, "on an empty log")
            bulk_append(args.entries)
        bench_audit_record(args.events, f"at n={args.entries:,}")
        bench_proofs(args.proofs)
        bench_proof_api(args.api_requests)
        bench_recompute()
        if args.bundle_mb:
            bench_bundle(args.bundle_mb, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            recreate_database(args.db, drop_only=True)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
