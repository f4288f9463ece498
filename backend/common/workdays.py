"""Statutory deadline rules and the working-day helpers built on the calendar.

The calendar itself (days, periods, the provisional rule for unannounced years) lives in
:mod:`backend.common.workcalendar`; it is re-exported here so ``from backend.common.workdays import …`` keeps
working. This module holds which "日" are working days (行政处罚法 第八十五条, 行政强制法 第六十九条), the
table of statutory time limits (:data:`DEADLINE_RULES`) and module-level convenience functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from backend.common.workcalendar import (
    Assume,
    CalendarNotCovered,
    DayInfo,
    DayOverride,
    Deadline,
    Direction,
    PeriodUnit,
    WorkdayCalendar,
    assumption_for,
    chinese_calendar_years,
    provisional_reason,
)

__all__ = [
    "DEADLINE_RULES",
    "Assume",
    "CalendarNotCovered",
    "DayInfo",
    "DayOverride",
    "Deadline",
    "DeadlineRule",
    "Direction",
    "Law",
    "PeriodUnit",
    "WorkdayCalendar",
    "add_calendar_days",
    "add_workdays",
    "assumption_for",
    "chinese_calendar_years",
    "default_calendar",
    "get_rule",
    "is_workday",
    "period_kind",
    "provisional_reason",
    "reminder_dates",
    "workdays_between",
    "workdays_of",
]


class Law(StrEnum):
    """Statutes whose own text says which short periods are working days."""

    PENALTY = "行政处罚法"
    COERCION = "行政强制法"
    OTHER = "other"


# --------------------------------------------------------------------------------------------------
# Which periods are working days
# --------------------------------------------------------------------------------------------------

# 行政处罚法 第八十五条: "本法中“二日”“三日”“五日”“七日”的规定是指工作日，不含法定节假日。"
PENALTY_LAW_WORKDAY_PERIODS: frozenset[int] = frozenset({2, 3, 5, 7})
# 行政强制法 第六十九条: "本法中十日以内期限的规定是指工作日，不含法定节假日。"
COERCION_LAW_WORKDAY_MAX: int = 10

_LAW_ALIASES: dict[str, Law] = {
    "行政处罚法": Law.PENALTY,
    "中华人民共和国行政处罚法": Law.PENALTY,
    "penalty": Law.PENALTY,
    "行政强制法": Law.COERCION,
    "中华人民共和国行政强制法": Law.COERCION,
    "coercion": Law.COERCION,
}


def period_kind(law: Law | str, days: int) -> PeriodUnit:
    """Whether an "N日" period written in ``law`` counts working days or calendar days.

    * 行政处罚法 第八十五条: 二日、三日、五日、七日 are working days; every other "日" (15, 90 ...)
      is a calendar day.
    * 行政强制法 第六十九条: any period of ten days or less is working days.
    * Anything else: calendar days (rules that mean working days say "工作日" explicitly).
    """
    if isinstance(law, str) and not isinstance(law, Law):
        law = _LAW_ALIASES.get(law.strip(), Law.OTHER)
    if days < 0:
        raise ValueError("a period cannot be negative")
    if law is Law.PENALTY and days in PENALTY_LAW_WORKDAY_PERIODS:
        return PeriodUnit.WORKDAYS
    if law is Law.COERCION and days <= COERCION_LAW_WORKDAY_MAX:
        return PeriodUnit.WORKDAYS
    return PeriodUnit.CALENDAR_DAYS


# --------------------------------------------------------------------------------------------------
# Statutory time limits (DOMAIN.md §1, §2, §3, §4, §5, §8)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """One statutory or regulatory time limit.

    ``length``/``unit`` give the period, ``anchor`` the event it runs from (or, for ``Direction.BEFORE``,
    the event it must precede). ``extension`` is the length of one approved extension (same unit) and
    ``max_extensions`` how many are allowed (None = no cap stated). ``configurable`` marks defaults that
    an agency may change (DOMAIN §0: unconfirmed or ministry-specific values). ``protects_party`` marks a
    period that is the party's (a window to exercise a right, time to pay before the surcharge): while a
    year is provisional it ends on the latest plausible day; every other rule is a duty of the agency and
    falls due on the earliest plausible day (:func:`assumption_for`, DOMAIN §1.5(d)).
    """

    code: str
    name: str
    length: int
    unit: PeriodUnit
    anchor: str
    source: str
    direction: Direction = Direction.AFTER
    extension: int | None = None
    max_extensions: int | None = 1
    roll_forward: bool = True
    configurable: bool = False
    pausable: bool = False
    protects_party: bool = False
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def assumption(self) -> Assume:
        """How to count a year without official data for this rule (the asymmetric provisional rule)."""
        return assumption_for(protects_party=self.protects_party, direction=self.direction)

    @property
    def timedelta(self) -> dt.timedelta:
        """Length of an hour-based rule as a ``timedelta``."""
        if self.unit is not PeriodUnit.HOURS:
            raise ValueError(f"{self.code} is not hour-based")
        return dt.timedelta(hours=self.length)

    @property
    def months(self) -> int:
        """Length of a month- or year-based rule in months (a display period stored per agency in months)."""
        if self.unit is PeriodUnit.MONTHS:
            return self.length
        if self.unit is PeriodUnit.YEARS:
            return self.length * 12
        raise ValueError(f"{self.code} is not counted in months or years")

    def require_unit(self, unit: PeriodUnit) -> int:
        """``length``, after checking the caller counts it in ``unit`` (a working-day rule read as calendar days
        would silently shorten a statutory period)."""
        if self.unit is not unit:
            raise ValueError(f"{self.code} is counted in {self.unit}, not {unit}")
        return self.length


_W, _D, _M, _Y, _H = (
    PeriodUnit.WORKDAYS,
    PeriodUnit.CALENDAR_DAYS,
    PeriodUnit.MONTHS,
    PeriodUnit.YEARS,
    PeriodUnit.HOURS,
)

_RULES: tuple[DeadlineRule, ...] = (
    # ---- 普通程序: 线索 → 立案 → 调查 -------------------------------------------------------------
    DeadlineRule(
        code="CLUE_VERIFY",
        name="线索核查（决定是否立案）",
        length=15,
        unit=_W,
        anchor="发现线索或者收到材料之日",
        source="市场监督管理行政处罚程序规定 第十八条",
        extension=15,
        configurable=True,
        pausable=True,
        note="经负责人批准可延长十五个工作日；检测、检验、检疫、鉴定及权利人辨认、鉴别时间不计入。",
    ),
    DeadlineRule(
        code="LIMITATION_GENERAL",
        name="行政处罚追责时效",
        length=2,
        unit=_Y,
        anchor="违法行为发生之日（连续或继续状态的，行为终了之日）",
        source="行政处罚法 第三十六条第一款",
        roll_forward=False,
        note="二年内未被发现的，不再给予行政处罚。",
    ),
    DeadlineRule(
        code="LIMITATION_SERIOUS",
        name="行政处罚追责时效（涉及生命健康、金融安全且有危害后果）",
        length=5,
        unit=_Y,
        anchor="违法行为发生之日（连续或继续状态的，行为终了之日）",
        source="行政处罚法 第三十六条第一款",
        roll_forward=False,
    ),
    DeadlineRule(
        code="EVIDENCE_PRESERVATION_DECISION",
        name="先行登记保存后作出处理决定",
        length=7,
        unit=_W,
        anchor="先行登记保存之日",
        source="行政处罚法 第五十六条、第八十五条；市场监督管理行政处罚程序规定 第三十五条",
        note="逾期未采取措施的，先行登记保存措施自动解除（市场监管）。",
    ),
    DeadlineRule(
        code="EMERGENCY_MEASURE_REPORT",
        name="当场实施强制措施/先行登记保存后向负责人报告并补办批准",
        length=24,
        unit=_H,
        anchor="当场实施措施之时",
        source="行政强制法 第十九条；市场监督管理行政处罚程序规定 第三十三条、第三十六条",
    ),
    DeadlineRule(
        code="SEIZURE",
        name="查封、扣押期限",
        length=30,
        unit=_D,
        anchor="查封、扣押之日",
        source="行政强制法 第二十五条",
        extension=30,
        pausable=True,
        note="情况复杂的经负责人批准可延长，延长不得超过三十日并书面告知理由；检测、检验、检疫、鉴定期间不计入。",
    ),
    DeadlineRule(
        code="FREEZE_NOTICE",
        name="交付冻结决定书",
        length=3,
        unit=_W,
        anchor="依法冻结存款、汇款之日",
        source="行政强制法 第三十一条、第六十九条",
    ),
    DeadlineRule(
        code="FREEZE",
        name="冻结后作出处理决定或解除冻结",
        length=30,
        unit=_D,
        anchor="冻结存款、汇款之日",
        source="行政强制法 第三十二条",
        extension=30,
    ),
    DeadlineRule(
        code="AV_UPLOAD",
        name="音像记录上传至执法信息系统",
        length=24,
        unit=_H,
        anchor="音像记录结束之时",
        source="内蒙古自治区行政执法公示执法全过程记录重大执法决定法制审核办法 第二十条",
        configurable=True,
        note="连续执法、异地执法或边远、水上、交通不便地区可在条件具备时尽快上传。",
    ),
    # ---- 审核 -------------------------------------------------------------------------------------
    DeadlineRule(
        code="CASE_REVIEW",
        name="案件审核",
        length=10,
        unit=_W,
        anchor="审核机构接到审核材料之日",
        source="市场监督管理行政处罚程序规定 第五十二条、第五十五条",
        extension=5,
        max_extensions=None,
        configurable=True,
        note="特殊情况经负责人批准可延长（规章未设上限，默认每次五个工作日，可配置）。",
    ),
    DeadlineRule(
        code="LEGAL_REVIEW",
        name="法制审核",
        length=10,
        unit=_W,
        anchor="审核机构接到审核材料之日",
        source="行政处罚法 第五十八条；市场监督管理行政处罚程序规定 第五十条、第五十五条",
        extension=5,
        max_extensions=None,
        configurable=True,
        pausable=True,
        note="国家层面无统一时限：市场监管十个工作日（可延长）；内蒙古五个工作日加五个；补充材料期间不计入。",
    ),
    # ---- 告知 → 陈述申辩 / 听证 -------------------------------------------------------------------
    DeadlineRule(
        code="STATEMENT_DEFENCE",
        name="陈述、申辩期限",
        length=5,
        unit=_W,
        anchor="行政处罚事先告知书送达之日",
        source="市场监督管理行政处罚程序规定 第五十七条第二款",
        configurable=True,
        note="逾期未陈述、申辩、未要求听证的，视为放弃；其他部门按本部门规定配置。",
        protects_party=True,
    ),
    DeadlineRule(
        code="HEARING_REQUEST",
        name="要求听证期限",
        length=5,
        unit=_W,
        anchor="行政机关告知之日（告知书送达之日）",
        source="行政处罚法 第六十四条第一项、第八十五条",
        protects_party=True,
    ),
    DeadlineRule(
        code="HEARING_NOTICE",
        name="听证通知（举行听证七日前）",
        length=7,
        unit=_W,
        anchor="举行听证之日",
        source="行政处罚法 第六十四条第二项、第八十五条",
        direction=Direction.BEFORE,
        note="结果为最迟通知日期：自该日（不计）起算满七个工作日恰为听证日。",
    ),
    # ---- 决定、送达 -------------------------------------------------------------------------------
    DeadlineRule(
        code="DECISION",
        name="作出行政处罚决定",
        length=90,
        unit=_D,
        anchor="立案之日",
        source=("行政处罚法 第六十条；市场监督管理行政处罚程序规定 第六十四条；交通运输行政执法程序规定 第七十八条"),
        extension=30,
        max_extensions=None,
        configurable=True,
        pausable=True,
        note="经负责人批准可延长三十日；市场监管经集体讨论可继续延期；中止、听证、公告、检测检验检疫鉴定、"
        "权利人辨认鉴别、责令退款时间不计入（市场监管）。",
    ),
    DeadlineRule(
        code="DECISION_SERVICE",
        name="行政处罚决定书送达（当事人不在场）",
        length=7,
        unit=_W,
        anchor="作出并宣告行政处罚决定之日",
        source="行政处罚法 第六十一条、第八十五条；市场监督管理行政处罚程序规定 第八十一条",
    ),
    DeadlineRule(
        code="PUBLIC_NOTICE_SERVICE",
        name="公告送达视为送达",
        length=30,
        unit=_D,
        anchor="公告发布之日",
        source="民事诉讼法 第九十五条；市场监督管理行政处罚程序规定 第八十二条第五项",
        configurable=True,
        note="交通运输部门为六十日（交通运输行政执法程序规定）。",
        protects_party=True,
    ),
    DeadlineRule(
        code="SUMMARY_FILING",
        name="简易程序案卷材料交回归档",
        length=7,
        unit=_W,
        anchor="当场作出行政处罚决定之日",
        source="市场监督管理行政处罚程序规定 第七十条",
    ),
    # ---- 执行 -------------------------------------------------------------------------------------
    DeadlineRule(
        code="PAYMENT",
        name="缴纳罚款",
        length=15,
        unit=_D,
        anchor="收到行政处罚决定书之日",
        source="行政处罚法 第六十七条第三款；市场监督管理行政处罚程序规定 第七十二条",
        note="到期不缴纳的，每日按罚款数额的百分之三加处罚款，不超过罚款数额（第七十二条）。",
        protects_party=True,
    ),
    DeadlineRule(
        code="CASH_FINE_HANDOVER",
        name="当场收缴罚款交至行政机关",
        length=2,
        unit=_W,
        anchor="当场收缴罚款之日（水上为抵岸之日）",
        source="行政处罚法 第七十一条、第八十五条；市场监督管理行政处罚程序规定 第七十三条",
    ),
    DeadlineRule(
        code="CASH_FINE_BANK_DEPOSIT",
        name="行政机关将当场收缴的罚款缴付指定银行",
        length=2,
        unit=_W,
        anchor="罚款交至行政机关之日",
        source="行政处罚法 第七十一条、第八十五条；市场监督管理行政处罚程序规定 第七十三条",
    ),
    DeadlineRule(
        code="ADMIN_REVIEW_WINDOW",
        name="申请行政复议期限",
        length=60,
        unit=_D,
        anchor="知道或者应当知道行政行为之日",
        source="行政复议法（2023）第二十条",
        note="未告知复议权利和期限的，最长不超过一年。",
        protects_party=True,
    ),
    DeadlineRule(
        code="LITIGATION_WINDOW",
        name="提起行政诉讼期限",
        length=6,
        unit=_M,
        anchor="知道或者应当知道作出行政行为之日",
        source="行政诉讼法 第四十六条",
        protects_party=True,
    ),
    DeadlineRule(
        code="LITIGATION_AFTER_REVIEW",
        name="不服复议决定提起行政诉讼期限",
        length=15,
        unit=_D,
        anchor="收到复议决定书之日",
        source="行政诉讼法 第四十五条",
        note="复议机关逾期不作决定的，在复议期满之日起十五日内起诉。",
        protects_party=True,
    ),
    DeadlineRule(
        code="PAYMENT_INSTALMENT",
        name="延期、分期缴纳罚款（批准的缴纳期限）",
        length=15,
        unit=_D,
        anchor="批准延期、分期缴纳之日",
        source="行政处罚法 第六十六条第二款",
        note="期限为批准的暂缓或本期分期缴纳的最后一日；长度按批准的日期写入。",
        protects_party=True,
    ),
    DeadlineRule(
        code="CORRECTION_ORDER",
        name="责令限期改正期限",
        length=15,
        unit=_D,
        anchor="责令改正的决定送达之日",
        source="行政处罚法 第二十八条第一款",
        note="期限为决定书载明的改正期限；长度按责令改正的期限写入，期满后复查。",
        protects_party=True,
    ),
    DeadlineRule(
        code="SURCHARGE_BEFORE_ENFORCEMENT",
        name="加处罚款或滞纳金超过三十日后经催告可强制执行",
        length=30,
        unit=_D,
        anchor="开始加处罚款或者滞纳金之日",
        source="行政强制法 第四十五条、第四十六条",
        protects_party=True,
    ),
    DeadlineRule(
        code="ENFORCEMENT_REMINDER",
        name="催告书送达后方可申请法院强制执行",
        length=10,
        unit=_W,
        anchor="催告书送达之日",
        source="行政强制法 第五十四条、第六十九条；市场监督管理行政处罚程序规定 第七十六条",
        note="送达催告书十个工作日后当事人仍未履行的，方可申请人民法院强制执行。",
        protects_party=True,
    ),
    DeadlineRule(
        code="COURT_ENFORCEMENT_APPLICATION",
        name="申请人民法院强制执行",
        length=3,
        unit=_M,
        anchor="复议、诉讼期限届满之日",
        source="行政强制法 第五十三条；市场监督管理行政处罚程序规定 第七十六条",
        note="批准延期、分期缴纳的，自暂缓或分期缴纳期限结束之日起计算。",
    ),
    DeadlineRule(
        code="CASE_CLOSURE",
        name="结案审批",
        length=15,
        unit=_W,
        anchor="执行完毕、终结执行、终止调查或作出不予处罚/移送决定之日",
        source="市场监督管理行政处罚程序规定 第七十七条",
    ),
    # ---- 公示 -------------------------------------------------------------------------------------
    DeadlineRule(
        code="DISCLOSE_PENALTY_OR_LICENSE",
        name="行政处罚、行政许可决定公示",
        length=7,
        unit=_W,
        anchor="作出执法决定之日",
        source="国办发〔2018〕118号 （六）；内蒙古三项制度办法 第十条、第十二条",
        configurable=True,
        note="法律、行政法规另有规定的除外。",
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="DISCLOSE_OTHER_DECISION",
        name="其他执法决定（行政强制、行政检查等）公示",
        length=20,
        unit=_W,
        anchor="作出执法决定之日",
        source="国办发〔2018〕118号 （六）；内蒙古三项制度办法 第十条、第十二条；吉政办发〔2019〕39号",
        configurable=True,
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="DISCLOSE_WITHDRAW",
        name="撤回已公开的行政处罚决定并说明理由",
        length=3,
        unit=_W,
        anchor="决定被变更、撤销、确认违法或者确认无效之日",
        source="行政处罚法 第四十八条第二款、第八十五条；市场监督管理行政处罚程序规定 第六十三条；"
        "市场监督管理行政处罚信息公示规定 第十一条",
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="CORRECTION_ANSWER",
        name="答复公示信息更正申请",
        length=20,
        unit=_W,
        anchor="收到更正申请之日",
        source="企业信息公示暂行条例 第十三条（参照）；国办发〔2018〕118号 二",
        configurable=True,
        note="市场监管以外的机关无法定答复期限，参照企业信息公示的二十个工作日。",
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="CREDIT_FEED_PUSH",
        name="行政处罚信息报送信用平台（双公示）",
        length=7,
        unit=_W,
        anchor="作出行政处罚决定之日",
        source="国办发〔2018〕118号 （六）；发改办财金〔2019〕527号",
        configurable=True,
        tags=("disclosure",),
    ),
    DeadlineRule(
        code="SAMR_GSXT_PUBLISH",
        name="市场监管：通过国家企业信用信息公示系统公示",
        length=20,
        unit=_W,
        anchor="作出行政处罚决定之日",
        source="市场监督管理行政处罚信息公示规定 第九条；企业信息公示暂行条例 第七条",
        configurable=True,
        note="当事人登记地在同一省级行政区的；跨省的见 SAMR_GSXT_PUSH_CROSS_PROVINCE。",
        tags=("disclosure", "samr"),
    ),
    DeadlineRule(
        code="SAMR_GSXT_PUSH_CROSS_PROVINCE",
        name="市场监管：跨省推送行政处罚信息至登记地（住所地）部门",
        length=10,
        unit=_W,
        anchor="作出行政处罚决定之日",
        source="市场监督管理行政处罚信息公示规定 第十条",
        note="登记地部门自收到之日起再有十个工作日完成公示。",
        tags=("disclosure", "samr"),
    ),
    DeadlineRule(
        code="SAMR_DISPLAY_SHORT",
        name="市场监管：通报批评或较低数额罚款的公示期",
        length=3,
        unit=_M,
        anchor="公示之日",
        source="市场监督管理行政处罚信息公示规定 第十三条",
        roll_forward=False,
        configurable=True,
        tags=("disclosure", "samr"),
    ),
    DeadlineRule(
        code="SAMR_DISPLAY_LONG",
        name="市场监管：其他行政处罚信息的公示期",
        length=3,
        unit=_Y,
        anchor="公示之日",
        source="市场监督管理行政处罚信息公示规定 第十三条",
        roll_forward=False,
        configurable=True,
        note="限制开展生产经营活动、限制从业等期限超过三年的，公示期按实际期限。",
        tags=("disclosure", "samr"),
    ),
)

DEADLINE_RULES: Mapping[str, DeadlineRule] = {rule.code: rule for rule in _RULES}
if len(DEADLINE_RULES) != len(_RULES):  # pragma: no cover - guards against copy-paste mistakes
    raise RuntimeError("duplicate DEADLINE_RULES code")


def get_rule(code: str) -> DeadlineRule:
    """Look up a rule by code; raises ``KeyError`` naming the unknown code."""
    try:
        return DEADLINE_RULES[code]
    except KeyError:
        raise KeyError(f"unknown deadline rule: {code}") from None


def workdays_of(code: str) -> int:
    """The statutory length of a working-day rule: what model defaults and services read instead of restating
    the number (an agency's own setting, where the rule is ``configurable``, is data on top of it)."""
    return get_rule(code).require_unit(PeriodUnit.WORKDAYS)


# --------------------------------------------------------------------------------------------------
# Module-level convenience functions (use the package data only, unless a calendar is given)
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def default_calendar() -> WorkdayCalendar:
    """A calendar with ``chinese_calendar`` data only (no overrides, not strict)."""
    return WorkdayCalendar()


def is_workday(day: dt.date, *, calendar: WorkdayCalendar | None = None, strict: bool | None = None) -> bool:
    return (calendar or default_calendar()).is_workday(day, strict=strict)


def add_workdays(
    start: dt.date, n: int, *, calendar: WorkdayCalendar | None = None, strict: bool | None = None
) -> Deadline:
    return (calendar or default_calendar()).add_workdays(start, n, strict=strict)


def add_calendar_days(
    start: dt.date,
    n: int,
    roll_forward: bool = True,
    *,
    calendar: WorkdayCalendar | None = None,
    strict: bool | None = None,
) -> Deadline:
    return (calendar or default_calendar()).add_calendar_days(start, n, roll_forward, strict=strict)


def workdays_between(
    a: dt.date, b: dt.date, *, calendar: WorkdayCalendar | None = None, strict: bool | None = None
) -> int:
    return (calendar or default_calendar()).workdays_between(a, b, strict=strict)


def reminder_dates(
    due: dt.date,
    offsets: Sequence[int] = (3, 1),
    *,
    calendar: WorkdayCalendar | None = None,
    strict: bool | None = None,
) -> list[dt.date]:
    return (calendar or default_calendar()).reminder_dates(due, offsets, strict=strict)
