"""The statutory review checklists (审核内容), versioned, in order, with stable item codes.

A checklist version is immutable once released: changing the wording or adding a statutory item means a
new version here. The database holds a copy of each version (``ChecklistTemplate`` with ``agency=None``,
created on first use by :func:`backend.reviews.services.checklist_statutory_template`); an agency may add
its own items in an agency template, never remove a statutory one (the agency template holds additions
only, and its codes may not collide with statutory codes).

Sources:
* 法制审核 (major decisions): 国办发〔2018〕118号 (十三); 行政处罚法 第五十八条; 内蒙古自治区…法制审核办法
  第三十条 (ending with 其他); 交通运输行政执法程序规定 第七十二条.
* 案件审核 (市场监管, every 一般程序 case): 市场监督管理行政处罚程序规定 第五十三条: 管辖、当事人基本情况、
  事实证据、定性、适用依据、程序、处理是否适当.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum


class ReviewKind(StrEnum):
    LEGAL_REVIEW = "legal_review"  # 重大执法决定法制审核 (行政处罚法 第五十八条)
    CASE_REVIEW = "case_review"  # 案件审核 (市场监督管理行政处罚程序规定 第四十九条至第五十五条)


REVIEW_KIND_LABELS: dict[str, str] = {ReviewKind.LEGAL_REVIEW: "法制审核", ReviewKind.CASE_REVIEW: "案件审核"}


class ItemResult(StrEnum):
    CONFORMS = "conforms"  # 符合
    NONCONFORMING = "nonconforming"  # 不符合
    NOT_APPLICABLE = "not_applicable"  # 不适用


ITEM_RESULT_LABELS = {
    ItemResult.CONFORMS: "符合",
    ItemResult.NONCONFORMING: "不符合",
    ItemResult.NOT_APPLICABLE: "不适用",
}


@dataclass(frozen=True, slots=True)
class ItemDef:
    code: str
    title: str
    guidance: str
    source: str


@dataclass(frozen=True, slots=True)
class ChecklistDef:
    kind: ReviewKind
    version: int
    effective_from: datetime.date
    items: tuple[ItemDef, ...]

    def codes(self) -> list[str]:
        return [item.code for item in self.items]


_S1 = "国办发〔2018〕118号（十三）"
_S8 = "内蒙古自治区行政执法公示执法全过程记录重大执法决定法制审核办法 第三十条"
_S4 = "市场监督管理行政处罚程序规定 第五十三条"

# Items 1–9 are the list in its order (国办发〔2018〕118号 (十三)); 10–14 come from the 市场监管
# 审核 list and the party-rights focus of published catalogs (DOMAIN §4.6, §7); 15 is S8's 其他.
LEGAL_REVIEW_V1 = ChecklistDef(
    kind=ReviewKind.LEGAL_REVIEW,
    version=1,
    effective_from=datetime.date(2021, 7, 15),  # 行政处罚法 (2021 修订) 施行之日
    items=(
        ItemDef("subject_lawful", "执法主体是否合法", "作出决定的机关是否为法定执法主体，是否以本机关名义作出。", _S1),
        ItemDef(
            "officer_qualified",
            "执法人员是否具备执法资格",
            "承办及参与各执法环节的人员在行为发生时是否持有有效执法证，执法人员是否不少于两人"
            "（行政处罚法第四十二条）。",
            _S1,
        ),
        ItemDef(
            "procedure_lawful",
            "执法程序是否合法",
            "立案、调查取证、告知、听证、期限、回避、音像记录等程序是否符合规定。",
            _S1,
        ),
        ItemDef(
            "facts_evidence",
            "案件事实是否清楚、证据是否合法充分",
            "违法事实是否有证据证明，证据的收集是否合法，电子数据和视听资料是否完整、未被篡改。",
            _S1,
        ),
        ItemDef("law_application", "适用法律、法规、规章是否准确", "定性依据与处罚依据是否准确、完整、现行有效。", _S1),
        ItemDef(
            "discretion",
            "裁量基准运用是否适当",
            "是否依照裁量基准，从轻、减轻、从重的情节与理由是否充分（吉林省规范行政处罚裁量权办法）。",
            _S1,
        ),
        ItemDef("within_authority", "执法是否超越执法机关法定权限", "处罚种类、幅度和管辖是否在法定权限之内。", _S1),
        ItemDef(
            "documents_complete", "执法文书是否完备、规范", "文书种类是否齐全，内容、格式、文号、签章是否规范。", _S1
        ),
        ItemDef(
            "crime_transfer",
            "违法行为是否涉嫌犯罪、需要移送司法机关",
            "是否达到刑事立案追诉标准，是否依法移送（行政处罚法第二十七条）。",
            _S1,
        ),
        ItemDef("jurisdiction", "是否具有管辖权", "地域管辖、级别管辖、指定管辖是否正确。", _S4),
        ItemDef("party_info", "当事人基本情况是否清楚", "当事人身份、名称、统一社会信用代码等是否准确。", _S4),
        ItemDef("characterization", "违法行为定性是否准确", "违法行为的认定与定性是否准确。", _S4),
        ItemDef(
            "party_rights",
            "当事人陈述、申辩、听证等权利是否依法保障",
            "是否依法告知并听取陈述申辩，听证权利是否告知，期限是否届满（行政处罚法第四十四条、第四十五条、"
            "第六十三条、第六十四条）。",
            "行政处罚法 第四十四条、第四十五条、第六十四条",
        ),
        ItemDef(
            "outcome_appropriate",
            "处理结果是否适当",
            "拟作出的处理决定是否与违法行为的事实、性质、情节、社会危害程度相当（行政处罚法第五条）。",
            _S4,
        ),
        ItemDef("other", "其他需要审核的内容", "其他需要审核的事项。", _S8),
    ),
)

# 案件审核 for non-major 一般程序 cases: the seven points of 市场监管 第五十三条 plus 裁量 and 其他.
CASE_REVIEW_V1 = ChecklistDef(
    kind=ReviewKind.CASE_REVIEW,
    version=1,
    effective_from=datetime.date(2021, 7, 15),
    items=(
        ItemDef("jurisdiction", "是否具有管辖权", "地域管辖、级别管辖、指定管辖是否正确。", _S4),
        ItemDef("party_info", "当事人基本情况是否清楚", "当事人身份、名称、统一社会信用代码等是否准确。", _S4),
        ItemDef(
            "facts_evidence", "案件事实是否清楚、证据是否充分", "违法事实是否有证据证明，证据的收集是否合法。", _S4
        ),
        ItemDef("characterization", "定性是否准确", "违法行为的认定与定性是否准确。", _S4),
        ItemDef("law_application", "适用依据是否正确", "定性依据与处罚依据是否准确。", _S4),
        ItemDef(
            "procedure_lawful", "程序是否合法", "立案、调查取证、期限、执法人员资格、音像记录等程序是否符合规定。", _S4
        ),
        ItemDef(
            "outcome_appropriate", "处理是否适当", "处理决定与违法行为的事实、性质、情节、社会危害程度是否相当。", _S4
        ),
        ItemDef("discretion", "裁量基准运用是否适当", "是否依照裁量基准。", "吉林省规范行政处罚裁量权办法"),
        ItemDef("other", "其他需要审核的内容", "其他需要审核的事项。", _S4),
    ),
)

STATUTORY_CHECKLISTS: dict[str, tuple[ChecklistDef, ...]] = {
    ReviewKind.LEGAL_REVIEW: (LEGAL_REVIEW_V1,),
    ReviewKind.CASE_REVIEW: (CASE_REVIEW_V1,),
}


def statutory_checklist(kind: str, *, on: datetime.date | None = None) -> ChecklistDef:
    """The statutory checklist version in force on ``on`` (latest by default)."""
    versions = STATUTORY_CHECKLISTS[ReviewKind(kind)]
    if on is None:
        return versions[-1]
    eligible = [v for v in versions if v.effective_from <= on]
    return eligible[-1] if eligible else versions[0]


def all_statutory_codes(kind: str) -> set[str]:
    return {item.code for version in STATUTORY_CHECKLISTS[ReviewKind(kind)] for item in version.items}
