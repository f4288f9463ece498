"""Benchmark of the public notices API on PostgreSQL, served by gunicorn as in production.

    .venv/bin/python bench/bench_notices.py [--rows 1000000] [--small 10000] [--duration 10]
        [--connections 16] [--db zhifa_bench_notices] [--keep] [--max-seconds 1500]

What it does (only ever talks to 127.0.0.1):

1. creates the database ``--db`` on the local PostgreSQL (user postgres), migrates it, and bulk-loads
   ``--small`` notices with realistic Chinese text and jieba search tokens (COPY);
2. starts gunicorn exactly as ``scripts/serve.sh`` does (3 gthread workers x 4 threads, Redis cache for
   the throttles when Redis answers on 127.0.0.1:6379) with ``bench/notices_bench_urls.py`` as URLconf, which
   adds the two baselines (bare DRF ``ListAPIView`` + ``ModelSerializer``; plain ``JsonResponse``);
3. drives every scenario with wrk (``apt-get install wrk``) at ``--connections`` connections for
   ``--duration`` seconds and records requests/s and p50/p99 latency;
4. grows the table to ``--rows`` notices, ANALYZEs, restarts gunicorn and measures again;
5. prints a table, the ratios the issue asks for, and writes ``var/bench/notices.json``.

Drops the database at the end unless ``--keep``. Bounded: every subprocess has a timeout and the whole
run stops at ``--max-seconds`` (default 25 minutes; about 8-12 minutes on the 2-core machine).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
HOST = "127.0.0.1"

from common import copy_model_rows, free_port, migrate, recreate_database  # noqa: E402

SEARCHES = [
    "食品",
    "保质期",
    "经营许可",
    "恒通商贸",
    "罚款 食品",
    "明码标价",
    "餐具 消毒",
    "吊销",
    "无照经营 广告",
    "不存在的词",
]

TEMPLATES = [
    (
        "经营超过保质期的食品",
        "当事人{p}在其经营场所销售超过保质期的食品，货值金额人民币{a}元，违法所得人民币{g}元。",
        "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        ["confiscate_gains", "fine"],
    ),
    (
        "未取得食品经营许可从事食品经营活动",
        "当事人{p}未取得食品经营许可从事食品经营活动，违法经营的食品货值金额人民币{a}元。",
        "《中华人民共和国食品安全法》第一百二十二条第一款",
        ["confiscate_property", "fine"],
    ),
    (
        "经营者不明码标价",
        "当事人{p}销售商品未按规定明码标价，经责令改正拒不改正。",
        "《中华人民共和国价格法》第四十二条",
        ["fine"],
    ),
    (
        "餐饮服务提供者未按规定清洗消毒餐具",
        "当事人{p}未按规定对餐具、饮具进行清洗消毒，经责令改正拒不改正。",
        "《中华人民共和国食品安全法》第一百二十六条第一款第（五）项",
        ["warning", "fine"],
    ),
    (
        "发布虚假广告",
        "当事人{p}在其网店发布含有虚假内容的广告，广告费用人民币{g}元。",
        "《中华人民共和国广告法》第五十五条",
        ["fine"],
    ),
    (
        "无照经营",
        "当事人{p}未依法取得营业执照从事经营活动，违法所得人民币{g}元。",
        "《无证无照经营查处办法》第十三条",
        ["confiscate_gains", "fine"],
    ),
    (
        "擅自占用城市道路摆摊设点",
        "当事人{p}在人行道上擅自摆摊设点，影响市容和环境卫生。",
        "《吉林省市容和环境卫生管理条例》第二十条",
        ["warning"],
    ),
    (
        "生产不符合安全标准的食品",
        "当事人{p}生产的食品经抽样检验不合格，货值金额人民币{a}元，情节严重。",
        "《中华人民共和国食品安全法》第一百二十四条",
        ["fine", "revoke_licence"],
    ),
    (
        "使用未经检定的计量器具",
        "当事人{p}使用未经检定的电子计价秤从事经营活动。",
        "《中华人民共和国计量法实施细则》第四十三条",
        ["fine"],
    ),
    (
        "销售不合格产品",
        "当事人{p}销售不合格的电线电缆，货值金额人民币{a}元。",
        "《中华人民共和国产品质量法》第四十九条",
        ["confiscate_property", "fine", "suspend_business"],
    ),
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
ORG_WORDS_A = [
    "恒通",
    "鑫源",
    "宏达",
    "华联",
    "东吉",
    "龙山",
    "福寿",
    "仙城",
    "新华",
    "金鼎",
    "瑞丰",
    "盛世",
    "长青",
    "德隆",
    "永安",
    "天成",
    "兴业",
    "汇丰",
    "佳美",
    "百川",
    "聚贤",
    "博远",
    "同和",
    "安泰",
    "广源",
    "明珠",
    "凯旋",
    "富民",
    "春晖",
    "北辰",
]
ORG_WORDS_B = [
    "商贸",
    "餐饮管理",
    "食品",
    "超市",
    "药房",
    "建材",
    "电子",
    "物流",
    "文化传媒",
    "农业科技",
    "酒店",
    "服饰",
    "粮油",
    "五金",
    "汽车服务",
]
ORG_SUFFIX = ["有限公司", "有限责任公司", "股份有限公司", "商行", "经营部"]
KIND_LABEL = {
    "warning": "警告",
    "fine": "罚款",
    "confiscate_gains": "没收违法所得",
    "confiscate_property": "没收非法财物",
    "revoke_licence": "吊销许可证件",
    "suspend_business": "责令停产停业",
}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------------------------------


def pg(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(f"host={HOST} port=5432 user=postgres dbname={dbname}", autocommit=True)


def seed_agencies(n: int = 30) -> list[tuple[int, str, str, str]]:
    from backend.accounts.models import Agency

    regions = ["220402", "220403", "220421", "220422", "220102", "220104", "220202", "220302"]
    out = []
    for i in range(n):
        name = f"基准测试{['市场监督管理局', '城市管理综合执法局', '交通运输局'][i % 3]}{i:02d}"
        uscc = f"1122{i:04d}MB{i:07d}X"[:18]
        region = regions[i % len(regions)]
        agency = Agency.objects.create(name=name, uscc=uscc, region_code=region, region_name="吉林省")
        out.append((agency.pk, name, uscc, region))
    return out


class RowFactory:
    """Realistic notices without running jieba a million times: templates and names are tokenised once."""

    def __init__(self, agencies: list[tuple[int, str, str, str]], seed: int = 7) -> None:
        from backend.disclosures.search import index_tokens

        self.rng = random.Random(seed)
        self.agencies = agencies
        self.templates = []
        for violation, facts, basis, kinds in TEMPLATES:
            tokens = index_tokens(violation, facts.format(p="", a="", g=""), basis, *(KIND_LABEL[k] for k in kinds))
            self.templates.append((violation, facts, basis, kinds, tokens.strip()))
        self.orgs = [f"辽源市{a}{b}{s}" for a in ORG_WORDS_A for b in ORG_WORDS_B for s in ORG_SUFFIX]
        self.org_tokens = {}
        self.index_tokens = index_tokens
        self.person_tokens = {s: index_tokens(f"{s}某").strip() for s in SURNAMES}
        self.agency_tokens = {a[1]: index_tokens(a[1]).strip() for a in agencies}

    def org_token(self, name: str) -> str:
        tok = self.org_tokens.get(name)
        if tok is None:
            tok = self.org_tokens[name] = self.index_tokens(name).strip()
        return tok

    def row(self, seq: int, today: datetime.date) -> tuple:
        rng = self.rng
        violation, facts_t, basis, kinds, t_tokens = self.templates[rng.randrange(len(self.templates))]
        agency_id, agency_name, agency_uscc, region = self.agencies[rng.randrange(len(self.agencies))]
        if rng.random() < 0.45:
            party_type, name = "natural_person", f"{rng.choice(SURNAMES)}某"
            uscc, p_tokens = "", self.person_tokens[name[0]]
        else:
            party_type, name = "organisation", rng.choice(self.orgs)
            uscc, p_tokens = f"91220400MA{rng.randrange(10**8):08d}", self.org_token(name)
        amount = rng.randrange(100, 200000)
        gains = rng.randrange(10, 20000)
        fine = rng.choice([500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]) if "fine" in kinds else None
        facts = facts_t.format(p=name, a=amount, g=gains)
        content = "；".join(KIND_LABEL[k] + (f"人民币{fine}元" if k == "fine" else "") for k in kinds)
        decided = today - datetime.timedelta(days=rng.randrange(1, 1000))
        published_at = datetime.datetime.combine(
            decided + datetime.timedelta(days=rng.randrange(1, 9)), datetime.time(10), tzinfo=datetime.UTC
        )
        withdrawn = rng.random() < 0.03
        status = "withdrawn" if withdrawn else "published"
        number = f"辽{agency_id:02d}罚〔{decided.year}〕{seq}号"
        search = f" {number} {p_tokens} {self.agency_tokens[agency_name]} {t_tokens} {amount} {gains} "
        return {
            "id": uuid.uuid4(),
            "agency_id": agency_id,
            "decision_kind": "penalty",
            "status": status,
            "created_at": published_at,
            "updated_at": published_at,
            "decision_number": number,
            "party_type": party_type,
            "party_name": name,
            "party_uscc": uscc,
            "violation_type": violation,
            "facts": facts,
            "legal_basis": basis,
            "penalty_kinds": "," + ",".join(kinds) + ",",
            "penalty_content": content,
            "fine_amount": fine,
            "decision_date": decided,
            "agency_name": agency_name,
            "agency_uscc": agency_uscc,
            "region_code": region,
            "full_text": facts,
            "search_text": search,
            "due_date": decided + datetime.timedelta(days=9),
            "published_at": published_at,
            "display_until": decided + datetime.timedelta(days=1095),
            "public_seq": seq,
            "listed": True,
            "withdrawal_kind": "revoked" if withdrawn else "",
            "withdrawal_reason": "原处罚决定已被依法撤销" if withdrawn else "",
            "withdrawn_at": published_at + datetime.timedelta(days=30) if withdrawn else None,
        }


def load_rows(db: str, factory: RowFactory, first_seq: int, count: int) -> float:
    """COPY ``count`` notices (columns from the model: see bench/common.py) and move the public revision."""
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from backend.disclosures.models import Notice, PublicRevision

    started = time.monotonic()
    today = datetime.date.today()
    with transaction.atomic():
        copy_model_rows(Notice, (factory.row(seq, today) for seq in range(first_seq, first_seq + count)))
        last = first_seq + count - 1
        updated = PublicRevision.objects.filter(name="notices").update(
            revision=F("revision") + 1, last_seq=last, changed_at=timezone.now())
        if not updated:
            PublicRevision.objects.create(name="notices", revision=1, last_seq=last, changed_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosures_notice")
    return time.monotonic() - started


# --------------------------------------------------------------------------------------------------
# Server and load
# --------------------------------------------------------------------------------------------------


def redis_up() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{db}",
        DJANGO_SETTINGS_MODULE="notices_bench_settings",
        PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT)]),
        DEBUG="0",
        SECRET_KEY="bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        THROTTLE_PUBLIC="100000000/min",
        THROTTLE_ANON="100000000/min",
        LOG_LEVEL="WARNING",
        VAR_DIR=str(Path(tempfile.gettempdir()) / "zhifa-bench-notices-var"),
    )
    try:  # production refuses to start without a ledger signing key (backend/config/checks.py)
        from backend.ledgercore.signed_note import generate_key

        env["LEDGER_ORIGIN"] = "bench.example/ledger"
        env["LEDGER_SIGNING_KEY"] = generate_key("bench.example/ledger").signer_key
    except ImportError:
        pass
    if redis_up():
        env["REDIS_URL"] = f"redis://{HOST}:6379/14"
    return env


def start_gunicorn(env: dict[str, str], port: int, *, settle: float = 5) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "python:backend.config.gunicorn",
            "backend.config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "3",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(env["VAR_DIR"]) / "gunicorn.log", "a"),  # noqa: SIM115 - owned by the child
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/bench/plain/", timeout=2) as r:
                if r.status == 200:
                    # One worker answers; the others may still be warming up (jieba's dictionary, about a
                    # second each on this machine, see backend/config/gunicorn.py). Let them finish first.
                    time.sleep(settle)
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not come up; see " + str(Path(env["VAR_DIR"]) / "gunicorn.log"))


def stop(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


LUA = """
paths = {%s}
headers = {%s}
counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
request = function()
  counter = counter + 1
  local unique = tostring(tid) .. "-" .. tostring(counter)
  local path = string.gsub(paths[(counter %% #paths) + 1], "{n}", unique)
  return wrk.format("GET", path, headers)
end
"""


def wrk(port: int, paths: list[str], *, duration: int, connections: int, headers: dict[str, str] | None = None) -> dict:
    lua_paths = ", ".join(json.dumps(p) for p in paths)
    lua_headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % (lua_paths, lua_headers))
        script = f.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                script,
                f"http://{HOST}:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    return parse_wrk(out)


def wrk_split(ports: list[int], paths: list[str], *, duration: int, connections: int,
              headers: dict[str, str] | None = None) -> dict:
    """Load N instances at once (one wrk each, connections split evenly), as a proxy in front would spread
    them: requests/s add up; p50 is the median of the instances' p50s and p99 the worst instance's p99."""
    if len(ports) == 1:
        return wrk(ports[0], paths, duration=duration, connections=connections, headers=headers)
    from concurrent.futures import ThreadPoolExecutor

    share = max(2, connections // len(ports))
    with ThreadPoolExecutor(len(ports)) as pool:
        parts = list(pool.map(lambda p: wrk(p, paths, duration=duration, connections=share, headers=headers), ports))
    return {
        "rps": sum(r["rps"] for r in parts),
        "p50_ms": statistics.median(r["p50_ms"] for r in parts),
        "p99_ms": max(r["p99_ms"] for r in parts),
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in parts),
        "socket_errors": "; ".join(r["socket_errors"] for r in parts if r["socket_errors"]),
        "instances": parts,
    }


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        return float("nan")
    n, unit = float(m.group(1)), m.group(2)
    return {"us": n / 1000, "ms": n, "s": n * 1000, "m": n * 60000}[unit]


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def scenarios(port: int, db: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    status, headers, body = fetch(port, "/api/v1/public/notices/")
    assert status == 200, (status, body[:300])
    etag = headers["ETag"]
    with pg(db) as conn:
        ids = [
            str(r[0])
            for r in conn.execute(
                "SELECT id FROM disclosures_notice WHERE listed AND status = 'published' ORDER BY random() LIMIT 200"
            )
        ]
    cursor = json.loads(body)["next"].split("/", 3)[3]
    return {
        "plain_jsonresponse": (["/bench/plain/"], {}),
        "drf_bare_list": (["/bench/drf/"], {}),
        "notices_list": (["/api/v1/public/notices/"], {}),
        "notices_list_page2": (["/" + cursor], {}),
        "notices_conditional_304": (["/api/v1/public/notices/"], {"If-None-Match": etag}),
        "notices_filtered": (
            [
                "/api/v1/public/notices/?penalty_kind=revoke_licence&region=2204",
                "/api/v1/public/notices/?party_type=organisation&date_from=2025-01-01",
            ],
            {},
        ),
        "notices_search": ([f"/api/v1/public/notices/?q={quote(q)}" for q in SEARCHES], {}),
        # "{n}" becomes a unique value per request: no response is ever served from the rendered cache.
        "notices_list_uncached": (["/api/v1/public/notices/?_={n}"], {}),
        "notices_search_uncached": ([f"/api/v1/public/notices/?q={quote(q)}&_={{n}}" for q in SEARCHES], {}),
        "notice_detail": ([f"/api/v1/public/notices/{i}/" for i in ids], {}),
        "notices_page_html": (["/notices/"], {}),
    }


def measure(db: str, label: str, args: argparse.Namespace, deadline: float) -> dict:
    env = server_env(db)
    Path(env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(max(1, args.instances))]
    procs = [start_gunicorn(env, p, settle=0 if args.smoke else 5) for p in ports]
    port = ports[0]
    results: dict = {}
    try:
        plan = scenarios(port, db)
        # Correctness check before timing: every search answers 200, and 304 really is 304.
        for q in SEARCHES:
            s, _, b = fetch(port, f"/api/v1/public/notices/?q={quote(q)}")
            assert s == 200, (q, s, b[:200])
        assert fetch(port, "/api/v1/public/notices/", plan["notices_conditional_304"][1])[0] == 304
        only = {x for x in args.only.split(",") if x}
        runs: dict[str, list[dict]] = {}
        # Rounds go through every scenario in turn, so a busy moment of a shared machine hits all of them
        # alike; each figure is the median over the rounds.
        for round_no in range(1, args.rounds + 1):
            for name, (paths, headers) in plan.items():
                if only and name not in only:
                    continue
                if time.monotonic() > deadline:
                    log("time budget exhausted; skipping the remaining scenarios")
                    break
                if not args.smoke:
                    wrk_split(ports, paths, duration=2, connections=args.connections, headers=headers)  # warm-up
                r = wrk_split(ports, paths, duration=args.duration, connections=args.connections, headers=headers)
                runs.setdefault(name, []).append(r)
                log(
                    f"{label:>5} {name:<24} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms"
                    + (f"  non-2xx/3xx {r['non_2xx_3xx']}" if r["non_2xx_3xx"] else "")
                    + (f"  (round {round_no})" if args.rounds > 1 else "")
                )
        for name, rs in runs.items():
            results[name] = {
                key: statistics.median(r[key] for r in rs) for key in ("rps", "p50_ms", "p99_ms", "non_2xx_3xx")
            }
            results[name]["rounds"] = rs
    finally:
        for proc in procs:
            stop(proc)
    return results


def explain(db: str) -> dict[str, str]:
    """Query plans of the search at full size (for the guide)."""
    from backend.disclosures.search import _tsquery, query_terms

    plans = {}
    with pg(db) as conn:
        for q in ("食品", "恒通商贸", "经营许可"):
            sql = (
                "EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY ON) SELECT id FROM disclosures_notice WHERE listed "
                "AND search_vector @@ to_tsquery('simple', %s) ORDER BY public_seq DESC LIMIT 21"
            )
            rows = conn.execute(sql, (_tsquery(query_terms(q)),)).fetchall()
            plans[q] = "\n".join(r[0] for r in rows)
    return plans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="first size measured (10x smaller than --rows)")
    parser.add_argument("--instances", type=int, default=2,
                        help="gunicorn instances; the load is split across them (no proxy in front yet)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, 1 s per scenario: checks that the benchmark still runs (CI), no figures")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--db", default="zhifa_bench_notices")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--max-seconds", type=int, default=1500)
    parser.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="measure every scenario this many times (median)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database kept by an earlier --keep run as it is (no re-creation, no loading)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.small, args.duration, args.connections, args.rounds = 100, 100, 1, 2, 1
        args.db, args.max_seconds, args.instances = f"{args.db}_smoke", 300, 1
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.max_seconds
    env = server_env(args.db)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "VAR_DIR", "ALLOWED_HOSTS")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.config.settings"
    Path(env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)

    if args.reuse:
        return reuse(args, env, deadline)
    log(f"creating database {args.db}")
    recreate_database(env["DATABASE_URL"])
    migrate(env["DATABASE_URL"], env)
    import django

    django.setup()
    agencies = seed_agencies()
    factory = RowFactory(agencies)
    report: dict = {
        "machine": {"cpus": os.cpu_count()},
        "connections": args.connections,
        "duration_s": args.duration,
        "redis_throttle_cache": redis_up(),
        "sizes": {},
    }
    try:
        secs = load_rows(args.db, factory, 1, args.small)
        log(f"loaded {args.small} notices in {secs:.1f} s")
        report["sizes"][str(args.small)] = measure(args.db, f"{args.small // 1000}k", args, deadline)
        if args.rows > args.small and time.monotonic() < deadline:
            remaining = args.rows - args.small
            step = 250_000
            done = 0
            while done < remaining and time.monotonic() < deadline:
                n = min(step, remaining - done)
                secs = load_rows(args.db, factory, args.small + done + 1, n)
                done += n
                log(f"loaded {args.small + done} notices (+{n} in {secs:.1f} s)")
            with pg(args.db) as conn:
                conn.execute("VACUUM ANALYZE disclosures_notice")
            size = args.small + done
            report["sizes"][str(size)] = measure(args.db, f"{size // 1000}k", args, deadline)
            report["plans"] = explain(args.db)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(env["DATABASE_URL"], drop_only=True)
    summarise(report)
    out = ROOT / "var" / "bench" / ("notices-smoke.json" if args.smoke else "notices.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log(f"wrote {out}")
    return 0


def reuse(args: argparse.Namespace, env: dict[str, str], deadline: float) -> int:
    """Measure an existing database (kept by ``--keep``) at whatever size it has: quick re-runs while tuning."""
    import django

    django.setup()
    with pg(args.db) as conn:
        size = conn.execute("SELECT count(*) FROM disclosures_notice").fetchone()[0]
    log(f"reusing {args.db} with {size} notices")
    report: dict = {"machine": {"cpus": os.cpu_count()}, "connections": args.connections, "sizes": {}}
    report["sizes"][str(size)] = measure(args.db, f"{size // 1000}k", args, deadline)
    summarise(report)
    return 0


def summarise(report: dict) -> None:
    print("\nrows        scenario                   req/s     p50 ms    p99 ms")
    for size, results in report["sizes"].items():
        for name, r in results.items():
            print(f"{size:>10}  {name:<24} {r['rps']:9.0f} {r['p50_ms']:9.2f} {r['p99_ms']:9.2f}")
    print("\ntargets (per size):")
    for size, r in report["sizes"].items():
        if not {"notices_list", "drf_bare_list", "plain_jsonresponse", "notices_conditional_304"} <= r.keys():
            continue
        ratios = {
            "list rps / bare DRF rps (>= 1.0)": r["notices_list"]["rps"] / r["drf_bare_list"]["rps"],
            "list p99 / bare DRF p99 (<= 1.5)": r["notices_list"]["p99_ms"] / r["drf_bare_list"]["p99_ms"],
            "304 rps / plain JsonResponse rps (>= 0.5)": r["notices_conditional_304"]["rps"]
            / r["plain_jsonresponse"]["rps"],
        }
        if "notices_search" in r:
            ratios["search p99 ms (< 100)"] = r["notices_search"]["p99_ms"]
        if "notices_search_uncached" in r:
            ratios["search p99 ms, every request uncached"] = r["notices_search_uncached"]["p99_ms"]
        if "notices_list_uncached" in r:
            ratios["uncached list rps / bare DRF rps"] = r["notices_list_uncached"]["rps"] / r["drf_bare_list"]["rps"]
        report.setdefault("ratios", {})[size] = ratios
        for k, v in ratios.items():
            print(f"{size:>10}  {k:<44} {v:8.2f}")


if __name__ == "__main__":
    sys.exit(main())
