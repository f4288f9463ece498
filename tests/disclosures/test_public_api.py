"""The anonymous public API: only published, redacted content; filters, search, cursors, caching, limits."""

import datetime

import pytest
from django.db import transaction

from backend.disclosures import revision, services
from backend.disclosures.models import Notice

URL = "/api/v1/public/notices/"
PERSON_ID = "220402199003071231"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _fresh_revision():
    revision.forget()
    yield
    revision.forget()


def test_anonymous_client_sees_only_published_redacted_notices(api, published_notice, create_notice, org_case):
    draft = create_notice(org_case)
    response = api.get(URL)
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == [str(published_notice.pk)]
    raw = response.content.decode()
    assert "王小明" not in raw and PERSON_ID not in raw and PHONE not in raw
    assert api.get(f"{URL}{draft.pk}/").status_code == 404


def test_detail_shows_the_redacted_rendition_only(api, published_notice):
    body = api.get(f"{URL}{published_notice.pk}/").json()
    assert body["party_name"] == "王某"
    assert body["party_type"] == "natural_person"
    assert "original" not in body and "redaction" not in body and "nd_note" not in body
    flat = str(body)
    for secret in ("王小明", PERSON_ID, PHONE, "88号", "502室"):
        assert secret not in flat
    assert body["fine_amount"] == "5000.00"
    assert body["penalty_kinds"] == ["warning", "fine"]


def test_no_draft_not_disclosed_or_withdrawn_before_publication_is_reachable(
    api, make_case, create_notice, agency_a, discloser_a, head_a
):
    a = create_notice(make_case(agency_a))
    b = services.notice_request_non_disclosure(
        notice=create_notice(make_case(agency_a)), actor=discloser_a, reason="related_cases"
    )
    services.notice_decide_non_disclosure(notice=b, actor=head_a, approve=True)
    c = create_notice(make_case(agency_a))
    services.notice_withdraw(notice=c, reason="决定撤销", kind="revoked")
    assert api.get(URL).json()["results"] == []
    for n in (a, b, c):
        assert api.get(f"{URL}{n.pk}/").status_code == 404


def test_withdrawn_notice_stays_marked_without_the_decision_content(api, published_notice):
    services.notice_withdraw(notice=published_notice, reason="原处罚决定已被依法撤销", kind="revoked")
    item = api.get(URL).json()["results"][0]
    assert item["status"] == "withdrawn" and item["party_name"] is None and item["fine_amount"] is None
    body = api.get(f"{URL}{published_notice.pk}/").json()
    assert body["status_label"] == "已撤回"
    assert body["withdrawal_reason"] == "原处罚决定已被依法撤销"
    assert "facts" not in body and "party_name" not in body and "penalty_content" not in body


def test_expired_notice_leaves_the_list_and_answers_410(api, published_notice):
    published_notice.display_until = datetime.date(2020, 1, 1)
    published_notice.save()
    services.notice_expire_display_periods()
    revision.forget()
    assert api.get(URL).json()["results"] == []
    response = api.get(f"{URL}{published_notice.pk}/")
    assert response.status_code == 410 and response.json()["code"] == "notice_display_expired"


def test_filters_and_chinese_full_text_search(api, published_notice, published_org_notice):
    def ids(**params):
        return {r["id"] for r in api.get(URL, params).json()["results"]}

    both = {str(published_notice.pk), str(published_org_notice.pk)}
    assert ids() == both
    assert ids(q="保质期") == {str(published_notice.pk)}
    assert ids(q="食品经营许可") == {str(published_org_notice.pk)}
    assert ids(q="经营许可") == {str(published_org_notice.pk)}  # segments differently from 食品经营许可
    assert ids(q="食品") == both
    assert ids(q="恒通商贸") == {str(published_org_notice.pk)}
    assert ids(q="不存在的词语组合") == set()
    assert ids(penalty_kind="confiscate_gains") == {str(published_org_notice.pk)}
    assert ids(penalty_kind="warning") == {str(published_notice.pk)}
    assert ids(party_type="organisation") == {str(published_org_notice.pk)}
    assert ids(agency="11220400MB1234567X") == both
    assert ids(agency="11220400MB7654321Y") == set()
    assert ids(region="2204") == both and ids(region="2205") == set()
    assert ids(date_from="2026-03-01", date_to="2026-03-31") == both
    assert ids(date_from="2026-04-01") == set()
    assert ids(status="withdrawn") == set()
    assert api.get(URL, {"status": "draft"}).status_code == 400


