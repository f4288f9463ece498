"""Is a proposed decision "major" (重大执法决定)? Pure evaluation, no database.

Two sources of reasons, both applied on every evaluation:

* the statute — 行政处罚法 第五十八条第一款 lists four cases that always need 法制审核 before the head
  decides: (一) 涉及重大公共利益; (二) 直接关系当事人或者第三人重大权益，经过听证程序; (三) 案件情况疑难
  复杂、涉及多个法律关系; (四) 法律、法规规定应当进行法制审核的其他情形. 国办发〔2018〕118号 (十二)
  adds 可能造成重大社会影响或引发社会风险. These come from flags the handling officer sets and the
  hearing record, so no catalog can switch them off;
* the agency's published 重大执法决定法制审核目录清单 (catalog), a versioned rule table (DOMAIN §4.3, §7):
  fine or confiscation at/above an amount per party type, penalty kinds, hearing held, handler flags,
  decisions under a named law.

:func:`evaluate_major` takes a :class:`ProposedDecision` and a sequence of :class:`RuleSpec` and returns the
reasons, in a stable order. An empty list means "not major". The Django side converts catalog rows with
``CatalogRule.as_spec()`` and a case with :func:`backend.reviews.services.proposal_from_case`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from backend.common.parties import STATUTE_WORDS, PartyType

# The statute's words for the party types (行政处罚法 says 公民、法人或者其他组织) in the reasons a rule gives.
PARTY_TYPE_LABELS = STATUTE_WORDS


class Measure(StrEnum):
    """Kinds of administrative penalty (行政处罚法 第九条); the same codes as ``backend.cases.models.PenaltyKind``."""

    WARNING = "warning"  # 警告
    CRITICISM = "criticism"  # 通报批评
    FINE = "fine"  # 罚款
    CONFISCATE_GAINS = "confiscate_gains"  # 没收违法所得
    CONFISCATE_PROPERTY = "confiscate_property"  # 没收非法财物
    SUSPEND_LICENCE = "suspend_licence"  # 暂扣许可证件
    DOWNGRADE = "downgrade"  # 降低资质等级
    REVOKE_LICENCE = "revoke_licence"  # 吊销许可证件
    RESTRICT_BUSINESS = "restrict_business"  # 限制开展生产经营活动
    SUSPEND_BUSINESS = "suspend_business"  # 责令停产停业
    CLOSE = "close"  # 责令关闭
    RESTRICT_PRACTICE = "restrict_practice"  # 限制从业
    DETENTION = "detention"  # 行政拘留
    OTHER = "other"  # 法律、行政法规规定的其他行政处罚


MEASURE_LABELS: dict[str, str] = {
    Measure.WARNING: "警告",
    Measure.CRITICISM: "通报批评",
    Measure.FINE: "罚款",
    Measure.CONFISCATE_GAINS: "没收违法所得",
    Measure.CONFISCATE_PROPERTY: "没收非法财物",
    Measure.SUSPEND_LICENCE: "暂扣许可证件",
    Measure.DOWNGRADE: "降低资质等级",
    Measure.REVOKE_LICENCE: "吊销许可证件",
    Measure.RESTRICT_BUSINESS: "限制开展生产经营活动",
    Measure.SUSPEND_BUSINESS: "责令停产停业",
    Measure.CLOSE: "责令关闭",
    Measure.RESTRICT_PRACTICE: "限制从业",
    Measure.DETENTION: "行政拘留",
    Measure.OTHER: "其他行政处罚",
}

# Chinese labels (and a few common synonyms) → code, so a case that stores labels still evaluates.
_MEASURE_ALIASES: dict[str, str] = {label: code for code, label in MEASURE_LABELS.items()}
_MEASURE_ALIASES.update(
    {
        "吊销许可证": Measure.REVOKE_LICENCE,
        "吊销营业执照": Measure.REVOKE_LICENCE,
        "吊销执照": Measure.REVOKE_LICENCE,
        "暂扣许可证": Measure.SUSPEND_LICENCE,
        "暂扣执照": Measure.SUSPEND_LICENCE,
        "停产停业": Measure.SUSPEND_BUSINESS,
        "责令停业整顿": Measure.SUSPEND_BUSINESS,
        "关闭": Measure.CLOSE,
        "降级": Measure.DOWNGRADE,
        "没收": Measure.CONFISCATE_PROPERTY,
        "revoke_license": Measure.REVOKE_LICENCE,
        "suspend_license": Measure.SUSPEND_LICENCE,
        "confiscate_illegal_gains": Measure.CONFISCATE_GAINS,
        "confiscate_illegal_property": Measure.CONFISCATE_PROPERTY,
        "confiscation": Measure.CONFISCATE_PROPERTY,
        "suspend_production": Measure.SUSPEND_BUSINESS,
        "order_closure": Measure.CLOSE,
    }
)


class Flag(StrEnum):
    """Facts the handling officer (or the head) declares on the case."""

    PUBLIC_INTEREST = "public_interest"  # 涉及重大公共利益 (第五十八条第一款第一项)
    COMPLEX = "complex"  # 案情疑难复杂、涉及多个法律关系 (第五十八条第一款第三项)
    LAW_REQUIRES = "law_requires"  # 法律、法规规定应当法制审核 (第五十八条第一款第四项)
    SOCIAL_RISK = "social_risk"  # 可能造成重大社会影响或引发社会风险 (国办发〔2018〕118号)
    DISCRETION_DEVIATION = "discretion_deviation"  # 减轻或从重处罚，超出裁量基准
    HEAD_REFERRAL = "head_referral"  # 机关负责人认为需要审核


FLAG_LABELS: dict[str, str] = {
    Flag.PUBLIC_INTEREST: "涉及重大公共利益",
    Flag.COMPLEX: "案件情况疑难复杂、涉及多个法律关系",
    Flag.LAW_REQUIRES: "法律、法规规定应当进行法制审核",
    Flag.SOCIAL_RISK: "可能造成重大社会影响或引发社会风险",
    Flag.DISCRETION_DEVIATION: "减轻或者从重处罚超出裁量基准",
    Flag.HEAD_REFERRAL: "机关负责人认为需要进行法制审核",
}


class RuleKind(StrEnum):
    FINE_AMOUNT = "fine_amount"  # 罚款数额达到标准
    CONFISCATION_AMOUNT = "confiscation_amount"  # 没收违法所得、非法财物价值达到标准
    MEASURE = "measure"  # 拟作出特定种类的处罚
    HEARING_HELD = "hearing_held"  # 经过听证程序
    FLAG = "flag"  # 承办人员或负责人标记的情形
    NAMED_LAW = "named_law"  # 依据特定法律法规作出的决定


RULE_KIND_LABELS: dict[str, str] = {
    RuleKind.FINE_AMOUNT: "罚款数额",
    RuleKind.CONFISCATION_AMOUNT: "没收数额",
    RuleKind.MEASURE: "处罚种类",
    RuleKind.HEARING_HELD: "经过听证",
    RuleKind.FLAG: "特定情形",
    RuleKind.NAMED_LAW: "特定法律规定",
}


def normalise_measures(values: Iterable[object] | None) -> frozenset[str]:
    """Codes for measures given as codes, Chinese labels, or dicts with a ``kind``/``type``/``code`` key."""
    result: set[str] = set()
    for value in values or ():
        raw = value
        if isinstance(value, dict):
            raw = value.get("kind") or value.get("type") or value.get("code") or value.get("measure") or ""
        text = str(raw).strip()
        if not text:
            continue
        if text in Measure.__members__.values():
            result.add(text)
        elif text in _MEASURE_ALIASES:
            result.add(str(_MEASURE_ALIASES[text]))
        else:
            result.add(text)
    return frozenset(result)


@dataclass(frozen=True, slots=True)
class ProposedDecision:
    """The facts of a proposed decision that the catalog looks at."""

    party_type: str = PartyType.NATURAL_PERSON
    fine_amount: Decimal | None = None
    confiscation_amount: Decimal | None = None
    measures: frozenset[str] = frozenset()
    hearing_held: bool = False
    flags: frozenset[str] = frozenset()
    legal_basis: tuple[str, ...] = ()
    flag_notes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def fingerprint(self) -> dict[str, object]:
        """JSON-able summary of what the catalog evaluated (stored with the reasons)."""
        return {
            "party_type": str(self.party_type),
            "fine_amount": str(self.fine_amount) if self.fine_amount is not None else None,
            "confiscation_amount": str(self.confiscation_amount) if self.confiscation_amount is not None else None,
            "measures": sorted(self.measures),
            "hearing_held": self.hearing_held,
            "flags": sorted(self.flags),
            "legal_basis": list(self.legal_basis),
        }


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One catalog rule, detached from the database."""

    code: str
    kind: str
    description: str = ""
    party_types: frozenset[str] = frozenset()  # empty = every party type
    amount: Decimal | None = None
    inclusive: bool = True  # True: "以上" (≥, 含本数); False: "超过" (>)
    measures: frozenset[str] = frozenset()
    flag: str = ""
    law_name: str = ""
    rule_id: int | None = None
    order: int = 0


