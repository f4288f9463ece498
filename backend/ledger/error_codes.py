"""Every error code the ledger app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    ENTRY_NOT_COVERED = "entry_not_covered"
    ENTRY_NOT_FOUND = "entry_not_found"
    INVALID_INDEX = "invalid_index"
    INVALID_SHA256 = "invalid_sha256"
    INVALID_SIZE = "invalid_size"
    LEDGER_INCONSISTENT = "ledger_inconsistent"
    NO_CHECKPOINT = "no_checkpoint"
    SHA256_NOT_RECORDED = "sha256_not_recorded"
    SIZE_NOT_SIGNED = "size_not_signed"
