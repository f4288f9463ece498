"""Anonymous, read-only public API under ``/api/v1/public/`` (CORS enabled in settings).

No authentication is attempted (no cookies, no tokens, nothing to track), every response carries
``ETag``/``Last-Modified``/``Cache-Control``, and every client address is throttled (scope ``public``).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from backend.common import ratelimit
from backend.common.conditional import if_none_match_hits
from backend.common.errors import ApplicationError
from backend.common.inputs import is_ascii_int
from backend.disclosures import public, selectors, services
from backend.disclosures.models import Notice
from backend.disclosures.serializers import (
    PublicAgencyDetailSerializer,
    PublicAgencySummarySerializer,
    PublicCorrectionInputSerializer,
    PublicCorrectionStatusSerializer,
    PublicCredentialCheckSerializer,
    PublicNoticeDetailSerializer,
    PublicNoticePageSerializer,
    PublicStatisticsSerializer,
)
from backend.ledger.services import audit_context_from_request


class PublicRateThrottle(AnonRateThrottle):
    """Per client address (scope ``public`` in REST_FRAMEWORK.DEFAULT_THROTTLE_RATES), fixed window.

    DRF's default throttles keep a list of every request time in the window and rewrite it on each request,
    which costs O(rate) per request; a counter per address and window is one cache ``incr`` (measured in
    bench/bench_notices.py). The price is that a client may burst up to twice the rate across a window edge.
    """

    scope = "public"

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        ident = self.get_ident(request)
        now = int(self.timer())
        window = now - now % self.duration
        self.key = f"throttle:{self.scope}:{ident}:{window}"
        self._window_end = window + self.duration
        return self._count() <= self.num_requests

    def _count(self) -> int:
        """Increment and read this window's counter, atomically on every store (backend/common/ratelimit.py:
        on Redis INCR + EXPIRE in one round trip)."""
        return ratelimit.counter_incr(self.key, self.duration + 1)

    def wait(self) -> float | None:
        return max(0.0, self._window_end - self.timer())


class CorrectionRateThrottle(PublicRateThrottle):
    scope = "public-corrections"
    rate = "20/hour"


class PassthroughRenderer(BaseRenderer):
    """Lets content negotiation accept CSV/Atom requests; the views return finished Django responses."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class CsvRenderer(PassthroughRenderer):
    media_type = "text/csv"
    format = "csv"


class AtomRenderer(PassthroughRenderer):
    media_type = "application/atom+xml"
    format = "atom"


_FILTER_PARAMS = [
    OpenApiParameter("q", str, description="全文检索（中文分词）"),
    OpenApiParameter("agency", str, description="处罚机关统一社会信用代码或编号"),
    OpenApiParameter("region", str, description="行政区划代码前缀，如 2204"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="处罚决定日期起"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="处罚决定日期止"),
    OpenApiParameter("penalty_kind", str, description="处罚种类代码，如 fine、warning、revoke_licence"),
    OpenApiParameter("status", str, enum=["published", "withdrawn"], description="公示状态"),
    OpenApiParameter("party_type", str, enum=["natural_person", "sole_trader", "organisation"]),
]


def notice_filters(params: Any) -> dict[str, Any]:
    status = params.get("status", "")
    if status not in ("", Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN):
        raise ApplicationError("invalid_status_filter", "公示状态只能是 published 或 withdrawn", status=400)
    return {
        "agency": params.get("agency", "").strip(),
        "region": params.get("region", "").strip(),
        "date_from": public.parse_date(params.get("date_from")),
        "date_to": public.parse_date(params.get("date_to")),
        "penalty_kind": params.get("penalty_kind", "").strip(),
        "status": status,
        "party_type": params.get("party_type", "").strip(),
        "q": params.get("q", "").strip(),
    }


LIST_PARAMS = frozenset(
    {
        "q",
        "agency",
        "region",
        "date_from",
        "date_to",
        "penalty_kind",
        "status",
        "party_type",
        "cursor",
        "page_size",
        "format",
    }
)


def ensure_known_filters(params: Any, known: frozenset[str] = LIST_PARAMS) -> None:
    """A mistyped filter answers 400 instead of being ignored: ``?party_typ=organisation`` or
    ``?penalty_kind=fines`` would otherwise list every notice (or none) as if that were the answer."""
    from backend.cases.models import PenaltyKind
    from backend.common.parties import LEGACY_VALUES, PartyType

    unknown = sorted(set(params) - known)
    if unknown:
        raise ApplicationError(
            "unknown_query_parameter",
            f"不支持的查询参数：{'、'.join(unknown)}",
            status=400,
            extra={"unknown": unknown, "allowed": sorted(known)},
        )
    for name, allowed in (
        ("party_type", [*(member.value for member in PartyType), *LEGACY_VALUES]),
        ("penalty_kind", PenaltyKind.values),
    ):
        value = params.get(name, "").strip()
        if value and value not in allowed:
            raise ApplicationError(
                f"invalid_{name}_filter",
                f"{name} 的取值无效：{value}",
                status=400,
                extra={"field": name, "allowed": sorted(allowed)},
            )


