"""评议考核 in the console: the ranked comparison of the agencies the user reads and each figure with its records.
The same selectors and computations as ``/api/v1/supervision/indicators/…`` (backend/supervision)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.accounts.permissions import HasRole
from backend.common.errors import ApplicationError, NotFound
from backend.console.security import console_view
from backend.supervision import indicators, selectors

Readers = HasRole(Role.SUPERVISOR, Role.AGENCY_HEAD, Role.AUDITOR)  # the API's readers of indicators


def _year(value: str) -> int:
    this_year = timezone.localdate().year
    if not value:
        return this_year - 1
    if not value.isdigit() or not 2000 <= int(value) <= this_year:
        raise ApplicationError("invalid_year", "年度无效", status=400)
    return int(value)


def _years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 6, -1))


@console_view(Readers)
def indicator_ranking(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    assert isinstance(user, User)
    year = _year(request.GET.get("year", ""))
    by = request.GET.get("by", "") or None
    if by is not None and by not in indicators.INDICATORS:
        raise ApplicationError("invalid_indicator", "没有该项考核指标", status=400)
    rows = indicators.ranking(agencies=list(selectors.indicator_agencies(user=user)), year=year, by=by)
    labels = {code: compute.__name__ for code, compute in indicators.INDICATORS.items()}
    heading = rows[0]["indicators"] if rows else []
    context = {"title": f"{year}年度评议考核", "year": year, "years": _years(), "rows": rows, "by": by or "",
               "heading": heading, "codes": list(labels)}  # fmt: skip
    return render(request, "console/supervision_ranking.html", context)


@console_view(Readers)
def indicator_detail(request: HttpRequest, agency_id: int, year: int, indicator: str) -> HttpResponse:
    user: Any = request.user
    assert isinstance(user, User)
    agency = selectors.indicator_agency_get(user=user, agency_id=agency_id)
    year = _year(str(year))
    if indicator not in indicators.INDICATORS:
        raise NotFound("没有该项考核指标", code="indicator_not_found")
    figure = indicators.indicator_detail(agency=agency, year=year, code=indicator)
    context = {"title": f"{agency.name} {year}年度 {figure['label']}", "agency": agency, "year": year, "f": figure}
    return render(request, "console/supervision_indicator.html", context)
