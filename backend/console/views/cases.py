"""The case page: parties, facts, officers and their credentials, deadlines, the audit timeline, next steps."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated

from backend.accounts.permissions import IsAgencyStaff
from backend.cases import selectors as case_selectors
from backend.cases import services as case_services
from backend.cases.models import Case
from backend.cases.serializers import (
    CaseDetailOutputSerializer,
    CaseMaskedDetailOutputSerializer,
)
from backend.cases.services.common import ensure_may_act
from backend.cases.transition_serializers import TRANSITION_INPUTS
from backend.cases.workflow import REVIEW_SUBMITTABLE_STATUSES, TRANSITIONS, allowed_transitions, is_handling_officer
from backend.common.errors import ApplicationError, Forbidden
from backend.console import forms
from backend.console import selectors as console_selectors
from backend.console.labels import action_label, measure_lines, status_label
from backend.console.security import console_view
from backend.console.views.common import act, ctx, people_of_agency
from backend.disclosures import selectors as notice_selectors
from backend.evidence import selectors as evidence_selectors
from backend.reviews import selectors as review_selectors
from backend.reviews import services as review_services
from backend.reviews.serializers import ReviewSubmitInputSerializer

# Steps with a page of their own (more than a form): the head's decision.
DEDICATED_PAGES = {"decide": "console:decision"}


def _steps(request: HttpRequest, case: Case) -> list[dict[str, Any]]:
    """The transitions the workflow allows from the case's status that this user may perform — asked of the
    cases service's own role check (``ensure_may_act``), so a button is shown exactly when the API would
    accept the actor (its other preconditions answer on submit, with their codes)."""
    people = people_of_agency(request.user)
    steps = []
    for name in allowed_transitions(
        case.status, decision_state=case.decision_state, decision_outcome=case.decision_outcome
    ):
        transition = TRANSITIONS[name]
        try:
            ensure_may_act(actor=request.user, case=case, who=transition.who)
        except Forbidden:
            continue
        page = DEDICATED_PAGES.get(name)
        steps.append({
            "name": name,
            "label": transition.label,
            "basis": transition.basis,
            "page": reverse(page, args=[case.pk]) if page else "",
            "form": forms.form_for(TRANSITION_INPUTS[name], people=people),
        })  # fmt: skip
    return steps


def _may_submit_review(request: HttpRequest, case: Case) -> bool:
    return case.status in REVIEW_SUBMITTABLE_STATUSES and is_handling_officer(case=case, user=request.user)


def _case_page(request: HttpRequest, case: Case, *, full: bool = False, purpose: str = "") -> HttpResponse:
    today = timezone.localdate()
    serializer = CaseDetailOutputSerializer if full else CaseMaskedDetailOutputSerializer
    detail = serializer(case, context={"today": today}).data
    timeline = case_selectors.case_timeline_entries(case=case, events=case_selectors.case_timeline_events(case=case))
    for entry in timeline:
        entry["label"] = action_label(entry["action"])
        step = TRANSITIONS.get((entry["transition"] or {}).get("name", ""))
        entry["step_label"] = step.label if step else ""
    context = {
        "title": f"案件 {case.case_number or case.title}",
        "case": case,
        "detail": detail,
        "full": full,
        "purpose": purpose,
        "status_label": status_label(case.status),
        "proposed": measure_lines(case.proposed_measures),
        "officers": console_selectors.officers_with_credentials(case=case, today=today),
        "deadlines": console_selectors.case_deadlines(user=request.user, case=case, today=today),
        "timeline": timeline,
        "rounds": list(review_selectors.review_rounds_for_case(case=case)),
        "evidence_count": evidence_selectors.evidence_visible_to(user=request.user).filter(case=case).count(),
        "notices": list(notice_selectors.staff_notices(user=request.user).filter(case=case).order_by("-created_at")),
        "steps": _steps(request, case),
        "review_form": forms.form_for(ReviewSubmitInputSerializer) if _may_submit_review(request, case) else None,
    }
    return render(request, "console/case.html", context)


@console_view(IsAuthenticated)
def case_list(request: HttpRequest) -> HttpResponse:
    """The agency's cases (the API's list selector: status filter and search)."""
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:100]
    qs = case_selectors.case_list_for_user(user=request.user, status=status or None, search=search,
                                           mine=request.GET.get("mine") == "1")  # fmt: skip
    sort = {"updated": "-updated_at", "number": "case_number", "created": "-created_at"}.get(
        request.GET.get("sort", ""), "-updated_at"
    )
    rows = list(qs.order_by(sort)[:200])
    context = {"title": "案件", "cases": rows, "status": status, "q": search, "sort": request.GET.get("sort", ""),
               "statuses": [(s.value, s.label) for s in Case.Status]}  # fmt: skip
    return render(request, "console/case_list.html", context)


@console_view(IsAuthenticated)
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_selectors.case_get_for_user(user=request.user, case_id=case_id)
    return _case_page(request, case)


@console_view(IsAuthenticated, methods=("POST",))
def case_reveal(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Show the party's full personal data once, for a stated purpose — recorded like the API's unmasked read
    (``case.personal_data_read``, 个人信息保护法 第五十一条)."""
    case = case_selectors.case_get_for_user(user=request.user, case_id=case_id)
    purpose = request.POST.get("purpose", "").strip()[:200]
    if not purpose:
        raise ApplicationError("purpose_required", "查看完整个人信息须说明用途", status=400)
    case_services.case_record_personal_data_read(case=case, actor=request.user, context=ctx(request), purpose=purpose)
    return _case_page(request, case, full=True, purpose=purpose)


@console_view(IsAuthenticated, methods=("POST",))
def case_step(request: HttpRequest, case_id: uuid.UUID, name: str) -> HttpResponse:
    """One workflow step, through the same service as ``POST /api/v1/cases/<id>/<name>/``."""
    case = case_selectors.case_get_for_user(user=request.user, case_id=case_id)
    if name not in TRANSITIONS:
        raise ApplicationError("transition_unknown", "没有该办案环节", status=404)
    back = request.POST.get("next", "")
    if not back.startswith("/console/") or "//" in back:  # only back into the console (no open redirect)
        back = reverse("console:case", args=[case.pk])

    def run() -> None:
        values = forms.validated(TRANSITION_INPUTS[name], request.POST)
        step = case_services.Step(comment=values.pop("comment", "") or "")
        for device_field in forms.DEVICE_FIELDS:
            values.pop(device_field, None)
        version = request.POST.get("version", "")
        case_services.TRANSITION_SERVICES[name](
            case=case, actor=request.user, context=ctx(request), step=step,
            expected_version=int(version) if version.isdigit() else None, **values,
        )  # fmt: skip

    return act(request, run, back=back, done=f"已完成：{TRANSITIONS[name].label}")


@console_view(IsAgencyStaff, methods=("POST",))
def case_review_submit(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """送审 (the handling officer), through the same service as ``POST /api/v1/cases/<id>/reviews/``."""
    case = review_selectors.case_get_for_user(user=request.user, case_id=case_id)
    back = reverse("console:case", args=[case.pk])

    def run() -> None:
        values = forms.validated(ReviewSubmitInputSerializer, request.POST)
        review_services.review_submit(case=case, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=back, done="已提交审核")
