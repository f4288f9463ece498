"""Pure statutory rules of the case workflow: no database, no settings; the services apply them.

* the limitation of 行政处罚法 第三十六条 (two years, five in serious cases), tested against the day the
  violation was *discovered*;
* who may collect a fine on the spot (第六十八条、第六十九条);
* that a time limit can only be extended while it runs (第六十条 and the rules it defers to).

Every period is computed through the working-day calendar (:mod:`backend.common.workdays`), so a calendar
change (overrides, provisional years) reaches these rules without touching them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from backend.common.workdays import WorkdayCalendar, get_rule

# --------------------------------------------------------------------------- 追责时效 (第三十六条)


@dataclass(frozen=True, slots=True)
class Limitation:
    """The limitation of one violation as tested on the day it was discovered."""

    violation_on: dt.date
    discovered_on: dt.date
    ends_on: dt.date
    years: int
    rule_code: str

    @property
    def expired(self) -> bool:
        # 第三十六条: "在二年内未被发现的，不再给予行政处罚" — discovered on the last day is still in time.
        return self.discovered_on > self.ends_on


def limitation_check(
    *, violation_on: dt.date, discovered_on: dt.date, serious: bool, calendar: WorkdayCalendar
) -> Limitation:
    """行政处罚法 第三十六条第一款: a violation not discovered within two years (five where it 涉及公民生命健康
    安全、金融安全且有危害后果) is no longer punished. ``violation_on`` is the day it occurred, or for a
    连续或者继续状态 the day it ended (第二款); ``discovered_on`` the day the agency discovered it — the 线索
    登记 (clue received) day, not the later 立案: the agency's own delay between discovery and 立案 does
    not run against it. Counted in years without rolling off a rest day (the period bars the agency, it is
    not a day on which something must be done)."""
    code = "LIMITATION_SERIOUS" if serious else "LIMITATION_GENERAL"
    rule = get_rule(code)
    ends = calendar.compute(rule, violation_on)
    return Limitation(
        violation_on=violation_on, discovered_on=discovered_on, ends_on=ends.due, years=rule.length, rule_code=code
    )


# --------------------------------------------------------------------------- 当场收缴 (第六十八条至第七十条)

# 第六十八条第一项: "依法给予一百元以下罚款的" — 以下 includes the amount itself.
CASH_COLLECTION_SMALL_FINE_MAX = Decimal("100")


class CashGround(StrEnum):
    """Mirrors ``CashCollection.Ground`` (kept here so the rule stays free of Django)."""

    SMALL_FINE = "small_fine"
    HARD_TO_ENFORCE = "hard_to_enforce"
    REMOTE_AREA = "remote_area"


@dataclass(frozen=True, slots=True)
class CashProblem:
    code: str
    message: str
    field: str


def cash_collection_problem(
    *, ground: str, summary: bool, fine: Decimal | None, party_requested: bool, ground_note: str
) -> CashProblem | None:
    """Why a fine may *not* be collected on the spot, or ``None`` when it may.

    * 第六十八条 (only for a decision made on the spot under 第五十一条, i.e. 简易程序): (一) a fine of 100
      yuan or less; (二) a fine that could hardly be enforced afterwards — the reason must be written down.
    * 第六十九条 (简易程序 or 普通程序 decisions, 第五十一条、第五十七条): in 边远、水上、交通不便地区, when paying
      at the bank or electronically is really difficult and the party asks — the place must be named.
    """
    if not fine or fine <= 0:
        return CashProblem("cash_collection_without_fine", "没有罚款，不能当场收缴", "ground")
    if ground not in CashGround.__members__.values():
        return CashProblem("invalid_cash_ground", "当场收缴情形无效", "ground")
    if ground in (CashGround.SMALL_FINE, CashGround.HARD_TO_ENFORCE) and not summary:
        return CashProblem(
            "cash_collection_not_allowed",
            "普通程序作出的罚款决定，仅在边远、水上、交通不便地区经当事人提出方可当场收缴（行政处罚法第六十九条）",
            "ground",
        )
    if ground == CashGround.SMALL_FINE and fine > CASH_COLLECTION_SMALL_FINE_MAX:
        return CashProblem(
            "cash_collection_not_allowed",
            f"当场收缴仅限一百元以下的罚款，本案罚款{fine}元；不当场收缴事后难以执行的，请写明情形"
            "（行政处罚法第六十八条）",
            "ground",
        )
    if ground == CashGround.HARD_TO_ENFORCE and not ground_note.strip():
        return CashProblem("cash_ground_note_required", "须写明不当场收缴事后难以执行的情形（第六十八条第二项）",
                           "ground_note")
    if ground == CashGround.REMOTE_AREA:
        if not party_requested:
            return CashProblem(
                "cash_collection_not_requested",
                "边远、水上、交通不便地区当场收缴须由当事人提出（行政处罚法第六十九条）",
                "party_requested",
            )
        if not ground_note.strip():
            return CashProblem("cash_ground_note_required", "须写明收缴地点及到银行缴纳确有困难的情形（第六十九条）",
                               "ground_note")
    return None


# --------------------------------------------------------------------------- extensions


def extension_in_time(*, due_on: dt.date, approved_on: dt.date) -> bool:
    """An extension is approved while the limit still runs: on its last day at the latest. A limit that has
    expired cannot be extended afterwards (行政处罚法 第六十条; 市场监督管理行政处罚程序规定 第六十四条:
    延长 is decided before the 90 days have passed; 行政强制法 第二十五条 likewise for 查封、扣押)."""
    return approved_on <= due_on


def days_over(*, due_on: dt.date, on: dt.date) -> int:
    """Calendar days by which an act on ``on`` passed the last day ``due_on`` (0 when in time). The 90-day
    decision limit counts calendar days (行政处罚法 第六十条), so its lateness does too."""
    return max((on - due_on).days, 0)


# --------------------------------------------------------------------------- 履行方式和期限 (第五十九条、第六十七条)

_CN_DIGITS = "零一二三四五六七八九"


def _chinese_days(n: int) -> str:
    """1…99 in Chinese numerals as a 决定书 writes periods (十五日, 三十日)."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[units] if units or not tens else "")


