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

from backend.accounts.models import User
from backend.cases import selectors as case_selectors
from backend.cases.api_support import IDEMPOTENCY_KEY, IF_MATCH, etag_for, parse_if_match
from backend.cases.models import Case
from backend.common.idempotency import IdempotentAPIMixin
from backend.execution import selectors, services
from backend.execution.serializers import (
    CorrectionFollowUpInputSerializer,
    CorrectionInspectInputSerializer,
    CorrectionOrderInputSerializer,
    CorrectionOrderOutputSerializer,
    CourtApplyInputSerializer,
    CourtRulingInputSerializer,
    EnforcementConcludeInputSerializer,
    EnforcementDecideInputSerializer,
    EnforcementOutputSerializer,
    ExecutionAccountOutputSerializer,
    PaymentRecordInputSerializer,
    PaymentRecordOutputSerializer,
    PlanApplyInputSerializer,
    PlanDecideInputSerializer,
    PlanOutputSerializer,
    PropertyFreezeNotifyInputSerializer,
    PropertyHandleInputSerializer,
    PropertyItemOutputSerializer,
    PropertyLedgerOutputSerializer,
    PropertyMoveInputSerializer,
    PropertyRegisterInputSerializer,
    RemedyConcludeInputSerializer,
    RemedyFileInputSerializer,
    RemedyOutputSerializer,
    RemedySuspendInputSerializer,
    RemedyWithdrawInputSerializer,
    ReminderIssueInputSerializer,
    ReminderServeInputSerializer,
    ReminderStatementInputSerializer,
    TransferAcknowledgeInputSerializer,
    TransferDecideInputSerializer,
    TransferOutputSerializer,
    TransferReturnInputSerializer,
    TransferSendInputSerializer,
    TransferSentOutputSerializer,
)
from backend.ledger.services import audit_context_from_request


