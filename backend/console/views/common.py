"""Shared glue of the console views: audit context, running a service from a form, flash messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from backend.accounts.models import User
from backend.common.errors import ApplicationError, Forbidden, NotFound
from backend.ledger.services import AuditContext, audit_context_from_request


def ctx(request: HttpRequest) -> AuditContext:
    """The audit context of a console request: the same builder as the API (actor, address, request id)."""
    return audit_context_from_request(request)


def act(request: HttpRequest, run: Callable[[], Any], *, back: str, done: str) -> HttpResponse:
    """Run one service call from a posted form, then go ``back`` (303, so a reload never re-posts).

    An unmet precondition or invalid input (409/422/400) is shown on the page it came from with the
    service's message and code; 403 and 404 answer as such, exactly like the API.
    """
    try:
        run()
    except (Forbidden, NotFound):
        raise
    except ApplicationError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, f"{error.message}（{error.code}）")
    else:
        messages.success(request, done)
    return HttpResponseRedirect(back, status=303)


def people_of_agency(user: User, *, role: str | None = None) -> list[tuple[str, str]]:
    """(id, name) of the active users of ``user``'s agency, for the user-id fields of a form."""
    qs = User.objects.filter(Q(agency_id=user.agency_id), is_active=True)
    if role:
        qs = qs.filter(roles__role=role).distinct()
    return [(str(u.pk), u.full_name or u.username) for u in qs.order_by("full_name", "username")]
