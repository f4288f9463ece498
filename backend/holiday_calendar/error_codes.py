"""Every error code the holiday_calendar app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    HOLIDAY_NOTICE_UNREADABLE = "holiday_notice_unreadable"
