"""The case workflow's seams to the apps above it, as plain functions the services call.

Each publishes an event or asks a question declared in :mod:`backend.cases.events`; the reviews,
disclosures and evidence apps answer them (their ``AppConfig.ready()`` subscribes the handlers). A
question nobody answers is an error, never a silent skip: a decision must not go unreviewed or
unpublished because a handler is missing (``manage.py check``: enf.E010).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.accounts.models import User
from backend.cases import events
from backend.cases.models import Case
from backend.common.events import ask, publish
from backend.ledger.services import AuditContext


def review_major_evaluate(*, case: Case) -> list[str]:
    """Reasons the proposed decision is major (重大执法决定); empty when it is not."""
    return list(ask(events.MajorDecisionReasons(case=case)))


def review_ensure_passed(*, case: Case) -> None:
    """Raise PreconditionFailed unless a passed review round covers the current proposal.

    行政处罚法 第五十八条: 未经法制审核或者审核未通过的，不得作出决定.
    """
    ask(events.ReviewPassedGate(case=case))


def review_decision_reference(*, case: Case) -> dict[str, Any] | None:
    """What the head's decision cites: the passed review round and its 审核意见书 (第五十八条)."""
    return ask(events.DecisionReviewReference(case=case))


def review_ensure_collective_discussion(*, case: Case) -> None:
    """Raise PreconditionFailed unless the required 集体讨论 is on record (行政处罚法 第五十七条第二款)."""
    ask(events.CollectiveDiscussionGate(case=case))


def review_extend_time_limit(*, case: Case, actor: User, reason: str, context: AuditContext | None) -> None:
    """The head extends the open review round's time limit: the round is the one clock of the review
    (市场监督管理行政处罚程序规定 第五十五条); the case's CASE_REVIEW/LEGAL_REVIEW row follows it."""
    publish(events.ReviewTimeLimitExtended(case=case, actor=actor, reason=reason, context=context))


def notice_create_for_decision(*, case: Case, context: AuditContext | None) -> None:
    """Draft the public notice of a decision (行政处罚法 第四十八条)."""
    publish(events.DecisionMade(case=case, context=context))


def notice_withdraw_for_case(
    *, case: Case, reason: str, kind: str, triggered_on: dt.date | None, context: AuditContext | None
) -> None:
    """Withdraw the notice of a changed, revoked, illegal or void decision (第四十八条第二款); the time limit
    runs from ``triggered_on``, the day the decision was changed."""
    publish(events.DecisionChanged(case=case, reason=reason, kind=kind, triggered_on=triggered_on, context=context))


def decision_corrected(*, case: Case, correction_id: int, kind: str, by: str, reason: str, reference: str,
                       effective_on: dt.date) -> None:
    """A correction was recorded on the decision: the supervision app opens a fault case (过错追究) when it
    takes the decision out of force or finds it illegal."""
    publish(events.DecisionCorrected(
        case_id=case.id, agency_id=case.agency_id, correction_id=correction_id, kind=kind, by=by, reason=reason,
        reference=reference, effective_on=effective_on,
    ))


def case_recorded_activities(*, case_id: Any) -> set[str]:
    """Acts with at least one received audio/video recording among the case's evidence."""
    return set(ask(events.RecordedActivities(case_id=case_id)))


def case_evidence_list_text(*, case_id: Any) -> list[str]:
    """The received evidence as the 决定书 lists it (第五十九条第二项)."""
    return list(ask(events.EvidenceListText(case_id=case_id)))


def evidence_received_count(*, case_id: Any) -> int:
    """Number of received evidence items of the case."""
    return ask(events.ReceivedEvidenceCount(case_id=case_id))


def decision_served(*, case: Case, served_on: dt.date) -> None:
    """The decision was served (行政处罚法 第六十一条): the party's 复议/诉讼 periods run from that day
    (行政复议法 第二十条, 行政诉讼法 第四十六条)."""
    publish(events.DecisionServed(case=case, served_on=served_on))


def case_closing(*, case: Case, closing_on: dt.date) -> None:
    """结案 is about to be approved: an app above that knows of an open obligation (a balance, a pending
    复议/诉讼, property not yet handled) refuses it with a PreconditionFailed (第七十七条)."""
    publish(events.CaseClosing(case=case, closing_on=closing_on))
