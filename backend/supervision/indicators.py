"""评议考核: the yearly indicators of an agency, computed from its records (never entered by hand), each figure
with the records behind it, and the ranked comparison a supervising body reads.

国办发〔2018〕118号 (十八): 将三项制度的落实情况纳入法治政府建设考评; 吉林省行政执法监督条例: 行政执法评议考核.
Every indicator is a count of records meeting a rule over a population of records of the year; its ``items`` are
those records, each marked whether it meets the rule, so a figure can be checked by hand against the cases.

The indicators (``INDICATORS``; ``better`` says which way a rate is good):

- ``decisions_on_time`` 按期作出处罚决定: the DECISION time limits of the cases decided in the year (行政处罚法
  第六十条: 九十日), met by the due date;
- ``notices_on_time`` 按期公示: the year's decision notices, published within their due date (7 working days,
  第四十八条; 国办发〔2018〕118号 (六)) — a draft past its due date counts as not on time;
- ``review_pass_rate`` 法制审核通过率: legal-review opinions issued in the year that approved the proposal (第五十八条);
- ``decisions_changed`` 被复议、诉讼纠错: decisions 变更/撤销/确认违法/确认无效 by 行政复议 or 行政诉讼 in the year
  (the cases' DecisionCorrection records), over the penalty decisions made in the year;
- ``overdue_deadlines`` 办理期限逾期: the agency's own time limits (``duty``) due in the year that passed unmet or
  were met late;
- ``recording_gaps`` 音像记录缺失: cases decided in the year whose 音像记录事项清单 items lack a recording (全过程记录);
- ``corrections_answered`` 监督意见按期答复: 责令纠正/执法监督意见书 and 检察建议 to the agency due in the year (or
  answered in it), answered by their deadline.

The composite score ranks agencies: the mean, over the indicators that have a population, of the share of good
records (a "lower is better" rate counts as 1 − rate), × 100. Equal weights: a supervising body that weights
them otherwise reads the figures themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import Agency
from backend.cases.models import Case, CaseDeadline, DecisionCorrection, DecisionOutcome
from backend.disclosures.models import Notice
from backend.reviews.models import ReviewRound
from backend.supervision.models import CorrectionOrder, ProcuratorialSuggestion


@dataclass(frozen=True)
class Item:
    """One record behind a figure: ``meets`` says whether it counts in the numerator."""

    kind: str  # case | notice | review_round | deadline | correction | order | suggestion
    id: str
    case_id: str | None
    case_number: str
    title: str
    meets: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "case_id": self.case_id, "case_number": self.case_number,
                "title": self.title, "meets": self.meets, "detail": self.detail}  # fmt: skip


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    better: str  # "higher" | "lower"
    numerator: int
    denominator: int
    items: list[Item] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def good_share(self) -> Decimal | None:
        """The share of good records (0–1): the rate, or 1 − rate for a "lower is better" indicator."""
        if not self.denominator:
            return None
        share = Decimal(self.numerator) / Decimal(self.denominator)
        return share if self.better == "higher" else 1 - share

    def to_json(self, *, with_items: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code, "label": self.label, "better": self.better, "numerator": self.numerator,
            "denominator": self.denominator, "rate": None if self.rate is None else f"{self.rate}",
        }  # fmt: skip
        if with_items:
            out["items"] = [i.to_json() for i in self.items]
        return out


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _case_item(kind: str, pk: Any, case: Case | None, *, meets: bool, detail: str) -> Item:
    return Item(
        kind=kind, id=str(pk), case_id=str(case.pk) if case else None, case_number=case.case_number if case else "",
        title=case.title if case else "", meets=meets, detail=detail,
    )  # fmt: skip


def decisions_on_time(agency_id: int, year: int, today: dt.date) -> Figure:
    start, end = _year_range(year)
    rows = CaseDeadline.objects.filter(
        case__agency_id=agency_id, rule_code="DECISION", case__decided_on__range=(start, end),
        state__in=(CaseDeadline.State.MET, CaseDeadline.State.OVERDUE),
    ).select_related("case").order_by("case__decided_on", "pk")  # fmt: skip
    items = []
    for d in rows:
        meets = d.state == CaseDeadline.State.MET and not d.met_late
        items.append(_case_item("case", d.case.pk, d.case, meets=meets,
                                detail=f"期限 {d.due_on:%Y-%m-%d}，决定 {d.case.decided_on:%Y-%m-%d}"))  # fmt: skip
    return Figure("decisions_on_time", "按期作出处罚决定", "higher", sum(i.meets for i in items), len(items), items)


def notices_on_time(agency_id: int, year: int, today: dt.date) -> Figure:
    start, end = _year_range(year)
    rows = Notice.objects.filter(agency_id=agency_id, decision_date__range=(start, end)).filter(
        Q(published_at__isnull=False) | Q(status=Notice.Status.DRAFT, due_date__lt=today)
    ).select_related("case").order_by("decision_date", "pk")  # fmt: skip
    items = []
    for n in rows:
        meets = n.published_at is not None and not n.published_late
        if n.published_at is None:
            detail = f"公示期限 {n.due_date:%Y-%m-%d}，尚未公示"
        else:
            detail = f"公示期限 {n.due_date:%Y-%m-%d}，{timezone.localdate(n.published_at):%Y-%m-%d} 公示"
        items.append(_case_item("notice", n.pk, n.case, meets=meets, detail=detail))
    return Figure("notices_on_time", "按期公示", "higher", sum(i.meets for i in items), len(items), items)


def review_pass_rate(agency_id: int, year: int, today: dt.date) -> Figure:
    start, end = _year_range(year)
    rows = ReviewRound.objects.filter(
        agency_id=agency_id, status=ReviewRound.Status.COMPLETED, completed_at__date__range=(start, end)
    ).select_related("case").order_by("completed_at", "pk")
    items = [
        _case_item("review_round", r.pk, r.case, meets=r.outcome == ReviewRound.Outcome.APPROVED,
                   detail=f"第{r.number}轮 {r.get_outcome_display()}")
        for r in rows
    ]
    return Figure("review_pass_rate", "法制审核通过率", "higher", sum(i.meets for i in items), len(items), items)


def decisions_changed(agency_id: int, year: int, today: dt.date) -> Figure:
    start, end = _year_range(year)
    decided = Case.objects.filter(
        agency_id=agency_id, decided_on__range=(start, end), decision_outcome=DecisionOutcome.PENALTY
    ).count()
    by_outside = (DecisionCorrection.By.RECONSIDERATION, DecisionCorrection.By.LITIGATION)
    rows = DecisionCorrection.objects.filter(
        case__agency_id=agency_id, by__in=by_outside, effective_on__range=(start, end)
    ).select_related("case").order_by("effective_on", "pk")
    items = [
        _case_item("correction", c.pk, c.case, meets=True,
                   detail=f"{c.get_by_display()}{c.get_kind_display()}（{c.effective_on:%Y-%m-%d}）{c.reference}")
        for c in rows
    ]  # fmt: skip
    changed_cases = len({i.case_id for i in items})
    return Figure("decisions_changed", "被复议、诉讼纠错", "lower", changed_cases, decided, items)


def overdue_deadlines(agency_id: int, year: int, today: dt.date) -> Figure:
    start, end = _year_range(year)
    rows = CaseDeadline.objects.filter(
        case__agency_id=agency_id, kind=CaseDeadline.Kind.DUTY, due_on__range=(start, min(end, today)),
    ).exclude(state=CaseDeadline.State.CANCELLED).select_related("case").order_by("due_on", "pk")  # fmt: skip
    items = []
    for d in rows:
        late = d.state == CaseDeadline.State.OVERDUE or (d.state == CaseDeadline.State.MET and d.met_late)
        met = f"，{d.met_on:%Y-%m-%d} 完成" if d.met_on else ""
        detail = f"{d.name} 期限 {d.due_on:%Y-%m-%d}{met}（{d.get_state_display()}）"
        items.append(_case_item("deadline", d.pk, d.case, meets=late, detail=detail))
    return Figure("overdue_deadlines", "办理期限逾期", "lower", sum(i.meets for i in items), len(items), items)


def recording_gaps(agency_id: int, year: int, today: dt.date) -> Figure:
    start, end = _year_range(year)
    rows = Case.objects.filter(agency_id=agency_id, decided_on__range=(start, end)).order_by("decided_on", "pk")
    items = []
    for c in rows:
        gaps = [str(g) for g in c.missing_recordings or []]
        detail = "缺少音像记录：" + "、".join(gaps) if gaps else "完整"
        items.append(_case_item("case", c.pk, c, meets=bool(gaps), detail=detail))
    return Figure("recording_gaps", "音像记录缺失", "lower", sum(i.meets for i in items), len(items), items)


def corrections_answered(agency_id: int, year: int, today: dt.date) -> Figure:
    start, end = _year_range(year)
    items = []
    orders = CorrectionOrder.objects.filter(agency_id=agency_id).filter(
        Q(deadline__range=(start, min(end, today - dt.timedelta(days=1)))) | Q(answered_at__date__range=(start, end))
    ).select_related("case").order_by("deadline", "number")  # fmt: skip
    for o in orders:
        meets = o.answered_at is not None and not o.answered_late
        state = "未答复" if o.answered_at is None else ("逾期答复" if o.answered_late else "按期答复")
        item = _case_item("order", o.pk, o.case, meets=meets, detail=f"{o.number} 期限 {o.deadline:%Y-%m-%d}，{state}")
        items.append(item)
    suggestions = ProcuratorialSuggestion.objects.filter(agency_id=agency_id).filter(
        Q(answer_due__range=(start, min(end, today - dt.timedelta(days=1)))) | Q(answered_at__date__range=(start, end))
    ).select_related("case").order_by("answer_due", "number")  # fmt: skip
    for s in suggestions:
        meets = s.answered_at is not None and not s.answered_late
        state = "未回复" if s.answered_at is None else ("逾期回复" if s.answered_late else "按期回复")
        item = _case_item("suggestion", s.pk, s.case, meets=meets,
                          detail=f"{s.procuratorate} {s.number} 期限 {s.answer_due:%Y-%m-%d}，{state}")  # fmt: skip
        items.append(item)
    return Figure("corrections_answered", "监督意见按期答复", "higher", sum(i.meets for i in items), len(items), items)


INDICATORS: dict[str, Callable[[int, int, dt.date], Figure]] = {
    "decisions_on_time": decisions_on_time,
    "notices_on_time": notices_on_time,
    "review_pass_rate": review_pass_rate,
    "decisions_changed": decisions_changed,
    "overdue_deadlines": overdue_deadlines,
    "recording_gaps": recording_gaps,
    "corrections_answered": corrections_answered,
}


def composite_score(figures: list[Figure]) -> Decimal | None:
    shares = [f.good_share for f in figures if f.good_share is not None]
    if not shares:
        return None
    return (sum(shares, Decimal(0)) * 100 / len(shares)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def agency_indicators(*, agency: Agency, year: int, today: dt.date | None = None) -> dict[str, Any]:
    """The seven figures of ``agency`` for ``year`` and its composite score (items left out)."""
    today = today or timezone.localdate()
    figures = [compute(agency.pk, year, today) for compute in INDICATORS.values()]
    score = composite_score(figures)
    return {
        "agency": {"id": agency.pk, "name": agency.name, "uscc": agency.uscc},
        "year": year,
        "complete": today > dt.date(year, 12, 31),
        "score": None if score is None else f"{score}",
        "indicators": [f.to_json() for f in figures],
    }


def indicator_detail(*, agency: Agency, year: int, code: str, today: dt.date | None = None) -> dict[str, Any]:
    """One figure with every record behind it."""
    figure = INDICATORS[code](agency.pk, year, today or timezone.localdate())
    return {"agency": {"id": agency.pk, "name": agency.name}, "year": year, **figure.to_json(with_items=True)}


def ranking(*, agencies: list[Agency], year: int, by: str | None = None, today: dt.date | None = None
            ) -> list[dict[str, Any]]:
    """The agencies ranked by composite score (or by one indicator's good share), best first; an agency with no
    population for the measure is ranked last. Equal values share a rank (1, 2, 2, 4)."""
    today = today or timezone.localdate()
    rows = [agency_indicators(agency=a, year=year, today=today) for a in agencies]

    def measure(row: dict[str, Any]) -> Decimal | None:
        if by is None:
            return None if row["score"] is None else Decimal(row["score"])
        figure = next(f for f in row["indicators"] if f["code"] == by)
        if figure["rate"] is None:
            return None
        rate = Decimal(figure["rate"])
        return rate if figure["better"] == "higher" else 100 - rate

    keyed = [(measure(r), r) for r in rows]
    keyed.sort(key=lambda kr: (kr[0] is None, -(kr[0] or 0), kr[1]["agency"]["name"]))
    ranked: list[dict[str, Any]] = []
    previous: Decimal | None = None
    rank = 0
    for position, (value, row) in enumerate(keyed, start=1):
        if value is None:
            row["rank"] = None
        else:
            if value != previous:
                rank = position
            row["rank"] = rank
            previous = value
        ranked.append(row)
    return ranked
