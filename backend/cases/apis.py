"""Cases API: thin views — parse, call one service or selector, serialize.

Sync rules for the mobile apps (api_docs/guides/sync.md): every POST takes an ``Idempotency-Key``; the
detail answers an ``ETag`` (the case version); PATCH needs ``If-Match`` (428 without, 412 when stale);
transition POSTs honour ``If-Match`` when sent; the list is a compact delta feed with ``updated_since``.
"""
from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.cases import selectors, services
from backend.cases.api_support import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_MATCH_REQUIRED,
    CaseActionApi,
    detail_etag,
    parse_if_match,
    step_input,
    with_etag,
)
from backend.cases.models import CashCollection
from backend.cases.serializers import (
    CaseCreateInputSerializer,
    CaseDetailOutputSerializer,
    CaseListOutputSerializer,
    CaseMaskedDetailOutputSerializer,
    CaseStateOutputSerializer,
    CaseSummaryCreateInputSerializer,
    CaseUpdateInputSerializer,
    CashCollectInputSerializer,
    CashCollectionOutputSerializer,
    CashDepositedInputSerializer,
    CashHandedInInputSerializer,
    CashLandedInputSerializer,
    CorrectionInputSerializer,
    DeadlineExtendInputSerializer,
    DeadlineOutputSerializer,
    ExecutionInputSerializer,
    ExtendDecisionInputSerializer,
    OfficersInputSerializer,
    RetentionInputSerializer,
    RetentionOutputSerializer,
    TimelineEntryOutputSerializer,
    WaiverInputSerializer,
)
from backend.cases.transition_serializers import TRANSITION_INPUTS
from backend.cases.workflow import TRANSITIONS
from backend.common.conditional import if_none_match_hits
from backend.common.errors import NotFound
from backend.common.idempotency import IdempotentAPIMixin
from backend.common.inputs import parse_client_datetime
from backend.common.pagination import DefaultCursorPagination, RecordedOrderPagination, paginated_response
from backend.ledger.services import audit_context_from_request