@dataclass(frozen=True, slots=True)
class MajorReason:
    """Why a decision is major. ``code`` is stable: ``statutory.<flag>`` or ``catalog.<rule code>``."""

    code: str
    text: str
    source: str
    rule_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "text": self.text, "source": self.source, "rule_id": self.rule_id}


# 行政处罚法 第五十八条第一款 + 国办发〔2018〕118号 (十二): these apply whatever the catalog says.
STATUTORY_SOURCES: dict[str, str] = {
    Flag.PUBLIC_INTEREST: "《中华人民共和国行政处罚法》第五十八条第一款第一项",
    "hearing_held": "《中华人民共和国行政处罚法》第五十八条第一款第二项",
    Flag.COMPLEX: "《中华人民共和国行政处罚法》第五十八条第一款第三项",
    Flag.LAW_REQUIRES: "《中华人民共和国行政处罚法》第五十八条第一款第四项",
    Flag.SOCIAL_RISK: "国办发〔2018〕118号 第十二条",
}


def _yuan(amount: Decimal) -> str:
    normalised = amount.quantize(Decimal("0.01"))
    text = f"{normalised:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def _amount_matches(value: Decimal | None, threshold: Decimal | None, inclusive: bool) -> bool:
    if value is None or threshold is None:
        return False
    return value >= threshold if inclusive else value > threshold


