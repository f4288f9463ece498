"""Completion: hash verification, quarantine, duplicates, device signatures, flags, processing, audit."""

from __future__ import annotations

import datetime
import json

import pytest

from backend.evidence.models import EvidenceItem, Upload
from backend.ledger.models import AuditEvent
from backend.ledger.services import log_entry_bytes

pytestmark = pytest.mark.django_db


def _capture_bytes(md, case, device):
    from backend.ledgercore.canonical_json import capture_record_bytes

    return capture_record_bytes(
        sha256=md["sha256"], captured_at=md["captured_at"], case=str(case.pk), device=str(device.device.pk),
        latitude=md["latitude"], longitude=md["longitude"],
    )


def test_a_matching_hash_makes_a_received_item_with_its_capture_record(as_user, officer_a, case_a, kit, settings):
    response = kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    assert response["Evidence-Status"] == "received"
    item = EvidenceItem.objects.get()
    assert item.status == "received"
    assert item.kind == "photo"
    assert item.content_type == "image/jpeg"
    assert item.uploaded_by == officer_a
    assert str(item.latitude) == "42.8876000"
    assert item.activity == "现场检查"
    assert item.signature_status == "absent"
    assert item.received_at >= item.captured_at
    stored = settings.STORAGE_LOCAL_ROOT / item.storage_key
    assert stored.read_bytes() == kit.JPEG
    assert not (stored.stat().st_mode & 0o222), "originals are stored read-only"
    assert not list((settings.STORAGE_LOCAL_ROOT / "incoming").iterdir())
    actions = list(AuditEvent.objects.filter(case_id=case_a.pk).values_list("action", flat=True))
    assert "upload.created" in actions
    assert "evidence.received" in actions
    received = AuditEvent.objects.get(action="evidence.received").data
    assert received["capture_record"] == item.capture_record
    assert received["capture_record"]["sha256"] == item.sha256
    assert received["signature"] == ""
    assert received["device"] is None


