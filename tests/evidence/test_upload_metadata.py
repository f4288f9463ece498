"""Upload-Metadata is validated at creation, before any byte is accepted."""

from __future__ import annotations

import pytest

from backend.evidence.models import Upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"case": None}, "case"),
        ({"sha256": None}, "sha256"),
        ({"captured_at": None}, "captured_at"),
        ({"kind": "executable"}, "kind"),
        ({"case": "not-a-uuid"}, "case"),
        ({"sha256": "ABC"}, "sha256"),
        ({"captured_at": "2026-05-01 08:30"}, "captured_at"),
        ({"latitude": "91"}, "latitude"),
        ({"longitude": None}, "latitude"),
        ({"accuracy_m": "-1"}, "accuracy_m"),
        ({"activity": "打麻将"}, "activity"),
        ({"signature": "AAAA"}, "signature"),
    ],
)
def test_invalid_metadata_is_refused_with_the_field_named(as_user, officer_a, case_a, kit, overrides, field):
    md = kit.metadata_for(case_a, kit.JPEG, **overrides)
    response = kit.create(as_user(officer_a), md, len(kit.JPEG), body=kit.JPEG)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_metadata"
    assert field in body["fields"]
    assert not Upload.objects.exists()


def test_another_agencys_case_is_404_before_any_byte_is_stored(as_user, officer_a, case_b, kit, settings):
    response = kit.create(as_user(officer_a), kit.metadata_for(case_b, kit.JPEG), len(kit.JPEG), body=kit.JPEG)
    assert response.status_code == 404
    assert response["Tus-Resumable"] == "1.0.0"
    assert not Upload.objects.exists()
    assert not (settings.STORAGE_LOCAL_ROOT / "incoming").exists()


def test_an_unknown_case_is_404(as_user, officer_a, case_a, kit):
    md = kit.metadata_for(case_a, kit.JPEG, case="00000000-0000-0000-0000-000000000001")
    assert kit.create(as_user(officer_a), md, 10).status_code == 404


def test_a_closed_case_takes_no_new_evidence(as_user, officer_a, agency_a, kit):
    case = kit.make_case(agency_a, status="closed")
    response = kit.create(as_user(officer_a), kit.metadata_for(case, kit.JPEG), len(kit.JPEG))
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"


def test_only_field_officers_with_a_valid_credential_upload(as_user, reviewer_a, case_a, kit):
    response = kit.create(as_user(reviewer_a), kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))
    assert response.status_code == 403


def test_the_per_kind_size_limit_applies_at_creation(as_user, officer_a, case_a, kit, settings):
    settings.EVIDENCE_MAX_PHOTO_BYTES = 1000
    response = kit.create(as_user(officer_a), kit.metadata_for(case_a, kit.JPEG), 5000)
    assert response.status_code == 413
    assert response.json()["extra"]["kind"] == "photo"


def test_a_deferred_length_upload_cannot_grow_past_its_kind_limit(as_user, officer_a, case_a, kit, settings):
    settings.EVIDENCE_MAX_PHOTO_BYTES = 1000
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), None)["Location"]
    assert kit.patch(client, location, 0, kit.JPEG[:1001]).status_code == 413


def test_the_number_of_unfinished_uploads_per_user_is_limited(as_user, officer_a, case_a, kit, settings):
    settings.EVIDENCE_MAX_CONCURRENT_UPLOADS = 2
    client = as_user(officer_a)
    for _ in range(2):
        assert kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG)).status_code == 201
    response = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_uploads"


def test_a_device_of_another_agency_is_refused(as_user, officer_a, officer_b, case_a, kit):
    foreign = kit.register_device(officer_b)
    md = kit.metadata_for(case_a, kit.JPEG, device_id=str(foreign.device.pk))
    response = kit.create(as_user(officer_a), md, len(kit.JPEG))
    assert response.status_code == 400
    assert "device_id" in response.json()["fields"]


def test_filenames_are_kept_for_display_only_never_as_paths(as_user, officer_a, case_a, kit, settings):
    md = kit.metadata_for(case_a, kit.JPEG, filename="../../etc/passwd\x07.jpg")
    response = kit.create(as_user(officer_a), md, len(kit.JPEG), body=kit.JPEG)
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert upload.filename == "passwd.jpg"
    assert upload.item.storage_key == f"originals/{case_a.pk}/{upload.item_id}"
    assert not (settings.STORAGE_LOCAL_ROOT.parent / "etc").exists()


def test_a_nul_character_in_metadata_is_refused(as_user, officer_a, case_a, kit):
    md = kit.metadata_for(case_a, kit.JPEG, description="a\x00b")
    response = kit.create(as_user(officer_a), md, len(kit.JPEG))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_metadata"
