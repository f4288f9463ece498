"""Reviews API, the rounds: the review queue and overdue list, a round's detail and every action on it
(assignment, recusal, checklist, pre-checks, outcome, withdrawal, supplements, extensions, disputes), the
审核意见书 (HTML, PDF)."""

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

from backend.accounts.models import Role
from backend.accounts.permissions import (
    IsAgencyHead,
    IsAgencyStaff,
    request_user,
)
from backend.common.errors import ApplicationError
from backend.common.idempotency import IdempotentAPIMixin
from backend.common.pagination import DefaultCursorPagination, paginated_response
from backend.common.security import allow_inline_styles
from backend.reviews import opinion, selectors, services
from backend.reviews.api_support import (
    KIND_PARAM,
    TAG_ROUNDS,
    IsCaseActor,
    IsLegalReviewerOnly,
    IsReviewerOrHead,
    _agency_user,
    _ctx,
    _round_detail,
    _validated,
)
from backend.reviews.models import CollectiveDiscussion
from backend.reviews.serializers import (
    ChecklistFillInputSerializer,
    DisputeOutputSerializer,
    DisputeRaiseInputSerializer,
    DisputeResolveInputSerializer,
    ExtensionDecideInputSerializer,
    ExtensionOutputSerializer,
    ExtensionRequestInputSerializer,
    RecusalOutputSerializer,
    ReviewAssignInputSerializer,
    ReviewOutcomeInputSerializer,
    ReviewReasonInputSerializer,
    ReviewRecuseInputSerializer,
    ReviewRoundDetailOutputSerializer,
    ReviewRoundListOutputSerializer,
    SupplementOutputSerializer,
    SupplementRequestInputSerializer,
    SupplementResolveInputSerializer,
)

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
            user=request_user(request),
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
        qs = selectors.review_overdue(user=request_user(request))
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
        return selectors.review_round_get_for_user(user=request_user(request), round_id=round_id)


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
            round_=round_, reviewer=reviewer, actor=request_user(request), reason=data["reason"], context=_ctx(request)
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
        reviewer = request_user(request)
        if data["reviewer_id"]:
            reviewer = _agency_user(request, data["reviewer_id"], field="reviewer_id")
        elif (
            round_.reviewer_id
            and round_.reviewer_id != request_user(request).pk
            and request_user(request).has_role(Role.AGENCY_HEAD)
        ):
            reviewer = round_.reviewer
        recusal = services.review_recusal_record(
            case=round_.case,
            reviewer=reviewer,
            actor=request_user(request),
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
        services.review_checklist_fill(
            round_=round_, actor=request_user(request), items=data["items"], context=_ctx(request)
        )
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
        services.review_prechecks_refresh(round_=round_, actor=request_user(request), context=_ctx(request))
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
        services.review_complete(round_=round_, actor=request_user(request), context=_ctx(request), **data)
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
        services.review_withdraw(
            round_=round_, actor=request_user(request), reason=data["reason"], context=_ctx(request)
        )
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
            round_=round_, actor=request_user(request), items=data["items"], context=_ctx(request)
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
        supplement = selectors.supplement_get_for_user(user=request_user(request), supplement_id=supplement_id)
        data = _validated(SupplementResolveInputSerializer, request)
        supplement = services.review_supplement_resolve(
            supplement=supplement, actor=request_user(request), response=data["response"], context=_ctx(request)
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
        extension = services.review_extension_request(
            round_=round_, actor=request_user(request), context=_ctx(request), **data
        )
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
        extension = selectors.extension_get_for_user(user=request_user(request), extension_id=extension_id)
        data = _validated(ExtensionDecideInputSerializer, request)
        extension = services.review_extension_decide(
            extension=extension, actor=request_user(request), context=_ctx(request), **data
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
        dispute = services.review_dispute_raise(
            round_=round_, actor=request_user(request), context=_ctx(request), **data
        )
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
        dispute = selectors.dispute_get_for_user(user=request_user(request), dispute_id=dispute_id)
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
            actor=request_user(request),
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
        round_ = selectors.review_round_get_for_user(user=request_user(request), round_id=round_id)
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
        round_ = selectors.review_round_get_for_user(user=request_user(request), round_id=round_id)
        response = HttpResponse(opinion.render_opinion_pdf(round_), content_type="application/pdf")
        name = f"opinion-{round_.case_id}-{round_.kind}-{round_.number}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
