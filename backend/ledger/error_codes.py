"""Every error code the ledger app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BUNDLE_NOT_ALLOWED = "bundle_not_allowed"
    CASE_NOT_FOUND = "case_not_found"
    ENTRY_NOT_COVERED = "entry_not_covered"
    ENTRY_NOT_FOUND = "entry_not_found"
    EVIDENCE_NOT_LOGGED = "evidence_not_logged"
    INVALID_INDEX = "invalid_index"
    INVALID_SHA256 = "invalid_sha256"
    INVALID_SHARE_MAX_DOWNLOADS = "invalid_share_max_downloads"
    INVALID_SHARE_VALIDITY = "invalid_share_validity"
    INVALID_SIZE = "invalid_size"
    LEDGER_INCONSISTENT = "ledger_inconsistent"
    NO_CHECKPOINT = "no_checkpoint"
    SHA256_NOT_RECORDED = "sha256_not_recorded"
    SHARE_EXHAUSTED = "share_exhausted"
    SHARE_EXPIRED = "share_expired"
    SHARE_NOT_FOUND = "share_not_found"
    SHARE_REVOKED = "share_revoked"
    SIZE_NOT_SIGNED = "size_not_signed"
