"""Per-request cost of the tus hot path (issue 4, Performance): what every 8 MiB PATCH pays besides its bytes.

The guarantees stay (JWT + device check on every request, one writer per upload, checksum, fsync, throttle);
these tests pin down that they are paid with as few round trips as possible.
"""

from __future__ import annotations

import pytest

from backend.accounts.models import Device
from backend.evidence import apis


def _started_upload(client, case, kit):
    data = kit.JPEG
    location = kit.create(client, kit.metadata_for(case, data), len(data))["Location"]
    assert kit.patch(client, location, 0, data[:100]).status_code == 204
    return location, data


def test_a_patch_with_a_device_token_costs_four_queries(
    as_user, officer_a, case_a, device_a, kit, django_assert_num_queries
):
    client = as_user(officer_a, device_id=str(device_a.device.pk))
    location, data = _started_upload(client, case_a, kit)
    # user + device status (one query), the upload row, the claim, the acknowledgement (offset + release).
    with django_assert_num_queries(4):
        response = kit.patch(
            client, location, 100, data[100:200], HTTP_UPLOAD_CHECKSUM=kit.checksum("sha256", data[100:200])
        )
    assert response.status_code == 204
    assert response["Upload-Offset"] == "200"


def test_a_revoked_device_is_refused_on_the_next_patch(as_user, officer_a, case_a, device_a, kit):
    client = as_user(officer_a, device_id=str(device_a.device.pk))
    location, data = _started_upload(client, case_a, kit)
    Device.objects.filter(pk=device_a.device.pk).update(status=Device.Status.REVOKED)
    response = kit.patch(client, location, 100, data[100:200])
    assert response.status_code == 401
    assert response["Tus-Resumable"] == "1.0.0"


def test_a_deactivated_user_is_refused_even_with_an_active_device(as_user, officer_a, case_a, device_a, kit):
    client = as_user(officer_a, device_id=str(device_a.device.pk))
    location, data = _started_upload(client, case_a, kit)
    type(officer_a).objects.filter(pk=officer_a.pk).update(is_active=False)
    assert kit.patch(client, location, 100, data[100:200]).status_code == 401


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 0.0}
    monkeypatch.setattr(apis._WindowCounterThrottle, "timer", staticmethod(lambda: now["t"]))
    return now


def test_the_patch_budget_is_a_sliding_window_counter(as_user, officer_a, case_a, kit, settings, clock):
    settings.EVIDENCE_UPLOAD_PATCH_THROTTLE = "3/min"
    client = as_user(officer_a)
    clock["t"] = 6000.0 + 59  # late in one minute
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    for offset in (0, 10, 20):
        assert kit.patch(client, location, offset, kit.JPEG[offset : offset + 10]).status_code == 204
    assert kit.patch(client, location, 30, kit.JPEG[30:40]).status_code == 429
    clock["t"] = 6000.0 + 61  # a new fixed window, but the last minute still holds almost all three
    refused = kit.patch(client, location, 30, kit.JPEG[30:40])
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    clock["t"] = 6000.0 + 90  # half of the previous window still counts: 2 of 3 used (rounded up), one more fits
    assert kit.patch(client, location, 30, kit.JPEG[30:40]).status_code == 204
    assert kit.patch(client, location, 40, kit.JPEG[40:50]).status_code == 429
    clock["t"] = 6000.0 + 180  # two windows later nothing is left over
    for offset in (40, 50, 60):
        assert kit.patch(client, location, offset, kit.JPEG[offset : offset + 10]).status_code == 204


def test_creation_and_patch_budgets_are_counted_apart(as_user, officer_a, case_a, kit, settings, clock):
    settings.EVIDENCE_UPLOAD_THROTTLE = "1/min"
    settings.EVIDENCE_UPLOAD_PATCH_THROTTLE = "100/min"
    client = as_user(officer_a)
    clock["t"] = 1200.0
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    assert client.head(location, **kit.TUS).status_code == 429
    assert kit.patch(client, location, 0, kit.JPEG[:10]).status_code == 204


def test_the_completing_patch_releases_its_claim_in_the_completion_itself(as_user, officer_a, case_a, kit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.evidence.models import Upload

    client = as_user(officer_a)
    location, data = _started_upload(client, case_a, kit)
    with CaptureQueriesContext(connection) as queries:
        response = kit.patch(client, location, 100, data[100:])
    assert response.status_code == 204 and response["Evidence-Status"] == "received"
    upload_updates = [q["sql"] for q in queries.captured_queries
                      if q["sql"].startswith("UPDATE") and "evidence_upload" in q["sql"]]  # fmt: skip
    # The claim, the acknowledgement of the last bytes, the completion (which ends the claim): no fourth write.
    assert len(upload_updates) == 3, upload_updates
    upload = Upload.objects.get(pk=location.rstrip("/").rsplit("/", 1)[-1])
    assert upload.status == Upload.Status.RECEIVED and upload.lock_token == "" and upload.lock_heartbeat_at is None
