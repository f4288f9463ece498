"""The console pages through Django's test client: login, headers, queues, case page, review workspace,
evidence viewer and disclosure desk — each action's effect checked in the records the services write."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from support import PASSWORD

from backend.accounts.models import OfficerCredential
from backend.cases.models import CaseDeadline
from backend.disclosures.models import Notice
from backend.ledger.models import AuditEvent
from backend.ledger.services import audit_record
from backend.reviews import services as review_services
from backend.reviews.models import ReviewRound

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def _followed(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- login and headers


def test_login_uses_the_apis_lock_out_and_goes_back_where_the_user_was(reviewer_a, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    wrong = client.post("/console/login/", {"username": "reviewer_a", "password": "nope"})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.content.decode()
    client.post("/console/login/", {"username": "reviewer_a", "password": "nope"})
    locked = client.post("/console/login/", {"username": "reviewer_a", "password": PASSWORD})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    from django.core.cache import cache

    cache.clear()
    ok = client.post("/console/login/", {"username": "reviewer_a", "password": PASSWORD, "next": "/console/cases/"})
    assert ok.status_code == 303 and ok["Location"] == "/console/cases/"
    assert ok.cookies["sessionid"]["httponly"] and ok.cookies["sessionid"]["samesite"] == "Lax"
    elsewhere = Client().post("/console/login/", {"username": "reviewer_a", "password": PASSWORD,
                                                 "next": "https://evil.example/"})  # fmt: skip
    assert elsewhere["Location"] == "/console/"


def test_posts_need_the_csrf_token_and_logout_is_never_a_get(reviewer_a):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/console/login/", {"username": "reviewer_a", "password": PASSWORD}).status_code == 403
    client.force_login(reviewer_a)
    assert client.get("/console/logout/").status_code == 405
    assert client.post("/console/logout/").status_code == 403  # no token
    page = client.get("/console/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert client.post("/console/logout/", {"csrfmiddlewaretoken": token}).status_code == 303
    assert client.get("/console/").status_code == 302


def test_every_page_has_the_strict_csp_and_no_inline_script_or_style(console, submitted_round, reviewer_a, settings):
    client = console(reviewer_a)
    case, round_ = submitted_round.case_id, submitted_round.pk
    for path in ("/console/login/", "/console/", f"/console/cases/{case}/", f"/console/reviews/{round_}/",
                 f"/console/cases/{case}/decision/", f"/console/cases/{case}/evidence/", "/console/notices/",
                 "/console/cases/"):  # fmt: skip
        response = client.get(path)
        assert response["Content-Security-Policy"] == settings.CONSOLE_CONTENT_SECURITY_POLICY
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "no-store" in response["Cache-Control"] and response["X-Frame-Options"] == "DENY"
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), path
        assert " style=" not in body and "<style" not in body, path
        assert 'lang="zh-CN"' in body


# --------------------------------------------------------------------------- queues


def test_the_reviewer_queue_counts_filters_and_sorts(console, submitted_round, reviewer_a, agency_a, officer_a,
                                                     officer_a2):  # fmt: skip
    from console.consolekit import make_deciding_case, submit_for_review

    later = make_deciding_case(agency_a, [officer_a, officer_a2], title="第二件案件")
    second = submit_for_review(later, officer_a)
    ReviewRound.objects.filter(pk=second.pk).update(due_on=submitted_round.due_on + datetime.timedelta(days=7))
    client = console(reviewer_a)
    body = _page(client, "/console/")
    assert 'data-queue="reviews_unassigned">2<' in body and 'data-queue="reviews_mine">0<' in body
    assert body.index(submitted_round.case.case_number) < body.index(later.case_number)  # soonest due first
    reverse = _page(client, "/console/?sort=-due")
    assert reverse.index(later.case_number) < reverse.index(submitted_round.case.case_number)
    assert 'data-queue="reviews_unassigned">0<' in _page(client, "/console/?kind=case_review")
    client.post(f"/console/reviews/{submitted_round.pk}/assign/")
    body = _page(client, "/console/")
    assert 'data-queue="reviews_mine">1<' in body and 'data-queue="reviews_unassigned">1<' in body
    fragment = client.get("/console/?kind=legal_review", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-queue="reviews_mine">1<' in fragment


def test_head_discloser_and_auditor_queues(console, submitted_round, head_a, discloser_a, auditor_a, reviewer_a):
    case = submitted_round.case
    head = _page(console(head_a), "/console/")
    assert 'data-queue="decisions">1<' in head and 'data-queue="collective">1<' in head
    draft = Notice.objects.create(
        agency=case.agency, decision_number="辽市监罚〔2026〕77号", party_type="organisation", party_name="某公司",
        decision_date=timezone.localdate() - datetime.timedelta(days=20), agency_name=case.agency.name,
        agency_uscc=case.agency.uscc, due_date=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    discloser = _page(console(discloser_a), "/console/")
    assert 'data-queue="notices_overdue">1<' in discloser and 'data-queue="redactions">1<' in discloser
    assert draft.decision_number in discloser
    CaseDeadline.objects.create(case=case, rule_code="DECISION", name="作出处罚决定",
                                anchor_on=timezone.localdate() - datetime.timedelta(days=100),
                                due_on=timezone.localdate() - datetime.timedelta(days=3))  # fmt: skip
    item = case.evidence_items.get()
    audit_record(action="evidence.integrity_alert", target=item, agency_id=case.agency_id, case_id=case.pk,
                 data={"expected_sha256": item.sha256})  # fmt: skip
    auditor = _page(console(auditor_a), "/console/")
    assert 'data-queue="deadlines_overdue">1<' in auditor and 'data-queue="integrity">1<' in auditor
    assert f"/console/evidence/{item.pk}/" in auditor
    assert "data-queue=\"reviews_mine\"" not in auditor  # no reviewer queue without the role


# --------------------------------------------------------------------------- case page


def test_the_case_page_shows_masked_party_credentials_deadlines_and_allowed_steps(
    console, submitted_round, head_a, officer_a, officer_a2, reviewer_a
):
    case = submitted_round.case
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    OfficerCredential.objects.filter(user=officer_a2).update(valid_until=yesterday)
    CaseDeadline.objects.create(case=case, rule_code="DECISION", name="作出处罚决定", anchor_on=timezone.localdate(),
                                due_on=datetime.date(2031, 3, 3), provisional=True)  # fmt: skip
    body = _page(console(head_a), f"/console/cases/{case.pk}/")
    party = body.split('id="h-party"')[1].split("</section>")[0]
    # The party's fields are masked by default, as the API's ?masked=1 (the facts are shown as written).
    assert "220402199003071231" not in party and "13912345678" not in party and "人民大街88号" not in party
    assert "已过期" in body and "有效" in body  # officer_a2's credential expired yesterday
    assert "暂定" in body and "2031-03-03" in body
    assert "作出处罚决定" in body and f"/console/cases/{case.pk}/decision/" in body
    assert "提交审核" in body and "法制审核 第1轮" in body  # the timeline's review.submitted and the round
    officer_steps = _page(console(officer_a), f"/console/cases/{case.pk}/").split("可办理的下一步")[1]
    assert "作出处罚决定" not in officer_steps.split('id="h-rounds"')[0]
    before = AuditEvent.objects.filter(action="case.personal_data_read").count()
    missing = console(head_a).post(f"/console/cases/{case.pk}/reveal/", {"purpose": " "})
    assert missing.status_code == 400
    shown = console(head_a).post(f"/console/cases/{case.pk}/reveal/", {"purpose": "作出决定前核对当事人身份"})
    assert shown.status_code == 200
    assert "220402199003071231" in shown.content.decode().split('id="h-party"')[1].split("</section>")[0]
    read = AuditEvent.objects.filter(action="case.personal_data_read").exclude(pk__in=[]).order_by("-occurred_at")
    assert read.count() == before + 1 and read.first().data["purpose"] == "作出决定前核对当事人身份"


def test_a_step_refused_by_its_precondition_is_shown_with_the_code_and_changes_nothing(console, submitted_round,
                                                                                      head_a):  # fmt: skip
    case = submitted_round.case
    response = console(head_a).post(f"/console/cases/{case.pk}/steps/decide/", {"version": str(case.version)},
                                    follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "legal_review_not_passed" in _followed(response) or "legal_review_required" in _followed(response)
    case.refresh_from_db()
    assert case.status == "deciding" and not case.decision_number
    stale = console(head_a).post(f"/console/cases/{case.pk}/steps/decide/", {"version": str(case.version - 1)},
                                 follow=True)  # fmt: skip
    assert "version_mismatch" in _followed(stale)


# --------------------------------------------------------------------------- review workspace


def test_the_outcome_is_blocked_until_every_item_is_answered(console, submitted_round, reviewer_a):
    client = console(reviewer_a)
    client.post(f"/console/reviews/{submitted_round.pk}/assign/")
    codes = list(submitted_round.checklist.order_by("order").values_list("code", flat=True))
    invalid = client.post(f"/console/reviews/{submitted_round.pk}/checklist/",
                          {f"result-{codes[0]}": "nonconforming"}, follow=True)  # fmt: skip
    assert "checklist_invalid" in _followed(invalid)
    all_but_one = {f"result-{c}": "conforms" for c in codes[:-1]}
    client.post(f"/console/reviews/{submitted_round.pk}/checklist/", all_but_one)
    body = _page(client, f"/console/reviews/{submitted_round.pk}/")
    assert 'data-unanswered="1"' in body and "<fieldset disabled>" in body
    refused = client.post(f"/console/reviews/{submitted_round.pk}/outcome/", {"outcome": "other", "opinion_text": "x"},
                          follow=True)  # fmt: skip
    assert "checklist_incomplete" in _followed(refused)
    submitted_round.refresh_from_db()
    assert submitted_round.status == ReviewRound.Status.IN_REVIEW
    client.post(f"/console/reviews/{submitted_round.pk}/checklist/", {f"result-{codes[-1]}": "not_applicable"})
    done = client.post(f"/console/reviews/{submitted_round.pk}/outcome/", {"outcome": "approved"}, follow=True)
    assert "已出具审核意见" in _followed(done)
    submitted_round.refresh_from_db()
    assert submitted_round.passed and submitted_round.opinion_number in _followed(done)
    pdf = client.get(f"/console/reviews/{submitted_round.pk}/opinion.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_the_workspace_shows_the_frozen_package_hints_and_earlier_rounds(console, submitted_round, reviewer_a,
                                                                         officer_a):  # fmt: skip
    from console.consolekit import submit_for_review

    review_services.review_assign(round_=submitted_round, reviewer=reviewer_a, actor=reviewer_a)
    second = submit_for_review(submitted_round.case, officer_a)  # supersedes the open round
    body = _page(console(reviewer_a), f"/console/reviews/{second.pk}/")
    assert "适用《辽源市市场监管行政处罚裁量基准》一般情节。" in body
    assert second.package_sha256 in body and "法制审核 第1轮：已撤回" in body
    assert 'class="hint hint-' in body  # the automatic pre-check hints beside the items
    assert f"/console/evidence/{submitted_round.case.evidence_items.get().pk}/" in body
    assert console(reviewer_a).get(f"/console/reviews/{second.pk}/opinion.pdf").status_code == 404  # not issued


# --------------------------------------------------------------------------- evidence viewer


def test_opening_an_original_asks_the_purpose_and_is_logged_in_custody(console, deciding_case, reviewer_a, tmp_path):
    from backend.common.storage import get_storage

    item = deciding_case.evidence_items.get()
    client = console(reviewer_a)
    body = _page(client, f"/console/evidence/{item.pk}/")
    assert item.sha256 in body and "无签名" in body and "map-point" in body  # inside the agency's region
    refused = client.post(f"/console/evidence/{item.pk}/original/", {"purpose": ""})
    assert refused.status_code == 400 and "purpose_required" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="evidence.accessed", target_id=str(item.pk)).exists()
    source = tmp_path / "original.bin"
    source.write_bytes(b"x" * item.size)
    get_storage().put_file(item.storage_key, source)
    response = client.post(f"/console/evidence/{item.pk}/original/", {"purpose": "复核现场照片"})
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"x" * item.size
    event = AuditEvent.objects.get(action="evidence.accessed", target_id=str(item.pk))
    assert event.data["purpose"] == "复核现场照片" and event.actor_name
    assert "复核现场照片" in _page(client, f"/console/evidence/{item.pk}/")  # on the custody list
    assert client.get(f"/console/evidence/{item.pk}/derivatives/preview").status_code == 404


# --------------------------------------------------------------------------- disclosure desk


def test_the_desk_highlights_masks_and_publishing_refuses_typed_back_personal_data(console, agency_a, discloser_a,
                                                                                  head_a):  # fmt: skip
    from backend.disclosures import services

    case = agency_a.cases.create(
        title="销售过期食品案", party_type="natural_person", party_name="王小明", party_id_number="220402199003071231",
        status="decided", decision_outcome="penalty", decision_number="辽市监罚〔2026〕5号",
        decided_on=datetime.date(2026, 3, 10), decided_measures=[{"kind": "fine", "amount": "5000.00"}],
        facts="经查，当事人王小明（身份证号码220402199003071231）销售过期食品。", violation_type="销售过期食品",
    )  # fmt: skip
    services.notice_create_for_decision(case=case, context=None)
    notice = Notice.objects.get(case=case)
    client = console(discloser_a)
    body = _page(client, f"/console/notices/{notice.pk}/")
    public = body.split('data-field="facts">')[1].split("</p>")[0]
    assert '<mark class="mask"' in public and "220402199003071231" not in public
    assert "身份证件号码不予公开" in body or "身份证" in body.split("脱敏理由")[1]
    typed_back = client.post(f"/console/notices/{notice.pk}/edit/",
                             {"facts": notice.facts + "身份证号码220402199003071231"})  # fmt: skip
    assert typed_back.status_code == 303
    refused = client.post(f"/console/notices/{notice.pk}/publish/", follow=True)
    assert "notice_contains_personal_data" in _followed(refused)
    client.post(f"/console/notices/{notice.pk}/edit/", {"facts": notice.facts})
    done = client.post(f"/console/notices/{notice.pk}/publish/", follow=True)
    assert "已公示" in _followed(done) and f"/notices/{notice.pk}/" in _followed(done)
    withdrawn = client.post(f"/console/notices/{notice.pk}/withdraw/", {"reason": "原处罚决定经行政复议被撤销",
                                                                     "kind": "revoked"}, follow=True)  # fmt: skip
    assert "已撤回公示" in _followed(withdrawn)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN and notice.edits.count() == 2
    assert console(head_a).post(f"/console/notices/{notice.pk}/publish/").status_code == 403


def test_refusing_to_publish_needs_a_statutory_reason_and_the_heads_approval(console, agency_a, discloser_a, head_a):
    from backend.disclosures import services

    case = agency_a.cases.create(
        title="案", party_type="organisation", party_name="辽源市某公司", status="decided", decision_outcome="penalty",
        decision_number="辽市监罚〔2026〕6号", decided_on=datetime.date(2026, 3, 10), facts="事实",
        decided_measures=[{"kind": "fine", "amount": "5000.00"}], violation_type="违法",
    )  # fmt: skip
    services.notice_create_for_decision(case=case, context=None)
    notice = Notice.objects.get(case=case)
    bad = console(discloser_a).post(f"/console/notices/{notice.pk}/non-disclosure/", {"reason": "because"}, follow=True)
    assert "invalid" in _followed(bad)
    console(discloser_a).post(f"/console/notices/{notice.pk}/non-disclosure/", {"reason": "related_cases"})
    assert "审批不予公开" in _page(console(head_a), f"/console/notices/{notice.pk}/")
    console(head_a).post(f"/console/notices/{notice.pk}/non-disclosure/decision/", {"approve": "true"})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.NOT_DISCLOSED and notice.nd_approved_by == head_a