class CaseSyncPagination(DefaultCursorPagination):
    """Newest first by default; oldest change first for the delta feed (``?updated_since=``)."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.ordering = ("updated_at", "id") if request.query_params.get("updated_since") else ("-created_at", "id")
        return super().paginate_queryset(queryset, request, view)


# --------------------------------------------------------------------------- cases


class CaseListCreateApi(IdempotentAPIMixin, APIView):
    pagination_class = CaseSyncPagination
    openapi_response_headers = {"get": ("X-Server-Time",), "post": ("ETag", "Location")}

    @extend_schema(
        tags=["cases"],
        parameters=[
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Delta feed: changed after."),
            OpenApiParameter("status", OpenApiTypes.STR, description="Comma-separated statuses."),
            OpenApiParameter("procedure", OpenApiTypes.STR, enum=["summary", "general"]),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only cases I handle."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Case number or title contains."),
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=CaseListOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        since = parse_client_datetime(
            request.query_params.get("updated_since"), field="updated_since", code="invalid_updated_since"
        )
        qs = selectors.case_list_for_user(
            user=request.user,
            updated_since=since,
            status=request.query_params.get("status"),
            procedure=request.query_params.get("procedure"),
            mine=request.query_params.get("mine") in ("1", "true", "yes"),
            search=request.query_params.get("q", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        response = paginator.get_paginated_response(CaseListOutputSerializer(page, many=True).data)
        response["X-Server-Time"] = timezone.now().isoformat()
        return response

    @extend_schema(tags=["cases"], parameters=[IDEMPOTENCY_KEY], request=CaseCreateInputSerializer,
                   responses={201: CaseStateOutputSerializer})
    def post(self, request: Request) -> Response:
        data = CaseCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        case = services.case_create(
            actor=request.user,
            context=audit_context_from_request(request),
            case_id=fields.pop("id", None),
            officer_ids=fields.pop("officer_ids", []),
            clue_received_on=fields.pop("clue_received_on", None),
            fields=fields,
        )
        response = Response(CaseStateOutputSerializer(case).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/cases/{case.id}/"
        return with_etag(response, case)


class CaseSummaryCreateApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag", "Location")}

    @extend_schema(
        tags=["cases"], parameters=[IDEMPOTENCY_KEY], request=CaseSummaryCreateInputSerializer,
        responses={201: CaseStateOutputSerializer},
        description="简易程序当场处罚: creates the case already decided on the spot (行政处罚法 第五十一、五十二条).",
    )
    def post(self, request: Request) -> Response:
        data = CaseSummaryCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        case = services.case_create_summary(
            actor=request.user,
            context=audit_context_from_request(request),
            case_id=fields.pop("id", None),
            officer_ids=fields.pop("officer_ids"),
            measures=fields.pop("measures"),
            decided_at=fields.pop("decided_at", None),
            form_number=fields.pop("form_number", ""),
            paid_on_spot=fields.pop("paid_on_spot", False) or bool(fields.get("cash_collection")),
            cash_collection=fields.pop("cash_collection", None),
            attachment_ids=fields.pop("attachment_ids", []),
            fields=fields,
        )
        response = Response(CaseStateOutputSerializer(case).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/cases/{case.id}/"
        return with_etag(response, case)


class CaseDetailApi(APIView):
    openapi_response_headers = {"get": ("ETag",), "patch": ("ETag",)}

    @extend_schema(
        tags=["cases"],
        parameters=[
            OpenApiParameter("masked", OpenApiTypes.BOOL, description="Mask the party's personal data (not audited)."),
            OpenApiParameter("purpose", OpenApiTypes.STR, description="Why the full record is read (audited)."),
        ],
        responses={
            200: CaseDetailOutputSerializer,
            304: OpenApiResponse(description="If-None-Match matched (weak comparison): nothing changed."),
        },
        description="The full case. Showing the party's personal data writes a case.personal_data_read audit event.",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        masked = request.query_params.get("masked") in ("1", "true", "yes")
        serializer = CaseMaskedDetailOutputSerializer if masked else CaseDetailOutputSerializer
        body = serializer(case, context={"today": timezone.localdate()}).data
        etag = detail_etag(case, body)
        if if_none_match_hits(request.headers.get("If-None-Match"), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})  # nothing shown: no read
        if not masked:
            services.case_record_personal_data_read(
                case=case, actor=request.user, context=audit_context_from_request(request),
                purpose=request.query_params.get("purpose", "")[:200],
            )
        return Response(body, headers={"ETag": etag})

    @extend_schema(tags=["cases"], parameters=[IF_MATCH_REQUIRED], request=CaseUpdateInputSerializer,
                   responses=CaseStateOutputSerializer)
    def patch(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        expected = parse_if_match(request, required=True)
        data = CaseUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        case = services.case_update(
            case=case, actor=request.user, context=audit_context_from_request(request),
            fields=dict(data.validated_data), expected_version=expected,
        )
        return with_etag(Response(CaseStateOutputSerializer(case).data), case)


def _make_transition_api(name: str) -> type[APIView]:
    transition = TRANSITIONS[name]
    input_serializer = TRANSITION_INPUTS[name]
    service = services.TRANSITION_SERVICES[name]

    class _TransitionApi(IdempotentAPIMixin, APIView):
        openapi_response_headers = {"post": ("ETag",)}

        @extend_schema(
            tags=["case lifecycle"],
            operation_id=f"cases_{name}",
            summary=transition.label,
            description=(
                f"{transition.label}: from {', '.join(sorted(transition.sources))} "
                f"to {transition.target or '(decided by the service)'}; by {', '.join(sorted(transition.who))}. "
                f"依据: {transition.basis}. An unmet precondition answers 409 with its code."
            ),
            parameters=[IF_MATCH, IDEMPOTENCY_KEY],
            request=input_serializer,
            responses=CaseStateOutputSerializer,
        )
        def post(self, request: Request, case_id: uuid.UUID) -> Response:
            case = selectors.case_get_for_user(user=request.user, case_id=case_id)
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            step = step_input(values)
            case = service(
                case=case,
                actor=request.user,
                context=audit_context_from_request(request),
                step=step,
                expected_version=parse_if_match(request),
                **values,
            )
            return with_etag(Response(CaseStateOutputSerializer(case).data), case)

    _TransitionApi.__name__ = "Case" + "".join(part.title() for part in name.split("_")) + "Api"
    _TransitionApi.__qualname__ = _TransitionApi.__name__
    return _TransitionApi


TRANSITION_APIS = {name: _make_transition_api(name) for name in TRANSITIONS}

class CaseOfficersApi(CaseActionApi):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(tags=["cases"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=OfficersInputSerializer,
                   responses=CaseStateOutputSerializer, description="The head assigns the handling officers (≥ 2).")
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = OfficersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_assign_officers(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            officer_ids=data.validated_data["officer_ids"], expected_version=parse_if_match(request),
        )
        return with_etag(Response(CaseStateOutputSerializer(case).data), case)


class CaseWaiverApi(CaseActionApi):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(tags=["cases"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=WaiverInputSerializer,
                   responses=CaseStateOutputSerializer,
                   description="The party expressly waives the statement/defence and/or the hearing (第六十二条).")
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = WaiverInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_record_waiver(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            expected_version=parse_if_match(request), **data.validated_data,
        )
        return with_etag(Response(CaseStateOutputSerializer(case).data), case)


class CaseExecutionApi(CaseActionApi):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(tags=["cases"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=ExecutionInputSerializer,
                   responses=CaseStateOutputSerializer, description="执行完毕 (starts the 15-working-day 结案 limit).")
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = ExecutionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_record_execution(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            expected_version=parse_if_match(request), **data.validated_data,
        )
        return with_etag(Response(CaseStateOutputSerializer(case).data), case)


class CaseExtendDecisionApi(CaseActionApi):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(tags=["cases"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=ExtendDecisionInputSerializer,
                   responses=CaseStateOutputSerializer,
                   description="The head approves extending the 90-day decision limit by 30 days (第六十条).")
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = ExtendDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_extend_decision(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            expected_version=parse_if_match(request), **data.validated_data,
        )
        return with_etag(Response(CaseStateOutputSerializer(case).data), case)


class CaseDeadlineExtendApi(CaseActionApi):
    @extend_schema(tags=["deadlines"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=DeadlineExtendInputSerializer,
                   responses=DeadlineOutputSerializer,
                   description="The head approves extending a time limit (核查, 查封扣押, 冻结, 审核, 决定).")
    def post(self, request: Request, case_id: uuid.UUID, rule_code: str) -> Response:
        data = DeadlineExtendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deadline = services.case_extend_deadline(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            rule_code=rule_code, reason=data.validated_data["reason"], expected_version=parse_if_match(request),
        )
        return Response(DeadlineOutputSerializer(deadline, context={"today": timezone.localdate()}).data)


class CaseCashCollectionApi(CaseActionApi):
    @extend_schema(tags=["cases"], responses=CashCollectionOutputSerializer)
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        collection = CashCollection.objects.filter(case=self._case(request, case_id)).first()
        if collection is None:
            raise NotFound("本案没有当场收缴的罚款")
        return Response(CashCollectionOutputSerializer(collection).data)

    @extend_schema(tags=["cases"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=CashCollectInputSerializer,
                   responses={201: CashCollectionOutputSerializer},
                   description="当场收缴 of a 普通程序 fine after service: only in 边远、水上、交通不便地区 at the "
                               "party's request (行政处罚法 第六十九条), with the 专用票据 number (第七十条). Opens "
                               "the 2-working-day hand-in deadline (第七十一条).")
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = CashCollectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collection = services.case_collect_cash(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            expected_version=parse_if_match(request), **data.validated_data,
        )
        return Response(CashCollectionOutputSerializer(collection).data, status=status.HTTP_201_CREATED)


def _make_cash_step_api(name: str, input_serializer: type, service: Any, description: str) -> type[APIView]:
    class _CashStepApi(CaseActionApi):
        @extend_schema(tags=["cases"], operation_id=f"cases_cash_collection_{name}",
                       parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=input_serializer,
                       responses=CashCollectionOutputSerializer, description=description)
        def post(self, request: Request, case_id: uuid.UUID) -> Response:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            collection = service(
                case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
                expected_version=parse_if_match(request), **data.validated_data,
            )
            return Response(CashCollectionOutputSerializer(collection).data)

    _CashStepApi.__name__ = _CashStepApi.__qualname__ = "CaseCash" + name.title().replace("_", "") + "Api"
    return _CashStepApi


CASH_STEP_APIS = {
    "landed": _make_cash_step_api(
        "landed", CashLandedInputSerializer, services.case_cash_landed,
        "Fines collected on water: the day the officer reached the shore; the 2 working days to hand them in "
        "start (行政处罚法 第七十一条).",
    ),
    "handed_in": _make_cash_step_api(
        "handed_in", CashHandedInInputSerializer, services.case_cash_handed_in,
        "The collected fine was handed to the agency (within 2 working days, 第七十一条); the agency's 2 working "
        "days to pay it into the bank start.",
    ),
    "deposited": _make_cash_step_api(
        "deposited", CashDepositedInputSerializer, services.case_cash_deposited,
        "The agency paid the fine into the designated bank (within 2 working days, 第七十一条).",
    ),
}


class CaseCorrectionApi(CaseActionApi):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(tags=["cases"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=CorrectionInputSerializer,
                   responses=CaseStateOutputSerializer,
                   description="变更/撤销/确认违法/确认无效 of the decision; withdraws the public notice (第四十八条).")
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = CorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_correct_decision(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            expected_version=parse_if_match(request), **data.validated_data,
        )
        return with_etag(Response(CaseStateOutputSerializer(case).data), case)


class CaseRetentionApi(CaseActionApi):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(tags=["cases"], responses=RetentionOutputSerializer)
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        return Response(RetentionOutputSerializer(self._case(request, case_id)).data)

    @extend_schema(tags=["cases"], parameters=[IF_MATCH, IDEMPOTENCY_KEY], request=RetentionInputSerializer,
                   responses=RetentionOutputSerializer, description="Retention term and legal hold (head).")
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = RetentionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_set_retention(
            case=self._case(request, case_id), actor=request.user, context=audit_context_from_request(request),
            expected_version=parse_if_match(request), **data.validated_data,
        )
        return with_etag(Response(RetentionOutputSerializer(case).data), case)


class CaseTimelineApi(APIView):
    pagination_class = RecordedOrderPagination

    @extend_schema(tags=["cases"], responses=TimelineEntryOutputSerializer(many=True),
                   description="Every audit event of the case (by case_id), joined with transitions and documents; "
                               "oldest first, in recording order.")
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return paginated_response(
            self, request, selectors.case_timeline_events(case=case),
            lambda page: TimelineEntryOutputSerializer(
                selectors.case_timeline_entries(case=case, events=page), many=True
            ).data,
        )


class CaseDeadlinesApi(APIView):
    @extend_schema(tags=["deadlines"], responses=DeadlineOutputSerializer(many=True))
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        today = timezone.localdate()
        qs = selectors.deadline_list_for_user(user=request.user, case=case, bucket="all", today=today)
        return Response(DeadlineOutputSerializer(qs, many=True, context={"today": today}).data)

