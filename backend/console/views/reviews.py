"""The legal-review workspace: the frozen submission beside the statutory checklist, outcome, opinion PDF."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from backend.accounts.models import Role
from backend.accounts.permissions import IsAgencyStaff
from backend.common.errors import ApplicationError
from backend.console import forms
from backend.console import selectors as console_selectors
from backend.console.security import console_view
from backend.console.views.common import act, ctx
from backend.evidence import selectors as evidence_selectors
from backend.reviews import opinion, selectors, services

# The API's own permission classes for the same operations.
from backend.reviews.api_support import IsLegalReviewerOnly, IsReviewerOrHead
from backend.reviews.checklist import ITEM_RESULT_LABELS, ItemResult
from backend.reviews.models import ReviewRound
from backend.reviews.serializers import ReviewOutcomeInputSerializer
from backend.reviews.services.outcome import CORRECTION_ASPECTS

RESULTS = [(r.value, ITEM_RESULT_LABELS[r]) for r in ItemResult]
HINT_LABELS = {"ok": "通过", "problem": "发现问题", "pending": "待核实", "unknown": "无法判断"}


def _evidence_for(request: HttpRequest, round_: ReviewRound) -> list[Any]:
    """The items of the frozen manifest, as evidence records the user may see (with their derivatives)."""
    ids = [entry["id"] for entry in round_.evidence_manifest]
    items = {str(i.pk): i for i in evidence_selectors.evidence_visible_to(user=request.user).filter(pk__in=ids)}
    out = []
    for entry in round_.evidence_manifest:
        item = items.get(entry["id"])
        out.append({"entry": entry, "item": item,
                    "changed": item is not None and item.sha256 != entry["sha256"]})  # fmt: skip
    return out


@console_view(IsAgencyStaff)
def round_detail(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)
    entries = list(round_.checklist.all())
    unanswered = [e for e in entries if not e.result]
    is_reviewer = round_.reviewer_id == request.user.pk and request.user.has_role(Role.LEGAL_REVIEWER)
    earlier = [r for r in selectors.review_rounds_for_case(case=round_.case) if r.pk != round_.pk]
    for entry in entries:
        for hint in entry.hints or []:
            hint["label"] = HINT_LABELS.get(hint.get("status", ""), hint.get("status", ""))
    may_claim = (round_.status == ReviewRound.Status.PENDING and request.user.has_role(Role.LEGAL_REVIEWER)) or (
        round_.is_open and request.user.has_role(Role.AGENCY_HEAD)
    )
    context = {
        "title": f"审核：{round_.case.case_number or round_.case.title}（第{round_.number}轮）",
        "round": round_,
        "package": round_.package,
        "entries": entries,
        "unanswered": unanswered,
        "results": RESULTS,
        "is_reviewer": is_reviewer,
        "editable": is_reviewer and round_.status == ReviewRound.Status.IN_REVIEW,
        "may_claim": may_claim,
        "earlier": earlier,
        "evidence": _evidence_for(request, round_),
        "outcomes": ReviewRound.Outcome.choices,
        "aspects": list(CORRECTION_ASPECTS.items()),
        "workdays_left": console_selectors.workdays_left(round_.due_on),
        "reviewers": [
            (str(u.pk), u.full_name or u.username)
            for u in round_.agency.users.filter(is_active=True, roles__role=Role.LEGAL_REVIEWER).distinct()
        ],
    }
    return render(request, "console/review.html", context)


def _back(round_: ReviewRound) -> str:
    return reverse("console:review", args=[round_.pk])


@console_view(IsReviewerOrHead, methods=("POST",))
def round_assign(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """领取 (a reviewer takes it) or 分配 (a head assigns it): ``services.review_assign`` like the API."""
    round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)
    reviewer_id = request.POST.get("reviewer_id") or str(request.user.pk)

    def run() -> None:
        reviewer = round_.agency.users.filter(pk=reviewer_id).first() if _is_uuid(reviewer_id) else None
        if reviewer is None:
            raise ApplicationError("invalid_user", "人员不存在或不属于本机关", status=422)
        services.review_assign(round_=round_, reviewer=reviewer, actor=request.user,
                               reason=request.POST.get("reason", "")[:300], context=ctx(request))  # fmt: skip

    return act(request, run, back=_back(round_), done="已分配审核")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@console_view(IsLegalReviewerOnly, methods=("POST",))
def round_checklist(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """Save the answered items (符合/不符合/不适用 + note): ``services.review_checklist_fill``. With htmx the
    answer is the checklist fragment, otherwise a redirect to the workspace."""
    round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)
    items = []
    for entry in round_.checklist.all():
        result = request.POST.get(f"result-{entry.code}", "")
        if result:
            items.append({"code": entry.code, "result": result, "note": request.POST.get(f"note-{entry.code}", "")})

    def run() -> None:
        if not items:
            raise ApplicationError("checklist_empty", "尚未选择任何审核结论", status=422)
        services.review_checklist_fill(round_=round_, actor=request.user, items=items, context=ctx(request))

    return act(request, run, back=_back(round_) + "#checklist", done=f"已保存 {len(items)} 项审核内容")


@console_view(IsLegalReviewerOnly, methods=("POST",))
def round_outcome(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """出具审核意见: ``services.review_complete``. The console first asks every item to be answered (the
    opinion states a conclusion on each 审核内容, 国办发〔2018〕118号 (十三))."""
    round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)

    def run() -> None:
        unanswered = [e.title for e in round_.checklist.all() if not e.result]
        # Only for the assigned reviewer: anyone else gets the service's own refusal (403), as from the API.
        if unanswered and round_.reviewer_id == request.user.pk:
            raise ApplicationError("checklist_incomplete", f"尚有 {len(unanswered)} 项审核内容未填写，不能出具意见",
                                   status=409, extra={"unanswered": unanswered})  # fmt: skip
        values = forms.validated_body(ReviewOutcomeInputSerializer, _outcome_body(request))
        services.review_complete(round_=round_, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=_back(round_), done="已出具审核意见")


def _outcome_body(request: HttpRequest) -> dict[str, Any]:
    """The outcome form as the API's JSON body: each filled correction row becomes a ``correction_points`` item."""
    points = [
        {"aspect": aspect, "text": text.strip()}
        for aspect, text in zip(request.POST.getlist("aspect"), request.POST.getlist("point_text"), strict=False)
        if aspect and text.strip()
    ]
    return {"outcome": request.POST.get("outcome", ""), "opinion_text": request.POST.get("opinion_text", ""),
            "correction_points": points}  # fmt: skip


@console_view(IsAgencyStaff)
def round_opinion_pdf(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """The 审核意见书 as the API renders it (``opinion.render_opinion_pdf``)."""
    round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)
    if round_.status != ReviewRound.Status.COMPLETED:
        raise ApplicationError("opinion_not_issued", "本轮审核尚未出具意见书", status=404)
    response = HttpResponse(opinion.render_opinion_pdf(round_), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="opinion-{round_.case_id}-{round_.kind}-{round_.number}.pdf"'
    return response

