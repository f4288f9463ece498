"""Demo disclosure data (``manage.py seed_demo``): profiles, enforcement items, discretion standards, and
notices — published for a natural person and for organisations, one withdrawn, one draft in the queue.

The cases demo has no decided 普通程序 penalty cases, so these notices are built from decision snapshots
directly (``case=None``); they go through the same redaction, due-date and publication services.
Idempotent: a notice whose decision number exists is left alone.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from backend.accounts.models import Agency, User
from backend.common.remedies import remedies_clause
from backend.disclosures import services
from backend.disclosures.models import AgencyDisclosureProfile, DiscretionStandard, EnforcementItem, Notice

REMEDIES = remedies_clause(reconsideration_body="本级人民政府", cite_articles=True)
PROCEDURES = (
    "一般程序：立案—调查取证—案件审核/法制审核—事先告知（陈述、申辩、听证）—负责人决定—送达—执行—结案。\n"
    "简易程序：违法事实确凿并有法定依据，对公民处二百元以下、对法人或者其他组织处三千元以下罚款或者警告的，"
    "可以当场作出行政处罚决定（《中华人民共和国行政处罚法》第五十一条）。"
)

ITEMS = {
    "market": [
        ("330217001000", "对生产经营超过保质期食品的行政处罚", "《中华人民共和国食品安全法》第一百二十四条", True),
        (
            "330217002000",
            "对未取得食品经营许可从事食品经营活动的行政处罚",
            "《中华人民共和国食品安全法》第一百二十二条",
            True,
        ),
        ("330219001000", "对经营者不明码标价的行政处罚", "《中华人民共和国价格法》第四十二条", False),
    ],
    "urban": [
        ("330100001000", "对擅自占用城市道路摆摊设点的行政处罚", "《吉林省市容和环境卫生管理条例》第二十条", False),
        ("330100002000", "对未经批准设置户外广告的行政处罚", "《城市市容和环境卫生管理条例》第三十六条", False),
    ],
}

STANDARDS = [
    (
        "经营超过保质期的食品",
        "初次违法，货值金额不足一万元，及时改正",
        "从轻",
        "没收违法所得和违法经营的食品，并处五万元以上七万元以下罚款",
    ),
    (
        "经营超过保质期的食品",
        "货值金额一万元以上或者一年内再次违法",
        "从重",
        "没收违法所得和违法经营的食品，并处货值金额十五倍以上二十倍以下罚款",
    ),
    (
        "未取得食品经营许可从事食品经营活动",
        "违法经营的食品货值金额不足一万元",
        "一般",
        "没收违法所得和违法经营的食品，并处五万元以上十万元以下罚款",
    ),
]


def _snapshots(today: datetime.date) -> list[dict[str, Any]]:
    return [
        {
            "key": "person",
            "decision_number": "辽市监罚〔2026〕101号",
            "party": {
                "party_type": "natural_person",
                "name": "张大勇",
                "id_number": "220402198506152315",
                "phone": "13843712345",
                "address": "吉林省辽源市龙山区北寿街道福寿路16号2单元301室",
            },
            "violation_type": "经营超过保质期的食品",
            "facts": (
                "经查，当事人张大勇（身份证号码220402198506152315，联系电话13843712345）在辽源市龙山区福寿路"
                "经营食杂店，于2026年10月销售超过保质期的袋装牛奶24袋，货值金额人民币96元，违法所得人民币48元。"
            ),
            "legal_basis": "《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条第一款第（五）项",
            "penalty_kinds": ["confiscate_gains", "fine"],
            "penalty_content": "没收违法所得人民币48.00元；罚款人民币50,000.00元",
            "fine_amount": "50000.00",
            "confiscation_amount": "48.00",
            "days_ago": 12,
            "publish": True,
        },
        {
            "key": "org",
            "decision_number": "辽市监罚〔2026〕102号",
            "party": {
                "party_type": "organisation",
                "name": "辽源市恒通商贸有限公司",
                "uscc": "91220400MA0Y3K2X1B",
                "legal_representative": "李建华",
                "legal_representative_id_number": "220402197801015673",
                "address": "吉林省辽源市西安区仙城大路1200号",
                "phone": "0437-3216688",
            },
            "violation_type": "未取得食品经营许可从事食品经营活动",
            "facts": (
                "当事人辽源市恒通商贸有限公司在未取得食品经营许可的情况下，自2026年8月起在其经营场所销售预包装食品，"
                "违法经营的食品货值金额人民币8600元。当事人开户银行账号6222021234567890123。"
            ),
            "legal_basis": "《中华人民共和国食品安全法》第三十五条第一款、第一百二十二条第一款",
            "penalty_kinds": ["confiscate_property", "fine"],
            "penalty_content": "没收违法经营的食品；罚款人民币60,000.00元",
            "fine_amount": "60000.00",
            "days_ago": 9,
            "publish": True,
        },
        {
            "key": "withdrawn",
            "decision_number": "辽市监罚〔2026〕88号",
            "party": {
                "party_type": "organisation",
                "name": "辽源市鑫源餐饮管理有限公司",
                "uscc": "91220400MA0Y5P8R3C",
                "legal_representative": "赵宏",
                "address": "吉林省辽源市龙山区人民大街560号",
            },
            "violation_type": "餐饮服务提供者未按规定清洗消毒餐具",
            "facts": "当事人辽源市鑫源餐饮管理有限公司未按规定对餐具、饮具进行清洗消毒，经责令改正拒不改正。",
            "legal_basis": "《中华人民共和国食品安全法》第一百二十六条第一款第（五）项",
            "penalty_kinds": ["fine", "suspend_business"],
            "penalty_content": "罚款人民币20,000.00元；责令停业整顿十五日",
            "fine_amount": "20000.00",
            "days_ago": 30,
            "publish": True,
            "withdraw": ("revoked", "辽源市人民政府行政复议决定撤销该行政处罚决定（辽政复决字〔2026〕17号）。"),
        },
        {
            "key": "draft",
            "decision_number": "辽市监罚〔2026〕109号",
            "party": {
                "party_type": "sole_trader",
                "name": "龙山区老刘烧烤店",
                "operator_name": "刘长海",
                "uscc": "92220402MA0Y7Q1K4E",
                "address": "吉林省辽源市龙山区向阳路22号",
            },
            "violation_type": "经营者不明码标价",
            "facts": "当事人龙山区老刘烧烤店（经营者刘长海）销售菜品未按规定明码标价。",
            "legal_basis": "《中华人民共和国价格法》第十三条、第四十二条",
            "penalty_kinds": ["fine"],
            "penalty_content": "罚款人民币2,000.00元",
            "fine_amount": "2000.00",
            "days_ago": 3,
            "publish": False,
        },
    ]


def _ensure_profiles(agencies: dict[str, Agency]) -> None:
    for key, agency in agencies.items():
        profile, _ = AgencyDisclosureProfile.objects.get_or_create(agency=agency)
        profile.procedures = profile.procedures or PROCEDURES
        profile.remedies = profile.remedies or REMEDIES
        profile.supervision_contact = profile.supervision_contact or "12345（政务服务便民热线）"
        if key == "market":
            # 市场监督管理行政处罚信息公示规定: warnings alone are not published; short display for criticism/low fines.
            profile.publish_warning_only = False
            profile.short_display_kinds = ["criticism"]
            profile.low_fine_threshold = profile.low_fine_threshold or 10000
            profile.random_inspection_items = (
                profile.random_inspection_items or "食品经营者监督检查；价格行为检查；计量器具检查"
            )
        profile.save()
        agency._disclosure_profile_cache = profile  # type: ignore[attr-defined]
        for order, (code, name, basis, random) in enumerate(ITEMS.get(key, [])):
            EnforcementItem.objects.update_or_create(
                agency=agency,
                code=code,
                defaults={
                    "name": name,
                    "legal_basis": basis,
                    "random_inspection": random,
                    "sort_order": order,
                    "handling_body": agency.name,
                    "time_limit": "立案之日起九十日内作出处理决定",
                },
            )
        if key == "market":
            for order, (violation, circumstance, level, penalty) in enumerate(STANDARDS):
                DiscretionStandard.objects.update_or_create(
                    agency=agency,
                    violation=violation,
                    circumstance=circumstance,
                    defaults={
                        "level": level,
                        "penalty": penalty,
                        "sort_order": order,
                        "legal_basis": "《中华人民共和国食品安全法》",
                        "document_number": "辽市监发〔2026〕3号",
                    },
                )


def _decision_date(today: datetime.date, days_ago: int) -> datetime.date:
    return today - datetime.timedelta(days=days_ago)


def seed_demo_data(state: dict[str, Any]) -> None:
    agencies: dict[str, Agency] = state["agencies"]
    users: dict[str, User] = state["users"]
    discloser = users["discloser1"]
    market = agencies["market"]
    _ensure_profiles(agencies)
    today = timezone.localdate()
    notices: dict[str, Notice] = {}
    # Oldest decision first, so the public list (newest publication first) reads in decision order.
    for spec in sorted(_snapshots(today), key=lambda s: -s["days_ago"]):
        existing = Notice.objects.filter(agency=market, decision_number=spec["decision_number"]).first()
        if existing is not None:
            notices[spec["key"]] = existing
            continue
        snapshot = {k: v for k, v in spec.items() if k not in {"key", "days_ago", "publish", "withdraw"}}
        snapshot["decision_date"] = _decision_date(today, spec["days_ago"]).isoformat()
        notice = services.notice_create(agency=market, snapshot=snapshot)
        if spec["publish"]:
            notice = services.notice_publish(notice=notice, actor=discloser)
        if spec.get("withdraw"):
            kind, reason = spec["withdraw"]
            notice = services.notice_withdraw(notice=notice, actor=discloser, reason=reason, kind=kind)
        notices[spec["key"]] = notice
    state["notices"] = notices
