"""Statistics with charts: the console page and the public page draw the same figures as SVG bars."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from backend.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided_cases(agency_a):
    year = timezone.localdate().year
    for month, measures in ((1, [{"kind": "fine", "amount": "100"}]), (1, [{"kind": "warning"}, {"kind": "fine"}]),
                            (2, [{"kind": "warning"}])):  # fmt: skip
        day = datetime.date(year, month, 15)
        Case.objects.create(agency=agency_a, title="案", party_type="organisation", party_name="某公司",
                            registered_on=day, decided_on=day, status="decided", decision_outcome="penalty",
                            decided_measures=measures)  # fmt: skip
    return year


def test_the_console_statistics_page_draws_monthly_cases_penalty_kinds_and_timeliness(console, head_a, decided_cases):
    body = console(head_a).get(f"/console/statistics/?year={decided_cases}").content.decode()
    assert body.count('<svg viewBox="0 0 560') == 5
    assert "每月立案（件）：1月 2件，2月 1件，3月 0件" in body
    assert "处罚种类（件）：罚款 2件，警告 2件" in body
    assert "公示及时性（件）" in body and "法制审核结果（次）" in body


def test_an_auditor_may_chart_a_supervised_agency_and_nobody_another(console, agency_a, agency_b, decided_cases):
    from support import make_agency, make_user

    from backend.accounts.models import Role

    parent = make_agency("辽源市司法局", "11220400MB0000001A")
    agency_a.parent = parent
    agency_a.save()
    supervisor = make_user("supervisor", parent, [Role.AUDITOR])
    page = console(supervisor).get(f"/console/statistics/?agency={agency_a.pk}&year={decided_cases}")
    assert page.status_code == 200 and "每月立案（件）：1月 2件" in page.content.decode()
    assert "辽源市市场监督管理局" in page.content.decode()
    other = console(supervisor).get(f"/console/statistics/?agency={agency_b.pk}")
    assert "辽源市城市管理综合执法局" not in other.content.decode().split("<main")[1].split("</h1>")[0]


def test_the_public_statistics_page_has_the_same_charts(agency_a, decided_cases):
    from django.test import Client

    response = Client().get(f"/statistics/{agency_a.uscc}/{decided_cases}/")
    body = response.content.decode()
    assert response.status_code == 200 and "<script" not in body
    assert "每月作出决定（件）：1月 2件，2月 1件" in body and 'class="chart-bar"' in body
