"""Staff API for the disclosure manager, the agency head and auditors (``/api/v1/disclosures/``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import IsAgencyStaff
from backend.common.idempotency import IdempotentAPIMixin
from backend.common.pagination import DefaultCursorPagination, paginated_response
from backend.disclosures import selectors, services
from backend.disclosures.search import apply_search
from backend.disclosures.serializers import (
    CorrectionAnswerInputSerializer,
    CorrectionRequestOutputSerializer,
    NoticeDeadlinesOutputSerializer,
    NoticeEditInputSerializer,
    NoticeNonDisclosureDecisionInputSerializer,
    NoticeNonDisclosureInputSerializer,
    NoticeWithdrawInputSerializer,
    RedactionCheckOutputSerializer,
    RedactionResolveInputSerializer,
    StaffNoticeListOutputSerializer,
    StaffNoticeReviewOutputSerializer,
)
from backend.ledger.services import audit_context_from_request


class NoticeListApi(APIView):
    permission_classes = [IsAgencyStaff]
    pagination_class = DefaultCursorPagination

    @extend_schema(
        tags=["disclosures"],
        parameters=[
            OpenApiParameter("status", str, description="draft | published | withdrawn | expired | not_disclosed"),
            OpenApiParameter("q", str, description="全文检索（公示文本）"),
            OpenApiParameter("case", str, description="案件 ID"),
        ],
        responses=StaffNoticeListOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = selectors.staff_notices(user=request.user)
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        if request.query_params.get("case"):
            qs = qs.filter(case_id=request.query_params["case"])
        if request.query_params.get("q"):
            qs = apply_search(qs, request.query_params["q"])
        return paginated_response(self, request, qs, lambda page: StaffNoticeListOutputSerializer(page, many=True).data)


class NoticeReviewApi(APIView):
    """Side-by-side review: ``original`` (as served) next to the public fields, spans and recorded edits."""

    permission_classes = [IsAgencyStaff]
    openapi_response_headers = {"get": ("ETag",)}

    @extend_schema(tags=["disclosures"], responses=StaffNoticeReviewOutputSerializer)
    def get(self, request: Request, notice_id: str) -> Response:
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        return Response(StaffNoticeReviewOutputSerializer(notice).data, headers={"ETag": f'"{notice.version}"'})


class NoticeEditApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=["disclosures"], request=NoticeEditInputSerializer, responses=StaffNoticeReviewOutputSerializer)
    def post(self, request: Request, notice_id: str) -> Response:
        data = NoticeEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        notice = services.notice_edit(
            notice=notice,
            actor=request.user,
            changes=data.validated_data["changes"],
            note=data.validated_data["note"],
            context=audit_context_from_request(request),
        )
        return Response(StaffNoticeReviewOutputSerializer(notice).data)


class NoticePublishApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=["disclosures"], request=None, responses=StaffNoticeReviewOutputSerializer)
    def post(self, request: Request, notice_id: str) -> Response:
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        notice = services.notice_publish(notice=notice, actor=request.user, context=audit_context_from_request(request))
        return Response(StaffNoticeReviewOutputSerializer(notice).data)


class NoticeRedactionCheckApi(APIView):
    """The publish-time check now: personal data still in a public field, and the uncertain candidates the
    discloser must resolve (with their resolutions so far)."""

    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=["disclosures"], responses=RedactionCheckOutputSerializer)
    def get(self, request: Request, notice_id: str) -> Response:
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        return Response(RedactionCheckOutputSerializer(services.redaction_check(notice)).data)


class NoticeRedactionResolveApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=["disclosures"], request=RedactionResolveInputSerializer, responses=RedactionCheckOutputSerializer
    )
    def post(self, request: Request, notice_id: str) -> Response:
        data = RedactionResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        notice = services.notice_resolve_candidate(
            notice=notice,
            actor=request.user,
            key=data.validated_data["key"],
            decision=data.validated_data["decision"],
            reason=data.validated_data["reason"],
            context=audit_context_from_request(request),
        )
        return Response(RedactionCheckOutputSerializer(services.redaction_check(notice)).data)


class NoticeWithdrawApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=["disclosures"], request=NoticeWithdrawInputSerializer, responses=StaffNoticeReviewOutputSerializer
    )
    def post(self, request: Request, notice_id: str) -> Response:
        data = NoticeWithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        notice = services.notice_withdraw(
            notice=notice,
            actor=request.user,
            reason=data.validated_data["reason"],
            kind=data.validated_data["kind"],
            triggered_on=data.validated_data.get("triggered_on"),
            context=audit_context_from_request(request),
        )
        return Response(StaffNoticeReviewOutputSerializer(notice).data)


class NoticeNonDisclosureApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=["disclosures"], request=NoticeNonDisclosureInputSerializer, responses=StaffNoticeReviewOutputSerializer
    )
    def post(self, request: Request, notice_id: str) -> Response:
        data = NoticeNonDisclosureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        notice = services.notice_request_non_disclosure(
            notice=notice, actor=request.user, context=audit_context_from_request(request), **data.validated_data
        )
        return Response(StaffNoticeReviewOutputSerializer(notice).data)


class NoticeNonDisclosureDecisionApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=["disclosures"],
        request=NoticeNonDisclosureDecisionInputSerializer,
        responses=StaffNoticeReviewOutputSerializer,
    )
    def post(self, request: Request, notice_id: str) -> Response:
        data = NoticeNonDisclosureDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.staff_notice_get(user=request.user, notice_id=notice_id)
        notice = services.notice_decide_non_disclosure(
            notice=notice, actor=request.user, context=audit_context_from_request(request), **data.validated_data
        )
        return Response(StaffNoticeReviewOutputSerializer(notice).data)


class NoticeDeadlinesApi(APIView):
    """Overdue and due-soon unpublished notices (auditors also see supervised agencies), late withdrawals."""

    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=["disclosures"], responses=NoticeDeadlinesOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(NoticeDeadlinesOutputSerializer(selectors.notice_deadline_lists(user=request.user)).data)


class CorrectionListApi(APIView):
    permission_classes = [IsAgencyStaff]
    pagination_class = DefaultCursorPagination

    @extend_schema(
        tags=["disclosures"],
        parameters=[OpenApiParameter("status", str, description="Only requests in this status.")],
        responses=CorrectionRequestOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = selectors.correction_requests_for(user=request.user)
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        return paginated_response(
            self, request, qs, lambda page: CorrectionRequestOutputSerializer(page, many=True).data
        )


class CorrectionAnswerApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(
        tags=["disclosures"], request=CorrectionAnswerInputSerializer, responses=CorrectionRequestOutputSerializer
    )
    def post(self, request: Request, correction_id: str) -> Response:
        data = CorrectionAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = selectors.correction_requests_for(user=request.user).filter(pk=correction_id).first()
        if item is None:
            from backend.common.errors import NotFound

            raise NotFound("更正申请不存在", code="correction_not_found")
        item = services.correction_request_answer(
            request=item, actor=request.user, context=audit_context_from_request(request), **data.validated_data
        )
        return Response(CorrectionRequestOutputSerializer(item).data)
