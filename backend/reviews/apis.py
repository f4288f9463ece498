"""Reviews API: thin views — parse, call one service or selector, serialize.

Roles are checked again in the services; the permission classes (:mod:`backend.reviews.api_support`) only keep
people without any review-related role out early. Another agency's objects answer 404. This module: the
catalog (目录清单), the checklist, the agency's review settings and the reviewer ratio; the review rounds are in
:mod:`backend.reviews.round_apis`, the case side in :mod:`backend.reviews.case_review_apis`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import (
    IsAgencyHead,
    IsAgencyStaff,
    request_agency,
    request_agency_id,
    request_user,
)
from backend.common.errors import ApplicationError, NotFound
from backend.common.idempotency import IdempotentAPIMixin
from backend.reviews import selectors, services
from backend.reviews.api_support import KIND_PARAM, TAG_CATALOG, TAG_ROUNDS, IsReviewerOrHead, _ctx, _validated
from backend.reviews.models import CatalogRule
from backend.reviews.serializers import (
    CatalogCreateInputSerializer,
    CatalogOutputSerializer,
    CatalogPublishInputSerializer,
    CatalogRuleInputSerializer,
    CatalogRuleOutputSerializer,
    ChecklistAgencyItemsInputSerializer,
    ChecklistTemplateOutputSerializer,
    ReviewerRatioOutputSerializer,
    ReviewSettingsSerializer,
)

# --------------------------------------------------------------------------- catalog


class CatalogListCreateApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CATALOG], responses=CatalogOutputSerializer(many=True), summary="目录清单各版本（本机关）")
    def get(self, request: Request) -> Response:
        return Response(CatalogOutputSerializer(selectors.catalog_list(user=request_user(request)), many=True).data)

    @extend_schema(
        tags=[TAG_CATALOG],
        request=CatalogCreateInputSerializer,
        responses={201: CatalogOutputSerializer},
        summary="编制目录清单新版本（草稿）",
    )
    def post(self, request: Request) -> Response:
        data = _validated(CatalogCreateInputSerializer, request)
        copy_from = None
        if data["copy_from_id"]:
            copy_from = selectors.catalog_get_for_user(user=request_user(request), catalog_id=data["copy_from_id"])
        catalog = services.catalog_create(
            agency=request_agency(request),
            actor=request_user(request),
            title=data["title"],
            basis=data["basis"],
            note=data["note"],
            copy_from=copy_from,
            context=_ctx(request),
        )
        catalog = selectors.catalog_get_for_user(user=request_user(request), catalog_id=catalog.pk)
        return Response(CatalogOutputSerializer(catalog).data, status=status.HTTP_201_CREATED)


class CatalogCurrentApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_CATALOG],
        responses=CatalogOutputSerializer,
        summary="现行目录清单",
        description="本机关今天施行的目录清单；尚未发布时 404 catalog_not_published。",
    )
    def get(self, request: Request) -> Response:
        catalog = selectors.catalog_current(agency=request_agency_id(request))
        if catalog is None:
            raise NotFound("本机关尚未发布重大执法决定法制审核目录清单", code="catalog_not_published")
        return Response(CatalogOutputSerializer(catalog).data)


class CatalogDetailApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CATALOG], responses=CatalogOutputSerializer, summary="目录清单某一版本")
    def get(self, request: Request, catalog_id: int) -> Response:
        catalog = selectors.catalog_get_for_user(user=request_user(request), catalog_id=catalog_id)
        return Response(CatalogOutputSerializer(catalog).data)


class CatalogRuleCreateApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsReviewerOrHead]

    @extend_schema(
        tags=[TAG_CATALOG],
        request=CatalogRuleInputSerializer,
        responses={201: CatalogRuleOutputSerializer},
        summary="在草稿中增加条目",
    )
    def post(self, request: Request, catalog_id: int) -> Response:
        catalog = selectors.catalog_get_for_user(user=request_user(request), catalog_id=catalog_id)
        data = _validated(CatalogRuleInputSerializer, request)
        rule = services.catalog_rule_add(catalog=catalog, actor=request_user(request), context=_ctx(request), **data)
        return Response(CatalogRuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class CatalogRuleDeleteApi(APIView):
    permission_classes = [IsReviewerOrHead]

    @extend_schema(tags=[TAG_CATALOG], responses={204: None}, summary="从草稿中删除条目")
    def delete(self, request: Request, catalog_id: int, rule_id: int) -> Response:
        catalog = selectors.catalog_get_for_user(user=request_user(request), catalog_id=catalog_id)
        rule = CatalogRule.objects.filter(pk=rule_id, catalog=catalog).first()
        if rule is None:
            raise NotFound("条目不存在")
        services.catalog_rule_remove(rule=rule, actor=request_user(request), context=_ctx(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CatalogPublishApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyHead]

    @extend_schema(
        tags=[TAG_CATALOG],
        request=CatalogPublishInputSerializer,
        responses=CatalogOutputSerializer,
        summary="发布目录清单（机关负责人）",
        description="发布后条目不可再改；施行日期不得早于今天。已决定的案件保留其当时的认定理由。",
    )
    def post(self, request: Request, catalog_id: int) -> Response:
        catalog = selectors.catalog_get_for_user(user=request_user(request), catalog_id=catalog_id)
        data = _validated(CatalogPublishInputSerializer, request)
        services.catalog_publish(catalog=catalog, actor=request_user(request), context=_ctx(request), **data)
        catalog = selectors.catalog_get_for_user(user=request_user(request), catalog_id=catalog_id)
        return Response(CatalogOutputSerializer(catalog).data)


# --------------------------------------------------------------------------- checklist, settings, stats


class ChecklistTemplateApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_CATALOG],
        parameters=[KIND_PARAM],
        responses=ChecklistTemplateOutputSerializer,
        summary="审核内容（按顺序，含稳定编码）",
        description="法定审核内容在前（statutory=true，顺序与编码固定），本机关增加的条目在后。",
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind") or "legal_review"
        if kind not in ("legal_review", "case_review"):
            raise ApplicationError("invalid_review_kind", "审核类别无效", status=400)
        items = services.checklist_effective_items(agency_id=request_agency_id(request), kind=kind)
        return Response(ChecklistTemplateOutputSerializer({"kind": kind, "items": items}).data)

    @extend_schema(
        tags=[TAG_CATALOG],
        request=ChecklistAgencyItemsInputSerializer,
        responses={201: ChecklistTemplateOutputSerializer},
        summary="设定本机关增加的审核条目（新版本）",
        description="只能增加条目，不能删除或替换法定审核内容（编码与法定条目重复时 422）。",
    )
    def post(self, request: Request) -> Response:
        data = _validated(ChecklistAgencyItemsInputSerializer, request)
        services.checklist_agency_items_set(
            agency=request_agency(request), actor=request_user(request), context=_ctx(request), **data
        )
        items = services.checklist_effective_items(
            agency_id=request_agency_id(request), kind=data["kind"], on=data["effective_from"]
        )
        return Response(
            ChecklistTemplateOutputSerializer({"kind": data["kind"], "items": items}).data,
            status=status.HTTP_201_CREATED,
        )


class ReviewSettingsApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CATALOG], responses=ReviewSettingsSerializer, summary="本机关法制审核参数")
    def get(self, request: Request) -> Response:
        return Response(
            ReviewSettingsSerializer(services.review_settings_get(agency_id=request_agency_id(request))).data
        )

    @extend_schema(
        tags=[TAG_CATALOG],
        request=ReviewSettingsSerializer,
        responses=ReviewSettingsSerializer,
        summary="修改法制审核参数（机关负责人）",
    )
    def patch(self, request: Request) -> Response:
        serializer = ReviewSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.review_settings_update(
            agency=request_agency(request),
            actor=request_user(request),
            values=dict(serializer.validated_data),
            context=_ctx(request),
        )
        return Response(ReviewSettingsSerializer(row).data)


class ReviewerRatioApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_ROUNDS], responses=ReviewerRatioOutputSerializer, summary="法制审核人员占执法人员比例（对照5%）"
    )
    def get(self, request: Request) -> Response:
        return Response(ReviewerRatioOutputSerializer(selectors.reviewer_ratio(agency=request_agency_id(request))).data)
