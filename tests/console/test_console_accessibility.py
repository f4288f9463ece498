"""axe-core on every page: each console page and each public page answering HTML, walked from the URL resolver
(a new page is checked without anyone adding it here), at the 1024×768 tablet viewport, in Debian's Chromium.

Each GET route of the console and of the public site is opened as the first persona it answers 200 to (head,
reviewer, disclosure manager, auditor, administrator, anonymous); every route must answer 200 to someone, and
the error pages (403, 404) are checked too. No serious or critical axe violation, no CSP violation, nothing
wider than the tablet's screen. Screenshots: ``var/test-artifacts/console/every-page-1024x768/``.
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from console.test_console_browser import TABLET, Run, browser  # noqa: F401  (the module-scoped browser fixture)
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from support import PASSWORD

from backend.disclosures import services as notice_services
from backend.disclosures.models import CorrectionRequest, Notice

pytestmark = pytest.mark.browser

# Answers that are files, not pages (a PDF, a derivative image, an Atom feed, a QR code).
NOT_PAGES = {"review-opinion-pdf", "evidence-derivative", "public-notices-feed", "public-officer-qr"}
# The public pages (the correction request is posted from the notice page: no page of its own).
PUBLIC = {"public-notices", "public-notice-detail", "public-correction",
          "public-agencies", "public-agency", "public-officer-lookup", "public-officer", "public-statistics-index",
          "public-statistics"}  # fmt: skip


def _routes() -> dict[str, URLPattern]:
    """Console routes with a GET, and the public pages, by URL name."""
    found: dict[str, URLPattern] = {}

    def walk(patterns: list, namespace: str = "") -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                methods = getattr(entry.callback, "console_methods", None)
                console_page = namespace == "console" and methods and "GET" in methods and entry.name not in NOT_PAGES
                login = namespace == "console" and entry.name == "login"  # a plain view: no console_view mark
                if console_page or login or (not namespace and entry.name in PUBLIC):
                    found[name] = entry

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def world(catalog, submitted_round, deciding_case, officer_a, agency_a, reviewer_a, head_a, discloser_a, auditor_a,
          admin_user) -> dict:  # fmt: skip
    decided = deciding_case.__class__.objects.create(
        agency=agency_a, title="经营超过保质期的食品", party_type="organisation", party_name="辽源市恒通商贸有限公司",
        party_uscc="91220400MA0Y3K2X1B", status="decided", decision_outcome="penalty",
        decision_number="辽市监罚〔2026〕9号", decided_on=datetime.date.today() - datetime.timedelta(days=2),
        decided_measures=[{"kind": "fine", "amount": "3000.00"}], facts="当事人经营超过保质期的食品。",
        violation_type="经营超过保质期的食品", registered_on=datetime.date.today() - datetime.timedelta(days=30),
    )  # fmt: skip
    notice_services.notice_create_for_decision(case=decided, context=None)
    notice = Notice.objects.get(case=decided)
    notice_services.notice_publish(notice=notice, actor=discloser_a)
    posted = APIClient().post(f"/api/v1/public/notices/{notice.pk}/corrections/", {
        "requester_name": "王先生", "requester_contact": "13900000000", "content": "公示的罚款金额有误，应为两千元。",
    }, format="json")  # fmt: skip
    assert posted.status_code == 201, posted.content
    return {
        "case_id": deciding_case.pk, "round_id": submitted_round.pk, "item_id": deciding_case.evidence_items.get().pk,
        "notice_id": notice.pk, "catalog_id": catalog.pk, "user_id": officer_a.pk,
        "code": CorrectionRequest.objects.get().tracking_code, "key": agency_a.uscc, "number": "A-0001",
        "year": datetime.date.today().year, "agency_id": agency_a.pk, "indicator": "notices_on_time",
    }  # fmt: skip


def _login(run: Run, username: str | None) -> None:
    run.context.clear_cookies()
    if username is None:
        return
    run.page.goto(run.base + "/console/login/")
    run.page.get_by_label("用户名").fill(username)
    run.page.get_by_label("密码").fill(PASSWORD)
    run.page.get_by_role("button", name="登录").click()
    run.page.wait_for_url(re.compile(r"/console/(admin/)?$"))


def test_every_console_and_public_page_has_no_serious_accessibility_violation(browser, live_server, world):  # noqa: F811
    routes = _routes()
    assert {"console:admin-users", "console:admin-calendar", "public-notices"} <= set(routes)
    urls = {}
    for name, pattern in routes.items():
        path = str(pattern.pattern)
        for key in pattern.pattern.converters:
            path = re.sub(rf"<(\w+:)?{key}>", str(world[key]), path)
        urls[name] = ("/console/" if name.startswith("console:") else "/") + path
    run = Run(browser, live_server.url, TABLET, "every-page-1024x768", axe=True, full_page=True)
    opened: dict[str, str] = {}
    try:
        for persona in ("head_a", "reviewer_a", "discloser_a", "auditor_a", "sysadmin", None):
            _login(run, persona)
            for name, url in urls.items():
                if name in opened or (name == "console:login" and persona is not None):
                    continue
                response = run.page.goto(run.base + url)
                if response is not None and response.status == 200 and "text/html" in response.headers["content-type"]:
                    opened[name] = persona or "anonymous"
                    run.snap(name.replace(":", "-"))
        # The calendar import's preview (a POST answer) and the console's error pages.
        _login(run, "sysadmin")
        run.page.goto(run.base + "/console/admin/calendar/")
        run.page.get_by_label("通知全文").fill("国务院办公厅关于2027年部分节假日安排的通知\n"
                                               "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n")  # fmt: skip
        run.page.get_by_role("button", name="预览").click()
        run.page.wait_for_load_state()
        assert run.page.locator("[data-preview='2027']").count() == 1
        run.snap("calendar-preview")
        _login(run, "reviewer_a")
        for url, status in ((f"/console/cases/{uuid.uuid4()}/", 404), ("/console/admin/users/", 403)):
            response = run.page.goto(run.base + url)
            assert response is not None and response.status == status
            run.snap(f"error-{status}")
    finally:
        run.close()
    missing = sorted(set(urls) - set(opened))
    assert not missing, f"pages no persona could open: {missing}"
    assert run.csp_errors == [], run.csp_errors
    assert run.overflow == [], f"horizontal scrolling at 1024×768: {run.overflow}"
    assert run.violations == [], run.violations
