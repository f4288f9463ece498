"""Every error code the console app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    AGENCY_NOT_FOUND = "agency_not_found"
    CHECKLIST_EMPTY = "checklist_empty"
    CHECKLIST_INCOMPLETE = "checklist_incomplete"
    DERIVATIVE_NOT_FOUND = "derivative_not_found"
    INDICATOR_NOT_FOUND = "indicator_not_found"
    INVALID = "invalid"
    INVALID_INDICATOR = "invalid_indicator"
    INVALID_USER = "invalid_user"
    INVALID_YEAR = "invalid_year"
    NO_AGENCY = "no_agency"
    NOT_FOUND = "not_found"
    OPINION_NOT_ISSUED = "opinion_not_issued"
    PURPOSE_REQUIRED = "purpose_required"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    TRANSITION_UNKNOWN = "transition_unknown"
