"""Every error code the disclosures app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    AGENCY_NOT_FOUND = "agency_not_found"
    APPROVER_IS_REQUESTER = "approver_is_requester"
    CORRECTION_ALREADY_ANSWERED = "correction_already_answered"
    CORRECTION_ANSWER_REQUIRED = "correction_answer_required"
    CORRECTION_NOT_FOUND = "correction_not_found"
    CREDENTIAL_NOT_FOUND = "credential_not_found"
    INVALID = "invalid"
    INVALID_PARTY_TYPE_FILTER = "invalid_party_type_filter"
    INVALID_PENALTY_KIND_FILTER = "invalid_penalty_kind_filter"
    INVALID_STATUS_FILTER = "invalid_status_filter"
    INVALID_YEAR = "invalid_year"
    NO_AGENCY = "no_agency"
    NON_DISCLOSURE_NOT_REQUESTED = "non_disclosure_not_requested"
    NON_DISCLOSURE_REASON_INVALID = "non_disclosure_reason_invalid"
    NOT_AGENCY_HEAD = "not_agency_head"
    NOTICE_CONTAINS_PERSONAL_DATA = "notice_contains_personal_data"
    NOTICE_DISPLAY_EXPIRED = "notice_display_expired"
    NOTICE_EDIT_NOTE_REQUIRED = "notice_edit_note_required"
    NOTICE_FIELD_NOT_EDITABLE = "notice_field_not_editable"
    NOTICE_INVALID_TRANSITION = "notice_invalid_transition"
    NOTICE_NON_DISCLOSURE_PENDING = "notice_non_disclosure_pending"
    NOTICE_NOT_DRAFT = "notice_not_draft"
    NOTICE_NOT_EDITABLE = "notice_not_editable"
    NOTICE_NOT_FOUND = "notice_not_found"
    NOTICE_NOT_PUBLIC = "notice_not_public"
    NOTICE_REDACTION_CANDIDATES_UNRESOLVED = "notice_redaction_candidates_unresolved"
    OTHER_AGENCY = "other_agency"
    PERMISSION_DENIED = "permission_denied"
    PROFILE_FIELD_UNKNOWN = "profile_field_unknown"
    PROFILE_INVALID = "profile_invalid"
    REDACTION_CANDIDATE_NOT_FOUND = "redaction_candidate_not_found"
    REDACTION_DECISION_INVALID = "redaction_decision_invalid"
    REDACTION_REASON_REQUIRED = "redaction_reason_required"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    UNKNOWN_QUERY_PARAMETER = "unknown_query_parameter"
    WITHDRAWAL_KIND_INVALID = "withdrawal_kind_invalid"
    WITHDRAWAL_REASON_REQUIRED = "withdrawal_reason_required"
