"""The start page: the user's work queues, with counts, filters and sorting."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backend.accounts.permissions import IsAgencyStaff
from backend.console import selectors
from backend.console.security import console_view

KIND_CHOICES = [("", "全部"), ("legal_review", "法制审核"), ("case_review", "案件审核")]
SORT_CHOICES = [("due", "期限由近到远"), ("-due", "期限由远到近"), ("submitted", "提交时间由早到晚"),
                ("-submitted", "提交时间由晚到早")]  # fmt: skip


@console_view(IsAgencyStaff)
def queues(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sections = selectors.work_queues(user=request.user, params=request.GET.dict(), today=today)
    context = {
        "title": "工作队列",
        "sections": sections,
        "today": today,
        "kind": request.GET.get("kind", ""),
        "sort": request.GET.get("sort", ""),
        "kinds": KIND_CHOICES,
        "sorts": SORT_CHOICES,
        "has_filters": any(s.filters for s in sections),
    }
    # htmx asks for the queues only (the filter form swaps them in place); a full page otherwise.
    template = "console/_queues.html" if request.headers.get("HX-Request") == "true" else "console/queues.html"
    return render(request, template, context)
