"""Server-rendered public pages: notices, agencies (事前公开), officer verification (事中公示), statistics."""

import datetime
import re

import pytest
from django.utils import timezone
from support import make_user

from backend.accounts.models import OfficerCredential
from backend.disclosures import revision, services
from backend.disclosures.models import DiscretionStandard, EnforcementItem

PERSON_ID = "220402199003071231"


@pytest.fixture(autouse=True)
def _fresh_revision():
    revision.forget()


def _html(response):
    return response.content.decode()


def test_notice_list_page_is_chinese_accessible_and_script_free(client, published_notice, published_org_notice):
    response = client.get("/notices/")
    html = _html(response)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    for landmark in ('role="banner"', "<main", 'role="contentinfo"', "<nav", 'role="search"'):
        assert landmark in html
    assert "<script" not in html
    assert (
        "script-src" not in response["Content-Security-Policy"]
        and "default-src 'none'" in response["Content-Security-Policy"]
    )
    for control_id in ("q", "agency", "penalty_kind", "status", "region", "date_from", "date_to"):
        assert f'<label for="{control_id}">' in html and f'id="{control_id}"' in html
    assert "王某" in html and "辽源市恒通商贸有限公司" in html
    assert "王小明" not in html and PERSON_ID not in html
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_notice_list_page_searches_and_answers_304(client, published_notice, published_org_notice):
    html = _html(client.get("/notices/", {"q": "保质期"}))
    assert published_notice.decision_number in html and published_org_notice.decision_number not in html
    first = client.get("/notices/")
    assert client.get("/notices/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_notice_detail_page_and_withdrawn_page(client, published_notice):
    html = _html(client.get(f"/notices/{published_notice.pk}/"))
    assert "行政处罚信息摘要" in html and "王某" in html and "5000.00 元" in html
    assert 'for="requester_name"' in html
    services.notice_withdraw(notice=published_notice, reason="原决定已被依法撤销", kind="revoked")
    revision.forget()
    html = _html(client.get(f"/notices/{published_notice.pk}/"))
    assert "撤回" in html and "原决定已被依法撤销" in html
    assert "王某" not in html and "保质期" not in html


def test_draft_pages_do_not_exist(client, draft_notice):
    assert client.get(f"/notices/{draft_notice.pk}/").status_code == 404


def test_correction_form_without_javascript(client, published_notice):
    response = client.post(
        f"/notices/{published_notice.pk}/correction/",
        {"requester_name": "王小明", "requester_contact": "13900000000", "content": "处罚金额有误请核实"},
    )
    assert response.status_code == 302
    status_page = client.get(response["Location"])
    assert status_page.status_code == 200 and "已提交" in _html(status_page)
    assert "13900000000" not in _html(status_page)
    bad = client.post(f"/notices/{published_notice.pk}/correction/", {"requester_name": "", "content": ""})
    assert bad.status_code == 400 and 'role="alert"' in _html(bad)


def test_agency_page_lists_valid_officers_only_and_the_ex_ante_items(client, agency_a, officer_a):
    make_user(
        "expired_officer",
        agency_a,
        ["field_officer"],
        credential="A-9001",
        full_name="赵过期",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    make_user(
        "revoked_officer",
        agency_a,
        ["field_officer"],
        credential="A-9002",
        full_name="钱吊销",
        credential_status=OfficerCredential.Status.REVOKED,
    )
    EnforcementItem.objects.create(
        agency=agency_a,
        code="330217001000",
        name="对销售过期食品的行政处罚",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
    )
    DiscretionStandard.objects.create(
        agency=agency_a,
        violation="经营超过保质期的食品",
        circumstance="首次违法且货值较小",
        level="从轻",
        penalty="处五万元以上七万元以下罚款",
    )
    profile = services.profile_for(agency_a)
    profile.remedies = "可在六十日内申请行政复议，或在六个月内提起行政诉讼。"
    profile.save()
    html = _html(client.get(f"/agencies/{agency_a.uscc}/"))
    assert "张伟" in html and "A-0001" in html
    assert "赵过期" not in html and "钱吊销" not in html
    assert "对销售过期食品的行政处罚" in html and "首次违法且货值较小" in html and "六十日内" in html
    api_body = client.get(f"/api/v1/public/agencies/{agency_a.uscc}/").json()
    assert [o["credential_number"] for o in api_body["officers"]] == ["A-0001"]
    assert set(api_body["officers"][0]) == {"name", "credential_number", "category", "scope", "valid_until"}


@pytest.mark.parametrize(
    ("status", "valid_delta", "text"),
    [
        (OfficerCredential.Status.ACTIVE, 30, "有效："),
        (OfficerCredential.Status.ACTIVE, -1, "已过期："),
        (OfficerCredential.Status.REVOKED, 30, "已注销/吊销："),
        (OfficerCredential.Status.SUSPENDED, 30, "已暂扣："),
    ],
)
def test_officer_verification_page_states_validity_plainly(client, agency_a, status, valid_delta, text):
    make_user(
        "o",
        agency_a,
        ["field_officer"],
        credential="LY-2026-77",
        full_name="周正",
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_delta),
        credential_status=status,
    )
    response = client.get("/officers/LY-2026-77")
    html = _html(response)
    assert response.status_code == 200 and text in html and "周正" in html
    api_body = client.get("/api/v1/public/officers/LY-2026-77/").json()
    assert api_body["is_valid"] is (text == "有效：")


def test_unknown_credential_is_reported_as_not_found(client, db):
    response = client.get("/officers/NO-SUCH-1")
    assert response.status_code == 404 and "未找到执法证号" in _html(response)


def test_officer_qr_code_png_points_at_the_verification_page(client, officer_a):
    response = client.get("/officers/A-0001/qr.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(response.content)).size[0] > 100
    assert client.get("/officers/NOPE/qr.png").status_code == 404


def test_annual_statistics_are_computed_from_records(
    client, api, published_notice, published_org_notice, agency_a, make_case, create_notice, discloser_a
):
    late = create_notice(make_case(agency_a, decided_on=datetime.date(2026, 1, 5)))
    services.notice_publish(notice=late, actor=discloser_a)
    services.notice_withdraw(notice=published_org_notice, reason="变更", kind="changed")
    body = api.get("/api/v1/public/statistics/", {"agency": agency_a.uscc, "year": 2026}).json()
    assert body["cases"]["decided"] == 3
    assert body["fines"]["total_yuan"] == "60000.00"
    d = body["disclosures"]
    assert d["published"] == 3 and d["published_late"] >= 1 and d["withdrawn"] == 1
    html = _html(client.get(f"/statistics/{agency_a.uscc}/2026/"))
    assert "年度行政执法统计" in html and "60000.00" in html
    assert client.get("/statistics/", {"agency": agency_a.uscc, "year": "2025"}).status_code == 302


def test_pages_do_not_set_cookies_or_track(client, published_notice, officer_a, agency_a):
    for url in (
        "/notices/",
        f"/notices/{published_notice.pk}/",
        "/agencies/",
        f"/agencies/{agency_a.uscc}/",
        "/officers/A-0001",
        "/statistics/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert response["Referrer-Policy"] == "no-referrer"
        assert not re.search(r"<script|<iframe|analytics|gtag", _html(response)), url


def test_agency_page_shows_the_major_decision_catalog_in_force(client, api, agency_a):
    from backend.reviews.models import CatalogRule, MajorCatalog

    catalog = MajorCatalog.objects.create(
        agency=agency_a,
        version=1,
        title="辽源市市场监督管理局重大执法决定法制审核目录清单",
        document_number="辽市监发〔2026〕1号",
        status=MajorCatalog.Status.PUBLISHED,
        effective_from=timezone.localdate() - datetime.timedelta(days=10),
    )
    kind = CatalogRule._meta.get_field("kind").choices[0][0]
    CatalogRule.objects.create(
        catalog=catalog, code="fine-large", order=1, kind=kind, description="对公民处以一万元以上罚款的"
    )
    html = _html(client.get(f"/agencies/{agency_a.uscc}/"))
    assert "辽市监发〔2026〕1号" in html and "对公民处以一万元以上罚款的" in html
    body = api.get(f"/api/v1/public/agencies/{agency_a.uscc}/").json()
    assert body["major_decision_catalog"]["rules"] == [
        {"code": "fine-large", "description": "对公民处以一万元以上罚款的"}
    ]


def test_pages_answer_head_requests(client, published_notice):
    for url in ("/notices/", f"/notices/{published_notice.pk}/", "/agencies/", "/statistics/"):
        response = client.head(url)
        assert response.status_code == 200, url
        assert not response.content
