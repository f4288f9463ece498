"""Server-rendered public pages (Chinese, no JavaScript, no cookies, no tracking).

Every page is plain HTML + one small stylesheet, readable on a phone and with a screen reader
(landmarks, labelled form controls, ``lang="zh-CN"``). Notice pages answer conditional requests from the
public revision exactly like the API.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from backend.accounts.models import OfficerCredential
from backend.cases.models import PenaltyKind
from backend.common.errors import ApplicationError, NotFound
from backend.common.inputs import is_ascii_int
from backend.disclosures import public, selectors, services
from backend.disclosures.models import Notice, PartyType
from backend.disclosures.public_apis import agency_detail, build_atom_feed, correction_status
from backend.disclosures.statistics_charts import statistics_charts
from backend.ledger.services import audit_context_from_request

_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Content-Security-Policy"] = _CSP
    response["Referrer-Policy"] = "no-referrer"
    return response


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return _page(request, "disclosures/not_found.html", {"message": message, "title": "未找到"}, status=404)


def _conditional_page(request: HttpRequest, build: Any, *, max_age: int) -> HttpResponse:
    etag, changed_at = public.validators(request)
    if public.not_modified(request, etag, changed_at):
        return public.stamp(HttpResponse(status=304), etag, changed_at, max_age=max_age)
    built: list[HttpResponse] = []

    def render() -> tuple[int, bytes, str]:
        response = build()
        built.append(response)
        return response.status_code, response.content, response["Content-Type"]

    status, content, content_type = public.rendered.get_or_build(public.render_key(request, etag), render)
    response = built[0] if built else HttpResponse(content, status=status, content_type=content_type)
    response["Content-Security-Policy"] = _CSP
    response["Referrer-Policy"] = "no-referrer"
    return public.stamp(response, etag, changed_at, max_age=max_age)


@require_safe
def notice_list_page(request: HttpRequest) -> HttpResponse:
    def build() -> HttpResponse:
        params = request.GET
        try:
            from backend.disclosures.public_apis import notice_filters

            filters = notice_filters(params)
        except ApplicationError:
            filters = notice_filters({k: v for k, v in params.items() if k != "status"})
        qs = selectors.public_notice_list(**filters)
        rows, next_seq, prev_seq = public.paginate(
            qs,
            cursor=params.get("cursor"),
            page_size=public.page_size_from(params.get("page_size")),
            fields=selectors.PUBLIC_LIST_FIELDS,
        )

        def link(direction: str, seq: int | None) -> str | None:
            if seq is None:
                return None
            query = params.copy()
            query["cursor"] = public.encode_cursor(direction, seq)
            return "?" + query.urlencode()

        export_query = params.copy()
        export_query.pop("cursor", None)
        return _page(
            request,
            "disclosures/notice_list.html",
            {
                "title": "行政处罚决定公示",
                "rows": [public.list_row(r) for r in rows],
                "filters": filters,
                "agencies": selectors.agency_public_list(),
                "penalty_kinds": PenaltyKind.choices,
                "party_types": PartyType.choices,
                "next_url": link("n", next_seq),
                "prev_url": link("p", prev_seq),
                "export_query": export_query.urlencode(),
            },
        )

    return _conditional_page(request, build, max_age=public.LIST_MAX_AGE)


@require_safe
def notice_detail_page(request: HttpRequest, notice_id: Any) -> HttpResponse:
    def build() -> HttpResponse:
        try:
            notice = selectors.public_notice_get(notice_id=notice_id)
        except NotFound:
            return _not_found(request, "该公示信息不存在或尚未公开。")
        if notice.status == Notice.Status.EXPIRED or (not notice.listed and notice.status != Notice.Status.WITHDRAWN):
            return _page(
                request,
                "disclosures/notice_expired.html",
                {"title": "公示期已届满", "notice": notice},
                status=410,
            )
        detail = public.detail_dict(notice, superseded_by=selectors.notice_superseded_by(notice))
        return _page(
            request,
            "disclosures/notice_detail.html",
            {"title": f"{notice.decision_number}", "n": detail, "withdrawn": notice.status == Notice.Status.WITHDRAWN},
        )

    return _conditional_page(request, build, max_age=public.DETAIL_MAX_AGE)


@require_safe
def notice_feed(request: HttpRequest) -> HttpResponse:
    def build() -> HttpResponse:
        feed = build_atom_feed(request)
        return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")

    return _conditional_page(request, build, max_age=public.LIST_MAX_AGE)


# The form posts without a session or cookie (nothing to forge a session for); abuse is limited per address.
@csrf_exempt
@require_http_methods(["POST"])
def correction_submit_page(request: HttpRequest, notice_id: Any) -> HttpResponse:
    from backend.disclosures.public_apis import CorrectionRateThrottle

    if request.POST.get("website"):  # honeypot field, invisible to people
        return HttpResponseRedirect(reverse("public-notice-detail", args=[notice_id]))
    throttle = CorrectionRateThrottle()
    if not throttle.allow_request(request, None):
        return _page(
            request,
            "disclosures/not_found.html",
            {"title": "请求过于频繁", "message": "提交过于频繁，请稍后再试。"},
            status=429,
        )
    try:
        notice = selectors.public_notice_get(notice_id=notice_id)
        item = services.correction_request_submit(
            notice=notice,
            requester_name=request.POST.get("requester_name", ""),
            requester_contact=request.POST.get("requester_contact", ""),
            content=request.POST.get("content", ""),
            context=audit_context_from_request(request),
        )
    except ApplicationError as exc:
        if exc.status == 404:
            return _not_found(request, "该公示信息不存在或尚未公开。")
        errors = [m for messages in exc.fields.values() for m in messages] or [exc.message]
        return _page(
            request,
            "disclosures/correction_form_error.html",
            {"title": "更正申请未提交", "errors": errors, "notice_id": notice_id},
            status=400,
        )
    return HttpResponseRedirect(reverse("public-correction", args=[item.tracking_code]))


@require_safe
def correction_status_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.correction_public_get(tracking_code=code)
    except NotFound:
        return _not_found(request, "未找到该查询码对应的更正申请。")
    response = _page(
        request, "disclosures/correction_status.html", {"title": "更正申请办理情况", "c": correction_status(item)}
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def agency_list_page(request: HttpRequest) -> HttpResponse:
    response = _page(
        request, "disclosures/agency_list.html", {"title": "执法主体", "agencies": selectors.agency_public_list()}
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def agency_detail_page(request: HttpRequest, key: str) -> HttpResponse:
    try:
        agency = selectors.agency_public_get(key=key)
    except NotFound:
        return _not_found(request, "未找到该执法主体。")
    data = agency_detail(agency)
    response = _page(request, "disclosures/agency_detail.html", {"title": agency.name, "a": data})
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def officer_lookup_page(request: HttpRequest) -> HttpResponse:
    number = (request.GET.get("number") or "").strip()
    if number:
        return HttpResponseRedirect(reverse("public-officer", args=[number]))
    return _page(request, "disclosures/officer_lookup.html", {"title": "执法证核验"})


@require_safe
def officer_verify_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        data = selectors.credential_verification(number=number)
    except NotFound:
        return _page(
            request,
            "disclosures/officer_verify.html",
            {"title": "执法证核验", "missing": True, "number": number},
            status=404,
        )
    response = _page(request, "disclosures/officer_verify.html", {"title": "执法证核验", "c": data})
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def officer_qr_png(request: HttpRequest, number: str) -> HttpResponse:
    """QR code pointing at the verification page; printed on or next to the credential (事中公示)."""
    if not OfficerCredential.objects.filter(number=number).exists():
        raise Http404
    url = request.build_absolute_uri(reverse("public-officer", args=[number]))
    image = qrcode.make(url, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def statistics_index_page(request: HttpRequest) -> HttpResponse:
    agency_key = request.GET.get("agency")
    year = request.GET.get("year")
    if agency_key and is_ascii_int(year) and int(year) <= 9999:
        return HttpResponseRedirect(reverse("public-statistics", args=[agency_key, int(year)]))
    today = timezone.localdate()
    return _page(
        request,
        "disclosures/statistics_index.html",
        {
            "title": "年度行政执法统计",
            "agencies": selectors.agency_public_list(),
            "years": list(range(today.year, today.year - 6, -1)),
            "default_year": today.year - 1,
        },
    )


@require_safe
def statistics_page(request: HttpRequest, key: str, year: int) -> HttpResponse:
    try:
        agency = selectors.agency_public_get(key=key)
    except NotFound:
        return _not_found(request, "未找到该执法主体。")
    if not 2000 <= year <= timezone.localdate().year:
        return _not_found(request, "年度无效。")
    stats = selectors.annual_statistics(agency=agency, year=year)
    charts = statistics_charts(stats, selectors.annual_series(agency=agency, year=year))
    response = _page(
        request,
        "disclosures/statistics.html",
        {"title": f"{agency.name} {year}年度行政执法统计", "s": stats, "charts": charts},
    )
    response["Cache-Control"] = "public, max-age=600"
    return response
