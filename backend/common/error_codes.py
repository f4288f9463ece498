"""Every error code the common app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    AUTHENTICATION_FAILED = "authentication_failed"
    DATABASE_UNAVAILABLE = "database_unavailable"
    DATE_BEFORE_PREVIOUS_ACT = "date_before_previous_act"
    DATE_IN_FUTURE = "date_in_future"
    DATE_NOT_ASCII = "date_not_ascii"
    ERROR = "error"
    IDEMPOTENCY_IN_FLIGHT = "idempotency_in_flight"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INVALID = "invalid"
    INVALID_CONTENT_LENGTH = "invalid_content_length"
    INVALID_DATE = "invalid_date"
    INVALID_INTEGER = "invalid_integer"
    JSON_TOO_DEEP = "json_too_deep"
    MALFORMED_REQUEST = "malformed_request"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    NOT_READY = "not_ready"
    PERMISSION_DENIED = "permission_denied"
    REQUEST_BODY_TOO_LARGE = "request_body_too_large"
    SERVER_ERROR = "server_error"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    THROTTLED = "throttled"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