def _party_matches(rule: RuleSpec, party_type: str) -> bool:
    return not rule.party_types or str(party_type) in rule.party_types


def _party_phrase(rule: RuleSpec) -> str:
    if not rule.party_types:
        return ""
    labels = [
        PARTY_TYPE_LABELS.get(PartyType(p), p) if p in PartyType.__members__.values() else p
        for p in sorted(rule.party_types)
    ]
    return "对" + "、".join(labels)


def _statutory_reasons(proposal: ProposedDecision) -> list[MajorReason]:
    reasons: list[MajorReason] = []
    if Flag.PUBLIC_INTEREST in proposal.flags:
        reasons.append(
            MajorReason(
                "statutory.public_interest", FLAG_LABELS[Flag.PUBLIC_INTEREST], STATUTORY_SOURCES[Flag.PUBLIC_INTEREST]
            )
        )
    if proposal.hearing_held:
        reasons.append(
            MajorReason(
                "statutory.hearing_held",
                "直接关系当事人或者第三人重大权益，经过听证程序",
                STATUTORY_SOURCES["hearing_held"],
            )
        )
    if Flag.COMPLEX in proposal.flags:
        reasons.append(MajorReason("statutory.complex", FLAG_LABELS[Flag.COMPLEX], STATUTORY_SOURCES[Flag.COMPLEX]))
    if Flag.LAW_REQUIRES in proposal.flags:
        note = proposal.flag_notes.get(Flag.LAW_REQUIRES, "")
        text = FLAG_LABELS[Flag.LAW_REQUIRES] + (f"（{note}）" if note else "")
        reasons.append(MajorReason("statutory.law_requires", text, STATUTORY_SOURCES[Flag.LAW_REQUIRES]))
    if Flag.SOCIAL_RISK in proposal.flags:
        reasons.append(
            MajorReason("statutory.social_risk", FLAG_LABELS[Flag.SOCIAL_RISK], STATUTORY_SOURCES[Flag.SOCIAL_RISK])
        )
    return reasons


