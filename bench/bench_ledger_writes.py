"""Ledger appends per second with concurrent request-like writers, from 1 and N gunicorn instances, on PostgreSQL:
the batched sequencer (``LEDGER_SEQUENCER=batched``) beside the previous design (``inline``: every writer holds
the chain head lock from its ``audit_record`` until it commits) in the same run.

    .venv/bin/python bench/bench_ledger_writes.py [--concurrency 1,4,16,32] [--instances 1,2] [--duration 8]
        [--rounds 3] [--cases 500] [--db-prefix zhifa_bench_ledger_writes] [--keep] [--smoke]

For each mode a database is created and migrated, ``--cases`` cases are created, and max(--instances) gunicorn
instances are started as ``make run`` starts them (3 gthread workers x 4 threads each) with bench/bench_urls.py.
Each writer is a wrk connection sending ``POST /bench/ledger/write/<case>/`` (lock the case row, bump its
version, ``audit_record``, commit) to random cases; with N instances the connections are split evenly across
them (as a proxy would spread them). Every (concurrency, instances) cell is measured for both modes one right
after the other, the mode order alternating, for ``--rounds`` rounds; figures are medians. An append counts once
it is sealed (in the chain and the Merkle log): after each window the bench waits until nothing is pending.
The direct tier runs the same transaction in ``--direct`` writer processes without HTTP, for both modes and
once without the audit record at all (the ceiling of the work around it). At the end each database's chain
is verified (``verify_ledger``).

Results: printed, and written to ``var/bench/ledger_writes.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import (  # noqa: E402
    bench_env,
    free_port,
    log,
    machine,
    median,
    migrate,
    recreate_database,
    start_gunicorn,
    stop_group,
    wrk,
)

MODES = ("inline", "batched")


def pg_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def seed(url: str, cases: int) -> list[str]:
    from backend.accounts.models import Agency
    from backend.cases.models import Case

    agency = Agency.objects.using(url).create(
        name="基准测试市场监督管理局", uscc="11220400MB0000001X", region_code="220400", region_name="吉林省辽源市"
    )
    objs = [
        Case(agency=agency, title=f"销售过期食品案{i}", party_type="organisation", party_name="某某商贸有限公司")
        for i in range(cases)
    ]
    Case.objects.using(url).bulk_create(objs, batch_size=1000)
    return [str(c.id) for c in objs]


def counts(alias: str) -> tuple[int, int]:
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE seq IS NOT NULL), count(*) FILTER (WHERE seq IS NULL) FROM ledger_auditevent"
        )
        sealed, pending = cursor.fetchone()
    return sealed, pending


def settle(alias: str, timeout: float = 60) -> tuple[int, int]:
    """Wait until nothing is pending (the commit hooks seal within milliseconds; the last ones may still run)."""
    deadline = time.monotonic() + timeout
    while True:
        sealed, pending = counts(alias)
        if not pending or time.monotonic() > deadline:
            return sealed, pending
        time.sleep(0.05)


def measure(alias: str, ports: list[int], paths: list[str], connections: int, duration: float) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    before, _ = settle(alias)
    share = [connections // len(ports) + (1 if i < connections % len(ports) else 0) for i in range(len(ports))]
    started = time.monotonic()
    with ThreadPoolExecutor(len(ports)) as pool:
        parts = list(
            pool.map(
                lambda pc: wrk(
                    pc[0],
                    random.sample(paths, len(paths)),
                    duration=duration,
                    connections=pc[1],
                    method="POST",
                    body="",
                ),
                [(p, c) for p, c in zip(ports, share, strict=True) if c],
            )
        )
    window = time.monotonic() - started
    after, pending = settle(alias)
    requests = sum(p["requests"] for p in parts)
    return {
        "appends_per_s": (after - before) / duration,
        "requests_per_s": sum(p["rps"] for p in parts),
        "p50_ms": median(p["p50_ms"] for p in parts),
        "p99_ms": max(p["p99_ms"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
        "appended": after - before,
        "requests": requests,
        "left_pending": pending,
        "window_s": window,
    }


def _direct_writer(url: str, mode: str, case_ids: list[str], ready, start, stop, results) -> None:
    """One writer process without HTTP: the same transaction as the bench view, as fast as it can."""
    ledger = mode != "none"  # "none": the same transaction without the audit record, the ceiling
    os.environ.update(
        DATABASE_URL=url,
        LEDGER_SEQUENCER=mode if ledger else "inline",
        DJANGO_SETTINGS_MODULE="backend.config.settings",
    )
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import F

    from backend.cases.models import Case
    from backend.ledger.services import audit_record

    rng = random.Random(os.getpid())
    Case.objects.filter(pk=case_ids[0]).exists()  # connect before the start
    ready.put(os.getpid())
    start.wait()
    done = 0
    while not stop.is_set():
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=rng.choice(case_ids))
            Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
            if ledger:
                audit_record(
                    action="case.updated",
                    target=case,
                    case_id=case.id,
                    data={"changed": {"title": [case.title, case.title]}, "version": case.version + 1},
                )
        done += 1
    results.put(done)


def measure_direct(url: str, mode: str, case_ids: list[str], writers: int, duration: float) -> dict:
    """``writers`` processes writing directly (no web stack): the write path's own capacity, i.e. what N web
    instances on their own machines could reach at most."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    ready, start, stop, results = ctx.Queue(), ctx.Event(), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_direct_writer, args=(url, mode, case_ids, ready, start, stop, results))
        for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:  # every process connected and waiting
        ready.get(timeout=300)
    before, _ = settle(url)
    start.set()
    time.sleep(duration)
    stop.set()
    transactions = sum(results.get(timeout=60) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
    after, pending = settle(url)
    return {
        # "none" appends nothing: its figure is transactions/s, the ceiling of the same work without a ledger
        "appends_per_s": (after - before if mode != "none" else transactions) / duration,
        "transactions": transactions,
        "left_pending": pending,
        "p50_ms": float("nan"),
        "p99_ms": float("nan"),
        "errors": 0,
    }


def verify(url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backend.config.settings"}
    out = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "backend/manage.py", "verify_ledger"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode:
        raise SystemExit(f"verify_ledger failed on {url}: {out.stderr or out.stdout}")
    return out.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="1,4,16,32")
    parser.add_argument("--instances", default="1,2")
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--db-prefix", default="zhifa_bench_ledger_writes")
    parser.add_argument(
        "--direct", default="1,4,16,32", help="writer process counts for the direct tier (no web stack); empty to skip"
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="1 s windows, 1 round, 2 writers: checks it runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.concurrency, args.instances, args.duration, args.rounds, args.cases = "2", "1,2", 1, 1, 20
        args.direct = "1"
        args.db_prefix += "_smoke"
    levels = [int(x) for x in args.concurrency.split(",")]
    instance_counts = [int(x) for x in args.instances.split(",")]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
    urls = {mode: pg_url(f"{args.db_prefix}_{mode}") for mode in MODES}
    for url in urls.values():
        log(f"creating {url}")
        recreate_database(url)
        migrate(url)
    import django
    from django.conf import settings

    os.environ["DATABASE_URL"] = urls[MODES[0]]
    settings.DATABASES.update(
        {
            url: {**settings.DATABASES["default"], "NAME": url.rsplit("/", 1)[1], "CONN_MAX_AGE": 0}
            for url in urls.values()
        }
    )
    django.setup()
    paths = {mode: [f"/bench/ledger/write/{cid}/" for cid in seed(url, args.cases)] for mode, url in urls.items()}

    servers: dict[str, list[tuple[int, subprocess.Popen]]] = {}
    report: dict = {"machine": machine(), "args": vars(args), "cells": {}}
    try:
        for mode, url in urls.items():
            env = bench_env(url, LEDGER_SEQUENCER=mode)
            servers[mode] = []
            for _ in range(max(instance_counts)):
                port = free_port()
                servers[mode].append((port, start_gunicorn(env, port, settle=0 if args.smoke else 3)))
            log(f"{mode}: {len(servers[mode])} instance(s) on ports {[p for p, _ in servers[mode]]}")
        # Warm every worker's connection and code paths.
        for mode in MODES:
            measure(urls[mode], [p for p, _ in servers[mode]], paths[mode], 2 * max(instance_counts), 1)
        runs: dict[str, list[dict]] = {}
        for round_no in range(args.rounds):
            for level in levels:
                for n in instance_counts:
                    if n > level:
                        continue
                    order = MODES if (round_no + level + n) % 2 == 0 else MODES[::-1]
                    for mode in order:
                        ports = [p for p, _ in servers[mode][:n]]
                        r = measure(urls[mode], ports, paths[mode], level, args.duration)
                        key = f"{mode} c={level} n={n}"
                        runs.setdefault(key, []).append(r)
                        log(
                            f"round {round_no + 1} {key:<20} {r['appends_per_s']:7.0f} appends/s  "
                            f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}"
                            + (f"  pending {r['left_pending']}" if r["left_pending"] else "")
                        )
            for writers in [int(x) for x in args.direct.split(",") if x]:
                order = MODES if (round_no + writers) % 2 == 0 else MODES[::-1]
                for mode in (*order, "none"):
                    db = "inline" if mode == "none" else mode
                    r = measure_direct(urls[db], mode, [p.rsplit("/", 2)[1] for p in paths[db]], writers, args.duration)
                    key = f"{mode} direct={writers}"
                    runs.setdefault(key, []).append(r)
                    log(
                        f"round {round_no + 1} {key:<20} {r['appends_per_s']:7.0f} appends/s"
                        + (f"  pending {r['left_pending']}" if r["left_pending"] else "")
                    )
        for key, rs in runs.items():
            report["cells"][key] = {k: median(r[k] for r in rs) for k in ("appends_per_s", "p50_ms", "p99_ms")}
            report["cells"][key].update(errors=sum(r["errors"] for r in rs), rounds=rs)
    finally:
        for procs in servers.values():
            for _, proc in procs:
                stop_group(proc)
    report["verified"] = {mode: verify(url) for mode, url in urls.items()}
    for mode, line in report["verified"].items():
        log(f"{mode}: {line}")
    summarise(report, levels, instance_counts)
    out = ROOT / "var" / "bench" / ("ledger_writes-smoke.json" if args.smoke else "ledger_writes.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log(f"wrote {out}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        for url in urls.values():
            recreate_database(url, drop_only=True)
    errors = sum(c["errors"] for c in report["cells"].values())
    return 1 if errors else 0


def summarise(report: dict, levels: list[int], instance_counts: list[int]) -> None:
    cells = report["cells"]
    direct = sorted({int(k.split("=")[1]) for k in cells if "direct=" in k})
    if direct:
        print(
            "\nwriter processes, no web stack | inline appends/s | batched appends/s | batched / inline | "
            "same transactions without the ledger /s"
        )
        for writers in direct:
            a, b = cells[f"inline direct={writers}"], cells[f"batched direct={writers}"]
            c = cells.get(f"none direct={writers}", {"appends_per_s": float("nan")})
            print(
                f"{writers:30d} | {a['appends_per_s']:16.0f} | {b['appends_per_s']:17.0f} | "
                f"{b['appends_per_s'] / a['appends_per_s']:15.2f}x | {c['appends_per_s']:8.0f}"
            )
    print("\nwriters instances | inline appends/s  p99 ms | batched appends/s  p99 ms | batched / inline")
    for level in levels:
        for n in instance_counts:
            a, b = cells.get(f"inline c={level} n={n}"), cells.get(f"batched c={level} n={n}")
            if not a or not b:
                continue
            print(
                f"{level:7d} {n:9d} | {a['appends_per_s']:16.0f} {a['p99_ms']:7.1f} | "
                f"{b['appends_per_s']:17.0f} {b['p99_ms']:7.1f} | {b['appends_per_s'] / a['appends_per_s']:8.2f}x"
            )


if __name__ == "__main__":
    sys.exit(main())
