"""Writes of the execution app: one service per step of :mod:`backend.execution.workflow`."""

from backend.execution.services.corrections import correction_follow_up, correction_inspect, correction_order
from backend.execution.services.enforcement import (
    court_apply,
    court_ruling,
    enforcement_conclude,
    enforcement_decide,
    reminder_issue,
    reminder_serve,
    reminder_statement,
)
from backend.execution.services.payments import payment_record
from backend.execution.services.plans import plan_apply, plan_decide
from backend.execution.services.property import (
    property_freeze_notify,
    property_handle,
    property_move,
    property_register,
)
from backend.execution.services.remedies import remedy_conclude, remedy_file, remedy_suspend, remedy_withdraw
from backend.execution.services.transfers import (
    transfer_acknowledge,
    transfer_decide,
    transfer_return,
    transfer_send,
)

__all__ = [
    "correction_follow_up",
    "correction_inspect",
    "correction_order",
    "court_apply",
    "court_ruling",
    "enforcement_conclude",
    "enforcement_decide",
    "payment_record",
    "plan_apply",
    "plan_decide",
    "property_freeze_notify",
    "property_handle",
    "property_move",
    "property_register",
    "remedy_conclude",
    "remedy_file",
    "remedy_suspend",
    "remedy_withdraw",
    "reminder_issue",
    "reminder_serve",
    "reminder_statement",
    "transfer_acknowledge",
    "transfer_decide",
    "transfer_return",
    "transfer_send",
]
