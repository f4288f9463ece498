"""The console in a real browser: Debian's Chromium driven by Playwright (never downloaded), on a live server.

One flow, at a desktop and at a 1024×768 tablet viewport: a reviewer logs in, opens the queued case, plays the
video preview made by the media pipeline, fills the checklist and returns the case; after the officer's
resubmission the reviewer passes it; the head records the collective discussion and decides; the disclosure
manager checks the highlighted redaction and publishes; the public page shows the redacted notice.

Every page of the run is screenshotted to ``var/test-artifacts/console/<viewport>/``. axe-core (vendored from
the npm registry in ``tests/console/vendor``) is evaluated in each page: no serious or critical violation.
The console's CSP stays on (axe is evaluated through the DevTools protocol, which CSP does not govern), and
any CSP violation reported by the browser fails the test.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from pathlib import Path

import pytest
from console.consolekit import make_deciding_case, make_video, submit_for_review, upload_evidence
from support import PASSWORD

from backend.cases.models import Case
from backend.disclosures.models import Notice
from backend.reviews.models import ReviewRound

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
AXE = Path(__file__).parent / "vendor" / "axe-4.10.3.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "console"
DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 1024, "height": 768}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures and of the flow
    # (the officer's resubmission) are ordinary synchronous test code.
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


@pytest.fixture(scope="module")
def video_bytes(tmp_path_factory) -> bytes:
    return make_video(tmp_path_factory.mktemp("media") / "bodycam.mp4")


class Run:
    """One browser context walking through the console, with a screenshot and an axe run per page."""

    def __init__(self, browser, base_url: str, viewport: dict[str, int], name: str, *, axe: bool,
                 full_page: bool) -> None:  # fmt: skip
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base_url
        self.axe = axe
        self.full_page = full_page
        self.shots = ARTIFACTS / name
        if self.shots.exists():
            shutil.rmtree(self.shots)
        self.shots.mkdir(parents=True)
        self.count = 0
        self.violations: list[str] = []
        self.csp_errors: list[str] = []
        self.overflow: list[str] = []
        self.checked: set[str] = set()
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp_errors.append(message.text)

    def snap(self, label: str) -> None:
        """Screenshot the page and check it with axe-core (serious and critical impacts fail)."""
        self.count += 1
        self.page.screenshot(path=str(self.shots / f"{self.count:02d}-{label}.jpg"), full_page=self.full_page,
                             type="jpeg", quality=70)  # fmt: skip
        # Usable on a tablet: nothing wider than the viewport (tables scroll inside their own box).
        if self.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") > 0:
            self.overflow.append(label)
        # Each page (its path with the ids taken out) is checked once: the flow revisits some of them.
        kind = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", self.page.url.split("?")[0])
        if not self.axe or kind in self.checked:
            return
        self.checked.add(kind)
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        found = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations'],
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
                return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
            }"""
        )
        self.violations += [f"{label}: {v}" for v in found]


    def go(self, path: str, label: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.snap(label)

    def login(self, username: str) -> None:
        self.context.clear_cookies()
        self.page.goto(self.base + "/console/login/")
        if self.count == 0:
            self.snap("login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(re.compile(r"/console/$"))
        self.snap(f"queues-{username}")

    def click(self, role: str, name: str, label: str) -> None:
        self.page.get_by_role(role, name=name).first.click()
        self.page.wait_for_load_state()
        self.snap(label)

    def message(self) -> str:
        return self.page.locator(".messages").inner_text() if self.page.locator(".messages").count() else ""

    def close(self) -> None:
        self.context.close()


def _fill_checklist(page, round_: ReviewRound, *, failing: str | None = None) -> None:
    for code in round_.checklist.order_by("order").values_list("code", flat=True):
        result = "nonconforming" if code == failing else "conforms"
        page.locator(f"label[for='r-{code}-{result}']").click()
        if code == failing:
            page.locator(f"#n-{code}").fill("裁量理由未说明从轻情节的依据")


def _flow(browser, live_server, viewport, name, *, axe: bool, people: dict, video_bytes: bytes) -> None:
    agency_a, officer_a, reviewer_a, head_a = people["agency"], people["officer"], people["reviewer"], people["head"]
    case = make_deciding_case(agency_a, [officer_a, people["officer2"]])
    video = upload_evidence(officer_a, case, video_bytes, kind="video", filename="执法记录仪.mp4", activity="现场检查")
    video.refresh_from_db()
    assert video.processing_status == "ready", video.processing_error
    first = submit_for_review(case, officer_a)
    # The tablet run keeps what the 1024×768 screen shows; the desktop run the whole page.
    run = Run(browser, live_server.url, viewport, name, axe=axe, full_page=axe)
    page = run.page
    try:
        # --- the reviewer: queue → workspace → video → checklist → return (建议纠正)
        run.login("reviewer_a")
        queue = page.locator("#q-reviews_unassigned")
        assert queue.locator(".badge").inner_text() == "1"
        queue.get_by_role("link", name=case.case_number).click()
        page.wait_for_load_state()
        run.snap("review-pending")
        run.click("button", "领取/分配审核", "review-claimed")
        assert "已分配审核" in run.message()
        duration = page.evaluate(
            """async () => {
                const v = document.querySelector('video.player');
                if (v.readyState < 1) await new Promise((ok, ko) => {
                    v.addEventListener('loadedmetadata', ok, {once: true});
                    v.addEventListener('error', () => ko(new Error('video error ' + v.error.code)), {once: true});
                    v.load();
                });
                v.muted = true;
                await v.play();
                await new Promise(ok => setTimeout(ok, 300));
                v.pause();
                return {duration: v.duration, time: v.currentTime, width: v.videoWidth};
            }"""
        )
        assert duration["duration"] == pytest.approx(2.0, abs=0.3) and duration["width"] == 320
        assert duration["time"] > 0
        run.snap("review-video-played")
        # Submitting an outcome is blocked until every item is answered.
        assert page.get_by_role("button", name="出具审核意见").is_disabled()
        _fill_checklist(page, first, failing="discretion")
        run.click("button", "保存审核内容", "review-checklist-saved")
        assert page.locator("[data-unanswered]").get_attribute("data-unanswered") == "0"
        page.locator("label[for='o-correction_required']").click()
        page.get_by_label("审核意见及理由").fill("裁量理由不充分，请补充说明适用一般情节的事实依据。")
        page.get_by_label("需纠正的方面").select_option("discretion")
        page.get_by_label("需纠正的内容").fill("补充从轻、减轻情节的认定")
        run.click("button", "出具审核意见", "review-returned")
        assert page.locator("[data-round-status]").get_attribute("data-round-status") == "completed"
        first.refresh_from_db()
        assert first.outcome == ReviewRound.Outcome.CORRECTION_REQUIRED

        # --- the officer resubmits (the app's 送审); the reviewer passes round 2 (同意)
        second = submit_for_review(case, officer_a)
        run.go("/console/", "queues-round-2")
        page.locator("#q-reviews_unassigned").get_by_role("link", name=case.case_number).click()
        page.wait_for_load_state()
        assert page.locator("#h-earlier + details summary").inner_text().startswith("法制审核 第1轮")
        run.click("button", "领取/分配审核", "review-2-claimed")
        _fill_checklist(page, second)
        run.click("button", "保存审核内容", "review-2-saved")
        page.locator("label[for='o-approved']").click()
        run.click("button", "出具审核意见", "review-2-approved")
        second.refresh_from_db()
        assert second.passed and second.opinion_number
        pdf_link = page.get_by_role("link", name="审核意见书（PDF）").first.get_attribute("href")
        pdf = page.request.get(live_server.url + pdf_link)
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

        # --- the head: decision page → collective discussion → decide (决定书文号)
        run.login("head_a")
        page.locator("#q-decisions").get_by_role("link", name="决定页面").first.click()
        page.wait_for_load_state()
        run.snap("decision-before")
        assert page.locator("[data-gate]").get_attribute("data-gate") == "collective_discussion_required"
        page.get_by_label("举行日期").fill(datetime.date.today().isoformat())
        page.get_by_label("主持人").select_option(str(head_a.pk))
        page.locator("#cd-participant_ids").select_option([str(head_a.pk), str(reviewer_a.pk), str(officer_a.pk)])
        page.get_by_label("讨论结论").fill("经集体讨论，同意对当事人罚款人民币二万元。")
        run.click("button", "登记集体讨论", "decision-discussed")
        assert "已登记集体讨论" in run.message()
        run.click("button", "作出处罚决定", "decision-made")
        case.refresh_from_db()
        assert case.status == Case.Status.DECIDED and case.decision_number
        assert page.locator("[data-decision-number]").get_attribute("data-decision-number") == case.decision_number
        run.go(f"/console/cases/{case.pk}/", "case-decided")
        run.go(f"/console/cases/{case.pk}/evidence/", "evidence-gallery")
        run.go(f"/console/evidence/{video.pk}/", "evidence-video")
        run.go("/console/statistics/", "statistics")
        run.go("/console/directory/", "directory")
        run.go("/console/inbox/", "inbox")
        run.go("/console/admin/catalogs/", "admin-catalogs")
        run.go("/console/admin/recordings/", "admin-recordings")

        # --- the disclosure manager: desk with the highlighted masks → publish → public page
        run.login("discloser_a")
        notice = Notice.objects.get(case=case)
        page.locator("#q-redactions").get_by_role("link", name=notice.decision_number).click()
        page.wait_for_load_state()
        run.snap("notice-desk")
        masks = page.locator("p.public[data-field='facts'] mark.mask")
        assert masks.count() >= 2  # the ID number and the phone number at least
        assert all(masks.nth(i).get_attribute("title") for i in range(masks.count()))
        public_facts = page.locator("p.public[data-field='facts']").inner_text()
        assert "220402199003071231" not in public_facts and "13912345678" not in public_facts
        assert "220402199003071231" in page.locator("section:has(#h-f-facts) p.original").inner_text()
        run.click("button", "核对无误，发布公示", "notice-published")
        assert page.locator("[data-notice-status]").get_attribute("data-notice-status") == "published"
        page.locator("[data-public-link]").click()
        page.wait_for_load_state()
        run.snap("public-notice")
        public = page.locator("main").inner_text()
        assert notice.decision_number in public and "王某" in public
        assert "220402199003071231" not in page.content() and "王小明" not in page.content()
    finally:
        run.close()
    assert run.csp_errors == [], run.csp_errors
    assert run.overflow == [], f"horizontal scrolling at {viewport}: {run.overflow}"
    assert run.violations == [], run.violations


@pytest.fixture
def people(catalog, agency_a, officer_a, officer_a2, reviewer_a, head_a, discloser_a) -> dict:
    return {"agency": agency_a, "officer": officer_a, "officer2": officer_a2, "reviewer": reviewer_a, "head": head_a,
            "discloser": discloser_a}  # fmt: skip


def test_the_review_decision_and_disclosure_flow_on_a_desktop(browser, live_server, people, video_bytes):
    _flow(browser, live_server, DESKTOP, "desktop", axe=True, people=people, video_bytes=video_bytes)


def test_the_same_flow_on_a_1024_by_768_tablet(browser, live_server, people, video_bytes):
    _flow(browser, live_server, TABLET, "tablet-1024x768", axe=False, people=people, video_bytes=video_bytes)
