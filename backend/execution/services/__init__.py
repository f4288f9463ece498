"""Writes of the execution app: one service per step of :mod:`backend.execution.workflow`."""

from backend.execution.services.payments import payment_record
from backend.execution.services.remedies import remedy_conclude, remedy_file, remedy_suspend, remedy_withdraw

__all__ = ["payment_record", "remedy_conclude", "remedy_file", "remedy_suspend", "remedy_withdraw"]
