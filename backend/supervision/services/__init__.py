"""Writes of the supervision app: one service per transition, each locked, checked and audited in the same
transaction (backend/ledger/services.audit_record). Reads are in :mod:`backend.supervision.selectors`."""

from __future__ import annotations

from backend.supervision.services.common import FAULT_TRIGGER_KINDS
from backend.supervision.services.evaluation import (
    draw_sample,
    evaluation_submit,
    sample_draw,
    standard_create,
)
from backend.supervision.services.faults import (
    fault_case_close,
    fault_case_decide,
    fault_case_open,
    fault_case_open_for_correction,
)
from backend.supervision.services.orders import (
    order_answer,
    order_issue,
    order_review,
    orders_escalate_overdue,
)
from backend.supervision.services.procuratorate import (
    grant_create,
    grant_record_read,
    grant_revoke,
    suggestion_answer,
    suggestion_file,
)

__all__ = [
    "FAULT_TRIGGER_KINDS",
    "draw_sample",
    "evaluation_submit",
    "fault_case_close",
    "fault_case_decide",
    "fault_case_open",
    "fault_case_open_for_correction",
    "grant_create",
    "grant_record_read",
    "grant_revoke",
    "order_answer",
    "order_issue",
    "order_review",
    "orders_escalate_overdue",
    "sample_draw",
    "standard_create",
    "suggestion_answer",
    "suggestion_file",
]