def _user(request: Request) -> User:
    """The authenticated user (every view here requires one: RoleActionPermission)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _case(request: Request, case_id: uuid.UUID) -> Case:
    """The case if the user may read it (another agency's: 404 ``case_not_found``)."""
    return case_selectors.case_get_for_user(user=_user(request), case_id=case_id)


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


class ExecutionAccountApi(APIView):
    @extend_schema(
        tags=["execution"],
        responses=ExecutionAccountOutputSerializer,
        description="What is owed, the 加处罚款 from the recorded payments (第七十二条; not counted while a 复议/诉讼 "
        "is pending, 第七十三条第三款; capped at the fine), the payments and the balance today.",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        account = selectors.execution_account(case=_case(request, case_id), as_of=timezone.localdate())
        return Response(ExecutionAccountOutputSerializer(account).data)


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
            actor=_user(request),
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
            actor=_user(request),
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        response = Response(RemedyOutputSerializer(remedy).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(_fresh(remedy.case))
        return response


def _record_step_api(
    kind: str,
    name: str,
    *,
    url_kwarg: str,
    service_kwarg: str,
    output_serializer: type,
    input_serializer: type,
    service: Callable[..., Any],
    description: str,
) -> type[APIView]:
    """A POST step on one record of a case (a 复议/诉讼, an item of property, a transfer): parse, call the
    service with the record's id, answer the record and the case's new ``ETag``."""

    class _Api(IdempotentAPIMixin, APIView):
        openapi_response_headers = {"post": ("ETag",)}

        @extend_schema(
            tags=["execution"],
            parameters=[IF_MATCH, IDEMPOTENCY_KEY],
            request=input_serializer,
            responses=output_serializer,
            description=description,
        )
        def post(self, request: Request, case_id: uuid.UUID, **record: int) -> Response:
            case = _case(request, case_id)
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            result = service(
                case=case,
                actor=_user(request),
                context=audit_context_from_request(request),
                expected_version=parse_if_match(request),
                **{service_kwarg: record[url_kwarg]},
                **data.validated_data,
            )
            response = Response(output_serializer(result).data)
            response["ETag"] = etag_for(_fresh(case))
            return response

    _Api.__name__ = _Api.__qualname__ = kind + name.title() + "Api"
    return _Api


def _remedy_step_api(name: str, input_serializer: type, service: Callable[..., Any], description: str) -> type[APIView]:
    return _record_step_api(
        "Remedy", name, url_kwarg="remedy_id", service_kwarg="remedy_id", output_serializer=RemedyOutputSerializer,
        input_serializer=input_serializer, service=service, description=description,
    )


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


class PlanListApplyApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(
        tags=["execution"],
        responses=PlanOutputSerializer(many=True),
        description="The case's 延期/分期 applications and plans, oldest first.",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        return Response(PlanOutputSerializer(selectors.plan_list(case=_case(request, case_id)), many=True).data)

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=PlanApplyInputSerializer,
        responses={201: PlanOutputSerializer},
        description="The party's application to defer or pay in instalments (第六十六条第二款).",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = _case(request, case_id)
        data = PlanApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_apply(
            case=case,
            actor=_user(request),
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        response = Response(PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(_fresh(case))
        return response


class PlanDecideApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=PlanDecideInputSerializer,
        responses=PlanOutputSerializer,
        description="The head approves or refuses, with reasons; an approved schedule replaces the 15-day period.",
    )
    def post(self, request: Request, case_id: uuid.UUID, plan_id: int) -> Response:
        case = _case(request, case_id)
        data = PlanDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_decide(
            case=case,
            plan_id=plan_id,
            actor=_user(request),
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        response = Response(PlanOutputSerializer(plan).data)
        response["ETag"] = etag_for(_fresh(case))
        return response


def _enforcement_body(case: Case) -> dict[str, Any]:
    return {**selectors.enforcement_record(case=case), "case_version": _fresh(case).version}


class EnforcementApi(APIView):
    @extend_schema(
        tags=["execution"],
        responses=EnforcementOutputSerializer,
        description="The 催告书 and the enforcement actions of the case (行政强制法 第三十五条至第五十八条).",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        return Response(EnforcementOutputSerializer(_enforcement_body(_case(request, case_id))).data)


ENFORCEMENT_STEPS: dict[str, tuple[type, Callable[..., Any], str]] = {
    "reminder": (
        ReminderIssueInputSerializer,
        services.reminder_issue,
        "催告书 once the period to pay has passed with a balance (第三十五条).",
    ),
    "reminder_served": (
        ReminderServeInputSerializer,
        services.reminder_serve,
        "The 催告书 was served: ten working days before the court may be asked (第五十四条).",
    ),
    "statement": (
        ReminderStatementInputSerializer,
        services.reminder_statement,
        "The party's 陈述、申辩 and the agency's review (第三十六条).",
    ),
    "decision": (
        EnforcementDecideInputSerializer,
        services.enforcement_decide,
        "The agency's own 强制执行决定 where a law gives it the power (第三十七条、第四十六条). Head only.",
    ),
    "court_application": (
        CourtApplyInputSerializer,
        services.court_apply,
        "Apply to the people's court (第五十三条、第五十四条). Head only.",
    ),
    "court_ruling": (CourtRulingInputSerializer, services.court_ruling, "The court's ruling (第五十七条、第五十八条)."),
    "outcome": (
        EnforcementConcludeInputSerializer,
        services.enforcement_conclude,
        "执行完毕, 中止执行 (第三十九条) or 终结执行 (第四十条). Head only.",
    ),
}


def _enforcement_step_api(name: str) -> type[APIView]:
    input_serializer, service, description = ENFORCEMENT_STEPS[name]

    class _Api(IdempotentAPIMixin, APIView):
        openapi_response_headers = {"post": ("ETag",)}

        @extend_schema(
            tags=["execution"],
            parameters=[IF_MATCH, IDEMPOTENCY_KEY],
            request=input_serializer,
            responses=EnforcementOutputSerializer,
            description=description,
        )
        def post(self, request: Request, case_id: uuid.UUID) -> Response:
            case = _case(request, case_id)
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            service(
                case=case,
                actor=_user(request),
                context=audit_context_from_request(request),
                expected_version=parse_if_match(request),
                **data.validated_data,
            )
            body = _enforcement_body(case)
            response = Response(EnforcementOutputSerializer(body).data)
            response["ETag"] = f'"{body["case_version"]}"'
            return response

    _Api.__name__ = _Api.__qualname__ = "Enforcement" + "".join(p.title() for p in name.split("_")) + "Api"
    return _Api


ENFORCEMENT_STEP_APIS = {name: _enforcement_step_api(name) for name in ENFORCEMENT_STEPS}


# --------------------------------------------------------------------------- 责令改正


class CorrectionOrderApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(
        tags=["execution"],
        responses=CorrectionOrderOutputSerializer,
        description="The decision's 责令改正 (行政处罚法 第二十八条): the order, its period and the follow-up "
        "inspection (404 ``correction_order_not_found`` when none is recorded).",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        order = selectors.correction_order_get(case=_case(request, case_id))
        return Response(CorrectionOrderOutputSerializer(order).data)

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=CorrectionOrderInputSerializer,
        responses={201: CorrectionOrderOutputSerializer},
        description="Record the order to correct within a period; opens the CORRECTION_ORDER deadline.",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = _case(request, case_id)
        data = CorrectionOrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.correction_order(
            case=case,
            actor=_user(request),
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        response = Response(CorrectionOrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(_fresh(order.case))
        return response


def _correction_step_api(
    name: str, input_serializer: type, service: Callable[..., Any], description: str
) -> type[APIView]:
    class _Api(IdempotentAPIMixin, APIView):
        openapi_response_headers = {"post": ("ETag",)}

        @extend_schema(
            tags=["execution"],
            parameters=[IF_MATCH, IDEMPOTENCY_KEY],
            request=input_serializer,
            responses=CorrectionOrderOutputSerializer,
            description=description,
        )
        def post(self, request: Request, case_id: uuid.UUID) -> Response:
            case = _case(request, case_id)
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            order = service(
                case=case,
                actor=_user(request),
                context=audit_context_from_request(request),
                expected_version=parse_if_match(request),
                **values,
            )
            response = Response(CorrectionOrderOutputSerializer(order).data)
            response["ETag"] = etag_for(_fresh(order.case))
            return response

    _Api.__name__ = _Api.__qualname__ = "Correction" + name.title().replace("_", "") + "Api"
    return _Api


CORRECTION_STEP_APIS = {
    "inspection": _correction_step_api(
        "inspection",
        CorrectionInspectInputSerializer,
        services.correction_inspect,
        "The follow-up inspection (复查, ≥ 2 officers) and its outcome; ``not_corrected`` only after the period "
        "(409 ``correction_period_running``).",
    ),
    "follow_up_case": _correction_step_api(
        "follow_up_case",
        CorrectionFollowUpInputSerializer,
        services.correction_follow_up,
        "Not corrected within the period: open a new case (线索登记) on the same party; answers the order with "
        "the new case's id.",
    ),
}


# --------------------------------------------------------------------------- 涉案财物


class PropertyApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(
        tags=["execution"],
        responses=PropertyLedgerOutputSerializer,
        description="The case's 涉案财物: every item of the 清单 with its custody, movements and handling, "
        "counted per status (``reconciled``: every item handled, 结案 may follow).",
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        return Response(PropertyLedgerOutputSerializer(selectors.property_ledger(case=_case(request, case_id))).data)

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=PropertyRegisterInputSerializer,
        responses={201: PropertyItemOutputSerializer(many=True)},
        description="Register the 清单 of a 查封扣押 / 先行登记保存 (on its 决定书) or a 冻结 (with its legal "
        "authority; opens FREEZE and FREEZE_NOTICE).",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = _case(request, case_id)
        data = PropertyRegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = services.property_register(
            case=case,
            actor=_user(request),
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        response = Response(PropertyItemOutputSerializer(items, many=True).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(_fresh(case))
        return response


class PropertyFreezeNotifyApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=PropertyFreezeNotifyInputSerializer,
        responses=PropertyItemOutputSerializer(many=True),
        description="The 冻结决定书 was delivered to the party (3 working days, 行政强制法 第三十一条).",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = _case(request, case_id)
        data = PropertyFreezeNotifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = services.property_freeze_notify(
            case=case,
            actor=_user(request),
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        response = Response(PropertyItemOutputSerializer(items, many=True).data)
        response["ETag"] = etag_for(_fresh(case))
        return response


def _property_step_api(
    name: str, input_serializer: type, service: Callable[..., Any], description: str
) -> type[APIView]:
    return _record_step_api(
        "Property", name, url_kwarg="property_id", service_kwarg="item_id",
        output_serializer=PropertyItemOutputSerializer, input_serializer=input_serializer,
        service=service, description=description,
    )


PROPERTY_STEP_APIS = {
    "move": _property_step_api(
        "move", PropertyMoveInputSerializer, services.property_move,
        "The item changes custody place or keeper (行政强制法 第二十六条); audited as a movement.",
    ),
    "handle": _property_step_api(
        "handle", PropertyHandleInputSerializer, services.property_handle,
        "The head's handling of the item with its basis: 解除 / 返还 / 没收 / 拍卖 / 销毁 / 移交 (没收、拍卖、销毁 "
        "need a decision in force; the last item of a measure meets its time limit).",
    ),
}  # fmt: skip


# --------------------------------------------------------------------------- 移送


class TransferListSendApi(IdempotentAPIMixin, APIView):
    openapi_response_headers = {"post": ("ETag",)}

    @extend_schema(tags=["execution"], responses=TransferOutputSerializer(many=True),
                   description="The case's transfers (移送), oldest first.")  # fmt: skip
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        transfers = selectors.transfer_list(case=_case(request, case_id))
        return Response(TransferOutputSerializer(transfers, many=True).data)

    @extend_schema(
        tags=["execution"],
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=TransferSendInputSerializer,
        responses={201: TransferSentOutputSerializer},
        description="The head sends a case decided 移送 with its package (a verifiable evidence bundle behind a "
        "share link for the organ); property in custody goes with it (行政强制法 第二十一条).",
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        case = _case(request, case_id)
        data = TransferSendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent = services.transfer_send(
            case=case,
            actor=_user(request),
            context=audit_context_from_request(request),
            expected_version=parse_if_match(request),
            **data.validated_data,
        )
        body = TransferSentOutputSerializer({"transfer": sent.transfer, "token": sent.token}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(_fresh(case))
        return response


def _transfer_step_api(
    name: str, input_serializer: type, service: Callable[..., Any], description: str
) -> type[APIView]:
    return _record_step_api(
        "Transfer", name, url_kwarg="transfer_id", service_kwarg="transfer_id",
        output_serializer=TransferOutputSerializer, input_serializer=input_serializer,
        service=service, description=description,
    )


TRANSFER_STEP_APIS = {
    "acknowledge": _transfer_step_api("acknowledge", TransferAcknowledgeInputSerializer, services.transfer_acknowledge,
                                      "The receiving organ signed for the case and its package."),
    "decision": _transfer_step_api("decision", TransferDecideInputSerializer, services.transfer_decide,
                                   "The organ's decision: 立案 or 不予立案."),
    "return": _transfer_step_api("return", TransferReturnInputSerializer, services.transfer_return,
                                 "A declined case comes back (the head records it with the reason)."),
}  # fmt: skip
