"""Helpers for the case tests (import as ``from cases.casekit import ...``): fixed moments, a stand-in for
the reviews/disclosures/evidence hooks, and a walk of a case through the services with explicit dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from support import valid_id_number

from backend.cases import services
from backend.cases.models import Case, DocumentType
from backend.common.errors import PreconditionFailed
from backend.ledger.services import AuditContext

TZ = ZoneInfo("Asia/Shanghai")


def at(day: dt.date | str, hour: int = 10) -> dt.datetime:
    """A fixed, timezone-aware moment on ``day`` (Asia/Shanghai)."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


@dataclass
class FakeApps:
    major_reasons: list[str] = field(default_factory=list)
    review_passed: bool = True
    notices: list[str] = field(default_factory=list)
    withdrawals: list[tuple[str, str]] = field(default_factory=list)
    withdrawal_triggers: list[Any] = field(default_factory=list)
    recorded: set[str] = field(default_factory=set)

    def review_major_evaluate(self, *, case: Case) -> list[str]:
        reasons = list(self.major_reasons)
        if case.hearing_held_on and "经过听证程序" not in reasons:
            reasons.append("经过听证程序")
        return reasons

    def review_ensure_passed(self, *, case: Case) -> None:
        if self.review_passed:
            return
        code = "legal_review_required" if case.is_major else "case_review_required"
        raise PreconditionFailed(code, "审核未通过")

    def notice_create_for_decision(self, *, case: Case, context: Any) -> None:
        self.notices.append(case.decision_number)

    def notice_withdraw_for_case(self, *, case: Case, reason: str, kind: str, triggered_on: Any, context: Any) -> None:
        self.withdrawals.append((case.decision_number, kind))
        self.withdrawal_triggers.append(triggered_on)

    def case_recorded_activities(self, *, case_id: Any) -> set[str]:
        return set(self.recorded)


def ctx(user: Any) -> AuditContext:
    return AuditContext(actor=user)


PARTY = {
    "title": "销售过期食品案",
    "party_type": "natural_person",
    "party_name": "王小明",
    "party_id_number": valid_id_number("22040219900101123"),  # check digit computed (GB 11643)
    "party_phone": "13904371234",
    "party_address": "吉林省辽源市龙山区向阳街1号",
    "place_address": "辽源市龙山区人民大街88号",
    "facts": "当事人经营的便利店销售超过保质期的食品",
    "legal_basis": [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}],
}
FINE_5000 = [{"kind": "fine", "amount": "5000"}]


def new_case(officer, officer2, *, on: dt.date, **overrides: Any) -> Case:
    fields = {**PARTY, **overrides}
    return services.case_create(
        actor=officer, context=ctx(officer), fields=fields, officer_ids=[officer2.pk], now=at(on)
    )


def walk(case: Case, *, officer, head, to: str, start: dt.date, measures=None) -> Case:
    """Walk a general-procedure case from its current status to ``to`` with the happy-path steps.

    Day plan (calendar days after ``start``): 立案 +0, investigation +1..+3, review +4, 告知 +5,
    复核 +20 (windows elapsed), 决定 +21, 送达 +22.
    """
    d = lambda n: at(start + dt.timedelta(days=n))  # noqa: E731

    def inspect(c: Case) -> Case:
        if not c.documents.filter(doc_type=DocumentType.INSPECTION_RECORD).exists():
            services.case_add_document(case=c, actor=officer, context=ctx(officer), now=d(2),
                                       doc_type=DocumentType.INSPECTION_RECORD, content={"findings": "过期食品"})
        return services.case_conclude_investigation(case=c, actor=officer, context=ctx(officer), report="事实清楚",
                                                    measures=measures or FINE_5000, now=d(3))

    # (statuses a step starts from, the step)
    order = [
        ({"clue_received", "pre_review"}, lambda c: services.case_register(
            case=c, actor=head, context=ctx(head), now=d(0))),
        ({"registered"}, lambda c: services.case_start_investigation(
            case=c, actor=officer, context=ctx(officer), now=d(1))),
        ({"investigating"}, inspect),
        ({"investigation_concluded"}, lambda c: services.case_submit_review(
            case=c, actor=officer, context=ctx(officer), now=d(4))),
        ({"case_review", "legal_review"}, lambda c: services.case_approve_proposal(
            case=c, actor=head, context=ctx(head), now=d(4))),
        ({"proposed"}, lambda c: services.case_notify(case=c, actor=officer, context=ctx(officer), now=d(5))),
        ({"notified"}, lambda c: services.case_start_defence_review(
            case=c, actor=officer, context=ctx(officer), now=d(20))),
        ({"reviewing_defence"}, lambda c: services.case_submit_decision(
            case=c, actor=officer, context=ctx(officer), now=d(20))),
        ({"deciding"}, lambda c: services.case_decide(
            case=c, actor=head, context=ctx(head), now=d(21),
            collective_discussion={"conclusion": "同意"} if c.collective_discussion_required else None)),
        ({"decided"}, lambda c: services.case_serve(
            case=c, actor=officer, context=ctx(officer), method="direct", now=d(22))),
    ]
    for sources, step in order:
        if case.status == to:
            break
        if case.status in sources:
            case = step(case)
    return Case.objects.get(pk=case.pk)
