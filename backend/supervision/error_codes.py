"""Every error code the supervision app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    AGENCY_HEAD_REQUIRED = "agency_head_required"
    AGENCY_NOT_FOUND = "agency_not_found"
    ALREADY_EVALUATED = "already_evaluated"
    ALREADY_SUBMITTED = "already_submitted"
    CASE_NOT_FOUND = "case_not_found"
    CASE_NOT_IN_SAMPLE = "case_not_in_sample"
    DUPLICATE_ITEM = "duplicate_item"
    FAULT_CASE_NOT_FOUND = "fault_case_not_found"
    FINDING_REQUIRED = "finding_required"
    GRANT_NOT_FOUND = "grant_not_found"
    GRANT_REVOKED = "grant_revoked"
    GRANTEE_NOT_PROCURATOR = "grantee_not_procurator"
    INDICATOR_NOT_FOUND = "indicator_not_found"
    INVALID_DEADLINE = "invalid_deadline"
    INVALID_GRANT_DAYS = "invalid_grant_days"
    INVALID_SCORE = "invalid_score"
    INVALID_STRATA = "invalid_strata"
    INVALID_SUBMITTED_ON = "invalid_submitted_on"
    ITEMS_MISMATCH = "items_mismatch"
    NO_CLOSED_CASES = "no_closed_cases"
    NO_DECISION = "no_decision"
    NOT_IN_CHAIN = "not_in_chain"
    NOTHING_TO_CORRECT = "nothing_to_correct"
    ORDER_NOT_FOUND = "order_not_found"
    REASON_REQUIRED = "reason_required"
    REPORT_EXISTS = "report_exists"
    REPORT_NOT_FOUND = "report_not_found"
    REPORT_NOT_LOGGED = "report_not_logged"
    REPORT_NOT_SEALED = "report_not_sealed"
    RESPONSIBLE_NOT_ALLOWED = "responsible_not_allowed"
    RESPONSIBLE_REQUIRED = "responsible_required"
    SAMPLE_NOT_FOUND = "sample_not_found"
    STANDARD_NOT_FOUND = "standard_not_found"
    SUGGESTION_NOT_FOUND = "suggestion_not_found"
    SUPERVISOR_REQUIRED = "supervisor_required"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    YEAR_IN_FUTURE = "year_in_future"
    YEAR_NOT_OVER = "year_not_over"
