"""The in-console inbox: reminders with unread counts, mark as read, and how else to be reached."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from rest_framework.permissions import IsAuthenticated

from backend.console import forms
from backend.console.security import console_view
from backend.console.views.common import act
from backend.notifications import selectors, services
from backend.notifications.models import DeliveryPreference
from backend.notifications.serializers import DeliveryPreferenceSerializer


@console_view(IsAuthenticated)  # as GET /api/v1/inbox/: everyone reads their own messages
def inbox(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    items = list(selectors.inbox(user=request.user, unread=unread).prefetch_related("deliveries")[:200])
    context = {"title": "消息", "items": items, "unread_only": unread,
               "pref": services.delivery_preference_get(user=request.user),
               "styles": DeliveryPreference.WebhookStyle.choices}  # fmt: skip
    return render(request, "console/inbox.html", context)


@console_view(IsAuthenticated, methods=("POST",))
def inbox_read(request: HttpRequest, notification_id: uuid.UUID) -> HttpResponse:
    item = selectors.notification_get_for_user(user=request.user, notification_id=notification_id)
    services.notification_mark_read(notification=item, user=request.user)
    target = request.POST.get("next", "")
    return HttpResponseRedirect(target if target.startswith("/console/") and "//" not in target else "/console/inbox/",
                                status=303)  # fmt: skip


@console_view(IsAuthenticated, methods=("POST",))
def inbox_preferences(request: HttpRequest) -> HttpResponse:
    def run() -> None:
        values = forms.validated(DeliveryPreferenceSerializer, request.POST)
        services.delivery_preference_set(user=request.user, **values)

    return act(request, run, back="/console/inbox/", done="已保存提醒方式")
