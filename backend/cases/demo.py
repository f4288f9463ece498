"""Demo cases for officer1's agency, in different states (embedded default only; ``manage.py seed_demo``).

Idempotent: every demo case has a fixed id and is only created when missing. The cases are built through
the real services (with past dates), so their transitions, documents, deadlines and audit events are
exactly what production would record. States that need a passed legal/case review are left to the
reviews demo, which runs after this one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from backend.accounts.models import Agency, User
from backend.cases import services
from backend.cases.models import Activity, Case, CaseRules, DocumentType, RecordingRequirement, RetentionTerm
from backend.ledger.services import AuditContext

_NS = uuid.UUID("6f1d3c2a-0b7e-4a51-9d63-2f8e5c1a9b40")

LEGAL_FOOD = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]
LEGAL_PRICE = [{"law": "中华人民共和国价格法", "article": "第四十二条"}]

RECORDING_LIST = [
    (Activity.SEIZURE, RecordingRequirement.Level.FULL, RetentionTerm.PERMANENT, "国办发〔2018〕118号（八）"),
    (Activity.ON_SITE_INSPECTION, RecordingRequirement.Level.REQUIRED, RetentionTerm.PERMANENT,
     "市场监督管理行政处罚程序规定 第四十四条"),
    (Activity.SERVICE_LEFT, RecordingRequirement.Level.REQUIRED, RetentionTerm.WITH_FILE,
     "市场监督管理行政处罚程序规定 第八十二条"),
    (Activity.HEARING, RecordingRequirement.Level.REQUIRED, RetentionTerm.PERMANENT, "内蒙古三项制度办法 第十七条"),
    (Activity.ON_SPOT_PENALTY, RecordingRequirement.Level.REQUIRED, RetentionTerm.WITH_FILE, "本机关音像记录事项清单"),
]


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_demo_data(state: dict[str, Any]) -> None:
    agency: Agency = state["agencies"]["market"]
    users: dict[str, User] = state["users"]
    officer, officer2, head = users["officer1"], users["officer2"], users["head1"]
    CaseRules.objects.update_or_create(agency=agency, defaults={"number_prefix": "辽市监"})
    for activity, level, retention, basis in RECORDING_LIST:
        RecordingRequirement.objects.get_or_create(
            agency=agency, activity=activity, defaults={"level": level, "retention": retention, "basis": basis}
        )
    today = timezone.localdate()
    ctx_o, ctx_h = AuditContext(actor=officer), AuditContext(actor=head)
    cases: dict[str, Case] = {}

    def general(key: str, days_ago: int, **fields: Any) -> tuple[Case, dt.date, bool]:
        case = Case.objects.filter(pk=_id(key)).first()
        start = today - dt.timedelta(days=days_ago)
        if case is not None:
            return case, start, False
        case = services.case_create(
            actor=officer, context=ctx_o, case_id=_id(key), officer_ids=[officer2.pk], now=_at(start),
            fields={"party_type": "organisation", "place_address": "吉林省辽源市龙山区人民大街", **fields},
        )
        return case, start, True

    # 1. A fresh clue (线索登记).
    case, _start, _new = general(
        "clue", 0, title="投诉某超市销售过期牛奶", source="complaint", party_name="辽源市某某超市有限公司",
        party_uscc="91220400MA17XXXX1A", facts="消费者投诉购买到过期牛奶",
    )
    cases["clue"] = case

    # 2. Under investigation, with an on-site inspection record (现场检查 needs AV: flagged until uploaded).
    case, start, new = general(
        "investigating", 12, title="某餐饮店使用超过保质期的食品原料", source="inspection",
        party_name="辽源市某某餐饮有限公司", party_uscc="91220400MA17XXXX2B", party_legal_rep="孙某某",
        facts="检查发现后厨存放过期食品原料", legal_basis=LEGAL_FOOD,
    )
    if new:
        case = services.case_register(case=case, actor=head, context=ctx_h, now=_at(start))
        case = services.case_start_investigation(case=case, actor=officer, context=ctx_o, now=_at(start, 11))
        services.case_add_document(
            case=case, actor=officer, context=ctx_o, doc_type=DocumentType.INSPECTION_RECORD, now=_at(start, 14),
            content={"findings": "后厨冷柜内发现超过保质期的食品原料 3 种"}, place="后厨",
        )
    cases["investigating"] = Case.objects.get(pk=case.pk)

    # 3. Suspended (中止): the decision clock stands still.
    case, start, new = general(
        "suspended", 30, title="某药店涉嫌价格违法", source="assigned", party_name="辽源市某某大药房",
        party_uscc="91220400MA17XXXX3C", facts="涉嫌不明码标价", legal_basis=LEGAL_PRICE,
    )
    if new:
        case = services.case_register(case=case, actor=head, context=ctx_h, now=_at(start))
        case = services.case_start_investigation(case=case, actor=officer, context=ctx_o, now=_at(start, 11))
        case = services.case_suspend(case=case, actor=head, context=ctx_h, reason="等待价格认定结论",
                                     now=_at(start + dt.timedelta(days=5)))
    cases["suspended"] = Case.objects.get(pk=case.pk)

    # 4. Investigation concluded with a proposed fine, ready for review (the reviews demo may go on).
    case, start, new = general(
        "concluded", 20, title="某食品店销售标签不合格的预包装食品", source="inspection",
        party_name="辽源市某某食品商行", party_uscc="91220400MA17XXXX4D", facts="销售无中文标签的进口食品",
        legal_basis=LEGAL_FOOD,
    )
    if new:
        case = services.case_register(case=case, actor=head, context=ctx_h, now=_at(start))
        case = services.case_start_investigation(case=case, actor=officer, context=ctx_o, now=_at(start, 11))
        services.case_add_document(
            case=case, actor=officer, context=ctx_o, doc_type=DocumentType.INQUIRY_RECORD, now=_at(start, 15),
            content={"questions": ["进货来源？"], "answers": ["从外地批发市场购进"]},
        )
        case = services.case_conclude_investigation(
            case=case, actor=officer, context=ctx_o, report="违法事实清楚，证据确凿",
            measures=[{"kind": "fine", "amount": "8000"}, {"kind": "confiscate_property", "amount": "1200"}],
            now=_at(start + dt.timedelta(days=10)),
        )
    cases["concluded"] = Case.objects.get(pk=case.pk)

    # 5. Transferred to the police (移送司法机关), closed.
    case, start, new = general(
        "transferred", 40, title="某作坊涉嫌生产有毒有害食品", source="referral", party_type="natural_person",
        party_name="周某某", party_id_number="220402197505051234", party_phone="13904370000",
        party_address="吉林省辽源市西安区某某街 3 号", facts="涉嫌在食品中添加非食用物质", legal_basis=LEGAL_FOOD,
    )
    if new:
        case = services.case_register(case=case, actor=head, context=ctx_h, now=_at(start))
        case = services.case_start_investigation(case=case, actor=officer, context=ctx_o, now=_at(start, 11))
        services.case_add_document(
            case=case, actor=officer, context=ctx_o, doc_type=DocumentType.SAMPLING_RECORD, now=_at(start, 15),
            content={"samples": ["成品 2 份"]},
        )
        case = services.case_conclude_investigation(case=case, actor=officer, context=ctx_o, report="涉嫌犯罪",
                                                    now=_at(start + dt.timedelta(days=5)))
        case = services.case_decide_without_penalty(
            case=case, actor=head, context=ctx_h, outcome="transfer_judicial", reason="涉嫌生产有毒有害食品罪",
            receiver="辽源市公安局", now=_at(start + dt.timedelta(days=6)),
        )
        case = services.case_close(case=case, actor=head, context=ctx_h, now=_at(start + dt.timedelta(days=7)))
    cases["transferred"] = Case.objects.get(pk=case.pk)

    # 6. 简易程序: one decided on the spot today, one filed and closed last week.
    for key, days_ago, close in (("summary-open", 0, False), ("summary-closed", 7, True)):
        case = Case.objects.filter(pk=_id(key)).first()
        if case is None:
            day = today - dt.timedelta(days=days_ago)
            case = services.case_create_summary(
                actor=officer, context=ctx_o, case_id=_id(key), officer_ids=[officer2.pk],
                fields={"title": "占道经营", "party_type": "natural_person", "party_name": "吴某",
                        "place_address": "辽源市龙山区东吉大街", "facts": "在人行道摆摊经营",
                        "legal_basis": [{"law": "吉林省市容和环境卫生管理条例", "article": "第二十条"}]},
                measures=[{"kind": "fine", "amount": "100"}], decided_at=_at(day), paid_on_spot=close,
                # 当场收缴 of 100 yuan (行政处罚法 第六十八条第一项) against the province's receipt (第七十条).
                cash_collection=(
                    {"ground": "small_fine", "receipt_number": f"吉财罚{day:%Y%m%d}0001"} if close else None
                ),
                now=_at(day, 11),
            )
            if close:
                # 第七十一条: to the agency within 2 working days, to the bank within 2 more.
                services.case_cash_handed_in(case=case, actor=officer, context=ctx_o, handed_in_on=day,
                                             now=_at(day, 15))
                services.case_cash_deposited(case=case, actor=head, context=ctx_h, deposited_on=day,
                                             bank_receipt_number=f"BANK{day:%Y%m%d}01", now=_at(day, 16))
                case = services.case_file_summary(case=case, actor=officer, context=ctx_o, now=_at(day, 16))
                case = services.case_close(case=case, actor=head, context=ctx_h,
                                           now=_at(day + dt.timedelta(days=1)))
        cases[key] = Case.objects.get(pk=case.pk)
    state["cases"] = cases
