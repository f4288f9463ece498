"""Every error code the sharing app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BUNDLE_NOT_ALLOWED = "bundle_not_allowed"
    CASE_NOT_FOUND = "case_not_found"
    ENTRY_NOT_FOUND = "entry_not_found"
    EVIDENCE_NOT_LOGGED = "evidence_not_logged"
    INVALID_SHARE_MAX_DOWNLOADS = "invalid_share_max_downloads"
    INVALID_SHARE_VALIDITY = "invalid_share_validity"
    SHARE_EXHAUSTED = "share_exhausted"
    SHARE_EXPIRED = "share_expired"
    SHARE_NOT_FOUND = "share_not_found"
    SHARE_REVOKED = "share_revoked"
