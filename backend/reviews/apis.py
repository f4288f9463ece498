"""Reviews API: thin views — parse, call one service or selector, serialize.

Roles are checked again in the services; the permission classes here only keep people without any
review-related role out early. Another agency's objects answer 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Role, User
from backend.accounts.permissions import HasRole, IsAgencyHead, IsAgencyStaff
from backend.common.errors import ApplicationError, NotFound, PreconditionFailed
from backend.common.idempotency import IdempotentAPIMixin
from backend.common.pagination import DefaultCursorPagination, paginated_response
from backend.common.security import allow_inline_styles
from backend.ledger.services import audit_context_from_request
from backend.reviews import opinion, selectors, services
from backend.reviews.models import CaseReviewFlags, CatalogRule, CollectiveDiscussion
from backend.reviews.serializers import (
    CaseRecusalInputSerializer,
    CaseReviewFlagsSerializer,
    CatalogCreateInputSerializer,
    CatalogOutputSerializer,
    CatalogPublishInputSerializer,
    CatalogRuleInputSerializer,
    CatalogRuleOutputSerializer,
    ChecklistAgencyItemsInputSerializer,
    ChecklistFillInputSerializer,
    ChecklistTemplateOutputSerializer,
    CollectiveDiscussionInputSerializer,
    CollectiveDiscussionOutputSerializer,
    DisputeOutputSerializer,
    DisputeRaiseInputSerializer,
    DisputeResolveInputSerializer,
    ExtensionDecideInputSerializer,
    ExtensionOutputSerializer,
    ExtensionRequestInputSerializer,
    MajorEvaluationOutputSerializer,
    RecusalOutputSerializer,
    ReviewAssignInputSerializer,
    ReviewerRatioOutputSerializer,
    ReviewOutcomeInputSerializer,
    ReviewReasonInputSerializer,
    ReviewRecuseInputSerializer,
    ReviewRequirementOutputSerializer,
    ReviewRoundDetailOutputSerializer,
    ReviewRoundListOutputSerializer,
    ReviewSettingsSerializer,
    ReviewSubmitInputSerializer,
    SupplementOutputSerializer,
    SupplementRequestInputSerializer,
    SupplementResolveInputSerializer,
)

IsReviewerOrHead = HasRole(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD)
IsLegalReviewerOnly = HasRole(Role.LEGAL_REVIEWER)
IsCaseActor = HasRole(Role.FIELD_OFFICER, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER)
TAG_CATALOG = "reviews: catalog"
TAG_ROUNDS = "reviews: rounds"
TAG_CASE = "reviews: case"


def _ctx(request: Request) -> Any:
    return audit_context_from_request(request)


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _round_detail(request: Request, round_id: Any) -> Response:
    round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)
    return Response(ReviewRoundDetailOutputSerializer(round_).data)


def _agency_user(request: Request, user_id: Any, *, field: str) -> User:
    user = User.objects.filter(pk=user_id, agency_id=request.user.agency_id).first()
    if user is None:
        raise ApplicationError("invalid_user", "人员不存在或不属于本机关", status=422, fields={field: ["无效"]})
    return user


# --------------------------------------------------------------------------- catalog


class CatalogListCreateApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CATALOG], responses=CatalogOutputSerializer(many=True), summary="目录清单各版本（本机关）")
    def get(self, request: Request) -> Response:
        return Response(CatalogOutputSerializer(selectors.catalog_list(user=request.user), many=True).data)

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
            copy_from = selectors.catalog_get_for_user(user=request.user, catalog_id=data["copy_from_id"])
        catalog = services.catalog_create(
            agency=request.user.agency,
            actor=request.user,
            title=data["title"],
            basis=data["basis"],
            note=data["note"],
            copy_from=copy_from,
            context=_ctx(request),
        )
        catalog = selectors.catalog_get_for_user(user=request.user, catalog_id=catalog.pk)
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
        catalog = selectors.catalog_current(agency=request.user.agency_id)
        if catalog is None:
            raise NotFound("本机关尚未发布重大执法决定法制审核目录清单", code="catalog_not_published")
        return Response(CatalogOutputSerializer(catalog).data)


class CatalogDetailApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CATALOG], responses=CatalogOutputSerializer, summary="目录清单某一版本")
    def get(self, request: Request, catalog_id: int) -> Response:
        catalog = selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)
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
        catalog = selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)
        data = _validated(CatalogRuleInputSerializer, request)
        rule = services.catalog_rule_add(catalog=catalog, actor=request.user, context=_ctx(request), **data)
        return Response(CatalogRuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class CatalogRuleDeleteApi(APIView):
    permission_classes = [IsReviewerOrHead]

    @extend_schema(tags=[TAG_CATALOG], responses={204: None}, summary="从草稿中删除条目")
    def delete(self, request: Request, catalog_id: int, rule_id: int) -> Response:
        catalog = selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)
        rule = CatalogRule.objects.filter(pk=rule_id, catalog=catalog).first()
        if rule is None:
            raise NotFound("条目不存在")
        services.catalog_rule_remove(rule=rule, actor=request.user, context=_ctx(request))
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
        catalog = selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)
        data = _validated(CatalogPublishInputSerializer, request)
        services.catalog_publish(catalog=catalog, actor=request.user, context=_ctx(request), **data)
        catalog = selectors.catalog_get_for_user(user=request.user, catalog_id=catalog_id)
        return Response(CatalogOutputSerializer(catalog).data)


# --------------------------------------------------------------------------- checklist, settings, stats

KIND_PARAM = OpenApiParameter(
    "kind", OpenApiTypes.STR, enum=["legal_review", "case_review"], required=False, description="默认 legal_review"
)


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
        items = services.checklist_effective_items(agency_id=request.user.agency_id, kind=kind)
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
            agency=request.user.agency, actor=request.user, context=_ctx(request), **data
        )
        items = services.checklist_effective_items(
            agency_id=request.user.agency_id, kind=data["kind"], on=data["effective_from"]
        )
        return Response(
            ChecklistTemplateOutputSerializer({"kind": data["kind"], "items": items}).data,
            status=status.HTTP_201_CREATED,
        )


class ReviewSettingsApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CATALOG], responses=ReviewSettingsSerializer, summary="本机关法制审核参数")
    def get(self, request: Request) -> Response:
        return Response(ReviewSettingsSerializer(services.review_settings_get(agency_id=request.user.agency_id)).data)

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
            agency=request.user.agency,
            actor=request.user,
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
        return Response(ReviewerRatioOutputSerializer(selectors.reviewer_ratio(agency=request.user.agency_id)).data)


# --------------------------------------------------------------------------- queue and rounds


class ReviewQueuePagination(DefaultCursorPagination):
    """Soonest due first, then first submitted."""

    ordering = ("due_on", "submitted_at", "id")


class ReviewQueueApi(APIView):
    permission_classes = [IsReviewerOrHead]
    pagination_class = ReviewQueuePagination

    @extend_schema(
        tags=[TAG_ROUNDS],
        responses=ReviewRoundListOutputSerializer(many=True),
        summary="审核队列（按期限排序）",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=["pending", "in_review", "supplementing"]),
            KIND_PARAM,
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="只看分配给我的"),
        ],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        qs = selectors.review_queue(
            user=request.user,
            status=params.get("status") or None,
            kind=params.get("kind") or None,
            mine=params.get("mine") in ("1", "true"),
        )
        return paginated_response(self, request, qs, lambda page: ReviewRoundListOutputSerializer(page, many=True).data)


class ReviewOverduePagination(DefaultCursorPagination):
    ordering = ("due_on", "id")


class ReviewOverdueApi(APIView):
    permission_classes = [IsAgencyStaff]
    pagination_class = ReviewOverduePagination

    @extend_schema(
        tags=[TAG_ROUNDS],
        responses=ReviewRoundListOutputSerializer(many=True),
        summary="超期未审结的审核",
        description="补充材料期间暂停计时，不计入超期。",
    )
    def get(self, request: Request) -> Response:
        qs = selectors.review_overdue(user=request.user)
        return paginated_response(self, request, qs, lambda page: ReviewRoundListOutputSerializer(page, many=True).data)


class ReviewRoundDetailApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_ROUNDS],
        responses=ReviewRoundDetailOutputSerializer,
        summary="审核轮次详情（送审材料、证据清单、审核内容与提示、意见）",
    )
    def get(self, request: Request, round_id: uuid.UUID) -> Response:
        return _round_detail(request, round_id)


class _RoundActionApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsCaseActor]

    def _round(self, request: Request, round_id: uuid.UUID) -> Any:
        return selectors.review_round_get_for_user(user=request.user, round_id=round_id)


class ReviewAssignApi(_RoundActionApi):
    permission_classes = [IsReviewerOrHead]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=ReviewAssignInputSerializer,
        responses=ReviewRoundDetailOutputSerializer,
        summary="分配、改派或领取审核",
        description="只能分配给法制审核人员；承办、审批过本案或已登记回避的人员 409 reviewer_conflict；"
        "首次承办审核须登记法律职业资格 409 reviewer_not_qualified。",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(ReviewAssignInputSerializer, request)
        reviewer = _agency_user(request, data["reviewer_id"], field="reviewer_id")
        services.review_assign(
            round_=round_, reviewer=reviewer, actor=request.user, reason=data["reason"], context=_ctx(request)
        )
        return _round_detail(request, round_id)


class ReviewRecuseApi(_RoundActionApi):
    permission_classes = [IsReviewerOrHead]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=ReviewRecuseInputSerializer,
        responses={201: RecusalOutputSerializer},
        summary="回避",
        description="审核人员申请回避（或负责人为其登记）；本轮退回待分配。",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(ReviewRecuseInputSerializer, request)
        reviewer = request.user
        if data["reviewer_id"]:
            reviewer = _agency_user(request, data["reviewer_id"], field="reviewer_id")
        elif round_.reviewer_id and round_.reviewer_id != request.user.pk and request.user.has_role(Role.AGENCY_HEAD):
            reviewer = round_.reviewer
        recusal = services.review_recusal_record(
            case=round_.case,
            reviewer=reviewer,
            actor=request.user,
            reason=data["reason"],
            note=data["note"],
            round_=round_,
            context=_ctx(request),
        )
        return Response(RecusalOutputSerializer(recusal).data, status=status.HTTP_201_CREATED)


class ReviewChecklistApi(_RoundActionApi):
    permission_classes = [IsLegalReviewerOnly]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=ChecklistFillInputSerializer,
        responses=ReviewRoundDetailOutputSerializer,
        summary="填写审核内容",
        description="每项：conforms 符合 / nonconforming 不符合（须说明）/ not_applicable 不适用。",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(ChecklistFillInputSerializer, request)
        services.review_checklist_fill(round_=round_, actor=request.user, items=data["items"], context=_ctx(request))
        return _round_detail(request, round_id)


class ReviewPrechecksApi(_RoundActionApi):
    permission_classes = [IsReviewerOrHead]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=None,
        responses=ReviewRoundDetailOutputSerializer,
        summary="重新运行自动预审",
        description="按案件现状刷新各审核条目的提示；送审材料不变。",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        services.review_prechecks_refresh(round_=round_, actor=request.user, context=_ctx(request))
        return _round_detail(request, round_id)


class ReviewOutcomeApi(_RoundActionApi):
    permission_classes = [IsLegalReviewerOnly]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=ReviewOutcomeInputSerializer,
        responses=ReviewRoundDetailOutputSerializer,
        summary="出具审核意见",
        description="approved 同意（各项须符合或不适用）/ correction_required 建议纠正 / "
        "supplementary_investigation 建议补充调查（案件退回调查取证）/ other 其他意见。"
        "生成审核意见书文号并记入审计日志。",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(ReviewOutcomeInputSerializer, request)
        services.review_complete(round_=round_, actor=request.user, context=_ctx(request), **data)
        return _round_detail(request, round_id)


class ReviewWithdrawApi(_RoundActionApi):
    @extend_schema(
        tags=[TAG_ROUNDS],
        request=ReviewReasonInputSerializer,
        responses=ReviewRoundDetailOutputSerializer,
        summary="撤回送审",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(ReviewReasonInputSerializer, request)
        services.review_withdraw(round_=round_, actor=request.user, reason=data["reason"], context=_ctx(request))
        return _round_detail(request, round_id)


class ReviewSupplementRequestApi(_RoundActionApi):
    permission_classes = [IsLegalReviewerOnly]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=SupplementRequestInputSerializer,
        responses={201: SupplementOutputSerializer},
        summary="要求补充材料（审核期限暂停）",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(SupplementRequestInputSerializer, request)
        supplement = services.review_supplement_request(
            round_=round_, actor=request.user, items=data["items"], context=_ctx(request)
        )
        return Response(SupplementOutputSerializer(supplement).data, status=status.HTTP_201_CREATED)


class ReviewSupplementResolveApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsCaseActor]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=SupplementResolveInputSerializer,
        responses=SupplementOutputSerializer,
        summary="补充材料已提交（审核期限恢复计算）",
    )
    def post(self, request: Request, supplement_id: int) -> Response:
        supplement = selectors.supplement_get_for_user(user=request.user, supplement_id=supplement_id)
        data = _validated(SupplementResolveInputSerializer, request)
        supplement = services.review_supplement_resolve(
            supplement=supplement, actor=request.user, response=data["response"], context=_ctx(request)
        )
        return Response(SupplementOutputSerializer(supplement).data)


class ReviewExtensionRequestApi(_RoundActionApi):
    permission_classes = [IsLegalReviewerOnly]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=ExtensionRequestInputSerializer,
        responses={201: ExtensionOutputSerializer},
        summary="申请延长审核期限",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(ExtensionRequestInputSerializer, request)
        extension = services.review_extension_request(round_=round_, actor=request.user, context=_ctx(request), **data)
        return Response(ExtensionOutputSerializer(extension).data, status=status.HTTP_201_CREATED)


class ReviewExtensionDecideApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyHead]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=ExtensionDecideInputSerializer,
        responses=ExtensionOutputSerializer,
        summary="批准或不批准延期（机关负责人）",
    )
    def post(self, request: Request, extension_id: int) -> Response:
        extension = selectors.extension_get_for_user(user=request.user, extension_id=extension_id)
        data = _validated(ExtensionDecideInputSerializer, request)
        extension = services.review_extension_decide(
            extension=extension, actor=request.user, context=_ctx(request), **data
        )
        return Response(ExtensionOutputSerializer(extension).data)


class ReviewDisputeRaiseApi(_RoundActionApi):
    @extend_schema(
        tags=[TAG_ROUNDS],
        request=DisputeRaiseInputSerializer,
        responses={201: DisputeOutputSerializer},
        summary="对审核意见提出异议（提请负责人或集体讨论）",
    )
    def post(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = self._round(request, round_id)
        data = _validated(DisputeRaiseInputSerializer, request)
        dispute = services.review_dispute_raise(round_=round_, actor=request.user, context=_ctx(request), **data)
        return Response(DisputeOutputSerializer(dispute).data, status=status.HTTP_201_CREATED)


class ReviewDisputeResolveApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyHead]

    @extend_schema(
        tags=[TAG_ROUNDS],
        request=DisputeResolveInputSerializer,
        responses=DisputeOutputSerializer,
        summary="处理审核意见分歧（机关负责人）",
        description="adopt_opinion：采纳审核意见；re_review：另行组织审核（原审核人员不再承办）。"
        "任何处理都不能使未通过审核的重大案件直接作出决定。",
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = selectors.dispute_get_for_user(user=request.user, dispute_id=dispute_id)
        data = _validated(DisputeResolveInputSerializer, request)
        discussion = None
        if data["collective_discussion_id"]:
            discussion = CollectiveDiscussion.objects.filter(
                pk=data["collective_discussion_id"], case_id=dispute.round.case_id
            ).first()
            if discussion is None:
                raise ApplicationError("invalid_collective_discussion", "集体讨论记录不存在", status=422)
        dispute = services.review_dispute_resolve(
            dispute=dispute,
            actor=request.user,
            resolution=data["resolution"],
            note=data["note"],
            collective_discussion=discussion,
            context=_ctx(request),
        )
        return Response(DisputeOutputSerializer(dispute).data)


class ReviewOpinionHtmlApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_ROUNDS],
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR)},
        summary="审核意见书（HTML）",
    )
    def get(self, request: Request, round_id: uuid.UUID) -> HttpResponse:
        round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)
        html = HttpResponse(opinion.render_opinion_html(round_), content_type="text/html; charset=utf-8")
        return allow_inline_styles(html)  # the document's own <style> block


class ReviewOpinionPdfApi(APIView):
    permission_classes = [IsAgencyStaff]
    openapi_response_headers = {"get": ("Content-Disposition",)}

    @extend_schema(
        tags=[TAG_ROUNDS],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        summary="审核意见书（PDF）",
    )
    def get(self, request: Request, round_id: uuid.UUID) -> HttpResponse:
        round_ = selectors.review_round_get_for_user(user=request.user, round_id=round_id)
        response = HttpResponse(opinion.render_opinion_pdf(round_), content_type="application/pdf")
        name = f"opinion-{round_.case_id}-{round_.kind}-{round_.number}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


# --------------------------------------------------------------------------- case side


class CaseReviewListSubmitApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_CASE], responses=ReviewRoundDetailOutputSerializer(many=True), summary="本案的审核轮次（含历史）"
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return Response(ReviewRoundDetailOutputSerializer(selectors.review_rounds_for_case(case=case), many=True).data)

    @extend_schema(
        tags=[TAG_CASE],
        request=ReviewSubmitInputSerializer,
        responses={201: ReviewRoundDetailOutputSerializer},
        summary="提交审核（承办人员）",
        description="冻结拟处理决定、事实、依据、裁量理由、听证笔录和证据清单（id 与 SHA-256），开始新一轮审核；"
        "案件处于调查终结或听证结束状态时同时进入审核状态。送审材料不全 422 review_package_incomplete。",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        data = _validated(ReviewSubmitInputSerializer, request)
        round_ = services.review_submit(case=case, actor=request.user, context=_ctx(request), **data)
        detail = selectors.review_round_get_for_user(user=request.user, round_id=round_.pk)
        return Response(ReviewRoundDetailOutputSerializer(detail).data, status=status.HTTP_201_CREATED)


class CaseReviewRequirementApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_CASE],
        responses=ReviewRequirementOutputSerializer,
        summary="本案是否属于重大执法决定、需要哪种审核、能否作出决定",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        requirement = services.review_requirement(case=case)
        gate: dict[str, Any] = {"passed": True, "code": None, "message": ""}
        try:
            services.review_ensure_passed(case=case)
            services.review_ensure_collective_discussion(case=case)
        except PreconditionFailed as exc:
            gate = {"passed": False, "code": exc.code, "message": exc.message, "extra": exc.extra}
        body = {
            "review_kind": requirement.kind,
            "is_major": requirement.is_major,
            "reasons": requirement.reasons,
            "after_hearing": requirement.after_hearing,
            "collective_required": requirement.collective_required,
            "collective_reasons": requirement.collective_reasons,
            "catalog_version": requirement.catalog_version,
            "proposal_fingerprint": requirement.fingerprint,
            "gate": gate,
            "decision_reference": services.review_decision_reference(case=case),
            "evaluations": MajorEvaluationOutputSerializer(
                selectors.major_evaluations_for_case(case=case)[:20], many=True
            ).data,
        }
        return Response(body)


class CaseReviewFlagsApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CASE], responses=CaseReviewFlagsSerializer, summary="重大执法决定情形标记")
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        flags = CaseReviewFlags.objects.filter(case=case).first() or CaseReviewFlags(case=case)
        return Response(CaseReviewFlagsSerializer(flags).data)

    @extend_schema(
        tags=[TAG_CASE],
        request=CaseReviewFlagsSerializer,
        responses=CaseReviewFlagsSerializer,
        summary="标记重大公共利益、疑难复杂等情形（承办人员或负责人）",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        data = _validated(CaseReviewFlagsSerializer, request)
        flags = services.review_flags_set(case=case, actor=request.user, values=data, context=_ctx(request))
        return Response(CaseReviewFlagsSerializer(flags).data)


class CaseCollectiveDiscussionApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CASE], responses=CollectiveDiscussionOutputSerializer(many=True), summary="集体讨论记录")
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        qs = selectors.collective_discussions_for_case(case=case)
        return Response(CollectiveDiscussionOutputSerializer(qs, many=True).data)

    @extend_schema(
        tags=[TAG_CASE],
        request=CollectiveDiscussionInputSerializer,
        responses={201: CollectiveDiscussionOutputSerializer},
        summary="登记集体讨论（机关负责人）",
        description="行政处罚法第五十七条第二款；法制审核案件须在审核通过后讨论。",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        data = _validated(CollectiveDiscussionInputSerializer, request)
        chair = _agency_user(request, data.pop("chair_id"), field="chair_id")
        ids = data.pop("participant_ids")
        participants = list(User.objects.filter(pk__in=ids, agency_id=request.user.agency_id))
        if len(participants) != len(set(ids)):
            raise ApplicationError(
                "invalid_user", "参加人员须为本机关人员", status=422, fields={"participant_ids": ["无效"]}
            )
        record = services.collective_discussion_record(
            case=case, actor=request.user, chair=chair, participants=participants, context=_ctx(request), **data
        )
        record = selectors.collective_discussions_for_case(case=case).get(pk=record.pk)
        return Response(CollectiveDiscussionOutputSerializer(record).data, status=status.HTTP_201_CREATED)


class CaseRecusalApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsReviewerOrHead]

    @extend_schema(
        tags=[TAG_CASE],
        request=CaseRecusalInputSerializer,
        responses={201: RecusalOutputSerializer},
        summary="登记审核人员回避（如与当事人有利害关系）",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        data = _validated(CaseRecusalInputSerializer, request)
        reviewer = _agency_user(request, data["reviewer_id"], field="reviewer_id")
        recusal = services.review_recusal_record(
            case=case,
            reviewer=reviewer,
            actor=request.user,
            reason=data["reason"],
            note=data["note"],
            context=_ctx(request),
        )
        return Response(RecusalOutputSerializer(recusal).data, status=status.HTTP_201_CREATED)
