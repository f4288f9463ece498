"""The case list (``GET /api/v1/cases/``) of an agency with 100,000 cases, beside a bare DRF list in the same run.

    .venv/bin/python bench/bench_case_list.py [--cases 100000] [--small 10000] [--duration 8] [--rounds 3]
        [--connections 8] [--db zhifa_bench_cases] [--keep] [--smoke]

Creates and migrates the database, loads ``--small`` cases into one agency (two handling officers each, spread
over three years and every status; 5 % more in a neighbouring agency), measures, grows the agency to
``--cases`` and measures again — so the table shows how the cost grows over 10x. Served by gunicorn as
``make run`` serves it (3 gthread workers x 4 threads, Redis for throttles when it answers). Scenarios, each
run with wrk for ``--duration`` seconds, interleaved over ``--rounds`` rounds (medians):

* ``ours``: the agency head's list (JWT, agency scope, masked party names, officer ids), first page of 50;
* ``ours_status``: the same filtered to two statuses; ``ours_mine``: a field officer's own cases;
* ``bare_drf``: ``ListAPIView`` + ``ModelSerializer`` over the same agency's cases, the same ordering and page
  size, officers prefetched, no authentication, permissions or throttles (bench/bench_urls.py).

It also counts the SQL queries of one request of each (an N+1 shows as a count that grows with the page)
and prints the plan of the list query at full size. Results: ``var/bench/case_list.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import (  # noqa: E402
    bench_env,
    chunks,
    copy_model_rows,
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

STATUSES = [
    "clue_received",
    "registered",
    "investigating",
    "investigation_concluded",
    "case_review",
    "proposed",
    "notified",
    "deciding",
    "decided",
    "executed",
    "closed",
]
TITLES = [
    "销售过期食品案",
    "未取得食品经营许可从事食品经营案",
    "不明码标价案",
    "发布虚假广告案",
    "无照经营案",
    "使用未经检定的计量器具案",
    "销售不合格产品案",
    "餐具未清洗消毒案",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def seed_people():
    from backend.accounts.models import Agency, Role, User, UserRole

    big = Agency.objects.create(
        name="辽源市市场监督管理局", uscc="11220400MB0000001X", region_code="220400", region_name="吉林省辽源市"
    )
    other = Agency.objects.create(
        name="东丰县市场监督管理局", uscc="11220421MB0000002X", region_code="220421", region_name="吉林省辽源市东丰县"
    )
    head = User.objects.create_user(username="head", password=uuid.uuid4().hex, agency=big, full_name="刘建国")
    UserRole.objects.create(user=head, role=Role.AGENCY_HEAD)
    small_head = User.objects.create_user(username="head2", password=uuid.uuid4().hex, agency=other, full_name="孙立")
    UserRole.objects.create(user=small_head, role=Role.AGENCY_HEAD)
    officers = []
    for i in range(20):
        user = User.objects.create_user(
            username=f"officer{i}", password=uuid.uuid4().hex, agency=big, full_name=f"{SURNAMES[i]}警官"
        )
        UserRole.objects.create(user=user, role=Role.FIELD_OFFICER)
        officers.append(user)
    return big, other, head, small_head, officers


def load_cases(agency, officers, count: int, first: int, rng: random.Random) -> float:
    from django.db import transaction

    from backend.cases.models import Case

    started = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    links = []

    def rows():
        for n in range(first, first + count):
            created = now - dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            status = rng.choice(STATUSES)
            case_id = uuid.uuid4()
            a, b = rng.sample(officers, 2) if officers else (None, None)
            if officers:
                links.extend([(case_id, a.pk), (case_id, b.pk)])
            organisation = rng.random() < 0.55
            yield {
                "id": case_id,
                "agency_id": agency.pk,
                "title": rng.choice(TITLES),
                "status": status,
                "case_number": f"辽源市监罚〔{created.year}〕{n}号" if status != "clue_received" else "",
                "party_type": "organisation" if organisation else "natural_person",
                "party_name": "辽源市恒通商贸有限公司" if organisation else f"{rng.choice(SURNAMES)}某某",
                "party_legal_rep": f"{rng.choice(SURNAMES)}某" if organisation else "",
                "created_at": created,
                "updated_at": created + dt.timedelta(days=rng.randrange(30)),
                "registered_on": created.date() if status != "clue_received" else None,
                "version": 1 + rng.randrange(20),
            }

    through = Case.handling_officers.through
    with transaction.atomic():
        for batch in chunks(rows(), 20_000):
            copy_model_rows(Case, batch)
            copy_model_rows(through, ({"case_id": c, "user_id": u} for c, u in links))
            links.clear()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute(f"ANALYZE {through._meta.db_table}")
    return time.monotonic() - started


def token(user) -> str:
    from rest_framework_simplejwt.tokens import RefreshToken

    from backend.accounts.serializers import add_identity_claims

    refresh = RefreshToken.for_user(user)
    add_identity_claims(refresh, user)
    return str(refresh.access_token)


def query_counts(head, officer, agency) -> dict[str, int]:
    """SQL statements of one request of each scenario (Django test client, in process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    out = {}
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"]):
        for name, path, user in [
            ("ours", "/api/v1/cases/", head),
            ("ours_mine", "/api/v1/cases/?mine=1", officer),
            ("bare_drf", f"/bench/cases/drf/?agency={agency.pk}", None),
        ]:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token(user)}") if user else Client()
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (name, response.status_code, response.content[:300])
            out[name] = len(queries)
    return out


INDEX = "case_agency_created"


