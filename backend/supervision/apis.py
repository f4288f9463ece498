"""Supervision API (``/api/v1/supervision/…``): thin views — parse, call one service or selector, serialize.

Who: a 执法监督人员 (``supervisor``) of a supervising body issues and reviews orders and decides fault cases
(``Action.SUPERVISE``); the supervised agency's head answers (``write``); its auditor reads. A procurator
reads only what a grant names (``/supervision/procuratorate/…``, ``Action.SUPERVISE``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Role, User
from backend.accounts.permissions import Action, HasRole
from backend.cases.serializers import CaseDetailOutputSerializer
from backend.common.errors import ApplicationError, NotFound
from backend.common.idempotency import IdempotentAPIMixin
from backend.common.pagination import DefaultCursorPagination, paginated_response
from backend.disclosures.selectors import agency_public_get
from backend.evidence.serializers import EvidenceItemOutputSerializer
from backend.ledger.apis import PublicApi
from backend.ledger.services import audit_context_from_request
from backend.sharing import services as bundles
from backend.sharing.apis import BUNDLE_HEADERS, ZIP_RESPONSE, bundle_zip_response
from backend.supervision import annual_report, indicators, selectors, services
from backend.supervision.serializers import (
    AgencyIndicatorsOutputSerializer,
    AnnualReportOutputSerializer,
    AnnualReportPublishInputSerializer,
    AnnualReportSubmitInputSerializer,
    EvaluationOutputSerializer,
    EvaluationSubmitInputSerializer,
    FaultCloseInputSerializer,
    FaultDecideInputSerializer,
    FaultOpenInputSerializer,
    FaultOutputSerializer,
    GrantCreateInputSerializer,
    GrantOutputSerializer,
    GrantRevokeInputSerializer,
    IndicatorDetailOutputSerializer,
    IndicatorRankingFilterSerializer,
    IndicatorYearSerializer,
    OrderAnswerInputSerializer,
    OrderFilterSerializer,
    OrderIssueInputSerializer,
    OrderOutputSerializer,
    OrderReviewInputSerializer,
    PublicAnnualReportOutputSerializer,
    RankedIndicatorsOutputSerializer,
    ResponsibleChainOutputSerializer,
    SampleDetailOutputSerializer,
    SampleDrawInputSerializer,
    SampleOutputSerializer,
    StandardCreateInputSerializer,
    StandardOutputSerializer,
    SuggestionAnswerInputSerializer,
    SuggestionFileInputSerializer,
    SuggestionOutputSerializer,
    SupervisedAgencyOutputSerializer,
)

TAG = "supervision"
TAG_PROC = "supervision: procuratorate"

# Readers of supervision records: the supervisor (its subtree), the agency's head and auditor (their own).
Readers = HasRole(Role.SUPERVISOR, Role.AGENCY_HEAD, Role.AUDITOR)
Supervisors = HasRole(Role.SUPERVISOR)
Heads = HasRole(Role.AGENCY_HEAD)
Procurators = HasRole(Role.PROCURATOR)
# An agency, case or grant named in the body that does not exist for the caller (not revealed).
NAMED_NOT_FOUND = OpenApiResponse(description="named agency, case or grant not found (for you)")


def _user(request: Request) -> User:
    """The authenticated caller (every view here requires a role: an anonymous request was refused 401)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def _ctx(request: Request) -> Any:
    return audit_context_from_request(request)


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class _SuperviseOnWrite:
    """A view whose writes are supervision actions (``Action.SUPERVISE``) and whose reads are reads."""

    @property
    def request_action(self) -> Action | None:
        request = getattr(self, "request", None)
        return Action.SUPERVISE if request is not None and request.method == "POST" else None


