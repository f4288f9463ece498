"""Mobile sync: Idempotency-Key on POSTs, ETag/If-Match on updates, the delta feed, compact lists."""

from __future__ import annotations

import uuid

from cases.casekit import new_case
from django.utils import timezone

from backend.cases.models import Case, CaseTransition

BODY = {
    "title": "无照经营", "party_type": "natural_person", "party_name": "张三", "party_id_number": "220402199202021237",
    "party_phone": "13800000000", "place_address": "辽源市龙山区",
}


def test_replaying_a_create_with_the_same_key_creates_nothing_new(as_user, officer_a):
    client = as_user(officer_a)
    first = client.post("/api/v1/cases/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/cases/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert second["ETag"] == first["ETag"] and second["Location"] == first["Location"]
    assert Case.objects.count() == 1
    other = client.post("/api/v1/cases/", {**BODY, "title": "另一案"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_replaying_a_transition_does_not_repeat_it(as_user, officer_a, officer_a2):
    case = new_case(officer_a, officer_a2, on=timezone.localdate())
    client = as_user(officer_a)
    url = f"/api/v1/cases/{case.id}/start_verification/"
    first = client.post(url, {"comment": "核查"}, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    second = client.post(url, {"comment": "核查"}, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    assert first.status_code == second.status_code == 200
    assert second.json()["version"] == first.json()["version"] == 2
    assert CaseTransition.objects.filter(case=case).count() == 1
    # Without the key the retry is a real second attempt, and the status already moved on.
    assert client.post(url, {}, format="json").json()["code"] == "transition_not_allowed"


def test_a_client_generated_id_is_kept_and_cannot_be_reused(as_user, officer_a):
    client = as_user(officer_a)
    case_id = str(uuid.uuid4())
    r = client.post("/api/v1/cases/", {**BODY, "id": case_id}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert r.status_code == 201 and r.json()["id"] == case_id
    r = client.post("/api/v1/cases/", {**BODY, "id": case_id}, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert r.status_code == 409 and r.json()["code"] == "case_id_conflict"


def test_updates_need_a_current_if_match(as_user, officer_a, officer_a2):
    case = new_case(officer_a, officer_a2, on=timezone.localdate())
    client = as_user(officer_a)
    url = f"/api/v1/cases/{case.id}/"
    detail = client.get(url)
    assert detail["ETag"].startswith('"1-')  # the version, then a digest of the representation
    assert client.get(url, HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304

    r = client.patch(url, {"title": "销售过期食品案（更正）"}, format="json")
    assert r.status_code == 428 and r.json()["code"] == "if_match_required"
    r = client.patch(url, {"title": "销售过期食品案（更正）"}, format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 200 and r["ETag"] == '"2"'
    # Another device still holding version 1 loses: 412, nothing overwritten.
    r = client.patch(url, {"title": "旧设备的修改"}, format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 412
    assert r.json()["code"] == "version_mismatch" and r.json()["extra"]["current_version"] == 2
    case.refresh_from_db()
    assert case.title == "销售过期食品案（更正）"
    # Transitions honour If-Match too.
    r = client.post(f"{url}start_verification/", {}, format="json", HTTP_IF_MATCH='W/"1"')
    assert r.status_code == 412
    r = client.post(f"{url}start_verification/", {}, format="json", HTTP_IF_MATCH='"2"')
    assert r.status_code == 200 and r["ETag"] == '"3"'


def test_the_delta_feed_returns_only_what_changed_oldest_first(as_user, officer_a, officer_a2):
    cases = [new_case(officer_a, officer_a2, on=timezone.localdate(), title=f"案件{i}") for i in range(3)]
    client = as_user(officer_a)
    full = client.get("/api/v1/cases/")
    assert [c["title"] for c in full.json()["results"]] == ["案件2", "案件1", "案件0"]
    since = full["X-Server-Time"]
    client.patch(f"/api/v1/cases/{cases[0].id}/", {"facts": "补充事实"}, format="json", HTTP_IF_MATCH='"1"')
    client.post(f"/api/v1/cases/{cases[1].id}/start_verification/", {}, format="json")
    delta = client.get("/api/v1/cases/", {"updated_since": since}).json()["results"]
    assert [c["id"] for c in delta] == [str(cases[0].id), str(cases[1].id)]
    assert client.get("/api/v1/cases/", {"updated_since": "yesterday"}).json()["code"] == "invalid_updated_since"


def test_the_list_is_compact_and_paged_with_a_constant_number_of_queries(
    as_user, officer_a, officer_a2, django_assert_max_num_queries
):
    for i in range(6):
        new_case(officer_a, officer_a2, on=timezone.localdate(), title=f"案件{i}")
    client = as_user(officer_a)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/cases/", {"page_size": 4}).json()
    assert len(page["results"]) == 4 and page["next"]
    item = page["results"][0]
    assert set(item) == {
        "id", "case_number", "title", "procedure", "category", "status", "party_type", "party_name",
        "officer_ids", "registered_on", "decided_on", "decision_number", "is_major", "has_missing_recordings",
        "version", "created_at", "updated_at",
    }
    rest = client.get(page["next"]).json()["results"]
    assert len(rest) == 2