def set_index(present: bool) -> None:
    """The (agency, -created_at, id) index of the list's order, or its absence (the baseline before it)."""
    from django.db import connection

    from backend.cases.models import Case

    index = next(i for i in Case._meta.indexes if i.name == INDEX)
    with connection.schema_editor() as editor:
        editor.remove_index(Case, index) if not present else editor.add_index(Case, index)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")


def explain(user) -> str:
    from django.db import connection

    from backend.cases.selectors import case_list_for_user

    qs = case_list_for_user(user=user).order_by("-created_at", "id")[:51]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY ON) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def measure(env, args, head, small_head, officer, agency, label: str) -> dict:
    port = free_port()
    proc = start_gunicorn(env, port, settle=0 if args.smoke else 3)
    auth_head = {"Authorization": f"Bearer {token(head)}"}
    plan = {
        "ours": (["/api/v1/cases/"], auth_head),
        "ours_status": (["/api/v1/cases/?status=investigating,decided"], auth_head),
        "ours_mine": (["/api/v1/cases/?mine=1"], {"Authorization": f"Bearer {token(officer)}"}),
        # The head of the small neighbouring agency (5 % of the rows): needs the (agency, created_at) index.
        "ours_small": (["/api/v1/cases/"], {"Authorization": f"Bearer {token(small_head)}"}),
        "bare_drf": ([f"/bench/cases/drf/?agency={agency.pk}"], {}),
    }
    runs: dict[str, list[dict]] = {}
    try:
        for name, (paths, headers) in plan.items():  # warm-up, and a correctness check of every scenario
            r = wrk(port, paths, duration=1, connections=2, headers=headers)
            if r["errors"]:
                raise SystemExit(f"{name}: {r['errors']} non-2xx responses; see {env['VAR_DIR']}")
        for round_no in range(args.rounds):
            names = list(plan) if round_no % 2 == 0 else list(plan)[::-1]
            for name in names:
                paths, headers = plan[name]
                r = wrk(port, paths, duration=args.duration, connections=args.connections, headers=headers)
                runs.setdefault(name, []).append(r)
                if name == "ours_small":  # the same right away without the index: the baseline of the fix
                    set_index(False)
                    try:
                        r0 = wrk(port, paths, duration=args.duration, connections=args.connections, headers=headers)
                    finally:
                        set_index(True)
                    runs.setdefault("ours_small_no_index", []).append(r0)
                    log(f"{label:>7} ours_small_no_index {r0['rps']:7.0f} req/s  p50 {r0['p50_ms']:7.2f} ms  "
                        f"p99 {r0['p99_ms']:7.2f} ms")
                log(
                    f"{label:>7} {name:<12} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms"
                    + (f"  errors {r['errors']}" if r["errors"] else "")
                )
    finally:
        stop_group(proc)
    return {
        name: {k: median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms")}
        | {"errors": sum(r["errors"] for r in rs)}
        for name, rs in runs.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--db", default="zhifa_bench_cases")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="200 cases, 1 s per scenario: checks it runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.small, args.duration, args.rounds, args.connections = 200, 200, 1, 1, 2
        args.db += "_smoke"
    url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    env = bench_env(url, JWT_ACCESS_MINUTES="600")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "JWT_ACCESS_MINUTES", "VAR_DIR")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.config.settings"
    os.environ["PYTHONPATH"] = env["PYTHONPATH"]
    log(f"creating {args.db}")
    recreate_database(url)
    migrate(url)
    import django

    django.setup()
    rng = random.Random(20)
    big, other, head, small_head, officers = seed_people()
    report: dict = {"machine": machine(), "args": vars(args), "sizes": {}}
    try:
        load_cases(other, [], max(1, args.small // 20), 1, rng)
        loaded = 0
        for size in dict.fromkeys([args.small, args.cases]):
            secs = load_cases(big, officers, size - loaded, loaded + 1, rng)
            log(f"agency has {size} cases (+{size - loaded} in {secs:.1f} s)")
            loaded = size
            result = measure(env, args, head, small_head, officers[0], big,
                             f"{size // 1000}k" if size >= 1000 else str(size))
            result["queries"] = query_counts(head, officers[0], big)
            report["sizes"][str(size)] = result
        report["plan"] = explain(head)
        report["plan_small_agency"] = explain(small_head)
        set_index(False)
        report["plan_small_agency_no_index"] = explain(small_head)
        set_index(True)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(url, drop_only=True)
    print("\ncases    scenario      req/s   p50 ms   p99 ms   queries/request")
    for size, result in report["sizes"].items():
        for name in ("ours", "ours_status", "ours_mine", "ours_small", "ours_small_no_index", "bare_drf"):
            r = result[name]
            print(
                f"{size:>7}  {name:<12} {r['rps']:6.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}   "
                f"{result['queries'].get(name, '')}"
            )
        print(
            f"{size:>7}  ours / bare: req/s {result['ours']['rps'] / result['bare_drf']['rps']:.2f}x, "
            f"p99 {result['ours']['p99_ms'] / result['bare_drf']['p99_ms']:.2f}x"
        )
    print("\nplan of the list query at the largest size:\n" + report["plan"])
    print("\nthe small agency's list:\n" + report["plan_small_agency"])
    print("\nthe small agency's list without the (agency, -created_at, id) index:\n"
          + report["plan_small_agency_no_index"])
    out = ROOT / "var" / "bench" / ("case_list-smoke.json" if args.smoke else "case_list.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log(f"wrote {out}")
    return (
        1
        if any(r.get("errors") for res in report["sizes"].values() for r in res.values() if isinstance(r, dict))
        else 0
    )


if __name__ == "__main__":
    sys.exit(main())
