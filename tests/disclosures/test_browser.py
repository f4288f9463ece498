"""Public pages in a real headless browser: Debian's Chromium driven by Playwright (never downloaded).

live_server serves from another thread on a transactional database: the data below is committed before
the browser looks. JavaScript is switched off in the pages' own context — they must work without it.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Run in the page with JavaScript on (a probe context), to inspect the rendered document.
ACCESSIBILITY_PROBE = """() => {
  const problems = [];
  if (document.documentElement.lang !== 'zh-CN') problems.push('lang');
  for (const sel of ['header[role=banner]', 'main', 'footer[role=contentinfo]', 'nav']) {
    if (!document.querySelector(sel)) problems.push('missing ' + sel);
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.closest('[aria-hidden=true]')) continue;
    if (!el.labels || el.labels.length === 0) problems.push('unlabelled ' + (el.id || el.name));
  }
  for (const img of document.querySelectorAll('img')) { if (!img.alt) problems.push('img without alt'); }
  if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count');
  if (document.scripts.length) problems.push('scripts present');
  return problems;
}"""
OVERFLOW_PROBE = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls made by the
    # fixtures here are ordinary synchronous test code, so Django's async-safety guard is lifted.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, agency_a, discloser_a, officer_a, make_case, create_notice):
    from backend.disclosures import revision, services

    person = services.notice_publish(notice=create_notice(make_case(agency_a, kind="person")), actor=discloser_a)
    org = services.notice_publish(notice=create_notice(make_case(agency_a, kind="organisation")), actor=discloser_a)
    gone = services.notice_publish(
        notice=create_notice(make_case(agency_a, kind="person", decided_on=datetime.date(2026, 3, 9))),
        actor=discloser_a,
    )
    services.notice_withdraw(notice=gone, reason="原处罚决定经行政复议被撤销", kind="revoked")
    revision.forget()
    return {"url": live_server.url, "person": person, "org": org, "gone": gone, "agency": agency_a}


def _page(browser, *, viewport, javascript=False):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript, locale="zh-CN")
    return context, context.new_page()


def test_search_and_read_a_notice_on_desktop_without_javascript(browser, site):
    context, page = _page(browser, viewport=DESKTOP)
    try:
        page.goto(site["url"] + "/notices/")
        assert page.locator("h1").inner_text() == "行政处罚决定公示"
        assert page.locator("ol.notices > li").count() == 3
        page.get_by_label("关键词").fill("保质期")
        page.get_by_role("button", name="检索").click()
        page.wait_for_load_state()
        items = page.locator("ol.notices > li")
        assert items.count() == 2  # the published person notice and the withdrawn one (header only)
        page.get_by_role("link", name=site["person"].decision_number).click()
        page.wait_for_load_state()
        body = page.locator("main").inner_text()
        assert "王某" in body and "5000.00 元" in body and "行政处罚信息摘要" in body
        assert "王小明" not in page.content() and "220402199003071231" not in page.content()
    finally:
        context.close()


def test_pages_are_accessible_in_the_rendered_document(browser, site):
    context, page = _page(browser, viewport=DESKTOP, javascript=True)  # only to run the probe
    try:
        for path in (
            "/notices/",
            f"/notices/{site['person'].pk}/",
            f"/notices/{site['gone'].pk}/",
            f"/agencies/{site['agency'].uscc}/",
            "/officers/A-0001",
            "/officers/",
            "/statistics/",
        ):
            response = page.goto(site["url"] + path)
            assert response.status == 200, path
            assert page.evaluate(ACCESSIBILITY_PROBE) == [], path
    finally:
        context.close()


def test_phone_viewport_has_no_horizontal_scrolling_and_large_tap_targets(browser, site):
    context, page = _page(browser, viewport=PHONE, javascript=True)
    try:
        for path in (
            "/notices/",
            f"/notices/{site['org'].pk}/",
            f"/agencies/{site['agency'].uscc}/",
            "/officers/A-0001",
        ):
            page.goto(site["url"] + path)
            assert page.evaluate(OVERFLOW_PROBE) <= 0, f"horizontal overflow on {path}"
        page.goto(site["url"] + "/notices/")
        for link in page.locator("header nav a").all():
            assert link.bounding_box()["height"] >= 40
        button = page.get_by_role("button", name="检索").bounding_box()
        assert button["height"] >= 44 and button["width"] <= PHONE["width"]
    finally:
        context.close()


def test_officer_verification_and_withdrawn_notice_on_a_phone(browser, site):
    context, page = _page(browser, viewport=PHONE)
    try:
        page.goto(site["url"] + "/officers/")
        page.get_by_label("执法证号").fill("A-0001")
        page.get_by_role("button", name="核验").click()
        page.wait_for_load_state()
        verdict = page.locator(".verdict").inner_text()
        assert verdict.startswith("有效") and "张伟" in page.locator("main").inner_text()
        qr = page.locator("figure.qr img")
        assert qr.get_attribute("alt")
        png = page.request.get(site["url"] + qr.get_attribute("src"))
        assert png.status == 200 and png.headers["content-type"] == "image/png"
        page.goto(site["url"] + f"/notices/{site['gone'].pk}/")
        main = page.locator("main").inner_text()
        assert "撤回" in main and "原处罚决定经行政复议被撤销" in main and "王某" not in main
    finally:
        context.close()


def test_citizen_correction_request_on_a_phone_without_javascript(browser, site):
    context, page = _page(browser, viewport=PHONE)
    try:
        page.goto(site["url"] + f"/notices/{site['org'].pk}/")
        page.get_by_label("申请人姓名或名称").fill("辽源市恒通商贸有限公司")
        page.get_by_label("联系方式").fill("0437-3216688")
        page.get_by_label("需要更正的内容及理由").fill("违法所得金额应为8000元")
        page.get_by_role("button", name="提交更正申请").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "更正申请办理情况"
        assert len(page.locator(".code").inner_text()) == 12
        assert "0437-3216688" not in page.content()
    finally:
        context.close()
