"""Evidence read API: list/detail, original streaming with Range and hash, chain of custody, notes."""

from __future__ import annotations

import hashlib

import pytest

from backend.evidence.models import EvidenceItem, EvidenceNote
from backend.ledger.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(as_user, officer_a, case_a, kit):
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    return EvidenceItem.objects.get()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_list_shows_the_items_of_a_case_with_pinned_fields(as_user, officer_a, case_a, item,
                                                               django_assert_max_num_queries):
    client = as_user(officer_a)
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/evidence/?case={case_a.pk}")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    for field in ("id", "case", "kind", "sha256", "size", "status", "captured_at", "received_at", "uploaded_by",
                  "device", "latitude", "longitude", "signature_status", "processing_status", "derivative_links"):
        assert field in row
    assert row["sha256"] == item.sha256
    assert row["original_url"] == f"/api/v1/evidence/{item.pk}/original/"


def test_the_list_needs_a_case_and_hides_other_agencies(as_user, officer_b, case_a, item):
    assert as_user(officer_b).get("/api/v1/evidence/").status_code == 400
    assert as_user(officer_b).get(f"/api/v1/evidence/?case={case_a.pk}").status_code == 404
    assert as_user(officer_b).get(f"/api/v1/evidence/{item.pk}/").status_code == 404
    assert as_user(officer_b).get(f"/api/v1/evidence/{item.pk}/original?purpose=x").status_code == 404


def test_the_original_streams_with_its_hash_and_every_read_is_in_the_custody_log(
    as_user, officer_a, reviewer_a, item, kit
):
    reviewer = as_user(reviewer_a)
    response = reviewer.get(f"/api/v1/evidence/{item.pk}/original?purpose=法制审核", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert _body(response) == kit.JPEG
    assert response["X-Evidence-SHA256"] == hashlib.sha256(kit.JPEG).hexdigest()
    assert response["Repr-Digest"].startswith("sha-256=:")
    assert response["Accept-Ranges"] == "bytes"

    ranged = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/original?purpose=核对", HTTP_RANGE="bytes=2-11")
    assert ranged.status_code == 206
    assert ranged["Content-Range"] == f"bytes 2-11/{len(kit.JPEG)}"
    assert _body(ranged) == kit.JPEG[2:12]

    suffix = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/original?purpose=核对", HTTP_RANGE="bytes=-4")
    assert _body(suffix) == kit.JPEG[-4:]

    accesses = AuditEvent.objects.filter(action="evidence.accessed", target_id=str(item.pk)).order_by("seq")
    assert [(e.actor_name, e.data["purpose"]) for e in accesses] == [
        ("reviewer_a", "法制审核"), ("officer_a", "核对"), ("officer_a", "核对"),
    ]
    assert accesses[0].ip_address == "10.1.2.3"

    custody = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/custody/").json()["results"]
    actions = [entry["action"] for entry in custody]
    assert actions[0] == "evidence.received"
    assert actions.count("evidence.accessed") == 3
    assert custody[1]["purpose"] == "法制审核"


def test_reading_an_original_requires_a_purpose(as_user, officer_a, item):
    response = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/original")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="evidence.accessed").exists()


def test_an_unsatisfiable_range_gets_416(as_user, officer_a, item):
    response = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/original?purpose=x", HTTP_RANGE="bytes=999999-")
    assert response.status_code == 416


def test_notes_and_corrections_are_new_records(as_user, officer_a, item):
    client = as_user(officer_a)
    response = client.post(
        f"/api/v1/evidence/{item.pk}/notes/",
        {"kind": "correction", "field": "activity", "text": "实为抽样取证环节"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "correction"
    item.refresh_from_db()
    assert item.activity == "现场检查"  # the original record is unchanged
    notes = client.get(f"/api/v1/evidence/{item.pk}/notes/").json()["results"]
    assert [n["text"] for n in notes] == ["实为抽样取证环节"]
    assert AuditEvent.objects.filter(action="evidence.note_added", target_id=str(item.pk)).exists()
    with pytest.raises(Exception):  # noqa: B017 - append-only
        EvidenceNote.objects.all().delete()


def test_a_derivative_downloads_like_the_original_without_purpose(as_user, officer_a, item, settings):
    from backend.common.storage import get_storage

    path = settings.UPLOAD_SCRATCH_DIR / "thumb.webp"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF\x00\x00\x00\x00WEBPthumb")
    key = f"derived/{item.case_id}/{item.pk}/thumb.webp"
    get_storage().put_file(key, path)
    EvidenceItem.objects.filter(pk=item.pk).update(derivatives={"thumbnail": key})
    response = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/derivatives/thumbnail")
    assert response.status_code == 200
    assert _body(response) == path.read_bytes()
    assert as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/derivatives/nope").status_code == 404
    detail = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/").json()
    assert detail["derivative_links"] == {"thumbnail": f"/api/v1/evidence/{item.pk}/derivatives/thumbnail/"}


def test_the_decision_lists_each_received_item_with_its_hash(item, case_a):
    """行政处罚法 第五十九条第二项 (事实和证据): the 决定书's evidence list, as the cases app asks for it."""
    from backend.cases import hooks

    [line] = hooks.case_evidence_list_text(case_id=case_a.pk)
    assert line.startswith("照片：") and line.endswith(f"SHA-256 {item.sha256}）")
    assert (item.description or item.original_filename) in line