class SupervisedAgencyListApi(APIView):
    permission_classes = [HasRole(Role.SUPERVISOR, Role.AUDITOR)]

    @extend_schema(tags=[TAG], responses=SupervisedAgencyOutputSerializer(many=True),
                   summary="监督范围内的执法主体（机构树）")  # fmt: skip
    def get(self, request: Request) -> Response:
        agencies = selectors.supervised_agencies(user=_user(request))
        return Response(SupervisedAgencyOutputSerializer(agencies, many=True).data)


# --------------------------------------------------------------------------- 责令纠正 / 执法监督意见书


class OrderListCreateApi(_SuperviseOnWrite, IdempotentAPIMixin, APIView):
    pagination_class = DefaultCursorPagination

    def get_permissions(self) -> list[Any]:
        return [Supervisors()] if self.request.method == "POST" else [Readers()]

    @extend_schema(tags=[TAG], parameters=[OrderFilterSerializer], responses=OrderOutputSerializer(many=True),
                   summary="责令纠正通知书、执法监督意见书")  # fmt: skip
    def get(self, request: Request) -> Response:
        filters = OrderFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.order_list(
            user=_user(request),
            status=filters.validated_data.get("status"),
            agency_id=filters.validated_data.get("agency"),
        )
        return paginated_response(self, request, qs, lambda page: OrderOutputSerializer(page, many=True).data)

    @extend_schema(tags=[TAG], request=OrderIssueInputSerializer,
                   responses={201: OrderOutputSerializer, 404: NAMED_NOT_FOUND},
                   summary="制发责令纠正通知书 / 执法监督意见书（执法监督人员）")  # fmt: skip
    def post(self, request: Request) -> Response:
        data = _validated(OrderIssueInputSerializer, request)
        agency = selectors.agency_get_supervised(user=_user(request), agency_id=data.pop("agency"))
        case_id = data.pop("case", None)
        case = selectors.case_get_supervised(user=_user(request), case_id=case_id) if case_id else None
        order = services.order_issue(actor=_user(request), context=_ctx(request), agency=agency, case=case, **data)
        return Response(OrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(APIView):
    permission_classes = [Readers]

    @extend_schema(tags=[TAG], responses=OrderOutputSerializer, summary="监督文书详情")
    def get(self, request: Request, order_id: uuid.UUID) -> Response:
        return Response(OrderOutputSerializer(selectors.order_get(user=_user(request), order_id=order_id)).data)


class OrderAnswerApi(IdempotentAPIMixin, APIView):
    permission_classes = [Heads]

    @extend_schema(tags=[TAG], request=OrderAnswerInputSerializer, responses=OrderOutputSerializer,
                   summary="被监督机关负责人答复整改情况")  # fmt: skip
    def post(self, request: Request, order_id: uuid.UUID) -> Response:
        order = selectors.order_get(user=_user(request), order_id=order_id)
        data = _validated(OrderAnswerInputSerializer, request)
        order = services.order_answer(order=order, actor=_user(request), context=_ctx(request), **data)
        return Response(OrderOutputSerializer(order).data)


class OrderReviewApi(IdempotentAPIMixin, APIView):
    permission_classes = [Supervisors]
    request_action = Action.SUPERVISE

    @extend_schema(tags=[TAG], request=OrderReviewInputSerializer, responses=OrderOutputSerializer,
                   summary="审查整改答复：办结或退回重新整改（执法监督人员）")  # fmt: skip
    def post(self, request: Request, order_id: uuid.UUID) -> Response:
        order = selectors.order_get(user=_user(request), order_id=order_id)
        data = _validated(OrderReviewInputSerializer, request)
        order = services.order_review(order=order, actor=_user(request), context=_ctx(request), **data)
        return Response(OrderOutputSerializer(order).data)


# --------------------------------------------------------------------------- 过错追究


class ResponsibleChainApi(APIView):
    permission_classes = [Readers]

    @extend_schema(tags=[TAG], responses=ResponsibleChainOutputSerializer,
                   summary="案件决定的责任链（从审计链读取）")  # fmt: skip
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = selectors.case_get_supervised(user=_user(request), case_id=case_id)
        return Response(
            ResponsibleChainOutputSerializer(
                {
                    "case": case.pk,
                    "case_number": case.case_number,
                    "decision_number": case.decision_number,
                    "decision_state": case.decision_state,
                    "chain": selectors.responsible_chain(case_id=case.pk),
                }
            ).data
        )


class FaultListCreateApi(_SuperviseOnWrite, IdempotentAPIMixin, APIView):
    pagination_class = DefaultCursorPagination

    def get_permissions(self) -> list[Any]:
        return [Supervisors()] if self.request.method == "POST" else [Readers()]

    @extend_schema(tags=[TAG], responses=FaultOutputSerializer(many=True), summary="执法过错追究案件")
    def get(self, request: Request) -> Response:
        qs = selectors.fault_list(user=_user(request))
        return paginated_response(self, request, qs, lambda page: FaultOutputSerializer(page, many=True).data)

    @extend_schema(tags=[TAG], request=FaultOpenInputSerializer,
                   responses={201: FaultOutputSerializer, 404: NAMED_NOT_FOUND},
                   summary="监督中发现过错，立案追究（执法监督人员）")  # fmt: skip
    def post(self, request: Request) -> Response:
        data = _validated(FaultOpenInputSerializer, request)
        case = selectors.case_get_supervised(user=_user(request), case_id=data["case"])
        fault = services.fault_case_open(actor=_user(request), context=_ctx(request), case=case, reason=data["reason"])
        return Response(FaultOutputSerializer(fault).data, status=status.HTTP_201_CREATED)


class FaultDetailApi(APIView):
    permission_classes = [Readers]

    @extend_schema(tags=[TAG], responses=FaultOutputSerializer, summary="过错追究案件详情（含责任链）")
    def get(self, request: Request, fault_id: uuid.UUID) -> Response:
        return Response(FaultOutputSerializer(selectors.fault_get(user=_user(request), fault_id=fault_id)).data)


class FaultDecideApi(IdempotentAPIMixin, APIView):
    permission_classes = [Supervisors]
    request_action = Action.SUPERVISE

    @extend_schema(tags=[TAG], request=FaultDecideInputSerializer, responses=FaultOutputSerializer,
                   summary="认定过错与责任人员（执法监督人员）")  # fmt: skip
    def post(self, request: Request, fault_id: uuid.UUID) -> Response:
        fault = selectors.fault_get(user=_user(request), fault_id=fault_id)
        data = _validated(FaultDecideInputSerializer, request)
        fault = services.fault_case_decide(fault=fault, actor=_user(request), context=_ctx(request), **data)
        return Response(FaultOutputSerializer(fault).data)


class FaultCloseApi(IdempotentAPIMixin, APIView):
    permission_classes = [Supervisors]
    request_action = Action.SUPERVISE

    @extend_schema(tags=[TAG], request=FaultCloseInputSerializer, responses=FaultOutputSerializer,
                   summary="过错追究结案（执法监督人员）")  # fmt: skip
    def post(self, request: Request, fault_id: uuid.UUID) -> Response:
        fault = selectors.fault_get(user=_user(request), fault_id=fault_id)
        data = _validated(FaultCloseInputSerializer, request)
        fault = services.fault_case_close(fault=fault, actor=_user(request), context=_ctx(request), **data)
        return Response(FaultOutputSerializer(fault).data)


# --------------------------------------------------------------------------- 检察监督: the agency's side


class GrantListCreateApi(IdempotentAPIMixin, APIView):
    pagination_class = DefaultCursorPagination

    def get_permissions(self) -> list[Any]:
        return [Heads()] if self.request.method == "POST" else [HasRole(Role.AGENCY_HEAD, Role.AUDITOR)()]

    @extend_schema(tags=[TAG_PROC], responses=GrantOutputSerializer(many=True), summary="本机关的检察调阅授权")
    def get(self, request: Request) -> Response:
        qs = selectors.grant_list(user=_user(request))
        return paginated_response(self, request, qs, lambda page: GrantOutputSerializer(page, many=True).data)

    @extend_schema(tags=[TAG_PROC], request=GrantCreateInputSerializer,
                   responses={201: GrantOutputSerializer, 404: NAMED_NOT_FOUND},
                   summary="授权检察机关人员限期调阅指定案件（机关负责人）")  # fmt: skip
    def post(self, request: Request) -> Response:
        data = _validated(GrantCreateInputSerializer, request)
        grantee = User.objects.filter(pk=data.pop("grantee")).first()
        if grantee is None:
            raise ApplicationError(
                "grantee_not_procurator",
                "被授权人须为检察机关人员",
                status=422,
                fields={"grantee": ["须为检察机关人员"]},
            )
        grant = services.grant_create(
            actor=_user(request), context=_ctx(request), grantee=grantee, case_ids=data.pop("cases"), **data
        )
        return Response(GrantOutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class GrantRevokeApi(IdempotentAPIMixin, APIView):
    permission_classes = [Heads]

    @extend_schema(tags=[TAG_PROC], request=GrantRevokeInputSerializer, responses=GrantOutputSerializer,
                   summary="撤销检察调阅授权（机关负责人）")  # fmt: skip
    def post(self, request: Request, grant_id: uuid.UUID) -> Response:
        grant = selectors.grant_get(user=_user(request), grant_id=grant_id)
        data = _validated(GrantRevokeInputSerializer, request)
        grant = services.grant_revoke(grant=grant, actor=_user(request), context=_ctx(request), **data)
        return Response(GrantOutputSerializer(grant).data)


class SuggestionListApi(APIView):
    permission_classes = [Readers]
    pagination_class = DefaultCursorPagination

    @extend_schema(tags=[TAG_PROC], responses=SuggestionOutputSerializer(many=True), summary="收到的检察建议")
    def get(self, request: Request) -> Response:
        qs = selectors.suggestion_list(user=_user(request))
        return paginated_response(self, request, qs, lambda page: SuggestionOutputSerializer(page, many=True).data)


class SuggestionAnswerApi(IdempotentAPIMixin, APIView):
    permission_classes = [Heads]

    @extend_schema(tags=[TAG_PROC], request=SuggestionAnswerInputSerializer, responses=SuggestionOutputSerializer,
                   summary="书面回复检察建议（机关负责人）")  # fmt: skip
    def post(self, request: Request, suggestion_id: uuid.UUID) -> Response:
        suggestion = selectors.suggestion_get(user=_user(request), suggestion_id=suggestion_id)
        data = _validated(SuggestionAnswerInputSerializer, request)
        suggestion = services.suggestion_answer(
            suggestion=suggestion, actor=_user(request), context=_ctx(request), **data
        )
        return Response(SuggestionOutputSerializer(suggestion).data)


# --------------------------------------------------------------------------- 检察监督: the procurator's side


class ProcuratorGrantListApi(APIView):
    permission_classes = [Procurators]
    request_action = Action.SUPERVISE
    pagination_class = DefaultCursorPagination

    @extend_schema(tags=[TAG_PROC], responses=GrantOutputSerializer(many=True), summary="我的调阅授权（检察机关）")
    def get(self, request: Request) -> Response:
        qs = selectors.grant_list(user=_user(request))
        return paginated_response(self, request, qs, lambda page: GrantOutputSerializer(page, many=True).data)


class ProcuratorCaseApi(APIView):
    permission_classes = [Procurators]
    request_action = Action.SUPERVISE
    http_method_names = ["get", "options"]  # every read is logged; a HEAD would log one too

    @extend_schema(tags=[TAG_PROC], responses=CaseDetailOutputSerializer,
                   summary="调阅授权范围内的案件（每次调阅留痕）")  # fmt: skip
    def get(self, request: Request, grant_id: uuid.UUID, case_id: uuid.UUID) -> Response:
        grant, case = selectors.grant_case_for_procurator(user=_user(request), grant_id=grant_id, case_id=case_id)
        services.grant_record_read(grant=grant, case=case, context=_ctx(request), what="case")
        return Response(CaseDetailOutputSerializer(case, context={"today": timezone.localdate()}).data)


class ProcuratorEvidenceApi(APIView):
    permission_classes = [Procurators]
    request_action = Action.SUPERVISE
    http_method_names = ["get", "options"]

    @extend_schema(tags=[TAG_PROC], responses=EvidenceItemOutputSerializer(many=True),
                   summary="调阅授权范围内案件的证据清单（每次调阅留痕）")  # fmt: skip
    def get(self, request: Request, grant_id: uuid.UUID, case_id: uuid.UUID) -> Response:
        from backend.evidence.models import EvidenceItem

        grant, case = selectors.grant_case_for_procurator(user=_user(request), grant_id=grant_id, case_id=case_id)
        services.grant_record_read(grant=grant, case=case, context=_ctx(request), what="evidence")
        items = EvidenceItem.objects.filter(case=case, status=EvidenceItem.Status.RECEIVED).order_by("captured_at")
        return Response(EvidenceItemOutputSerializer(items, many=True, context={"request": request}).data)


class ProcuratorBundleApi(APIView):
    """The case's evidence bundle (originals, manifest, log entries, proofs, signed checkpoint) as the courts get
    it (backend/sharing/services.py), checkable offline with ``zhifa-verify``."""

    permission_classes = [Procurators]
    request_action = Action.SUPERVISE
    http_method_names = ["get", "options"]
    openapi_response_headers = {"get": BUNDLE_HEADERS}

    @extend_schema(tags=[TAG_PROC], responses=ZIP_RESPONSE,
                   summary="调阅授权范围内案件的证据包（可离线校验）")  # fmt: skip
    def get(self, request: Request, grant_id: uuid.UUID, case_id: uuid.UUID) -> StreamingHttpResponse:
        grant, case = selectors.grant_case_for_procurator(user=_user(request), grant_id=grant_id, case_id=case_id)
        services.grant_record_read(grant=grant, case=case, context=_ctx(request), what="bundle")
        export = bundles.bundle_export_create(
            case=case, user=_user(request), context=_ctx(request), note=f"procuratorate:{grant.procuratorate}"
        )
        return bundle_zip_response(export)


class ProcuratorSuggestionListCreateApi(IdempotentAPIMixin, APIView):
    permission_classes = [Procurators]
    request_action = Action.SUPERVISE
    pagination_class = DefaultCursorPagination

    @extend_schema(tags=[TAG_PROC], responses=SuggestionOutputSerializer(many=True), summary="我提出的检察建议")
    def get(self, request: Request) -> Response:
        qs = selectors.suggestion_list(user=_user(request))
        return paginated_response(self, request, qs, lambda page: SuggestionOutputSerializer(page, many=True).data)

    @extend_schema(tags=[TAG_PROC], request=SuggestionFileInputSerializer,
                   responses={201: SuggestionOutputSerializer, 404: NAMED_NOT_FOUND},
                   summary="就授权调阅的案件提出检察建议")  # fmt: skip
    def post(self, request: Request) -> Response:
        data = _validated(SuggestionFileInputSerializer, request)
        grant, case = selectors.grant_case_for_procurator(
            user=_user(request), grant_id=data["grant"], case_id=data["case"]
        )
        suggestion = services.suggestion_file(
            actor=_user(request),
            context=_ctx(request),
            grant=grant,
            case=case,
            number=data["number"],
            content=data["content"],
        )
        return Response(SuggestionOutputSerializer(suggestion).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- 案卷评查

Overseers = HasRole(Role.SUPERVISOR, Role.AUDITOR)


class StandardListCreateApi(_SuperviseOnWrite, IdempotentAPIMixin, APIView):
    def get_permissions(self) -> list[Any]:
        return [Supervisors()] if self.request.method == "POST" else [Overseers()]

    @extend_schema(tags=[TAG], responses=StandardOutputSerializer(many=True), summary="案卷评查标准（各版本）")
    def get(self, request: Request) -> Response:
        qs = selectors.standard_list(user=_user(request)).order_by("-version")
        return Response(StandardOutputSerializer(qs, many=True).data)

    @extend_schema(tags=[TAG], request=StandardCreateInputSerializer, responses={201: StandardOutputSerializer},
                   summary="制定新版评查标准（执法监督人员）")  # fmt: skip
    def post(self, request: Request) -> Response:
        from backend.supervision.models import DEFAULT_STANDARD_ITEMS

        data = _validated(StandardCreateInputSerializer, request)
        standard = services.standard_create(
            actor=_user(request),
            context=_ctx(request),
            title=data["title"],
            items=data.get("items") or DEFAULT_STANDARD_ITEMS,
        )
        return Response(StandardOutputSerializer(standard).data, status=status.HTTP_201_CREATED)


class SampleListCreateApi(_SuperviseOnWrite, IdempotentAPIMixin, APIView):
    pagination_class = DefaultCursorPagination

    def get_permissions(self) -> list[Any]:
        return [Supervisors()] if self.request.method == "POST" else [Overseers()]

    @extend_schema(tags=[TAG], responses=SampleOutputSerializer(many=True), summary="案卷抽样")
    def get(self, request: Request) -> Response:
        qs = selectors.sample_list(user=_user(request))
        return paginated_response(self, request, qs, lambda page: SampleOutputSerializer(page, many=True).data)

    @extend_schema(tags=[TAG], request=SampleDrawInputSerializer,
                   responses={201: SampleOutputSerializer, 404: NAMED_NOT_FOUND},
                   summary="随机（可分层）抽取已结案卷，记录种子（执法监督人员）")  # fmt: skip
    def post(self, request: Request) -> Response:
        data = _validated(SampleDrawInputSerializer, request)
        agency = selectors.agency_get_supervised(user=_user(request), agency_id=data.pop("agency"))
        sample = services.sample_draw(actor=_user(request), context=_ctx(request), agency=agency, **data)
        return Response(SampleOutputSerializer(sample).data, status=status.HTTP_201_CREATED)


class SampleDetailApi(APIView):
    permission_classes = [Overseers]

    @extend_schema(tags=[TAG], responses=SampleDetailOutputSerializer,
                   summary="抽样详情：每件案卷及系统自动检查结果（供评查人员参考）")  # fmt: skip
    def get(self, request: Request, sample_id: uuid.UUID) -> Response:
        from backend.cases.models import Case

        sample = selectors.sample_get(user=_user(request), sample_id=sample_id)
        cases = {str(c.pk): c for c in Case.objects.filter(pk__in=sample.case_ids)}
        rows = [cases[i] for i in sample.case_ids]
        sample.cases = [
            {"id": c.pk, "case_number": c.case_number, "title": c.title, "category": c.category,
             "procedure": c.procedure, "decision_outcome": c.decision_outcome,
             "checks": selectors.automatic_checks(case=c)}
            for c in rows
        ]  # fmt: skip
        return Response(SampleDetailOutputSerializer(sample).data)


class EvaluationListCreateApi(_SuperviseOnWrite, IdempotentAPIMixin, APIView):
    def get_permissions(self) -> list[Any]:
        return [Supervisors()] if self.request.method == "POST" else [Overseers()]

    @extend_schema(tags=[TAG], responses=EvaluationOutputSerializer(many=True), summary="本次抽样的评查结果")
    def get(self, request: Request, sample_id: uuid.UUID) -> Response:
        sample = selectors.sample_get(user=_user(request), sample_id=sample_id)
        qs = sample.evaluations.select_related("standard", "evaluator").order_by("created_at")
        return Response(EvaluationOutputSerializer(qs, many=True).data)

    @extend_schema(tags=[TAG], request=EvaluationSubmitInputSerializer, responses={201: EvaluationOutputSerializer},
                   summary="逐项评分并写明问题（执法监督人员）")  # fmt: skip
    def post(self, request: Request, sample_id: uuid.UUID) -> Response:
        sample = selectors.sample_get(user=_user(request), sample_id=sample_id)
        data = _validated(EvaluationSubmitInputSerializer, request)
        standard = selectors.standard_list(user=_user(request)).filter(pk=data["standard"]).first()
        if standard is None:
            raise ApplicationError("standard_not_found", "评查标准不存在", status=404)
        evaluation = services.evaluation_submit(
            actor=_user(request),
            context=_ctx(request),
            sample=sample,
            case_id=data["case"],
            standard=standard,
            items=data["items"],
        )
        return Response(EvaluationOutputSerializer(evaluation).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- 评议考核


BAD_YEAR = OpenApiResponse(description="year outside 2000…this year (invalid, year_in_future)")


def _year(request_data: Any) -> int:
    serializer = IndicatorYearSerializer(data=request_data)
    serializer.is_valid(raise_exception=True)
    year = int(serializer.validated_data["year"])
    if year > timezone.localdate().year:
        raise ApplicationError("year_in_future", "年度不能晚于今年", status=400, fields={"year": ["不能晚于今年"]})
    return year


class IndicatorRankingApi(APIView):
    """The ranked comparison of the agencies the caller reads (a supervisor: those its body supervises)."""

    permission_classes = [Readers]

    @extend_schema(tags=[TAG], parameters=[IndicatorRankingFilterSerializer],
                   responses=RankedIndicatorsOutputSerializer(many=True),
                   summary="评议考核：年度指标排名（综合得分或单项指标）")  # fmt: skip
    def get(self, request: Request) -> Response:
        filters = IndicatorRankingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        year = _year({"year": filters.validated_data["year"]})
        agencies = list(selectors.indicator_agencies(user=_user(request)))
        rows = indicators.ranking(agencies=agencies, year=year, by=filters.validated_data.get("by"))
        return Response(RankedIndicatorsOutputSerializer(rows, many=True).data)


class IndicatorAgencyApi(APIView):
    permission_classes = [Readers]

    @extend_schema(tags=[TAG], responses={200: AgencyIndicatorsOutputSerializer, 400: BAD_YEAR},
                   summary="评议考核：一个执法主体的年度指标")  # fmt: skip
    def get(self, request: Request, agency_id: int, year: int) -> Response:
        agency = selectors.indicator_agency_get(user=_user(request), agency_id=agency_id)
        data = indicators.agency_indicators(agency=agency, year=_year({"year": year}))
        return Response(AgencyIndicatorsOutputSerializer(data).data)


class IndicatorDetailApi(APIView):
    permission_classes = [Readers]

    @extend_schema(tags=[TAG], responses={200: IndicatorDetailOutputSerializer, 400: BAD_YEAR},
                   summary="评议考核：单项指标及其所依据的每一件记录")  # fmt: skip
    def get(self, request: Request, agency_id: int, year: int, indicator: str) -> Response:
        agency = selectors.indicator_agency_get(user=_user(request), agency_id=agency_id)
        year = _year({"year": year})
        if indicator not in indicators.INDICATORS:
            raise NotFound("没有该项考核指标", code="indicator_not_found")
        data = indicators.indicator_detail(agency=agency, year=year, code=indicator)
        return Response(IndicatorDetailOutputSerializer(data).data)


# --------------------------------------------------------------------------- 年度行政执法数据


class AnnualReportListCreateApi(IdempotentAPIMixin, APIView):
    """The agency's frozen annual reports: its head publishes (and corrects, as a new version); readers list them."""

    def get_permissions(self) -> list[Any]:
        return [Heads()] if self.request.method == "POST" else [Readers()]

    @extend_schema(tags=[TAG], parameters=[IndicatorYearSerializer(partial=True)],
                   responses=AnnualReportOutputSerializer(many=True), summary="年度行政执法数据（已冻结公开的各版本）")
    def get(self, request: Request) -> Response:
        filters = IndicatorYearSerializer(data=request.query_params, partial=True)
        filters.is_valid(raise_exception=True)
        reports = annual_report.report_list(user=_user(request), year=filters.validated_data.get("year"))
        return Response(AnnualReportOutputSerializer(reports, many=True).data)

    @extend_schema(tags=[TAG], request=AnnualReportPublishInputSerializer,
                   responses={201: AnnualReportOutputSerializer},
                   summary="冻结、签名并公开上年度行政执法数据（更正为新版本；机关负责人）")  # fmt: skip
    def post(self, request: Request) -> Response:
        data = _validated(AnnualReportPublishInputSerializer, request)
        report = annual_report.annual_report_publish(actor=_user(request), context=_ctx(request), **data)
        report = annual_report.annual_report_seal(report_id=report.pk)  # committed: seal it now
        return Response(AnnualReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class AnnualReportSubmitApi(IdempotentAPIMixin, APIView):
    permission_classes = [Heads]

    @extend_schema(tags=[TAG], request=AnnualReportSubmitInputSerializer,
                   responses={201: AnnualReportOutputSerializer},
                   summary="登记年度数据报送本级人民政府、上级主管部门的日期（机关负责人）")  # fmt: skip
    def post(self, request: Request, report_id: uuid.UUID) -> Response:
        report = annual_report.report_get(user=_user(request), report_id=report_id)
        data = _validated(AnnualReportSubmitInputSerializer, request)
        annual_report.annual_report_submit(actor=_user(request), context=_ctx(request), report=report, **data)
        report = annual_report.report_get(user=_user(request), report_id=report_id)
        return Response(AnnualReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["public"], auth=[])
class PublicAnnualReportApi(PublicApi):
    """The published annual report of an agency and year: the current version's frozen data, every version with
    its SHA-256 and ledger index, and the bundle that checks it offline."""

    http_method_names = ["get", "options"]

    @extend_schema(operation_id="public_annual_report", responses={200: PublicAnnualReportOutputSerializer})
    def get(self, request: Request, key: str, year: int) -> Response:
        agency = agency_public_get(key=key)
        reports = annual_report.public_reports(agency=agency, year=year)
        current = reports[0]
        versions = [{
            "version": r.version, "sha256": r.sha256, "published_at": r.published_at,
            "published_late": r.published_late, "correction_reason": r.correction_reason, "log_index": r.log_index,
            "bundle": reverse("public-annual-report-bundle", kwargs={"key": key, "year": year, "version": r.version}),
        } for r in reports]  # fmt: skip
        return Response(PublicAnnualReportOutputSerializer({
            "agency_name": agency.name, "agency_uscc": agency.uscc, "year": year,
            "deadline": annual_report.publication_deadline(year), "current": json.loads(bytes(current.content)),
            "versions": versions, "submissions": list(current.submissions.all()),
        }).data)  # fmt: skip


@extend_schema(tags=["public"], auth=[])
class PublicAnnualReportBundleApi(PublicApi):
    """One version as an evidence bundle (the report JSON as its original): ``zhifa-verify bundle.zip --key …``."""

    http_method_names = ["get", "options"]
    openapi_response_headers = {"get": ("Content-Disposition", "Cache-Control")}

    @extend_schema(operation_id="public_annual_report_bundle", responses=ZIP_RESPONSE)
    def get(self, request: Request, key: str, year: int, version: int) -> StreamingHttpResponse:
        agency = agency_public_get(key=key)
        report = annual_report.public_report_version(agency=agency, year=year, version=version)
        response = StreamingHttpResponse(annual_report.annual_report_bundle(report), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="annual-report-{agency.uscc}-{year}-v{version}.zip"'
        )
        response["Cache-Control"] = "public, max-age=86400"  # a published version never changes
        return response