def rule_matches(rule: RuleSpec, proposal: ProposedDecision) -> str | None:
    """The reason text when ``rule`` applies to ``proposal``, else None."""
    kind = rule.kind

    def threshold_text(what: str, value: Decimal, threshold: Decimal) -> str:
        # "以上" includes the amount (≥); "超过" does not (>).
        party = _party_phrase(rule)
        if rule.inclusive:
            return f"拟{what} {_yuan(value)} 元，达到{party}{what} {_yuan(threshold)} 元以上的标准"
        return f"拟{what} {_yuan(value)} 元，超过{party}{what} {_yuan(threshold)} 元的标准"

    if kind == RuleKind.FINE_AMOUNT:
        matches = _party_matches(rule, proposal.party_type)
        if matches and _amount_matches(proposal.fine_amount, rule.amount, rule.inclusive):
            assert proposal.fine_amount is not None and rule.amount is not None
            return threshold_text("罚款", proposal.fine_amount, rule.amount)
        return None
    if kind == RuleKind.CONFISCATION_AMOUNT:
        matches = _party_matches(rule, proposal.party_type)
        if matches and _amount_matches(proposal.confiscation_amount, rule.amount, rule.inclusive):
            assert proposal.confiscation_amount is not None and rule.amount is not None
            return threshold_text("没收违法所得、非法财物", proposal.confiscation_amount, rule.amount)
        return None
    if kind == RuleKind.MEASURE:
        hit = sorted(rule.measures & proposal.measures)
        if hit and _party_matches(rule, proposal.party_type):
            return "拟作出" + "、".join(MEASURE_LABELS.get(m, m) for m in hit) + "的行政处罚"
        return None
    if kind == RuleKind.HEARING_HELD:
        return "案件经过听证程序" if proposal.hearing_held else None
    if kind == RuleKind.FLAG:
        if rule.flag and rule.flag in proposal.flags:
            return FLAG_LABELS.get(rule.flag, rule.flag)
        return None
    if kind == RuleKind.NAMED_LAW:
        # Optionally narrowed to penalty kinds ("依据《某法》吊销许可的"): both must hold.
        name = rule.law_name.strip().strip("《》")
        if not name or not any(name in basis for basis in proposal.legal_basis):
            return None
        hit = sorted(rule.measures & proposal.measures)
        if rule.measures and not hit:
            return None
        kinds = "拟作出" + "、".join(MEASURE_LABELS.get(m, m) for m in hit) if hit else "作出的决定"
        return f"依据《{name}》{kinds}"
    return None


def evaluate_major(
    *,
    proposal: ProposedDecision,
    rules: Sequence[RuleSpec] = (),
    catalog_label: str = "",
    include_statutory: bool = True,
) -> list[MajorReason]:
    """Every reason that makes ``proposal`` a major decision (empty list: not major).

    Statutory reasons come first, then matching catalog rules in catalog order. ``catalog_label`` names
    the catalog version in each catalog reason's ``source`` (e.g. "目录清单第2版").
    """
    reasons = _statutory_reasons(proposal) if include_statutory else []
    for rule in sorted(rules, key=lambda r: (r.order, r.code)):
        text = rule_matches(rule, proposal)
        if text is None:
            continue
        source = (
            f"{catalog_label or '重大执法决定法制审核目录清单'}：{rule.description}"
            if rule.description
            else (catalog_label or "重大执法决定法制审核目录清单")
        )
        reasons.append(MajorReason(f"catalog.{rule.code}", text, source, rule.rule_id))
    return reasons
