"""Every error code the execution app answers with.

The guide: api_docs/guides/error-codes.md (`make error-guide`). A new code is added here
in the same change that raises it (tests/common/test_error_codes.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_RULED = "already_ruled"
    CONCLUDED_BEFORE_FILED = "concluded_before_filed"
    COURT_APPLICATION_PERIOD_EXPIRED = "court_application_period_expired"
    COURT_NOT_GRANTED = "court_not_granted"
    DECIDED_BEFORE_APPLIED = "decided_before_applied"
    ENFORCEMENT_CONCLUDED = "enforcement_concluded"
    ENFORCEMENT_NOT_FOUND = "enforcement_not_found"
    EXECUTION_BALANCE_OPEN = "execution_balance_open"
    EXECUTION_SUSPENDED = "execution_suspended"
    FILED_BEFORE_SERVICE = "filed_before_service"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_PERFORM_BY = "invalid_perform_by"
    INVALID_SCHEDULE = "invalid_schedule"
    LEGAL_POWER_REQUIRED = "legal_power_required"
    NO_DECISION = "no_decision"
    NOTHING_TO_ENFORCE = "nothing_to_enforce"
    NOTHING_TO_PAY = "nothing_to_pay"
    PAID_BEFORE_DECISION = "paid_before_decision"
    PAYMENT_DUPLICATE = "payment_duplicate"
    PAYMENT_EXCEEDS_BALANCE = "payment_exceeds_balance"
    PERFORMANCE_PERIOD_RUNNING = "performance_period_running"
    PLAN_EXISTS = "plan_exists"
    PLAN_NOT_FOUND = "plan_not_found"
    PLAN_NOT_PENDING = "plan_not_pending"
    PLAN_SCHEDULE_PASSED = "plan_schedule_passed"
    RECONSIDERATION_AFTER_LITIGATION = "reconsideration_after_litigation"
    REMEDY_ALREADY_PENDING = "remedy_already_pending"
    REMEDY_NOT_FOUND = "remedy_not_found"
    REMEDY_NOT_PENDING = "remedy_not_pending"
    REMEDY_PENDING = "remedy_pending"
    REMEDY_PERIOD_RUNNING = "remedy_period_running"
    REMINDER_ALREADY_SERVED = "reminder_already_served"
    REMINDER_NOT_FOUND = "reminder_not_found"
    REMINDER_NOT_SERVED = "reminder_not_served"
    REMINDER_PERIOD_RUNNING = "reminder_period_running"
    RULED_BEFORE_APPLIED = "ruled_before_applied"
    SCHEDULE_TOTAL_MISMATCH = "schedule_total_mismatch"
    SERVED_BEFORE_ISSUED = "served_before_issued"
    STEP_NOT_ALLOWED = "step_not_allowed"
    SURCHARGE_PERIOD_RUNNING = "surcharge_period_running"
