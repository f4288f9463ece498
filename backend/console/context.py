"""Template context of console pages: the unread count of the user's inbox (shown in the navigation), and
whether the navigation is the administrator's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def console_badges(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/console/") or not request.user.is_authenticated:
        return {}
    from backend.accounts.models import Role
    from backend.notifications.selectors import unread_count

    # A system administrator manages accounts and the calendar, not cases: the navigation shows only that.
    admin_only = request.user.has_role(Role.SYSTEM_ADMIN) and request.user.agency_id is None
    # 评议考核: the readers of the supervision indicators (the API's supervision.apis Readers).
    may_supervise = request.user.has_role(Role.SUPERVISOR, Role.AGENCY_HEAD, Role.AUDITOR)
    return {"inbox_unread": unread_count(user=request.user), "console_admin_only": admin_only,
            "console_may_supervise": may_supervise}
