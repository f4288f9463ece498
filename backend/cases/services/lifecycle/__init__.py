"""One service per transition of the case lifecycle (the table is :mod:`backend.cases.workflow`).

Every service: locks the case, checks the If-Match version, who may act, that the transition may start
from the current status, then its own statutory preconditions; on success it changes the case, writes
its documents and deadlines, records a :class:`CaseTransition` row and an audit event — all in one
transaction, so a failed precondition leaves nothing behind. Unmet preconditions answer 409 with a code
naming them (``too_few_officers``, ``credential_expired``, ``evidence_missing``, ``statement_window_open``,
``legal_review_required``, ``decision_overdue_reason_required``, ...).

``now`` defaults to the current time; tests pass fixed times.
"""

from __future__ import annotations

from backend.cases.services.lifecycle.closing import (
    case_archive,
    case_close,
    case_file_summary,
    case_record_execution,
    case_serve,
    case_start_execution,
)
from backend.cases.services.lifecycle.decision import (
    case_decide,
    case_decide_without_penalty,
)
from backend.cases.services.lifecycle.intake import (
    case_conclude_investigation,
    case_decline,
    case_register,
    case_resume,
    case_start_investigation,
    case_start_verification,
    case_suspend,
)
from backend.cases.services.lifecycle.proposal import (
    case_approve_proposal,
    case_hold_hearing,
    case_notify,
    case_record_waiver,
    case_renotify,
    case_request_hearing,
    case_return_for_investigation,
    case_schedule_hearing,
    case_start_defence_review,
    case_submit_decision,
    case_submit_post_hearing_review,
    case_submit_review,
)
from backend.cases.workflow import TRANSITIONS

TRANSITION_SERVICES = {
    "start_verification": case_start_verification,
    "decline": case_decline,
    "register": case_register,
    "start_investigation": case_start_investigation,
    "suspend": case_suspend,
    "resume": case_resume,
    "conclude_investigation": case_conclude_investigation,
    "submit_review": case_submit_review,
    "return_for_investigation": case_return_for_investigation,
    "approve_proposal": case_approve_proposal,
    "notify": case_notify,
    "request_hearing": case_request_hearing,
    "schedule_hearing": case_schedule_hearing,
    "hold_hearing": case_hold_hearing,
    "submit_post_hearing_review": case_submit_post_hearing_review,
    "start_defence_review": case_start_defence_review,
    "renotify": case_renotify,
    "submit_decision": case_submit_decision,
    "decide": case_decide,
    "decide_without_penalty": case_decide_without_penalty,
    "serve": case_serve,
    "start_execution": case_start_execution,
    "close": case_close,
    "archive": case_archive,
    "file_summary": case_file_summary,
}
assert set(TRANSITION_SERVICES) == set(TRANSITIONS), "every transition has exactly one service"

__all__ = [
    "TRANSITION_SERVICES",
    "case_approve_proposal",
    "case_archive",
    "case_close",
    "case_conclude_investigation",
    "case_decide",
    "case_decide_without_penalty",
    "case_decline",
    "case_file_summary",
    "case_hold_hearing",
    "case_notify",
    "case_record_execution",
    "case_record_waiver",
    "case_register",
    "case_renotify",
    "case_request_hearing",
    "case_resume",
    "case_return_for_investigation",
    "case_schedule_hearing",
    "case_serve",
    "case_start_defence_review",
    "case_start_execution",
    "case_start_investigation",
    "case_start_verification",
    "case_submit_decision",
    "case_submit_post_hearing_review",
    "case_submit_review",
    "case_suspend",
]
