"""Template context of console pages: the unread count of the user's inbox (shown in the navigation)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def console_badges(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/console/") or not request.user.is_authenticated:
        return {}
    from backend.notifications.selectors import unread_count

    return {"inbox_unread": unread_count(user=request.user)}