class PublicApiView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]
    renderer_classes = [JSONRenderer]
    max_age = public.LIST_MAX_AGE
    # Every public answer carries validators and caching rules, and revalidates with 304.
    openapi_response_headers = {"get": ("ETag", "Last-Modified", "Cache-Control")}
    openapi_not_modified = ("get",)
    # Views whose validators come from the public revision answer revalidations before DRF runs.
    revision_validated = False

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.revision_validated and request.method in ("GET", "HEAD"):
            etag, changed_at = public.validators(request)
            if public.not_modified(request, etag, changed_at):
                # A 304 is cheaper than the throttle check itself, so revalidations are not counted
                # (measured: bench/bench_notices.py, scenario notices_conditional_304).
                return public.stamp(HttpResponse(status=304), etag, changed_at, max_age=self.max_age)
        return super().dispatch(request, *args, **kwargs)

    def conditional(self, request: Request) -> tuple[Response | None, str, datetime.datetime]:
        etag, changed_at = public.validators(request._request)
        if public.not_modified(request._request, etag, changed_at):
            return public.stamp(Response(status=304), etag, changed_at, max_age=self.max_age), etag, changed_at
        return None, etag, changed_at


@extend_schema(tags=["public"], auth=[])
class PublicNoticeListApi(PublicApiView):
    """公示信息列表：只含已公示（及公示后撤回）的信息，按发布时间倒序，游标分页。"""

    revision_validated = True

    @extend_schema(
        operation_id="public_notices_list",
        parameters=[
            *_FILTER_PARAMS,
            OpenApiParameter("cursor", str, description="分页游标（取自 next/previous）"),
            OpenApiParameter("page_size", int, description="每页条数，默认 20，最多 100"),
        ],
        responses={200: PublicNoticePageSerializer, 304: OpenApiResponse(description="未修改")},
    )
    def get(self, request: Request) -> HttpResponse:
        ensure_known_filters(request.query_params)
        early, etag, changed_at = self.conditional(request)
        if early is not None:
            return early

        def build() -> tuple[int, bytes, str]:
            filters = notice_filters(request.query_params)
            qs = selectors.public_notice_list(**filters)
            rows, next_seq, prev_seq = public.paginate(
                qs,
                cursor=request.query_params.get("cursor"),
                page_size=public.page_size_from(request.query_params.get("page_size")),
                fields=selectors.PUBLIC_LIST_FIELDS,
            )
            body = {
                "next": _cursor_url(request, "n", next_seq),
                "previous": _cursor_url(request, "p", prev_seq),
                "results": [public.list_row(r) for r in rows],
            }
            return 200, JSONRenderer().render(body), "application/json"

        return _rendered(request, etag, changed_at, build, max_age=self.max_age)


def _rendered(request: Request, etag: str, changed_at: datetime.datetime, build: Any, *, max_age: int) -> HttpResponse:
    status, content, content_type = public.rendered.get_or_build(public.render_key(request._request, etag), build)
    return public.stamp(
        HttpResponse(content, status=status, content_type=content_type), etag, changed_at, max_age=max_age
    )


def _cursor_url(request: Request, direction: str, seq: int | None) -> str | None:
    if seq is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = public.encode_cursor(direction, seq)
    return request.build_absolute_uri(request.path) + "?" + params.urlencode()


@extend_schema(tags=["public"], auth=[])
class PublicNoticeDetailApi(PublicApiView):
    """公示信息详情。撤回的信息只保留撤回理由，不含决定内容；公示期满的信息答复 410。"""

    revision_validated = True

    max_age = public.DETAIL_MAX_AGE

    @extend_schema(
        operation_id="public_notice_retrieve",
        responses={
            200: PublicNoticeDetailSerializer,
            304: OpenApiResponse(description="未修改"),
            404: OpenApiResponse(description="不存在或未公开"),
            410: OpenApiResponse(description="公示期已届满"),
        },
    )
    def get(self, request: Request, notice_id: str) -> HttpResponse:
        early, etag, changed_at = self.conditional(request)
        if early is not None:
            return early

        def build() -> tuple[int, bytes, str]:
            notice = selectors.public_notice_get(notice_id=notice_id)
            if notice.status == Notice.Status.EXPIRED or (
                not notice.listed and notice.status != Notice.Status.WITHDRAWN
            ):
                raise ApplicationError(
                    "notice_display_expired", "该信息公示期已届满，不再公示", status=410, extra={"id": str(notice.pk)}
                )
            body = public.detail_dict(notice, superseded_by=selectors.notice_superseded_by(notice))
            return 200, JSONRenderer().render(body), "application/json"

        return _rendered(request, etag, changed_at, build, max_age=self.max_age)


