"""Each new original is read from storage once after its upload (issue 15 item 4).

Before: the processing task copied the original to its scratch directory and the provenance task read it
again through ``storage.open`` — two full reads of every upload (this test measured 3,660 bytes read for the
1,830-byte photo on the commit before). Now processing verifies, inspects provenance (SHA-256, SM3, C2PA) and
derives from its one local copy.
"""

from __future__ import annotations

import io

import pytest

from backend.common.storage import ORIGINALS_PREFIX, LocalStorage
from backend.evidence.models import EvidenceItem
from backend.ledger.models import AuditEvent

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def original_reads(monkeypatch):
    """Bytes of originals read back from storage, per read (``open`` or ``download_to``)."""
    reads: list[tuple[str, int]] = []
    real_open, real_download = LocalStorage.open, LocalStorage.download_to

    def counting_open(self, key, **kwargs):
        total = 0
        for block in real_open(self, key, **kwargs):
            total += len(block)
            yield block
        if key.startswith(ORIGINALS_PREFIX):
            reads.append(("open", total))

    def counting_download(self, key, path):
        real_download(self, key, path)
        if key.startswith(ORIGINALS_PREFIX):
            reads.append(("download_to", path.stat().st_size))

    monkeypatch.setattr(LocalStorage, "open", counting_open)
    monkeypatch.setattr(LocalStorage, "download_to", counting_download)
    return reads


def test_a_new_original_is_read_once_and_every_check_still_runs(
    as_user, officer_a, case_a, kit, settings, original_reads, django_capture_on_commit_callbacks
):
    settings.EVIDENCE_SM3 = "1"
    data = _jpeg()
    with django_capture_on_commit_callbacks(execute=True):
        response = kit.upload_file(as_user(officer_a), case_a, data)
    assert response["Evidence-Status"] == "received"
    item = EvidenceItem.objects.get()
    assert item.processing_status == "ready"
    assert sum(size for _how, size in original_reads) == len(data), original_reads
    assert len(original_reads) == 1
    # What the second read was for is still done, from the same bytes.
    provenance = AuditEvent.objects.get(action="evidence.provenance", target_id=str(item.pk))
    assert provenance.data["stored_sha256_ok"] is True
    assert item.c2pa["status"] in {"absent", "unavailable", "error"}
    assert item.media_metadata["original_sha256_verified"] is True


def test_reprocessing_does_not_record_provenance_again(
    as_user, officer_a, case_a, kit, django_capture_on_commit_callbacks
):
    from backend.evidence.processing import evidence_process_item

    with django_capture_on_commit_callbacks(execute=True):
        kit.upload_file(as_user(officer_a), case_a, _jpeg())
    item = EvidenceItem.objects.get()
    assert evidence_process_item(item_id=item.pk, force=True) == "ready"
    assert AuditEvent.objects.filter(action="evidence.provenance", target_id=str(item.pk)).count() == 1
