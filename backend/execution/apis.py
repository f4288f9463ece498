"""Execution API: thin views under ``/cases/<id>/`` — parse, call one service or selector, serialize.

Every write is a POST that takes ``Idempotency-Key`` and honours ``If-Match`` (the case's ETag) and answers
the case's new ``ETag``; the case's row lock serialises them with the lifecycle's own steps.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.cases import selectors as case_selectors
from backend.cases.apis import IDEMPOTENCY_KEY, IF_MATCH, etag_for, parse_if_match
from backend.cases.models import Case
from backend.common.idempotency import IdempotentAPIMixin
from backend.execution import selectors, services
from backend.execution.serializers import (
    AccountOutputSerializer,
    PaymentRecordInputSerializer,
    PaymentRecordOutputSerializer,
    RemedyConcludeInputSerializer,
    RemedyFileInputSerializer,
    RemedyOutputSerializer,
    RemedySuspendInputSerializer,
    RemedyWithdrawInputSerializer,
)
from backend.ledger.services import audit_context_from_request


def _case(request: Request, case_id: uuid.UUID) -> Case:
    """The case if the user may read it (another agency's: 404 ``case_not_found``)."""
    return case_selectors.case_get_for_user(user=request.user, case_id=case_id)


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


class ExecutionAccountApi(APIView):
    @extend_schema(
        tags=["execution"],
        responses=AccountOutputSerializer,
        description="What is owed, the 加处罚款 from the recorded payments (第七十二条; not counted while a 复议/诉讼 "
        "is pending, 第七十三条第三款; capped at the fine), the payments and the balance today.",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        account = selectors.execution_account(case=_case(request, case_id), as_of=timezone.localdate())
        return Response(AccountOutputSerializer(account).data)


class PaymentRecordApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=PaymentRecordInputSerializer,
        responses={201: PaymentRecordOutputSerializer},
        description="Record a payment (partial allowed). The first payment starts 执行; clearing the "
        "balance records 执行完毕.",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = _case(request, case_id)  # another agency's case: 404 before anything about the body
        data = PaymentRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment, case = services.payment_record(
            case=case,
            actor=request.user,
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        account = selectors.execution_account(case=case, as_of=timezone.localdate())
        body = {"payment": payment, "account": account, "case_status": case.status, "case_version": case.version}
        response = Response(PaymentRecordOutputSerializer(body).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(case)
        return response


class RemedyListFileApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(
        tags=["execution"],
        responses=RemedyOutputSerializer(many=True),
        description="The case's 复议 and 诉讼, oldest first (a case has a handful at most).",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        remedies = selectors.remedy_list(case=_case(request, case_id))
        return Response(RemedyOutputSerializer(remedies, many=True).data)

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=RemedyFileInputSerializer,
        responses={201: RemedyOutputSerializer},
        description="The party applied for 复议 (60 days) or sued (6 months; 15 days after a 复议决定).",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = _case(request, case_id)
        data = RemedyFileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        remedy = services.remedy_file(
            case=case,
            actor=request.user,
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        response = Response(RemedyOutputSerializer(remedy).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(_fresh(remedy.case))
        return response


def _remedy_step_api(name: str, input_serializer: type, service: Callable[..., Any], description: str) -> type[APIView]:
    class _Api(IdempotentAPIMixin, APIView):
        openapi_response_headers = {"post": ("ETag",)}

        @extend_schema(
            tags=["execution"],
            parameters=[IF_MATCH, IDEMPOTENCY_KEY],
            request=input_serializer,
            responses=RemedyOutputSerializer,
            description=description,
        )
        def post(self, request: Request, case_id: uuid.UUID, remedy_id: int) -> Response:
            case = _case(request, case_id)
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            remedy = service(
                case=case,
                remedy_id=remedy_id,
                actor=request.user,
                context=audit_context_from_request(request),
                expected_version=parse_if_match(request),
                **data.validated_data,
            )
            response = Response(RemedyOutputSerializer(remedy).data)
            response["ETag"] = etag_for(_fresh(remedy.case))
            return response

    _Api.__name__ = _Api.__qualname__ = "Remedy" + name.title() + "Api"
    return _Api


REMEDY_STEP_APIS = {
    "suspend": _remedy_step_api(
        "suspend",
        RemedySuspendInputSerializer,
        services.remedy_suspend,
        "Execution stops while the remedy is pending (行政复议法 第四十二条; 行政诉讼法 第五十六条). Head only.",
    ),
    "conclude": _remedy_step_api(
        "conclude",
        RemedyConcludeInputSerializer,
        services.remedy_conclude,
        "The 复议决定 or judgment: 维持, or 变更/撤销/确认违法/确认无效 — which corrects the decision and withdraws "
        "(and for 变更 re-publishes) its public notice (第四十八条第二款). Head only.",
    ),
    "withdraw": _remedy_step_api(
        "withdraw",
        RemedyWithdrawInputSerializer,
        services.remedy_withdraw,
        "撤回复议申请 / 撤诉: the decision stands; the surcharge counts again.",
    ),
}
