"""Expiration: a sliding 7-day Upload-Expires, and abandoned partial uploads are cleaned up."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend.evidence.models import Upload
from backend.evidence.services import upload_expire_abandoned
from backend.ledger.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_each_acknowledged_patch_slides_the_expiry(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    upload = Upload.objects.get()
    assert upload.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() + datetime.timedelta(hours=1))
    response = kit.patch(client, location, 0, kit.JPEG[:10])
    upload.refresh_from_db()
    assert upload.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)
    assert response["Upload-Expires"].endswith("GMT")


def test_abandoned_uploads_expire_and_their_bytes_are_deleted(as_user, officer_a, case_a, kit, settings):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    kit.patch(client, location, 0, kit.JPEG[:10])
    fresh = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    old = Upload.objects.get(pk=location.rstrip("/").rsplit("/", 1)[-1])
    Upload.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert upload_expire_abandoned() == 1
    old.refresh_from_db()
    assert old.status == "expired"
    assert not (settings.STORAGE_LOCAL_ROOT / "incoming" / str(old.pk)).exists()
    assert client.head(location, **kit.TUS).status_code == 410
    assert client.head(fresh, **kit.TUS).status_code == 200
    assert AuditEvent.objects.filter(action="upload.expired", target_id=str(old.pk)).exists()
    call_command("expire_uploads")  # idempotent: nothing left to expire


def test_an_upload_past_its_expiry_is_gone_even_before_the_cleanup(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.head(location, **kit.TUS).status_code == 410
    assert kit.patch(client, location, 0, kit.JPEG[:10]).status_code == 410


def test_completed_uploads_never_expire(as_user, officer_a, case_a, kit):
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(days=30))
    assert upload_expire_abandoned() == 0
    assert Upload.objects.get().status == "received"


def test_verify_evidence_rehashes_originals(as_user, officer_a, case_a, kit, settings):
    from django.core.management.base import CommandError

    from backend.evidence.models import EvidenceItem

    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    call_command("verify_evidence")
    path = settings.STORAGE_LOCAL_ROOT / EvidenceItem.objects.get().storage_key
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(CommandError):
        call_command("verify_evidence")
