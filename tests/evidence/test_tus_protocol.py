"""tus 1.0.0 core + extensions, spoken directly over the Django test client."""

from __future__ import annotations

import pytest

from backend.evidence.models import EvidenceItem, Upload

pytestmark = pytest.mark.django_db


def test_options_advertises_version_extensions_checksums_and_max_size(as_user, officer_a):
    response = as_user(officer_a).options("/api/v1/uploads/")
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    extensions = response["Tus-Extension"].split(",")
    for ext in ("creation", "creation-with-upload", "creation-defer-length", "expiration", "checksum", "termination"):
        assert ext in extensions
    assert set(response["Tus-Checksum-Algorithm"].split(",")) == {"sha1", "sha256"}
    assert int(response["Tus-Max-Size"]) > 0
    assert "Upload-Offset" in response["Access-Control-Expose-Headers"]


def test_it_refuses_anonymous_requests_with_tus_headers(api, kit):
    response = api.generic("POST", "/api/v1/uploads/", b"", **kit.TUS, HTTP_UPLOAD_LENGTH="1")
    assert response.status_code == 401
    assert response["Tus-Resumable"] == "1.0.0"


def test_a_wrong_tus_version_gets_412_with_tus_version(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    md = kit.metadata_for(case_a, kit.JPEG)
    response = kit.create(client, md, len(kit.JPEG), HTTP_TUS_RESUMABLE="0.2.2")
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Resumable"] == "1.0.0"
    assert not Upload.objects.exists()


def test_creation_head_patch_and_completion(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    data = kit.JPEG
    created = kit.create(client, kit.metadata_for(case_a, data), len(data))
    assert created.status_code == 201
    location = created["Location"]
    assert location.startswith("http://testserver/api/v1/uploads/")
    assert "GMT" in created["Upload-Expires"]

    head = client.head(location, **kit.TUS)
    assert head.status_code == 200
    assert head["Upload-Offset"] == "0"
    assert head["Upload-Length"] == str(len(data))
    assert head["Cache-Control"] == "no-store"

    first = kit.patch(client, location, 0, data[:5000])
    assert first.status_code == 204
    assert first["Upload-Offset"] == "5000"
    assert client.head(location, **kit.TUS)["Upload-Offset"] == "5000"

    last = kit.patch(client, location, 5000, data[5000:])
    assert last.status_code == 204
    assert last["Upload-Offset"] == str(len(data))
    assert last["Evidence-Status"] == "received"
    item = EvidenceItem.objects.get(pk=last["Evidence-Item"])
    assert item.status == "received"
    assert item.size == len(data)


def test_a_wrong_offset_gets_409_and_the_current_offset(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    kit.patch(client, location, 0, kit.JPEG[:100])
    response = kit.patch(client, location, 50, kit.JPEG[50:200])
    assert response.status_code == 409
    assert response.json()["code"] == "offset_mismatch"
    assert response["Upload-Offset"] == "100"
    assert response["Tus-Resumable"] == "1.0.0"


def test_patch_needs_the_offset_content_type(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    response = client.generic(
        "PATCH", location, b"abc", content_type="application/json", HTTP_UPLOAD_OFFSET="0", **kit.TUS
    )
    assert response.status_code == 415


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_a_matching_chunk_checksum_is_accepted(as_user, officer_a, case_a, kit, algorithm):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    chunk = kit.JPEG[:4096]
    response = kit.patch(client, location, 0, chunk, HTTP_UPLOAD_CHECKSUM=kit.checksum(algorithm, chunk))
    assert response.status_code == 204
    assert response["Upload-Offset"] == "4096"


def test_a_wrong_chunk_checksum_gets_460_and_the_offset_does_not_move(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    kit.patch(client, location, 0, kit.JPEG[:1000])
    chunk = kit.JPEG[1000:3000]
    response = kit.patch(
        client, location, 1000, chunk, HTTP_UPLOAD_CHECKSUM=kit.checksum("sha256", chunk[:-1] + b"\x00")
    )
    assert response.status_code == 460
    assert response.json()["code"] == "checksum_mismatch"
    assert client.head(location, **kit.TUS)["Upload-Offset"] == "1000"
    # The same chunk sent again correctly goes through, and the final hash is still right.
    ok = kit.patch(client, location, 1000, kit.JPEG[1000:], HTTP_UPLOAD_CHECKSUM=kit.checksum("sha1", kit.JPEG[1000:]))
    assert ok.status_code == 204
    assert ok["Evidence-Status"] == "received"


def test_an_unsupported_checksum_algorithm_gets_400(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    response = kit.patch(client, location, 0, b"abc", HTTP_UPLOAD_CHECKSUM="md5 kAFQmDzST7DWlj99KOF/cg==")
    assert response.status_code == 400
    assert response.json()["code"] == "checksum_algorithm_unsupported"


def test_creation_with_upload_stores_the_body_of_the_post(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    data = kit.JPEG
    response = kit.create(client, kit.metadata_for(case_a, data), len(data), body=data[:3000])
    assert response.status_code == 201
    assert response["Upload-Offset"] == "3000"
    rest = kit.patch(client, response["Location"], 3000, data[3000:])
    assert rest["Evidence-Status"] == "received"


def test_creation_with_upload_of_the_whole_file_completes_at_once(as_user, officer_a, case_a, kit):
    response = kit.create(as_user(officer_a), kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG), body=kit.JPEG)
    assert response.status_code == 201
    assert response["Evidence-Status"] == "received"


def test_deferred_length_is_declared_by_a_later_patch(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    data = kit.JPEG
    created = kit.create(client, kit.metadata_for(case_a, data, kind="photo"), None)
    assert created.status_code == 201
    location = created["Location"]
    head = client.head(location, **kit.TUS)
    assert head["Upload-Defer-Length"] == "1"
    assert "Upload-Length" not in head
    assert kit.patch(client, location, 0, data[:2000]).status_code == 204
    last = kit.patch(client, location, 2000, data[2000:], HTTP_UPLOAD_LENGTH=str(len(data)))
    assert last.status_code == 204
    assert last["Upload-Length"] == str(len(data))
    assert last["Evidence-Status"] == "received"


def test_x_http_method_override_turns_a_post_into_patch_and_head(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    response = client.generic(
        "POST", location, kit.JPEG[:10], content_type=kit.OCTET, HTTP_UPLOAD_OFFSET="0",
        HTTP_X_HTTP_METHOD_OVERRIDE="PATCH", **kit.TUS,
    )
    assert response.status_code == 204
    assert response["Upload-Offset"] == "10"
    head = client.generic("POST", location, b"", HTTP_X_HTTP_METHOD_OVERRIDE="HEAD", **kit.TUS)
    assert head["Upload-Offset"] == "10"


def test_tus_max_size_is_enforced_at_creation_before_any_byte(as_user, officer_a, case_a, kit):
    response = kit.create(as_user(officer_a), kit.metadata_for(case_a, kit.JPEG), 1 << 50, body=kit.JPEG[:100])
    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert not Upload.objects.exists()


def test_a_body_beyond_the_declared_length_is_refused_before_reading(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), 100)["Location"]
    response = kit.patch(client, location, 0, kit.JPEG[:200])
    assert response.status_code == 413
    assert client.head(location, **kit.TUS)["Upload-Offset"] == "0"


def test_the_per_request_body_cap_is_enforced(as_user, officer_a, case_a, kit, settings):
    settings.EVIDENCE_REQUEST_BODY_CAP = 1000
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    response = kit.patch(client, location, 0, kit.JPEG[:2000])
    assert response.status_code == 413
    assert response.json()["code"] == "request_body_too_large"


def test_the_creator_may_terminate_an_unfinished_upload(as_user, officer_a, case_a, kit, settings):
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    kit.patch(client, location, 0, kit.JPEG[:100])
    upload_id = location.rstrip("/").rsplit("/", 1)[-1]
    partial = settings.STORAGE_LOCAL_ROOT / "incoming" / upload_id
    assert partial.exists()
    response = client.delete(location, **kit.TUS)
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert not partial.exists()
    assert client.head(location, **kit.TUS).status_code == 410
    assert kit.patch(client, location, 100, kit.JPEG[100:200]).status_code == 410


def test_a_completed_upload_can_never_be_deleted(as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    done = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG), body=kit.JPEG)
    response = client.delete(done["Location"], **kit.TUS)
    assert response.status_code == 403
    assert response.json()["code"] == "upload_completed_cannot_delete"
    assert EvidenceItem.objects.filter(status="received").count() == 1


def test_an_upload_belongs_to_its_creator(as_user, officer_a, officer_a2, case_a, kit):
    location = kit.create(as_user(officer_a), kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    other = as_user(officer_a2)
    assert other.head(location, **kit.TUS).status_code == 404
    assert kit.patch(other, location, 0, kit.JPEG[:10]).status_code == 404
    assert other.delete(location, **kit.TUS).status_code == 404


def test_a_second_writer_gets_423_while_the_first_holds_the_upload(as_user, officer_a, case_a, kit):
    from backend.evidence.services import upload_claim, upload_release

    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    upload = Upload.objects.get(pk=location.rstrip("/").rsplit("/", 1)[-1])
    token = upload_claim(upload=upload)  # a PATCH in progress elsewhere
    response = kit.patch(client, location, 0, kit.JPEG[:10])
    assert response.status_code == 423
    assert response["Upload-Offset"] == "0"
    upload_release(upload=upload, token=token)
    assert kit.patch(client, location, 0, kit.JPEG[:10]).status_code == 204


def test_a_stale_lock_of_a_dead_writer_is_taken_over(as_user, officer_a, case_a, kit, settings):
    import datetime

    from django.utils import timezone

    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    Upload.objects.filter(pk=location.rstrip("/").rsplit("/", 1)[-1]).update(
        lock_token="otherhost|1|x", lock_heartbeat_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert kit.patch(client, location, 0, kit.JPEG[:10]).status_code == 204


def test_upload_requests_are_throttled_with_a_separate_budget_for_patch(as_user, officer_a, case_a, kit, settings):
    settings.EVIDENCE_UPLOAD_THROTTLE = "2/min"
    settings.EVIDENCE_UPLOAD_PATCH_THROTTLE = "3/min"
    client = as_user(officer_a)
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    assert client.head(location, **kit.TUS).status_code == 200
    throttled = client.head(location, **kit.TUS)
    assert throttled.status_code == 429
    assert throttled["Tus-Resumable"] == "1.0.0"
    for offset in (0, 10, 20):
        assert kit.patch(client, location, offset, kit.JPEG[offset : offset + 10]).status_code == 204
    assert kit.patch(client, location, 30, kit.JPEG[30:40]).status_code == 429
