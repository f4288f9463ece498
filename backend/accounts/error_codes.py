"""Every error code the accounts app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    AGENCY_UNKNOWN = "agency_unknown"
    CANNOT_DEACTIVATE_SELF = "cannot_deactivate_self"
    CANNOT_REVOKE_OWN_MANAGEMENT = "cannot_revoke_own_management"
    CREDENTIAL_EXPIRED = "credential_expired"
    CREDENTIAL_MISSING = "credential_missing"
    CREDENTIAL_NOT_YET_VALID = "credential_not_yet_valid"
    CREDENTIAL_REVOKED = "credential_revoked"
    CREDENTIAL_SUSPENDED = "credential_suspended"
    DEMO_ACCOUNT = "demo_account"
    DEVICE_KEY_IN_USE = "device_key_in_use"
    INVALID_PUBLIC_KEY = "invalid_public_key"
    NO_AGENCY = "no_agency"
    NOT_ACCOUNT_MANAGER = "not_account_manager"
    NOT_FIELD_OFFICER = "not_field_officer"
    NOT_FOUND = "not_found"
    PASSWORD_TOO_WEAK = "password_too_weak"
    PERMISSION_DENIED = "permission_denied"
    ROLE_ALREADY_HELD = "role_already_held"
    ROLE_CONFLICT = "role_conflict"
    ROLE_LAST = "role_last"
    ROLE_NEEDS_AGENCY = "role_needs_agency"
    ROLE_NEEDS_NO_AGENCY = "role_needs_no_agency"
    ROLE_NOT_GRANTABLE = "role_not_grantable"
    ROLE_NOT_HELD = "role_not_held"
    ROLE_REQUIRED = "role_required"
    ROLE_UNKNOWN = "role_unknown"
    TOKEN_INVALID = "token_invalid"
    TOKEN_NOT_YOURS = "token_not_yours"
    USER_ALREADY_ACTIVE = "user_already_active"
    USER_ALREADY_INACTIVE = "user_already_inactive"
    USER_NOT_FOUND = "user_not_found"
    USERNAME_TAKEN = "username_taken"
