"""What the case workflow tells, and asks, the apps above it (backend/common/events.py).

The cases app is below reviews, evidence and disclosures (ARCHITECTURE.md "Layers"): it never imports
them. Where a transition needs them it publishes an event (something happened: a decision was made) or
asks a question (a fact or a gate it cannot know: is the legal review passed?). Each is declared here,
with the article it comes from; the answering app subscribes its handler in its ``AppConfig.ready()``,
and ``manage.py check`` (enf.E010) refuses an installation where one is unanswered.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from backend.accounts.models import User
from backend.cases.models import Case
from backend.common.events import Question, domain_event, domain_question
from backend.ledger.services import AuditContext

# --------------------------------------------------------------------------- events (published)


@domain_event(required=True)
class DecisionMade:
    """A 行政处罚决定 was made (or entered on record): its public notice is drafted (行政处罚法 第四十八条)."""

    case: Case
    context: AuditContext | None


@domain_event(required=True)
class DecisionChanged:
    """A decision was 变更/撤销/确认违法/确认无效: its notice is withdrawn (第四十八条第二款); the time
    limit runs from ``triggered_on``, the day the decision was changed."""

    case: Case
    reason: str
    kind: str
    triggered_on: dt.date | None
    context: AuditContext | None


@domain_event(required=True)  # 过错追究 relies on it
class DecisionCorrected:
    """A correction (变更/撤销/确认违法/确认无效, by 复议, 诉讼 or self-correction) was recorded on a decision
    (行政处罚法 第四十八条第二款; ``case_correct_decision``), published in that transaction after
    ``DecisionChanged``. The supervision app opens a fault case (过错追究) from a 撤销/确认违法/确认无效."""

    case_id: uuid.UUID
    agency_id: int
    correction_id: int
    kind: str  # DecisionCorrection.Kind
    by: str  # DecisionCorrection.By
    reason: str
    reference: str
    effective_on: dt.date


@domain_event(required=True)
class ReviewTimeLimitExtended:
    """The head extended the review's time limit from the case's deadlines: the open review round is the
    one clock of the review (市场监督管理行政处罚程序规定 第五十五条); the case's row follows it."""

    case: Case
    actor: User
    reason: str
    context: AuditContext | None


# --------------------------------------------------------------------------- questions (asked)


@domain_question
class MajorDecisionReasons(Question[list[str]]):
    """Why the proposed decision is a 重大执法决定 (empty: it is not)."""

    case: Case


@domain_question
class ReviewPassedGate(Question[None]):
    """Raises PreconditionFailed unless a passed review round covers the current proposal (行政处罚法
    第五十八条: 未经法制审核或者审核未通过的，不得作出决定)."""

    case: Case


@domain_question
class CollectiveDiscussionGate(Question[None]):
    """Raises PreconditionFailed unless the required 集体讨论 is on record (行政处罚法 第五十七条第二款)."""

    case: Case


@domain_question
class DecisionReviewReference(Question[dict[str, Any] | None]):
    """What the head's decision cites: the passed review round and its 审核意见书 (第五十八条)."""

    case: Case


@domain_question
class RecordedActivities(Question[set[str]]):
    """Acts with at least one received audio/video recording among the case's evidence (全过程记录)."""

    case_id: Any


@domain_question
class EvidenceListText(Question[list[str]]):
    """The received evidence as the 决定书 lists it (第五十九条第二项)."""

    case_id: Any


@domain_question
class ReceivedEvidenceCount(Question[int]):
    """Number of received evidence items of the case."""

    case_id: Any


# --------------------------------------------------------------------------- after the decision (execution)


@domain_event(required=True)
class DecisionServed:
    """A decision was served (行政处罚法 第六十一条): the party's remedy periods start (行政复议法 第二十条,
    行政诉讼法 第四十六条) and, for a fine, the payment period (第六十七条)."""

    case: Case
    served_on: dt.date


@domain_event(required=True)
class CaseClosing:
    """结案 is about to be approved (市场监督管理行政处罚程序规定 第七十七条). A subscriber that knows of an
    open obligation — a balance, a pending 复议/诉讼, property not yet handled — refuses by raising
    ``PreconditionFailed``; the closure is then not recorded (the handlers run in the step's transaction)."""

    case: Case
    closing_on: dt.date
