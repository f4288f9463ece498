"""Who sees and who changes a case: agency scoping (404), roles (403), masking in lists, audited reads."""

from __future__ import annotations

import pytest
from cases.casekit import new_case
from django.utils import timezone
from support import make_agency, make_user

from backend.accounts.models import Role
from backend.ledger.models import AuditEvent


@pytest.fixture
def case(officer_a, officer_a2):
    return new_case(officer_a, officer_a2, on=timezone.localdate())


def test_another_agency_gets_404_everywhere(as_user, officer_b, case):
    client = as_user(officer_b)
    base = f"/api/v1/cases/{case.id}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/").json()["code"] == "case_not_found"
    assert client.get(f"{base}/timeline/").status_code == 404
    assert client.get(f"{base}/documents/").status_code == 404
    assert client.patch(f"{base}/", {"title": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code == 404
    assert client.post(f"{base}/start_verification/", {}, format="json").status_code == 404
    assert client.get("/api/v1/cases/").json()["results"] == []


def test_anonymous_and_system_admin_see_nothing(api, as_user, admin_user, case):
    assert api.get("/api/v1/cases/").status_code == 401
    assert as_user(admin_user).get(f"/api/v1/cases/{case.id}/").status_code == 404


def test_the_list_masks_personal_data(as_user, officer_a, case):
    item = as_user(officer_a).get("/api/v1/cases/").json()["results"][0]
    assert item["party_name"] == "王某"
    assert "party_id_number" not in item and "party_phone" not in item and "party_address" not in item


def test_reading_the_full_record_is_audited_and_the_masked_view_is_not(as_user, officer_a, auditor_a, case):
    body = as_user(auditor_a).get(f"/api/v1/cases/{case.id}/", {"purpose": "执法监督检查"}).json()
    assert body["party_id_number"] == "220402199001011235"
    read = AuditEvent.objects.filter(action="case.personal_data_read", case_id=case.id).get()
    assert read.actor_name == "auditor_a"
    assert read.data["purpose"] == "执法监督检查"
    assert "party_id_number" in read.data["fields"]
    # Personal data never enters the (permanent) ledger: the creation event keeps only a hash.
    created = AuditEvent.objects.get(action="case.created", case_id=case.id)
    assert "220402199001011235" not in str(created.data)
    assert set(created.data["fields"]["party_id_number"]) == {"sha256"}

    masked = as_user(officer_a).get(f"/api/v1/cases/{case.id}/", {"masked": "1"}).json()
    assert masked["party_id_number"] == "2204**********1235" and masked["party_name"] == "王某"
    assert AuditEvent.objects.filter(action="case.personal_data_read").count() == 1


def test_reading_a_documents_full_text_is_audited(as_user, officer_a, case):
    client = as_user(officer_a)
    created = client.post(f"/api/v1/cases/{case.id}/documents/", {
        "doc_type": "inquiry_record", "content": {"answers": ["我叫王小明"]},
    }, format="json")
    assert created.status_code == 201, created.json()
    listed = client.get(f"/api/v1/cases/{case.id}/documents/").json()
    assert "content" not in listed[0]
    assert not AuditEvent.objects.filter(action="case.personal_data_read").exists()
    body = client.get(f"/api/v1/cases/{case.id}/documents/{created.json()['id']}/").json()
    assert body["content"] == {"answers": ["我叫王小明"]}
    read = AuditEvent.objects.get(action="case.personal_data_read")
    assert read.data["document_id"] == created.json()["id"] and read.data["doc_type"] == "inquiry_record"


def test_only_handling_officers_and_the_head_change_a_case(as_user, agency_a, auditor_a, head_a, case):
    colleague = make_user("colleague", agency_a, [Role.FIELD_OFFICER], credential="A-55")
    url = f"/api/v1/cases/{case.id}/"
    r = as_user(colleague).patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 403 and r.json()["code"] == "not_handling_officer"
    r = as_user(auditor_a).post(f"{url}start_verification/", {}, format="json")
    assert r.status_code == 403
    r = as_user(head_a).patch(url, {"title": "负责人修改"}, format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 200
    # Colleagues of the agency may read it.
    assert as_user(colleague).get(url, {"masked": "1"}).status_code == 200


def test_a_supervising_agencys_auditor_reads_but_cannot_act(as_user, agency_a, case):
    parent = make_agency("辽源市人民政府司法局", "11220400MB0000001Z")
    agency_a.parent = parent
    agency_a.save()
    city_auditor = make_user("city_auditor", parent, [Role.AUDITOR])
    client = as_user(city_auditor)
    assert client.get(f"/api/v1/cases/{case.id}/").status_code == 200
    assert client.get(f"/api/v1/cases/{case.id}/timeline/").status_code == 200
    r = client.post(f"/api/v1/cases/{case.id}/start_verification/", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "read_only_role"  # refused before any case rule
    # A plain officer of the parent agency reads nothing below it.
    city_officer = make_user("city_officer", parent, [Role.FIELD_OFFICER], credential="P-1")
    assert as_user(city_officer).get(f"/api/v1/cases/{case.id}/").status_code == 404


def test_only_officers_and_heads_open_cases(as_user, auditor_a, reviewer_a):
    body = {"title": "x", "party_type": "natural_person", "party_name": "某人"}
    for user, code in ((auditor_a, "read_only_role"), (reviewer_a, "role_not_allowed")):
        r = as_user(user).post("/api/v1/cases/", body, format="json")
        assert r.status_code == 403 and r.json()["code"] == code


@pytest.mark.parametrize(
    ("trade_name", "listed"),
    [("辽源市龙山区张记小吃店", "辽源市龙山区张记小吃店"), ("张三丰", "张某")],
)
def test_a_sole_trader_shows_its_trade_name_and_masks_its_operator(
    as_user, officer_a, officer_a2, trade_name, listed
):
    """DOMAIN.md §6.5: a 个体工商户's trade name is shown, its operator's given name masked; one without a trade
    name goes by the operator's name, masked like a person's."""
    case = new_case(
        officer_a, officer_a2, on=timezone.localdate(), party_type="sole_trader", party_name=trade_name,
        party_legal_rep="张三丰", party_uscc="92220402MA0000007G",
    )
    client = as_user(officer_a)
    assert client.get("/api/v1/cases/").json()["results"][0]["party_name"] == listed
    masked = client.get(f"/api/v1/cases/{case.id}/", {"masked": "1"}).json()
    assert (masked["party_name"], masked["party_legal_rep"]) == (listed, "张某")
