"""Statistics with charts: the same figures as the public statistics page, for any agency the user may read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backend.accounts.models import Agency
from backend.accounts.permissions import IsAgencyStaff, readable_agency_ids
from backend.common.errors import NotFound
from backend.console.security import console_view
from backend.disclosures import selectors
from backend.disclosures.statistics_charts import statistics_charts


@console_view(IsAgencyStaff)
def statistics(request: HttpRequest) -> HttpResponse:
    readable = Agency.objects.filter(pk__in=readable_agency_ids(request.user)).order_by("name")
    agency_id = request.GET.get("agency", "")
    agency = readable.filter(pk=agency_id).first() if agency_id.isdigit() else request.user.agency
    if agency is None:
        raise NotFound("执法主体不存在", code="agency_not_found")
    this_year = timezone.localdate().year
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() and 2000 <= int(year_param) <= this_year else this_year
    stats = selectors.annual_statistics(agency=agency, year=year)
    context = {"title": f"{agency.name} {year}年度统计", "agency": agency, "agencies": list(readable), "year": year,
               "years": list(range(this_year, this_year - 6, -1)), "s": stats,
               "charts": statistics_charts(stats, selectors.annual_series(agency=agency, year=year))}  # fmt: skip
    return render(request, "console/statistics.html", context)