def _export_rows(qs: Any) -> Iterator[dict[str, str]]:
    for row in qs.order_by("-public_seq").values(*public.EXPORT_FIELDS).iterator(chunk_size=2000):
        yield public.export_row(row)


EXPORT_MAX_ROWS = 100_000
_FORMULA_START = ("=", "+", "@", "\t", "\r")


def _csv_safe(value: str) -> str:
    """Spreadsheet formula injection: a cell that a spreadsheet would evaluate is prefixed with '."""
    if value and (value.startswith(_FORMULA_START) or (value.startswith("-") and not is_ascii_int(value[1:2]))):
        return "'" + value
    return value


_EXPORT_PARAMS = [
    *_FILTER_PARAMS,
    OpenApiParameter(
        "before_seq", int, description="续传：只导出发布序号小于该值的记录（见 X-Export-Next-Before-Seq）"
    ),
    OpenApiParameter("header", str, enum=["name", "code"], description="CSV 表头用中文名称（默认）或字段代码"),
]


class _ExportBase(PublicApiView):
    revision_validated = True
    max_age = public.LIST_MAX_AGE

    def export_queryset(self, request: Request) -> tuple[Any, int | None]:
        qs = selectors.public_notice_list(**notice_filters(request.query_params))
        before = request.query_params.get("before_seq")
        if is_ascii_int(before):
            qs = qs.filter(public_seq__lt=int(before))
        boundary = qs.order_by("-public_seq").values_list("public_seq", flat=True)[
            EXPORT_MAX_ROWS : EXPORT_MAX_ROWS + 1
        ]
        next_before = boundary[0] + 1 if boundary else None
        if next_before is not None:
            qs = qs.filter(public_seq__gte=next_before)
        return qs, next_before


@extend_schema(tags=["public"], auth=[])
class PublicNoticeExportCsvApi(_ExportBase):
    """按“双公示”行政处罚数据标准字段导出（CSV，UTF-8 带 BOM）。单次最多 10 万条，用 before_seq 续传。"""

    renderer_classes = [CsvRenderer, JSONRenderer]

    openapi_response_headers = {
        "get": ("ETag", "Last-Modified", "Cache-Control", "Content-Disposition", "X-Export-Next-Before-Seq")
    }

    @extend_schema(parameters=_EXPORT_PARAMS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request) -> HttpResponse:
        early, etag, changed_at = self.conditional(request)
        if early is not None:
            return early
        qs, next_before = self.export_queryset(request)
        use_codes = request.query_params.get("header") == "code"
        header = [code if use_codes else name for code, name in public.EXPORT_LAYOUT]
        codes = [code for code, _ in public.EXPORT_LAYOUT]

        def stream() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            yield "\ufeff"
            writer.writerow(header)
            for row in _export_rows(qs):
                writer.writerow([_csv_safe(row[c]) for c in codes])
                if buffer.tell() > 64 * 1024:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="notices-{timezone.localdate():%Y%m%d}.csv"'
        if next_before is not None:
            response["X-Export-Next-Before-Seq"] = str(next_before)
        return public.stamp(response, etag, changed_at, max_age=self.max_age)


