"""The auditor (监督人员) reads evidence and its notes but adds none, and uploads nothing."""

import pytest

from backend.evidence.models import EvidenceItem, EvidenceNote, Upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(kit, case_a, officer_a, as_user):
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG, filename="现场.jpg")
    return EvidenceItem.objects.get(case=case_a)


def test_the_auditor_may_not_add_an_evidence_note(item, auditor_a, officer_a, as_user):
    url = f"/api/v1/evidence/{item.id}/notes/"
    response = as_user(auditor_a).post(url, {"text": "监督意见"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "read_only_role"
    assert not EvidenceNote.objects.exists()
    # the officer still may, and the auditor reads it
    assert as_user(officer_a).post(url, {"text": "补充说明"}, format="json").status_code == 201
    listed = as_user(auditor_a).get(url)
    assert listed.status_code == 200 and len(listed.json()["results"]) == 1


def test_the_auditor_may_not_upload(kit, case_a, auditor_a, as_user):
    response = kit.create(as_user(auditor_a), kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))
    assert response.status_code == 403 and response.json()["code"] == "read_only_role"
    assert not Upload.objects.exists()
