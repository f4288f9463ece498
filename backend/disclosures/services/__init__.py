"""Writes for 行政执法公示: notices (create, redact, edit, publish, withdraw, non-disclosure, expiry) and
citizens' correction requests. Every change writes an audit event with the case id in the same
transaction (CONTRACTS.md "Audit").

Modules: :mod:`.common` (profile, policy, periods, checks shared by the others), :mod:`.snapshot` (what a notice
shows, its redaction and the publish-time check), :mod:`.creation`, :mod:`.publication` (edit, resolve, publish),
:mod:`.withdrawal`, :mod:`.non_disclosure`, :mod:`.periodic` (display-period expiry, calendar recompute),
:mod:`.citizen_corrections` (更正 requests).
"""

from backend.disclosures.services.citizen_corrections import correction_request_answer, correction_request_submit
from backend.disclosures.services.common import (
    display_until_for,
    due_date_for,
    policy_for,
    profile_for,
    withdraw_workdays,
)
from backend.disclosures.services.creation import notice_create, notice_create_for_decision
from backend.disclosures.services.non_disclosure import notice_decide_non_disclosure, notice_request_non_disclosure
from backend.disclosures.services.periodic import (
    notice_expire_display_periods,
    notice_refresh_provisional_dates,
    notices_recompute_for_calendar,
)
from backend.disclosures.services.publication import (
    REDACTION_DECISIONS,
    notice_edit,
    notice_publish,
    notice_resolve_candidate,
)
from backend.disclosures.services.snapshot import redact_snapshot, redaction_check, snapshot_from_case
from backend.disclosures.services.withdrawal import notice_withdraw, notice_withdraw_for_case

__all__ = [
    "REDACTION_DECISIONS",
    "correction_request_answer",
    "correction_request_submit",
    "display_until_for",
    "due_date_for",
    "notice_create",
    "notice_create_for_decision",
    "notice_decide_non_disclosure",
    "notice_edit",
    "notice_expire_display_periods",
    "notice_publish",
    "notice_refresh_provisional_dates",
    "notice_request_non_disclosure",
    "notice_resolve_candidate",
    "notice_withdraw",
    "notice_withdraw_for_case",
    "notices_recompute_for_calendar",
    "policy_for",
    "profile_for",
    "redact_snapshot",
    "redaction_check",
    "snapshot_from_case",
    "withdraw_workdays",
]
