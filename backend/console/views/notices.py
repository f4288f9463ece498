"""The disclosure desk: the decision as served beside its public rendition, every mask with its reason."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from backend.accounts.models import Role
from backend.accounts.permissions import IsAgencyStaff
from backend.console import forms
from backend.console.highlight import FIELD_LABELS, segments
from backend.console.security import console_view
from backend.console.views.common import act, ctx
from backend.disclosures import selectors, services
from backend.disclosures.models import Notice
from backend.disclosures.search import apply_search
from backend.disclosures.serializers import (
    NoticeEditInputSerializer,
    NoticeNonDisclosureDecisionInputSerializer,
    NoticeNonDisclosureInputSerializer,
    NoticeWithdrawInputSerializer,
)

SORTS = {"due": ("due_date", "created_at"), "-due": ("-due_date",), "decided": ("-decision_date",),
         "created": ("-created_at",)}  # fmt: skip


@console_view(IsAgencyStaff)
def notice_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.staff_notices(user=request.user)
    status = request.GET.get("status", "")
    if status in Notice.Status.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = apply_search(qs, q)
    else:
        qs = qs.order_by(*SORTS.get(request.GET.get("sort", ""), SORTS["due"]))
    context = {"title": "公示", "notices": list(qs[:200]), "status": status, "q": q,
               "sort": request.GET.get("sort", ""), "statuses": Notice.Status.choices}  # fmt: skip
    return render(request, "console/notice_list.html", context)


def _fields(notice: Notice) -> list[dict[str, Any]]:
    spans = (notice.redaction or {}).get("spans", {})
    original = notice.original or {}
    rows = []
    for name in Notice.TEXT_FIELDS:
        if name in ("party_name", "party_address", "legal_representative"):
            continue  # the party is shown from its structured changes below
        public_text = getattr(notice, name) or ""
        original_text = str(original.get(name) or "")
        field_spans = spans.get(name, [])
        if not public_text and not original_text:
            continue
        rows.append({
            "name": name,
            "label": FIELD_LABELS.get(name, name),
            "original": segments(original_text, field_spans, side="original"),
            "public": segments(public_text, field_spans, side="public"),
            "public_text": public_text,
            "masks": [s for s in field_spans if s.get("original") != s.get("replacement")],
        })  # fmt: skip
    return rows


@console_view(IsAgencyStaff)
def notice_desk(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
    spans = (notice.redaction or {}).get("spans", {})
    party_changes = [c for c in spans.get("party", []) if c.get("original") != c.get("redacted")]
    is_manager = request.user.has_role(Role.DISCLOSURE_MANAGER) and request.user.agency_id == notice.agency_id
    is_head = request.user.has_role(Role.AGENCY_HEAD) and request.user.agency_id == notice.agency_id
    context = {
        "title": f"公示：{notice.decision_number}",
        "notice": notice,
        "fields": _fields(notice),
        "party_original": (notice.original or {}).get("party", {}),
        "party_changes": party_changes,
        "is_manager": is_manager,
        "is_head": is_head,
        "editable_fields": [(n, FIELD_LABELS.get(n, n), getattr(notice, n) or "") for n in Notice.TEXT_FIELDS],
        "nd_form": forms.form_for(NoticeNonDisclosureInputSerializer),
        "withdraw_form": forms.form_for(NoticeWithdrawInputSerializer),
        "public_url": reverse("public-notice-detail", args=[notice.pk]) if notice.status == Notice.Status.PUBLISHED
        else "",
        "edits": list(notice.edits.select_related("edited_by")),
    }
    return render(request, "console/notice.html", context)


def _back(notice: Notice) -> str:
    return reverse("console:notice", args=[notice.pk])


@console_view(IsAgencyStaff, methods=("POST",))
def notice_edit(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    """Edit the public text: only changed fields are sent, as ``NoticeEditApi`` expects."""
    notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)

    def run() -> None:
        posted = {name: request.POST[name].replace("\r\n", "\n") for name in Notice.TEXT_FIELDS if name in request.POST}
        changes = {name: value for name, value in posted.items() if value != (getattr(notice, name) or "")}
        body = {"changes": changes, "note": request.POST.get("note", "")}
        values = forms.validated_body(NoticeEditInputSerializer, body)
        services.notice_edit(notice=notice, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=_back(notice), done="已保存修改")


@console_view(IsAgencyStaff, methods=("POST",))
def notice_publish(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)

    def run() -> None:
        services.notice_publish(notice=notice, actor=request.user, context=ctx(request))

    return act(request, run, back=_back(notice), done="已公示")


@console_view(IsAgencyStaff, methods=("POST",))
def notice_non_disclosure(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    """Refuse to publish with a statutory reason (不予公开, awaiting the head's approval)."""
    notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)

    def run() -> None:
        values = forms.validated(NoticeNonDisclosureInputSerializer, request.POST)
        services.notice_request_non_disclosure(notice=notice, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=_back(notice), done="已提出不予公开")


@console_view(IsAgencyStaff, methods=("POST",))
def notice_non_disclosure_decide(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)

    def run() -> None:
        values = forms.validated(NoticeNonDisclosureDecisionInputSerializer, request.POST)
        services.notice_decide_non_disclosure(notice=notice, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=_back(notice), done="已审批")


@console_view(IsAgencyStaff, methods=("POST",))
def notice_withdraw(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)

    def run() -> None:
        values = forms.validated(NoticeWithdrawInputSerializer, request.POST)
        services.notice_withdraw(notice=notice, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=_back(notice), done="已撤回公示")
