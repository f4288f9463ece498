"""Every error code the notifications app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_WEBHOOK_STYLE = "invalid_webhook_style"
    NOTIFICATION_NOT_FOUND = "notification_not_found"
    WEBHOOK_URL_NOT_ALLOWED = "webhook_url_not_allowed"
