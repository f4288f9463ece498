"""Who may read a full ledger entry (the staff side; the public proofs are ``backend.ledger.selectors``)."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import Role
from backend.accounts.permissions import readable_agency_ids
from backend.common.errors import NotFound
from backend.ledger.models import AuditEvent, LogEntry


def entry_visible_to(user: Any, event: AuditEvent) -> bool:
    """Auditors (监督人员) of the event's agency or a supervising agency, and the agency's head.

    Events without an agency (system events) are visible to auditors only.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.AUDITOR):
        return event.agency_id is None or event.agency_id in readable_agency_ids(user)
    if user.has_role(Role.SUPERVISOR):  # 执法监督人员: the events of the agencies it supervises
        return event.agency_id is not None and event.agency_id in readable_agency_ids(user)
    if user.has_role(Role.AGENCY_HEAD):
        return event.agency_id is not None and event.agency_id == user.agency_id
    return False


def entry_get_for_user(*, user: Any, index: int) -> LogEntry:
    entry = LogEntry.objects.select_related("event").filter(index=index).first()
    if entry is None or not entry_visible_to(user, entry.event):
        raise NotFound("台账中没有该序号的记录", code="entry_not_found")
    return entry
