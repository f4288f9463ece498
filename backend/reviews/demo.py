"""Demo data for legal review (embedded default only; ``manage.py seed_demo``). Idempotent.

* every demo agency: review parameters and a published 重大执法决定法制审核目录清单 following the 长治
  市场监管 example (DOMAIN §7: fines over 10,000 yuan for natural persons / 100,000 for organisations,
  停产停业、关闭、限制从业、降级、吊销, hearings, 减轻处罚, complex cases);
* the cases demo's concluded case: submitted for 案件审核 and waiting in reviewer1's queue;
* one major case (罚款十五万元), built through the cases services, with a passed 法制审核 round and its
  审核意见书.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from backend.accounts.models import Agency, User
from backend.ledger.services import AuditContext
from backend.reviews import services
from backend.reviews.models import MajorCatalog, ReviewRound, ReviewSettings

_NS = uuid.UUID("3b0f8e1c-7a44-4d2e-b6f1-5c9d2a7e8f10")

CHANGZHI_RULES: list[dict[str, Any]] = [
    {
        "code": "fine_person",
        "kind": "fine_amount",
        "description": "对自然人、个体工商户处以一万元以上罚款的",
        "party_types": ["natural_person", "sole_trader"],
        "amount": Decimal("10000"),
        "inclusive": True,
    },
    {
        "code": "fine_organisation",
        "kind": "fine_amount",
        "description": "对法人或者其他组织处以十万元以上罚款的",
        "party_types": ["organisation"],
        "amount": Decimal("100000"),
        "inclusive": True,
    },
    {
        "code": "confiscation_person",
        "kind": "confiscation_amount",
        "description": "对自然人、个体工商户没收违法所得或非法财物价值一万元以上的",
        "party_types": ["natural_person", "sole_trader"],
        "amount": Decimal("10000"),
    },
    {
        "code": "confiscation_organisation",
        "kind": "confiscation_amount",
        "description": "对法人或者其他组织没收违法所得或非法财物价值十万元以上的",
        "party_types": ["organisation"],
        "amount": Decimal("100000"),
    },
    {
        "code": "heavy_measures",
        "kind": "measure",
        "description": "责令停产停业、责令关闭、限制从业、降低资质等级、吊销许可证件的",
        "measures": ["suspend_business", "close", "restrict_practice", "downgrade", "revoke_licence"],
    },
    {"code": "hearing", "kind": "hearing_held", "description": "经过听证程序的"},
    {
        "code": "reduced_penalty",
        "kind": "flag",
        "description": "减轻处罚或者超出裁量基准从重处罚的",
        "flag": "discretion_deviation",
    },
    {
        "code": "public_interest",
        "kind": "flag",
        "description": "涉及重大公共利益，可能造成重大社会影响或者引发社会风险的",
        "flag": "social_risk",
    },
    {"code": "complex", "kind": "flag", "description": "案件情况疑难复杂、涉及多个法律关系的", "flag": "complex"},
]

PREFIXES = {"market": "辽市监", "urban": "辽城管"}


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


def _catalog(agency: Agency, drafter: User | None, head: User | None, *, prefix: str) -> MajorCatalog:
    existing = MajorCatalog.objects.filter(agency=agency, status=MajorCatalog.Status.PUBLISHED).first()
    if existing is not None:
        return existing
    if drafter is None or head is None:
        # No reviewer/head seeded for this agency: write the published version directly.
        catalog = MajorCatalog.objects.create(
            agency=agency,
            version=1,
            title="重大执法决定法制审核目录清单",
            status=MajorCatalog.Status.PUBLISHED,
            effective_from=timezone.localdate(),
            published_at=timezone.now(),
            basis="国办发〔2018〕118号",
        )
        for order, rule in enumerate(CHANGZHI_RULES, start=1):
            catalog.rules.create(order=order, **rule)
        return catalog
    draft = MajorCatalog.objects.filter(agency=agency, status=MajorCatalog.Status.DRAFT).first()
    if draft is None:
        draft = services.catalog_create(
            agency=agency,
            actor=drafter,
            title=f"{agency.name}重大执法决定法制审核目录清单",
            basis="《中华人民共和国行政处罚法》第五十八条；国办发〔2018〕118号",
            context=AuditContext(actor=drafter),
        )
    for rule in CHANGZHI_RULES:
        if not draft.rules.filter(code=rule["code"]).exists():
            services.catalog_rule_add(catalog=draft, actor=drafter, context=AuditContext(actor=drafter), **rule)
    return services.catalog_publish(
        catalog=draft,
        actor=head,
        document_number=f"{prefix}〔{timezone.localdate().year}〕1号",
        context=AuditContext(actor=head),
    )


def _approve(round_: ReviewRound, reviewer: User) -> ReviewRound:
    ctx = AuditContext(actor=reviewer)
    round_ = services.review_assign(round_=round_, reviewer=reviewer, actor=reviewer, context=ctx)
    items = [
        {
            "code": e.code,
            "result": "not_applicable" if e.code == "crime_transfer" else "conforms",
            "note": "不涉嫌犯罪" if e.code == "crime_transfer" else "",
        }
        for e in round_.checklist.all()
    ]
    services.review_checklist_fill(round_=round_, actor=reviewer, items=items, context=ctx)
    return services.review_complete(
        round_=round_,
        actor=reviewer,
        outcome="approved",
        context=ctx,
        opinion_text="经审核，本案执法主体合法，执法人员具备执法资格，程序合法，事实清楚，证据确实充分，"
        "适用依据准确，裁量适当，同意拟作出的行政处罚决定。",
    )


def _major_case(state: dict[str, Any], reviewer: User) -> None:
    """A 罚款十五万元 case built through the cases services, with a passed 法制审核."""
    from backend.cases import services as case_services
    from backend.cases.models import Case, DocumentType

    users = state["users"]
    officer, officer2, head = users["officer1"], users["officer2"], users["head1"]
    case_id = _id("major-fine")
    if Case.objects.filter(pk=case_id).exists():
        return
    start = timezone.localdate() - dt.timedelta(days=25)

    def at(day: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    ctx_o, ctx_h = AuditContext(actor=officer), AuditContext(actor=head)
    case = case_services.case_create(
        actor=officer,
        context=ctx_o,
        case_id=case_id,
        officer_ids=[officer2.pk],
        now=at(start),
        fields={
            "title": "某超市销售超过保质期的食品",
            "source": "complaint",
            "party_type": "organisation",
            "party_name": "辽源市某某连锁超市有限公司",
            "party_uscc": "91220400MA17XXXX9Z",
            "party_legal_rep": "郑某某",
            "place_address": "吉林省辽源市龙山区向阳路",
            "facts": "当事人在其经营场所销售超过保质期的乳制品共计 326 件，货值金额 2.1 万元。",
            "legal_basis": [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条第一款第（五）项"}],
        },
    )
    case = case_services.case_register(case=case, actor=head, context=ctx_h, now=at(start))
    case = case_services.case_start_investigation(case=case, actor=officer, context=ctx_o, now=at(start, 11))
    case_services.case_add_document(
        case=case,
        actor=officer,
        context=ctx_o,
        doc_type=DocumentType.INQUIRY_RECORD,
        now=at(start, 15),
        content={"questions": ["过期食品的来源？"], "answers": ["从批发商处购进，未及时下架"]},
    )
    case = case_services.case_conclude_investigation(
        case=case,
        actor=officer,
        context=ctx_o,
        report="违法事实清楚，证据确实充分，建议罚款十五万元",
        measures=[
            {"kind": "fine", "amount": "150000"},
            {"kind": "confiscate_property", "amount": "21000", "detail": "过期乳制品 326 件"},
        ],
        now=at(start + dt.timedelta(days=12)),
    )
    round_ = services.review_submit(
        case=case,
        actor=officer,
        context=ctx_o,
        discretion="货值金额 2.1 万元，适用《食品安全法》第一百二十四条规定的货值金额不足一万元以外的情形，"
        "按货值金额七倍确定罚款，属裁量基准一般情节。",
    )
    _approve(round_, reviewer)
    # The head approves the proposal: the gate finds the passed round (行政处罚法 第五十八条).
    case_services.case_approve_proposal(case=Case.objects.get(pk=case_id), actor=head, context=ctx_h)


def seed_demo_data(state: dict[str, Any]) -> None:
    agencies: dict[str, Agency] = state.get("agencies", {})
    users: dict[str, User] = state.get("users", {})
    for key, agency in agencies.items():
        # Parameters keep their defaults (10 working days, +5, 集体讨论 for major cases); only the 代字 is set.
        services.review_settings_get(agency_id=agency.pk)
        ReviewSettings.objects.filter(agency=agency, opinion_number_prefix="").update(
            opinion_number_prefix=PREFIXES.get(key, "")
        )
        drafter = next((u for u in users.values() if u.agency_id == agency.pk and u.has_role("legal_reviewer")), None)
        head = next((u for u in users.values() if u.agency_id == agency.pk and u.has_role("agency_head")), None)
        _catalog(agency, drafter, head, prefix=PREFIXES.get(key, ""))

    reviewer = users.get("reviewer1")
    cases = state.get("cases") or {}
    if reviewer is None or not cases:
        return
    concluded = cases.get("concluded")
    if concluded is not None and not ReviewRound.objects.filter(case=concluded).exists():
        officer = users["officer1"]
        round_ = services.review_submit(
            case=concluded,
            actor=officer,
            context=AuditContext(actor=officer),
            discretion="首次违法，货值较小，按裁量基准从轻情节确定罚款。",
        )
        services.review_assign(round_=round_, reviewer=reviewer, actor=reviewer, context=AuditContext(actor=reviewer))
    _major_case(state, reviewer)
    state["review_rounds"] = list(ReviewRound.objects.filter(agency__in=agencies.values()).order_by("submitted_at"))