def decision_performance_text(
    *, fine: Decimal | None, confiscated_gains: Decimal | None = None, paid_on_spot: bool = False
) -> str:
    """The 履行方式和期限 of a 行政处罚决定书 (行政处罚法 第五十九条第一款第五项), the one wording for every decision.

    第六十七条第三款: the party pays within fifteen days of receiving the decision at the designated bank or
    through the electronic payment system; the confiscated illegal gains are paid the same way. 第七十二条:
    late payment of a fine adds 3 % a day, at most the fine. The amounts are the 处罚内容's (a later 变更 changes
    them there, not here). Empty when nothing is to be paid (a warning, confiscated property only)."""
    owed = "、".join(name for name, amount in (("罚款", fine), ("没收的违法所得", confiscated_gains)) if amount)
    if not owed:
        return ""
    if paid_on_spot:
        return f"{owed}已由执法人员当场收缴（行政处罚法第六十八条）"
    days = _chinese_days(get_rule("PAYMENT").length)
    text = f"自收到本决定书之日起{days}日内，到指定的银行或者通过电子支付系统缴纳{owed}"
    if fine:
        text += "。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额"
    return text


# --------------------------------------------------------------------------- 加处罚款 (第七十二条、第七十三条)

SURCHARGE_RATE = Decimal("0.03")  # 行政处罚法 第七十二条第一项: 每日按罚款数额的百分之三加处罚款


@dataclass(frozen=True, slots=True)
class Surcharge:
    """加处罚款 owed on ``as_of``: ``days`` counted, ``paused_days`` not counted (复议/诉讼 pending)."""

    since: dt.date | None
    days: int
    paused_days: int
    amount: Decimal
    capped: bool


def surcharge_accrued(
    *,
    fine: Decimal,
    schedule: list[tuple[dt.date, Decimal]],
    payments: list[tuple[dt.date, Decimal]],
    paused: list[tuple[dt.date, dt.date | None]],
    as_of: dt.date,
    counted_from: dt.date | None = None,
) -> Surcharge:
    """The one computation of 加处罚款 (行政处罚法 第七十二条第一项; 行政强制法 第四十五条).

    ``schedule``: what falls due when — ``[(last day to pay, amount)]``: the 15-day period of 第六十七条, or
    an approved 延期/分期 schedule (第六十六条第二款); amounts after the fine (e.g. 没收违法所得) carry no
    surcharge. ``payments``: ``[(paid on, amount)]``, applied to the fine first. Each day *after* a last day
    on which part of the fine due by then is still unpaid adds 3 % of that part; a payment made on a day
    stops the accrual from the next day (paid one day late: one day). Days within a ``paused`` span
    ``(filed on, concluded on or None)`` are not counted (第七十三条第三款: 加处罚款的数额在行政复议或者
    行政诉讼期间不予计算). The total never exceeds the fine (第七十二条第一项; 行政强制法 第四十五条第二款).
    ``counted_from``: no day before it counts (the schedule took effect then, e.g. an approved 分期).
    """
    zero = Decimal("0")
    if not fine or fine <= 0 or not schedule:
        return Surcharge(None, 0, 0, zero, False)
    dues = sorted(schedule)
    paid_sorted = sorted(payments)
    first_late = dues[0][0] + dt.timedelta(days=1)
    total, days, paused_days, since = zero, 0, 0, None
    day = max(first_late, counted_from) if counted_from else first_late
    while day <= as_of:
        due_before = sum((amount for last, amount in dues if last < day), zero)
        paid_before = sum((amount for on, amount in paid_sorted if on < day), zero)
        overdue = min(fine, due_before) - min(fine, paid_before)
        if overdue > 0:
            if any(start <= day and (end is None or day <= end) for start, end in paused):
                paused_days += 1
            else:
                days += 1
                since = since or day
                total += overdue * SURCHARGE_RATE
                if total >= fine:
                    break
        elif due_before >= sum((a for _, a in dues), zero) and paid_before >= min(fine, due_before):
            break  # everything due is paid: nothing accrues any more
        day += dt.timedelta(days=1)
    amount = min(total.quantize(Decimal("0.01")), fine)
    return Surcharge(since, days, paused_days, amount, amount == fine)