@extend_schema(tags=["public"], auth=[])
class PublicNoticeExportJsonApi(_ExportBase):
    """按“双公示”行政处罚数据标准字段导出（JSON：fields 为字段代码与名称，records 为记录）。"""

    openapi_response_headers = {"get": ("ETag", "Last-Modified", "Cache-Control", "X-Export-Next-Before-Seq")}

    @extend_schema(parameters=_EXPORT_PARAMS[:-1], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> HttpResponse:
        early, etag, changed_at = self.conditional(request)
        if early is not None:
            return early
        qs, next_before = self.export_queryset(request)

        def stream() -> Iterator[str]:
            fields = [{"code": c, "name": n} for c, n in public.EXPORT_LAYOUT]
            yield '{"layout":"双公示-行政处罚","fields":' + json.dumps(fields, ensure_ascii=False)
            yield ',"next_before_seq":' + json.dumps(next_before) + ',"records":['
            first = True
            for row in _export_rows(qs):
                yield ("" if first else ",") + json.dumps(row, ensure_ascii=False)
                first = False
            yield "]}"

        response = StreamingHttpResponse(stream(), content_type="application/json; charset=utf-8")
        if next_before is not None:
            response["X-Export-Next-Before-Seq"] = str(next_before)
        return public.stamp(response, etag, changed_at, max_age=self.max_age)


def build_atom_feed(request: Any, *, limit: int = 50) -> Atom1Feed:
    """New and withdrawn notices, newest event first."""
    feed = Atom1Feed(
        title="行政执法公示：新发布与撤回的行政处罚决定",
        link=request.build_absolute_uri(reverse("public-notices")),
        description="行政处罚决定公示信息（已脱敏）的发布与撤回",
        language="zh-CN",
        feed_url=request.build_absolute_uri(request.path),
        feed_guid=request.build_absolute_uri(reverse("public-notices")),
    )
    base = selectors.public_notices().only(
        "id",
        "decision_number",
        "party_name",
        "violation_type",
        "agency_name",
        "published_at",
        "withdrawn_at",
        "withdrawal_reason",
        "status",
        "penalty_content",
        "decision_date",
    )
    published = list(base.order_by("-public_seq")[:limit])
    withdrawn = list(base.filter(status=Notice.Status.WITHDRAWN).order_by("-withdrawn_at")[:limit])
    events = [(n.published_at, "published", n) for n in published] + [
        (n.withdrawn_at, "withdrawn", n) for n in withdrawn
    ]
    events.sort(key=lambda e: e[0], reverse=True)
    for when, kind, n in events[:limit]:
        link = request.build_absolute_uri(reverse("public-notice-detail", args=[n.pk]))
        if kind == "withdrawn":
            title = f"【撤回】{n.decision_number}（{n.agency_name}）"
            description = f"撤回理由：{n.withdrawal_reason}"
        else:
            title = f"【公示】{n.decision_number} {n.party_name if n.status != 'withdrawn' else ''}".strip()
            description = (
                f"{n.agency_name}　{n.decision_date:%Y-%m-%d}　{n.violation_type}　{n.penalty_content}"
                if n.status != Notice.Status.WITHDRAWN
                else f"{n.agency_name}　{n.decision_date:%Y-%m-%d}（该信息已撤回）"
            )
        feed.add_item(
            title=title,
            link=link,
            description=description,
            unique_id=f"urn:notice:{n.pk}:{kind}",
            unique_id_is_permalink=False,
            pubdate=when,
            updateddate=when,
            categories=["撤回" if kind == "withdrawn" else "公示"],
        )
    return feed


@extend_schema(tags=["public"], auth=[])
class PublicNoticeFeedApi(PublicApiView):
    """Atom 订阅：新发布与撤回的公示信息（各最多 50 条）。"""

    revision_validated = True

    renderer_classes = [AtomRenderer, JSONRenderer]

    @extend_schema(responses={(200, "application/atom+xml"): OpenApiTypes.STR})
    def get(self, request: Request) -> HttpResponse:
        early, etag, changed_at = self.conditional(request)
        if early is not None:
            return early
        feed = build_atom_feed(request)
        response = HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")
        return public.stamp(response, etag, changed_at, max_age=self.max_age)


# --------------------------------------------------------------------------------------------------
# 事前公开, 事中公示, statistics
# --------------------------------------------------------------------------------------------------


def agency_summary(agency: Any) -> dict[str, Any]:
    return {
        "id": agency.pk,
        "name": agency.name,
        "uscc": agency.uscc,
        "region_code": agency.region_code,
        "region_name": agency.region_name,
        "enforcement_categories": list(agency.enforcement_categories or []),
    }


def agency_detail(agency: Any) -> dict[str, Any]:
    profile = services.profile_for(agency)
    return {
        **agency_summary(agency),
        "legal_basis": agency.legal_basis,
        "duties": agency.duties,
        "contact": agency.contact,
        "address": agency.address,
        "procedures": profile.procedures,
        "remedies": profile.remedies,
        "service_guide": profile.service_guide,
        "random_inspection_items": profile.random_inspection_items,
        "supervision_contact": profile.supervision_contact,
        "officers": selectors.officer_roster(agency=agency),
        "enforcement_items": list(
            selectors.enforcement_items(agency=agency).values(
                "code", "name", "kind", "legal_basis", "handling_body", "time_limit", "random_inspection"
            )
        ),
        "discretion_standards": list(
            selectors.discretion_standards(agency=agency).values(
                "violation", "legal_basis", "circumstance", "level", "penalty", "document_number", "effective_from"
            )
        ),
        "major_decision_catalog": selectors.catalog_as_dict(selectors.major_decision_catalog(agency=agency)),
    }


def _json_etag_response(request: Request, body: Any, *, max_age: int) -> Response:
    """For data that changes independently of notices (rosters, credentials): ETag from the content."""
    raw = json.dumps(body, cls=DjangoJSONEncoder, sort_keys=True).encode()
    etag = public.content_etag(raw)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if if_none_match_hits(request.META.get("HTTP_IF_NONE_MATCH"), etag):
        return Response(status=304, headers=headers)
    return Response(body, headers=headers)


@extend_schema(tags=["public"], auth=[])
class PublicAgencyListApi(PublicApiView):
    """执法主体列表（事前公开）。"""

    @extend_schema(responses={200: PublicAgencySummarySerializer(many=True)})
    def get(self, request: Request) -> Response:
        body = [agency_summary(a) for a in selectors.agency_public_list()]
        return _json_etag_response(request, body, max_age=300)


@extend_schema(tags=["public"], auth=[])
class PublicAgencyDetailApi(PublicApiView):
    """执法主体概况：职责、依据、程序、救济渠道、持证执法人员、执法事项、裁量基准、重大执法决定法制审核目录。"""

    @extend_schema(responses={200: PublicAgencyDetailSerializer})
    def get(self, request: Request, key: str) -> Response:
        agency = selectors.agency_public_get(key=key)
        return _json_etag_response(request, agency_detail(agency), max_age=300)


@extend_schema(tags=["public"], auth=[])
class PublicOfficerCheckApi(PublicApiView):
    """执法证核验（事中公示）：今日是否有效；过期、暂扣、注销均明确说明。"""

    @extend_schema(responses={200: PublicCredentialCheckSerializer, 404: OpenApiResponse(description="证号不存在")})
    def get(self, request: Request, number: str) -> Response:
        body = selectors.credential_verification(number=number)
        return _json_etag_response(request, body, max_age=60)


@extend_schema(tags=["public"], auth=[])
class PublicStatisticsApi(PublicApiView):
    """年度行政执法统计（每年1月31日前公开上年度数据），由记录实时计算。"""

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", str, required=True, description="执法主体统一社会信用代码或编号"),
            OpenApiParameter("year", int, description="年度，默认上一年度"),
        ],
        responses={200: PublicStatisticsSerializer},
    )
    def get(self, request: Request) -> Response:
        agency = selectors.agency_public_get(key=request.query_params.get("agency", ""))
        year = _year_param(request.query_params.get("year"))
        return _json_etag_response(request, selectors.annual_statistics(agency=agency, year=year), max_age=600)


