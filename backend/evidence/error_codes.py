"""Every error code the evidence app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    CASE_CLOSED = "case_closed"
    CHECKSUM_ALGORITHM_UNSUPPORTED = "checksum_algorithm_unsupported"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    DERIVATIVE_NOT_FOUND = "derivative_not_found"
    EVIDENCE_NOT_FOUND = "evidence_not_found"
    INCOMPLETE_BODY = "incomplete_body"
    INVALID_CHECKSUM_HEADER = "invalid_checksum_header"
    INVALID_FIELD = "invalid_field"
    INVALID_HEADER = "invalid_header"
    INVALID_METADATA = "invalid_metadata"
    KIND_MISMATCH = "kind_mismatch"
    LENGTH_MISMATCH = "length_mismatch"
    LENGTH_REQUIRED = "length_required"
    LENGTH_TOO_SMALL = "length_too_small"
    NOT_FIELD_OFFICER = "not_field_officer"
    OFFSET_MISMATCH = "offset_mismatch"
    PURPOSE_REQUIRED = "purpose_required"
    PURPOSE_TOO_LONG = "purpose_too_long"
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable"
    REQUEST_BODY_TOO_LARGE = "request_body_too_large"
    SHA256_MISMATCH = "sha256_mismatch"
    TOO_MANY_UPLOADS = "too_many_uploads"
    TUS_VERSION_UNSUPPORTED = "tus_version_unsupported"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UPLOAD_COMPLETE = "upload_complete"
    UPLOAD_COMPLETED_CANNOT_DELETE = "upload_completed_cannot_delete"
    UPLOAD_EXCEEDS_LENGTH = "upload_exceeds_length"
    UPLOAD_GONE = "upload_gone"
    UPLOAD_INCOMPLETE = "upload_incomplete"
    UPLOAD_LOCKED = "upload_locked"
    UPLOAD_NOT_FOUND = "upload_not_found"
    UPLOAD_TOO_LARGE = "upload_too_large"
