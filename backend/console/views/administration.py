"""Administration pages for heads: the 音像记录事项清单 and the 重大执法决定法制审核目录清单 versions, each change
through the service the API uses (so it is in the audit trail), each form drawn from the API's serializer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from rest_framework.permissions import IsAuthenticated

from backend.accounts.models import Agency, Role
from backend.accounts.permissions import IsAgencyHead, IsAgencyStaff
from backend.cases import selectors as case_selectors
from backend.cases import services as case_services
from backend.cases.serializers import RecordingRequirementInputSerializer
from backend.common.errors import Forbidden, NotFound
from backend.console import forms
from backend.console.security import console_view
from backend.console.views.common import act, ctx
from backend.reviews import selectors as review_selectors
from backend.reviews import services as review_services
from backend.reviews.api_support import IsReviewerOrHead
from backend.reviews.models import CatalogRule, MajorCatalog
from backend.reviews.serializers import (
    CatalogCreateInputSerializer,
    CatalogPublishInputSerializer,
    CatalogRuleInputSerializer,
)

# --------------------------------------------------------------------------- 音像记录事项清单


@console_view(IsAuthenticated)  # as GET /api/v1/recording-requirements/
def recordings(request: HttpRequest) -> HttpResponse:
    context = {"title": "音像记录事项清单", "rows": list(case_selectors.recording_requirement_list(user=request.user)),
               "form": forms.form_for(RecordingRequirementInputSerializer),
               "is_head": request.user.has_role(Role.AGENCY_HEAD)}  # fmt: skip
    return render(request, "console/admin_recordings.html", context)


@console_view(IsAuthenticated, methods=("POST",))
def recording_set(request: HttpRequest) -> HttpResponse:
    def run() -> None:
        if request.user.agency_id is None:
            raise Forbidden("未归属执法主体", code="no_agency")
        values = forms.validated(RecordingRequirementInputSerializer, request.POST)
        case_services.recording_requirement_set(agency=Agency.objects.get(pk=request.user.agency_id),
                                                actor=request.user, context=ctx(request), **values)  # fmt: skip

    return act(request, run, back=reverse("console:admin-recordings"), done="已保存事项")


@console_view(IsAuthenticated, methods=("POST",))
def recording_remove(request: HttpRequest, requirement_id: int) -> HttpResponse:
    requirement = case_selectors.recording_requirement_list(user=request.user).filter(pk=requirement_id).first()
    if requirement is None:
        raise NotFound("事项不存在")

    def run() -> None:
        case_services.recording_requirement_remove(requirement=requirement, actor=request.user, context=ctx(request))

    return act(request, run, back=reverse("console:admin-recordings"), done="已删除事项")


# --------------------------------------------------------------------------- 目录清单 versions


@console_view(IsAgencyStaff)  # as GET /api/v1/reviews/catalogs/
def catalogs(request: HttpRequest) -> HttpResponse:
    versions = list(review_selectors.catalog_list(user=request.user))
    current = review_selectors.catalog_current(agency=request.user.agency_id) if request.user.agency_id else None
    context = {"title": "重大执法决定法制审核目录清单", "versions": versions, "current": current,
               "form": forms.form_for(CatalogCreateInputSerializer, skip=frozenset({"copy_from_id"})),
               "may_edit": request.user.has_role(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD)}  # fmt: skip
    return render(request, "console/admin_catalogs.html", context)


@console_view(IsAgencyStaff, methods=("POST",))
def catalog_create(request: HttpRequest) -> HttpResponse:
    created: list[MajorCatalog] = []

    def run() -> None:
        values = forms.validated(CatalogCreateInputSerializer, request.POST)
        copy_from = None
        copy_id = values.pop("copy_from_id", None)
        if copy_id:
            copy_from = review_selectors.catalog_get_for_user(user=request.user, catalog_id=copy_id)
        created.append(review_services.catalog_create(agency=request.user.agency, actor=request.user,
                                                      copy_from=copy_from, context=ctx(request), **values))  # fmt: skip

    response = act(request, run, back=reverse("console:admin-catalogs"), done="已新建草稿")
    if created:
        response["Location"] = reverse("console:admin-catalog", args=[created[0].pk])
    return response


@console_view(IsAgencyStaff)
def catalog_detail(request: HttpRequest, catalog_id: int) -> HttpResponse:
    catalog = review_selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)
    draft = catalog.status == MajorCatalog.Status.DRAFT
    context = {"title": str(catalog), "catalog": catalog, "rules": list(catalog.rules.all()), "draft": draft,
               "rule_form": forms.form_for(CatalogRuleInputSerializer),
               "publish_form": forms.form_for(CatalogPublishInputSerializer),
               "may_edit": draft and request.user.has_role(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD),
               "may_publish": draft and request.user.has_role(Role.AGENCY_HEAD)}  # fmt: skip
    return render(request, "console/admin_catalog.html", context)


@console_view(IsReviewerOrHead, methods=("POST",))
def catalog_rule_add(request: HttpRequest, catalog_id: int) -> HttpResponse:
    catalog = review_selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)

    def run() -> None:
        values = forms.validated(CatalogRuleInputSerializer, request.POST)
        review_services.catalog_rule_add(catalog=catalog, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=reverse("console:admin-catalog", args=[catalog.pk]), done="已增加条目")


@console_view(IsReviewerOrHead, methods=("POST",))
def catalog_rule_remove(request: HttpRequest, catalog_id: int, rule_id: int) -> HttpResponse:
    catalog = review_selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)
    rule = CatalogRule.objects.filter(pk=rule_id, catalog=catalog).first()
    if rule is None:
        raise NotFound("条目不存在")

    def run() -> None:
        review_services.catalog_rule_remove(rule=rule, actor=request.user, context=ctx(request))

    return act(request, run, back=reverse("console:admin-catalog", args=[catalog.pk]), done="已删除条目")


@console_view(IsAgencyHead, methods=("POST",))  # as the API's CatalogPublishApi
def catalog_publish(request: HttpRequest, catalog_id: int) -> HttpResponse:
    catalog = review_selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)

    def run() -> None:
        values = forms.validated(CatalogPublishInputSerializer, request.POST)
        review_services.catalog_publish(catalog=catalog, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=reverse("console:admin-catalog", args=[catalog.pk]), done="已发布")