def _decodable_jpeg() -> bytes:
    """kit.JPEG only passes sniffing; processing needs an image Pillow can decode."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_processing_is_enqueued_on_commit(as_user, officer_a, case_a, kit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        kit.upload_file(as_user(officer_a), case_a, _decodable_jpeg())
    assert callbacks
    item = EvidenceItem.objects.get()
    assert item.processing_status == "ready"  # the processing task ran (eager Celery)
    assert item.derivatives["thumbnail"]["key"] == f"derived/{item.pk}/thumbnail.jpg"
    assert item.c2pa["status"] in {"absent", "unavailable", "error"}
    assert AuditEvent.objects.filter(action="evidence.provenance", target_id=str(item.pk)).exists()


def test_a_wrong_whole_file_hash_is_quarantined_never_evidence(as_user, officer_a, case_a, kit, settings):
    client = as_user(officer_a)
    response = kit.upload_file(client, case_a, kit.JPEG, sha256="0" * 64)
    assert response.status_code == 422
    assert response.json()["code"] == "sha256_mismatch"
    upload = Upload.objects.get()
    assert upload.status == "rejected"
    item = upload.item
    assert item.status == "rejected"
    assert item.storage_key.startswith("quarantine/")
    assert (settings.STORAGE_LOCAL_ROOT / item.storage_key).exists()
    listed = client.get(f"/api/v1/evidence/?case={case_a.pk}").json()["results"]
    assert listed == []
    assert client.get(f"/api/v1/evidence/{item.pk}/").status_code == 404
    head = client.head(f"/api/v1/uploads/{upload.pk}", **kit.TUS)
    assert head["Evidence-Status"] == "rejected"
    assert head["Evidence-Error"] == "sha256_mismatch"
    assert AuditEvent.objects.filter(action="evidence.rejected").exists()


def test_an_executable_declared_as_a_photo_is_rejected(as_user, officer_a, case_a, kit):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 4000
    response = kit.upload_file(as_user(officer_a), case_a, exe)
    assert response.status_code == 422
    assert response.json()["code"] == "kind_mismatch"
    assert Upload.objects.get().status == "rejected"
    assert not EvidenceItem.objects.filter(status="received").exists()


def test_an_exact_duplicate_in_the_same_case_is_linked_not_stored_twice(as_user, officer_a, officer_a2, case_a, kit,
                                                                       settings):
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    again = kit.upload_file(as_user(officer_a2), case_a, kit.JPEG)
    assert again.status_code == 204
    assert EvidenceItem.objects.count() == 1
    item = EvidenceItem.objects.get()
    second = Upload.objects.get(created_by=officer_a2)
    assert second.duplicate is True
    assert second.item == item
    assert again["Evidence-Item"] == str(item.pk)
    assert len(list((settings.STORAGE_LOCAL_ROOT / "originals").rglob("*"))) == 2  # one dir + one file
    assert AuditEvent.objects.filter(action="evidence.duplicate_linked").count() == 1


def test_the_same_file_in_another_case_is_its_own_item(as_user, officer_a, agency_a, case_a, kit):
    other = kit.make_case(agency_a, title="另一案件")
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    kit.upload_file(as_user(officer_a), other, kit.JPEG)
    assert EvidenceItem.objects.count() == 2


def test_a_valid_device_signature_is_verified_and_stored(as_user, officer_a, case_a, device_a, kit):
    md = kit.metadata_for(case_a, kit.JPEG, device_id=str(device_a.device.pk))
    signature = device_a.sign(_capture_bytes(md, case_a, device_a))
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG, device_id=md["device_id"], signature=signature,
                    captured_at=md["captured_at"])
    item = EvidenceItem.objects.get()
    assert item.signature_status == "valid"
    assert item.device == device_a.device
    assert item.capture_record["sha256"] == md["sha256"]
    # The received event (a Merkle log leaf) carries what the device signed, the signature and the device.
    event = AuditEvent.objects.get(action="evidence.received", target_id=str(item.pk))
    assert event.data["capture_record"] == item.capture_record
    assert event.data["signature"] == signature
    assert event.data["device"] == str(device_a.device.pk)
    leaf = json.loads(log_entry_bytes(event))["data"]
    assert leaf["capture_record"] == item.capture_record
    assert leaf["signature"] == signature


def test_a_signature_over_other_data_is_stored_as_invalid(as_user, officer_a, case_a, device_a, kit):
    md = kit.metadata_for(case_a, kit.JPEG, device_id=str(device_a.device.pk))
    signature = device_a.sign(b"something else")
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG, device_id=md["device_id"], signature=signature)
    assert EvidenceItem.objects.get().signature_status == "invalid"


def test_a_revoked_device_signature_is_marked(as_user, officer_a, case_a, device_a, kit):
    md = kit.metadata_for(case_a, kit.JPEG, device_id=str(device_a.device.pk))
    signature = device_a.sign(_capture_bytes(md, case_a, device_a))
    client = as_user(officer_a)
    created = kit.create(client, {**md, "signature": signature}, len(kit.JPEG))
    device_a.device.status = "revoked"
    device_a.device.save()
    kit.patch(client, created["Location"], 0, kit.JPEG)
    assert EvidenceItem.objects.get().signature_status == "device_revoked"


def test_clock_and_place_sanity_flags(as_user, officer_a, case_a, kit):
    future = kit.now_rfc3339(datetime.timedelta(hours=2))
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG, captured_at=future, latitude="39.9", longitude="116.4")
    codes = {flag["code"] for flag in EvidenceItem.objects.get().flags}
    assert {"captured_in_future", "outside_region"} <= codes


def test_a_capture_long_before_the_case_and_a_late_video_are_flagged(as_user, officer_a, case_a, kit):
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 2000
    old = kit.now_rfc3339(-datetime.timedelta(days=10))
    kit.upload_file(as_user(officer_a), case_a, mp4, kind="video", captured_at=old, filename="a.mp4")
    codes = {flag["code"] for flag in EvidenceItem.objects.get().flags}
    assert {"captured_before_case", "late_upload"} <= codes


def test_a_device_clock_far_off_is_flagged(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    md = kit.metadata_for(case_a, kit.JPEG)
    created = kit.create(client, md, len(kit.JPEG), HTTP_DATE="Wed, 01 Jan 2020 00:00:00 GMT")
    kit.patch(client, created["Location"], 0, kit.JPEG)
    assert "device_clock_skew" in {flag["code"] for flag in EvidenceItem.objects.get().flags}


def test_recorded_activities_are_those_with_received_audio_or_video(as_user, officer_a, case_a, kit):
    from backend.evidence.selectors import case_recorded_activities

    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x01" * 2000
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG, activity="询问")
    kit.upload_file(as_user(officer_a), case_a, mp4, kind="video", activity="查封扣押", filename="v.mp4")
    assert case_recorded_activities(case_id=case_a.pk) == {"查封扣押"}


def test_sm3_is_recorded_when_configured(as_user, officer_a, case_a, kit, settings,
                                         django_capture_on_commit_callbacks):
    import hashlib

    settings.EVIDENCE_SM3 = "1"
    with django_capture_on_commit_callbacks(execute=True):
        kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    item = EvidenceItem.objects.get()
    if "sm3" in hashlib.algorithms_available:
        assert item.sm3 == hashlib.new("sm3", kit.JPEG).hexdigest()
