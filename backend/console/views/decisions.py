"""The head's decision page: the passed review, the collective discussion when required, decide."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from backend.accounts.models import Role, User
from backend.accounts.permissions import IsAgencyStaff
from backend.cases import selectors as case_selectors
from backend.cases.models import Case
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.console import forms
from backend.console.security import console_view
from backend.console.views.common import act, ctx, people_of_agency
from backend.reviews import selectors as review_selectors
from backend.reviews import services as review_services
from backend.reviews.serializers import CollectiveDiscussionInputSerializer


def decision_gate(case: Case) -> dict[str, Any]:
    """Whether the reviews services would let the head decide now, and if not, their code and message (the
    same two guards ``case_decide`` calls: 行政处罚法 第五十八条 and 第五十七条第二款)."""
    try:
        review_services.review_ensure_passed(case=case)
        review_services.review_ensure_collective_discussion(case=case)
    except PreconditionFailed as refusal:
        return {"passed": False, "code": refusal.code, "message": refusal.message}
    return {"passed": True, "code": "", "message": ""}


@console_view(IsAgencyStaff)  # as GET /api/v1/cases/<id>/reviews/requirement/, which it shows
def decision_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_selectors.case_get_for_user(user=request.user, case_id=case_id)
    requirement = review_services.review_requirement(case=case)
    is_head = request.user.has_role(Role.AGENCY_HEAD) and request.user.agency_id == case.agency_id
    context = {
        "title": f"决定：{case.case_number or case.title}",
        "case": case,
        "requirement": requirement,
        "gate": decision_gate(case),
        "passed_round": review_services.review_passed_round(case=case, requirement=requirement),
        "discussions": list(review_selectors.collective_discussions_for_case(case=case)),
        "is_head": is_head,
        "deciding": case.status == Case.Status.DECIDING,
        "collective_form": forms.form_for(CollectiveDiscussionInputSerializer, people=people_of_agency(request.user)),
        "rounds": list(review_selectors.review_rounds_for_case(case=case)),
    }
    return render(request, "console/decision.html", context)


@console_view(IsAgencyStaff, methods=("POST",))
def collective_record(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """登记集体讨论: ``services.collective_discussion_record``, with the API's resolution of the people."""
    case = review_selectors.case_get_for_user(user=request.user, case_id=case_id)

    def run() -> None:
        values = forms.validated(CollectiveDiscussionInputSerializer, request.POST)
        agency_users = User.objects.filter(agency_id=request.user.agency_id)
        chair = agency_users.filter(pk=values.pop("chair_id")).first()
        ids = values.pop("participant_ids")
        participants = list(agency_users.filter(pk__in=ids))
        if chair is None or len(participants) != len(set(ids)):
            raise ApplicationError("invalid_user", "参加人员须为本机关人员", status=422)
        review_services.collective_discussion_record(
            case=case, actor=request.user, chair=chair, participants=participants, context=ctx(request), **values
        )

    return act(request, run, back=reverse("console:decision", args=[case.pk]), done="已登记集体讨论")
