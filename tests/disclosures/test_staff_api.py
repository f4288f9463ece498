"""Staff API: side-by-side review, recorded edits, publication, withdrawal, queues; roles and agency scope."""

import datetime

from backend.disclosures.models import Notice


def _url(notice, action=""):
    return f"/api/v1/disclosures/notices/{notice.pk}/" + (f"{action}/" if action else "")


def test_review_shows_original_and_redacted_side_by_side(as_user, discloser_a, draft_notice):
    body = as_user(discloser_a).get(_url(draft_notice)).json()
    assert body["original"]["party"]["name"] == "王小明"
    assert body["party_name"] == "王某"
    spans = body["redaction"]["spans"]["facts"]
    assert any(s["category"] == "id_number" and s["reason"] for s in spans)
    assert "search_text" not in body


def test_edit_then_publish_through_the_api(as_user, discloser_a, draft_notice, api):
    client = as_user(discloser_a)
    edited = client.post(
        _url(draft_notice, "edit"),
        {"changes": {"violation_type": "销售超过保质期的食品"}, "note": "统一表述"},
        format="json",
    )
    assert edited.status_code == 200
    assert edited.json()["edits"][0]["before"] == "经营超过保质期的食品"
    published = client.post(_url(draft_notice, "publish"), format="json", HTTP_IDEMPOTENCY_KEY="pub-1")
    assert published.status_code == 200 and published.json()["status"] == "published"
    replay = client.post(_url(draft_notice, "publish"), format="json", HTTP_IDEMPOTENCY_KEY="pub-1")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    public = api.get(f"/api/v1/public/notices/{draft_notice.pk}/").json()
    assert public["violation_type"] == "销售超过保质期的食品"


def test_field_officer_cannot_publish_and_other_agencies_get_404(as_user, officer_a, officer_b, draft_notice):
    assert as_user(officer_a).post(_url(draft_notice, "publish"), format="json").status_code == 403
    assert as_user(officer_b).get(_url(draft_notice)).status_code == 404
    assert as_user(officer_b).post(_url(draft_notice, "publish"), format="json").status_code == 404


def test_anonymous_cannot_use_the_staff_api(api, draft_notice):
    assert api.get(_url(draft_notice)).status_code == 401
    assert api.get("/api/v1/disclosures/notices/").status_code == 401


def test_withdraw_via_api_requires_reason_and_kind(as_user, discloser_a, published_notice):
    client = as_user(discloser_a)
    assert client.post(_url(published_notice, "withdraw"), {"kind": "revoked"}, format="json").status_code == 400
    ok = client.post(
        _url(published_notice, "withdraw"),
        {"kind": "revoked", "reason": "经行政复议撤销", "triggered_on": str(datetime.date.today())},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "withdrawn"


def test_non_disclosure_request_and_approval_via_api(as_user, discloser_a, head_a, draft_notice):
    r = as_user(discloser_a).post(
        _url(draft_notice, "non-disclosure"), {"reason": "criminal_transfer", "note": "已移送公安"}, format="json"
    )
    assert r.status_code == 200 and r.json()["nd_reason"] == "criminal_transfer"
    d = as_user(head_a).post(_url(draft_notice, "non-disclosure/decision"), {"approve": True}, format="json")
    assert d.status_code == 200 and d.json()["status"] == "not_disclosed"


def test_overdue_and_due_soon_lists_for_agency_and_auditor(
    as_user, discloser_a, auditor_a, make_case, create_notice, agency_a
):
    overdue = create_notice(make_case(agency_a, decided_on=datetime.date(2026, 1, 5)))
    today = datetime.date.today()
    soon = create_notice(make_case(agency_a, decided_on=today))
    Notice.objects.filter(pk=soon.pk).update(due_date=today)
    for user in (discloser_a, auditor_a):
        body = as_user(user).get("/api/v1/disclosures/deadlines/").json()
        assert [n["id"] for n in body["overdue"]] == [str(overdue.pk)]
        assert [n["id"] for n in body["due_soon"]] == [str(soon.pk)]


def test_staff_list_filters_by_status(as_user, discloser_a, published_notice, create_notice, org_case):
    create_notice(org_case)
    body = as_user(discloser_a).get("/api/v1/disclosures/notices/", {"status": "draft"}).json()
    assert len(body["results"]) == 1 and body["results"][0]["status"] == "draft"


def test_correction_requests_are_answered_by_the_disclosure_manager(as_user, api, discloser_a, published_notice):
    code = api.post(
        f"/api/v1/public/notices/{published_notice.pk}/corrections/",
        {"requester_name": "王小明", "requester_contact": "13900000000", "content": "住址区县有误，请更正"},
        format="json",
    ).json()["tracking_code"]
    items = as_user(discloser_a).get("/api/v1/disclosures/corrections/").json()["results"]
    assert items[0]["tracking_code"] == code and items[0]["requester_contact"] == "13900000000"
    answered = as_user(discloser_a).post(
        f"/api/v1/disclosures/corrections/{items[0]['id']}/answer/",
        {"accept": True, "answer": "已更正住址"},
        format="json",
    )
    assert answered.status_code == 200
    status = api.get(f"/api/v1/public/corrections/{code}/").json()
    assert status["status"] == "accepted" and status["answer"] == "已更正住址"
