"""Domain events the cases app publishes for the apps above it (backend/common/events.py)."""

from __future__ import annotations

import datetime as dt
import uuid

from backend.common.events import domain_event


@domain_event(required=True)  # 过错追究 relies on it: enf.E010 without a subscriber
class DecisionCorrected:
    """A decision was 变更/撤销/确认违法/确认无效 (行政处罚法 第四十八条第二款; ``case_correct_decision``),
    published in that transaction. The supervision app opens a fault case (过错追究) from it."""

    case_id: uuid.UUID
    agency_id: int
    correction_id: int
    kind: str  # DecisionCorrection.Kind
    by: str  # DecisionCorrection.By
    reason: str
    reference: str
    effective_on: dt.date
