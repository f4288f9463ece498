"""Domain events the cases app publishes (backend/common/events.py): how the lifecycle lets a higher app
take part in a step without importing it. Handlers run in the step's transaction; an exception fails the
step (a refusal answers as the handler's ApplicationError)."""

from __future__ import annotations

import datetime as dt
import uuid

from backend.common.events import domain_event


@domain_event(required=True)
class DecisionServed:
    """A decision was served (行政处罚法 第六十一条): the party's remedy periods start (行政复议法 第二十条,
    行政诉讼法 第四十六条) and, for a fine, the payment period (第六十七条)."""

    case_id: uuid.UUID
    served_on: dt.date


@domain_event(required=True)
class CaseClosing:
    """结案 is about to be approved (市场监督管理行政处罚程序规定 第七十七条). A subscriber that knows of an
    open obligation — a balance, a pending 复议/诉讼, property not yet handled — refuses by raising
    ``PreconditionFailed``; the closure is then not recorded."""

    case_id: uuid.UUID
    closing_on: dt.date
