"""Reviews API, the case side: a case's review rounds and submission, its review requirement and flags, the
collective discussion (集体讨论) and recusals recorded on the case."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.accounts.permissions import (
    IsAgencyStaff,
    request_agency_id,
    request_user,
)
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.common.idempotency import IdempotentAPIMixin
from backend.reviews import selectors, services
from backend.reviews.api_support import TAG_CASE, IsReviewerOrHead, _agency_user, _ctx, _validated
from backend.reviews.models import CaseReviewFlags
from backend.reviews.serializers import (
    CaseRecusalInputSerializer,
    CaseReviewFlagsSerializer,
    CollectiveDiscussionInputSerializer,
    CollectiveDiscussionOutputSerializer,
    MajorEvaluationOutputSerializer,
    RecusalOutputSerializer,
    ReviewRequirementOutputSerializer,
    ReviewRoundDetailOutputSerializer,
    ReviewSubmitInputSerializer,
)

# --------------------------------------------------------------------------- case side


class CaseReviewListSubmitApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_CASE], responses=ReviewRoundDetailOutputSerializer(many=True), summary="本案的审核轮次（含历史）"
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
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
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        data = _validated(ReviewSubmitInputSerializer, request)
        round_ = services.review_submit(case=case, actor=request_user(request), context=_ctx(request), **data)
        detail = selectors.review_round_get_for_user(user=request_user(request), round_id=round_.pk)
        return Response(ReviewRoundDetailOutputSerializer(detail).data, status=status.HTTP_201_CREATED)


class CaseReviewRequirementApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=[TAG_CASE],
        responses=ReviewRequirementOutputSerializer,
        summary="本案是否属于重大执法决定、需要哪种审核、能否作出决定",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
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
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        flags = CaseReviewFlags.objects.filter(case=case).first() or CaseReviewFlags(case=case)
        return Response(CaseReviewFlagsSerializer(flags).data)

    @extend_schema(
        tags=[TAG_CASE],
        request=CaseReviewFlagsSerializer,
        responses=CaseReviewFlagsSerializer,
        summary="标记重大公共利益、疑难复杂等情形（承办人员或负责人）",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        data = _validated(CaseReviewFlagsSerializer, request)
        flags = services.review_flags_set(case=case, actor=request_user(request), values=data, context=_ctx(request))
        return Response(CaseReviewFlagsSerializer(flags).data)


class CaseCollectiveDiscussionApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=[TAG_CASE], responses=CollectiveDiscussionOutputSerializer(many=True), summary="集体讨论记录")
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
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
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        data = _validated(CollectiveDiscussionInputSerializer, request)
        chair = _agency_user(request, data.pop("chair_id"), field="chair_id")
        ids = data.pop("participant_ids")
        participants = list(User.objects.filter(pk__in=ids, agency_id=request_agency_id(request)))
        if len(participants) != len(set(ids)):
            raise ApplicationError(
                "invalid_user", "参加人员须为本机关人员", status=422, fields={"participant_ids": ["无效"]}
            )
        record = services.collective_discussion_record(
            case=case,
            actor=request_user(request),
            chair=chair,
            participants=participants,
            context=_ctx(request),
            **data,
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
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        data = _validated(CaseRecusalInputSerializer, request)
        reviewer = _agency_user(request, data["reviewer_id"], field="reviewer_id")
        recusal = services.review_recusal_record(
            case=case,
            reviewer=reviewer,
            actor=request_user(request),
            reason=data["reason"],
            note=data["note"],
            context=_ctx(request),
        )
        return Response(RecusalOutputSerializer(recusal).data, status=status.HTTP_201_CREATED)
