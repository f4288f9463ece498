"""No code path alters or deletes a received original: model save, queryset update/delete, admin."""

from __future__ import annotations

import pytest

from backend.evidence.models import EvidenceImmutableError, EvidenceItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(as_user, officer_a, case_a, kit):
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    return EvidenceItem.objects.get()


@pytest.mark.parametrize(("field", "value"), [("sha256", "0" * 64), ("size", 1), ("storage_key", "originals/x"),
                                              ("description", "改过"), ("status", "rejected")])
def test_saving_a_changed_integrity_field_is_refused(item, field, value):
    setattr(item, field, value)
    with pytest.raises(EvidenceImmutableError):
        item.save()


def test_a_queryset_update_of_integrity_fields_is_refused(item):
    with pytest.raises(EvidenceImmutableError):
        EvidenceItem.objects.filter(pk=item.pk).update(sha256="0" * 64)


def test_deleting_is_refused_both_ways(item):
    with pytest.raises(EvidenceImmutableError):
        item.delete()
    with pytest.raises(EvidenceImmutableError):
        EvidenceItem.objects.all().delete()


def test_processing_fields_remain_writable(item):
    item.processing_status = "ready"
    item.media_metadata = {"width": 1}
    item.save()
    item.refresh_from_db()
    assert item.media_metadata == {"width": 1}


def test_the_admin_is_read_only(item, admin_user, rf):
    from django.contrib.admin.sites import site

    model_admin = site._registry[EvidenceItem]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_change_permission(request, item)
    assert not model_admin.has_delete_permission(request, item)
    assert not model_admin.has_add_permission(request)


def test_there_is_no_api_to_change_or_delete_evidence(as_user, officer_a, item):
    client = as_user(officer_a)
    assert client.patch(f"/api/v1/evidence/{item.pk}/", {"description": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/evidence/{item.pk}/").status_code == 405
    assert client.put(f"/api/v1/evidence/{item.pk}/original", {}, format="json").status_code == 405