def _year_param(value: str | None) -> int:
    today = timezone.localdate()
    if not value:
        return today.year - 1
    if not is_ascii_int(value) or not 2000 <= int(value) <= today.year:
        raise ApplicationError("invalid_year", f"年度须在 2000 至 {today.year} 之间", status=400)
    return int(value)


# --------------------------------------------------------------------------------------------------
# Citizens' correction requests
# --------------------------------------------------------------------------------------------------


def correction_status(item: Any) -> dict[str, Any]:
    return {
        "tracking_code": item.tracking_code,
        "notice_id": str(item.notice_id),
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "submitted_on": timezone.localdate(item.created_at).isoformat(),
        "due_date": item.due_date.isoformat(),
        "answer": item.answer,
        "answered_at": item.answered_at.isoformat() if item.answered_at else None,
    }


@extend_schema(tags=["public"], auth=[])
class PublicCorrectionCreateApi(PublicApiView):
    """申请更正已公示的信息。返回查询码；联系方式仅用于答复，不公开。"""

    throttle_classes = [PublicRateThrottle, CorrectionRateThrottle]

    @extend_schema(request=PublicCorrectionInputSerializer, responses={201: PublicCorrectionStatusSerializer})
    def post(self, request: Request, notice_id: str) -> Response:
        data = PublicCorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.public_notice_get(notice_id=notice_id)
        item = services.correction_request_submit(
            notice=notice, context=audit_context_from_request(request), **data.validated_data
        )
        return Response(correction_status(item), status=201, headers={"Cache-Control": "no-store"})


@extend_schema(tags=["public"], auth=[])
class PublicCorrectionStatusApi(PublicApiView):
    """按查询码查看更正申请的办理情况和答复。"""

    @extend_schema(responses={200: PublicCorrectionStatusSerializer})
    def get(self, request: Request, code: str) -> Response:
        item = selectors.correction_public_get(tracking_code=code)
        return Response(correction_status(item), headers={"Cache-Control": "no-store"})
