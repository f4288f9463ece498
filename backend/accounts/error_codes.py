"""Every error code the accounts app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    CREDENTIAL_EXPIRED = "credential_expired"
    CREDENTIAL_MISSING = "credential_missing"
    CREDENTIAL_NOT_YET_VALID = "credential_not_yet_valid"
    CREDENTIAL_REVOKED = "credential_revoked"
    CREDENTIAL_SUSPENDED = "credential_suspended"
    DEVICE_KEY_IN_USE = "device_key_in_use"
    INVALID_PUBLIC_KEY = "invalid_public_key"
    NO_AGENCY = "no_agency"
    NOT_FIELD_OFFICER = "not_field_officer"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    TOKEN_INVALID = "token_invalid"
    TOKEN_NOT_YOURS = "token_not_yours"