def test_cursor_pagination_walks_forward_and_back(api, make_case, create_notice, agency_a, discloser_a):
    for _ in range(5):
        services.notice_publish(notice=create_notice(make_case(agency_a)), actor=discloser_a)
    first = api.get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    assert len(third["results"]) == 1 and third["next"] is None
    seen = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert len(set(seen)) == 5
    back = api.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in second["results"]]
    assert api.get(URL, {"cursor": "!!garbage"}).status_code == 200


def test_etag_and_last_modified_answer_304_until_something_changes(
    api, published_notice, discloser_a, create_notice, org_case
):
    first = api.get(URL)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
    again = api.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert api.get(URL, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    detail = api.get(f"{URL}{published_notice.pk}/")
    assert api.get(f"{URL}{published_notice.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    # a different query is a different representation
    assert api.get(URL, {"q": "食品"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    services.notice_publish(notice=create_notice(org_case), actor=discloser_a)
    changed = api.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(changed.json()["results"]) == 2


def test_cors_allows_read_only_use_from_any_origin(api, published_notice):
    response = api.get(URL, HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = api.options(URL, HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_each_address_is_throttled(api, monkeypatch, published_notice):
    from rest_framework.settings import api_settings

    from backend.disclosures.public_apis import PublicRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "public": "3/min"}
    PublicRateThrottle.THROTTLE_RATES = rates  # put back by the conftest (_throttle_rates_restored)
    codes = [api.get(URL, REMOTE_ADDR="10.0.0.1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api.get(URL, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_bearer_token_is_ignored_not_rejected(api, published_notice):
    response = api.get(URL, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 200


def test_public_list_uses_a_constant_number_of_queries(
    api, make_case, create_notice, agency_a, discloser_a, django_assert_max_num_queries
):
    for _ in range(6):
        services.notice_publish(notice=create_notice(make_case(agency_a)), actor=discloser_a)
    revision.forget()
    with django_assert_max_num_queries(2):
        assert len(api.get(URL).json()["results"]) == 6


def test_citizens_can_request_a_correction_and_follow_it(api, published_notice):
    response = api.post(
        f"{URL}{published_notice.pk}/corrections/",
        {"requester_name": "王小明", "requester_contact": PHONE, "content": "处罚金额有误，请核实更正"},
        format="json",
    )
    assert response.status_code == 201
    code = response.json()["tracking_code"]
    status = api.get(f"/api/v1/public/corrections/{code}/").json()
    assert status["status"] == "submitted" and PHONE not in str(status)


def test_correction_on_a_draft_is_not_possible(api, draft_notice):
    response = api.post(
        f"{URL}{draft_notice.pk}/corrections/",
        {"requester_name": "某人", "requester_contact": "x", "content": "内容内容内容"},
        format="json",
    )
    assert response.status_code == 404


def test_public_api_is_read_only(api, published_notice):
    assert api.post(URL, {}, format="json").status_code == 405
    assert api.delete(f"{URL}{published_notice.pk}/").status_code == 405


def test_the_transaction_of_a_publication_makes_the_notice_visible_at_once(api, draft_notice, discloser_a):
    first = api.get(URL)
    with transaction.atomic():
        services.notice_publish(notice=Notice.objects.get(pk=draft_notice.pk), actor=discloser_a)
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.postgres
def test_search_uses_the_stored_tsvector_on_postgresql(api, published_notice, published_org_notice):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the SQLite path is covered by test_filters_and_chinese_full_text_search")
    revision.forget()

    def ids(q):
        return {r["id"] for r in api.get(URL, {"q": q}).json()["results"]}

    assert ids("保质期") == {str(published_notice.pk)}
    assert ids("经营许可") == {str(published_org_notice.pk)}
    assert ids("不存在的词语组合") == set()
