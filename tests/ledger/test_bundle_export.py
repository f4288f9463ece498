"""Evidence bundle export of a case and share links, checked with the offline verifier."""

import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from backend.ledger.checkpoints import checkpoint_sign
from backend.ledger.models import AuditEvent, BundleExport, BundleShare, LogEntry
from backend.ledgercore.bundle_format import MANIFEST
from backend.ledgercore.offline_verifier import verify_bundle

pytestmark = pytest.mark.django_db


def download(client, url: str, dest: Path) -> Path:
    response = client.get(url)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response.streaming and response["Content-Type"] == "application/zip"
    dest.write_bytes(b"".join(response.streaming_content))
    return dest


@pytest.fixture
def case_with_evidence(case_a, officer_a, evidence):
    first = evidence(case_a, officer_a, b"\xff\xd8 photo of the shelf " * 200, name="../../现场照片.jpg")
    second = evidence(case_a, officer_a, b"%PDF-1.7 inquiry record " * 100, name="询问笔录.pdf", signed=False)
    return case_a, [first, second]


def bundle_url(case) -> str:
    return f"/api/v1/cases/{case.id}/bundle"


def test_an_exported_bundle_verifies_offline(case_with_evidence, officer_a, as_user, tmp_path, verifier_key):
    case, _items = case_with_evidence
    path = download(as_user(officer_a), bundle_url(case), tmp_path / "b.zip")
    report = verify_bundle(path, trusted_keys=[verifier_key])
    assert report.ok, report.render()
    assert [f.subject for f in report.files] == ["originals/0001-现场照片.jpg", "originals/0002-询问笔录.pdf"]
    assert any("设备签名有效" in n for n in report.files[0].notes)
    # case.created + 2 evidence.received + the export entry
    assert len(report.entries) == 4
    with zipfile.ZipFile(path) as zf:
        manifest = zf.read(MANIFEST)
        assert zf.read("originals/0001-现场照片.jpg") == b"\xff\xd8 photo of the shelf " * 200
    export = BundleExport.objects.get()
    event = AuditEvent.objects.get(action="bundle.exported")
    assert event.data["manifest_sha256"] == hashlib.sha256(manifest).hexdigest() == export.manifest_sha256
    assert event.case_id == case.id and event.actor_id == officer_a.id
    assert export.export_entry_id == event.seq - 1 and export.checkpoint.tree_size >= event.seq
    assert "某某商贸有限公司" not in manifest.decode()  # no party data in the manifest


def test_any_single_changed_byte_is_rejected(case_with_evidence, officer_a, as_user, tmp_path, verifier_key):
    case, _ = case_with_evidence
    path = download(as_user(officer_a), bundle_url(case), tmp_path / "b.zip")
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    checked = 0
    for info in infos:
        name_len = int.from_bytes(data[info.header_offset + 26: info.header_offset + 28], "little")
        extra_len = int.from_bytes(data[info.header_offset + 28: info.header_offset + 30], "little")
        start = info.header_offset + 30 + name_len + extra_len
        size = info.compress_size
        for position in sorted({0, size // 3, size // 2, size - 1}):
            altered = bytearray(data)
            altered[start + position] ^= 0x10
            bad = tmp_path / "bad.zip"
            bad.write_bytes(altered)
            assert not verify_bundle(bad, trusted_keys=[verifier_key]).ok, (info.filename, position)
            checked += 1
    assert checked >= 25


def test_who_may_export(case_with_evidence, as_user, api, officer_a, officer_a2, officer_b, head_a, auditor_a,
                        reviewer_a):
    case, _ = case_with_evidence
    url = bundle_url(case)
    assert api.get(url).status_code == 401
    assert as_user(officer_b).get(url).status_code == 404  # another agency: existence not revealed
    assert as_user(officer_a2).get(url).json()["code"] == "bundle_not_allowed"  # not a handling officer
    assert as_user(reviewer_a).get(url).status_code == 403
    for user in (officer_a, head_a, auditor_a):
        assert as_user(user).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="bundle.exported").count() == 3


def test_a_changed_original_in_storage_is_caught_by_the_verifier(case_with_evidence, officer_a, as_user, tmp_path,
                                                                  verifier_key):
    case, items = case_with_evidence
    stored = Path(django_settings.STORAGE_LOCAL_ROOT) / items[1].storage_key
    stored.chmod(0o644)
    content = bytearray(stored.read_bytes())
    content[10] ^= 0x01
    stored.write_bytes(content)
    report = verify_bundle(download(as_user(officer_a), bundle_url(case), tmp_path / "b.zip"),
                           trusted_keys=[verifier_key])
    assert not report.ok
    assert [f.subject for f in report.files if not f.ok] == ["originals/0002-询问笔录.pdf"]


def _evidence_index(item) -> int:
    return LogEntry.objects.get(evidence_sha256=item.sha256).index


def test_a_changed_stored_entry_is_caught_by_the_verifier(case_with_evidence, officer_a, as_user, tmp_path,
                                                          verifier_key, tamper):
    case, items = case_with_evidence
    index = _evidence_index(items[0])
    entry = bytes(LogEntry.objects.get(index=index).entry).replace(b'"kind":"photo"', b'"kind":"video"')
    tamper("UPDATE ledger_logentry SET entry = %s WHERE idx = %s", [entry, index])
    report = verify_bundle(download(as_user(officer_a), bundle_url(case), tmp_path / "b.zip"),
                           trusted_keys=[verifier_key])
    assert not report.ok
    assert [v.subject for v in report.entries if not v.ok] == [f"日志序号 {index} log entry #{index} "
                                                               f"(entries/{index:012d}.json)"]


def test_a_changed_tree_node_is_caught_by_the_verifier(case_with_evidence, officer_a, as_user, tmp_path,
                                                       verifier_key, tamper, events):
    case, items = case_with_evidence
    events(8 - LogEntry.objects.count())
    assert checkpoint_sign().checkpoint.tree_size == 8
    index = _evidence_index(items[0])
    # The leaf next to the evidence entry is on its inclusion path, but not on the consistency proof
    # from 8 (the new checkpoint is still signed over the true root, built from node (3, 0)).
    tamper("UPDATE ledger_treenode SET hash = %s WHERE level = 0 AND idx = %s", [b"\x05" * 32, index ^ 1])
    report = verify_bundle(download(as_user(officer_a), bundle_url(case), tmp_path / "b.zip"),
                           trusted_keys=[verifier_key])
    assert not report.ok
    assert f"log entry #{index} " in " ".join(v.subject for v in report.entries if not v.ok)


# --------------------------------------------------------------------------- share links


def create_share(client, case, **extra):
    body = {"recipient_kind": "court", "recipient_name": "辽源市龙山区人民法院", "purpose": "行政诉讼举证",
            **extra}
    response = client.post(f"/api/v1/cases/{case.id}/bundle/shares", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_share_link_delivers_the_same_verifiable_bundle_and_logs_each_download(
        case_with_evidence, head_a, as_user, api, tmp_path, verifier_key):
    case, _ = case_with_evidence
    share = create_share(as_user(head_a), case, valid_days=7)
    assert share["state"] == "active" and share["url"].startswith("http://testserver/api/v1/public/ledger/shares/")
    receipt = share["receipt"]
    assert receipt["recipient"]["name"] == "辽源市龙山区人民法院" and len(receipt["bundle"]["files"]) == 2
    assert receipt["checkpoint"]["key"] == verifier_key
    first = download(api, share["url"], tmp_path / "1.zip")
    second = download(api, share["url"], tmp_path / "2.zip")
    assert first.read_bytes() == second.read_bytes()  # the frozen export, byte for byte
    assert verify_bundle(first, trusted_keys=[verifier_key]).ok
    with zipfile.ZipFile(first) as zf:
        assert hashlib.sha256(zf.read(MANIFEST)).hexdigest() == receipt["bundle"]["manifest_sha256"]
    downloads = AuditEvent.objects.filter(action="bundle.share.downloaded")
    assert downloads.count() == 2 and downloads.first().actor_id is None
    assert downloads.first().data["recipient_name"] == "辽源市龙山区人民法院"
    assert BundleShare.objects.get().download_count == 2
    assert AuditEvent.objects.filter(action="bundle.share.created", case_id=case.id).exists()


def test_the_receipt_is_available_as_json_and_printable_html(case_with_evidence, head_a, officer_b, as_user):
    case, _ = case_with_evidence
    share = create_share(as_user(head_a), case)
    url = f"/api/v1/bundle-shares/{share['id']}/receipt"
    body = as_user(head_a).get(url).json()
    assert body["bundle"]["manifest_sha256"] == share["receipt"]["bundle"]["manifest_sha256"]
    html = as_user(head_a).get(url + "?format=html")
    assert html["Content-Type"].startswith("text/html")
    text = html.content.decode()
    assert "证据包分享回执" in text and body["bundle"]["manifest_sha256"] in text and "辽源市龙山区人民法院" in text
    assert as_user(officer_b).get(url).status_code == 404


def test_a_revoked_link_stops_working(case_with_evidence, head_a, as_user, api, tmp_path):
    case, _ = case_with_evidence
    share = create_share(as_user(head_a), case)
    revoked = as_user(head_a).post(f"/api/v1/bundle-shares/{share['id']}/revoke", {"reason": "误发"}, format="json")
    assert revoked.json()["state"] == "revoked"
    response = api.get(share["url"])
    assert response.status_code == 410 and response.json()["code"] == "share_revoked"
    assert AuditEvent.objects.filter(action="bundle.share.revoked").count() == 1
    assert AuditEvent.objects.get(action="bundle.share.refused").data == {"state": "revoked"}
    listed = as_user(head_a).get(f"/api/v1/cases/{case.id}/bundle/shares").json()
    assert [s["state"] for s in listed] == ["revoked"]


def test_an_expired_or_used_up_link_stops_working(case_with_evidence, head_a, as_user, api, tmp_path):
    case, _ = case_with_evidence
    share = create_share(as_user(head_a), case, max_downloads=1)
    download(api, share["url"], tmp_path / "1.zip")
    assert api.get(share["url"]).json()["code"] == "share_exhausted"
    other = create_share(as_user(head_a), case)
    BundleShare.objects.filter(pk=other["id"]).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get(other["url"]).json()["code"] == "share_expired"
    assert api.get("/api/v1/public/ledger/shares/not-a-token/bundle").status_code == 404


def test_share_validity_is_bounded(case_with_evidence, head_a, as_user, settings):
    case, _ = case_with_evidence
    settings.LEDGER_SHARE_MAX_DAYS = 30
    response = as_user(head_a).post(f"/api/v1/cases/{case.id}/bundle/shares",
                                    {"recipient_kind": "lawyer", "recipient_name": "某律师事务所", "valid_days": 31},
                                    format="json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_share_validity"


def test_streamed_bundle_is_a_readable_zip_in_chunks(case_with_evidence, officer_a, as_user):
    case, _ = case_with_evidence
    response = as_user(officer_a).get(bundle_url(case))
    chunks = list(response.streaming_content)
    assert len(chunks) > 3
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as zf:
        assert zf.testzip() is None


def test_a_head_request_neither_exports_nor_counts_a_download(case_with_evidence, officer_a, head_a, as_user, api):
    case, _ = case_with_evidence
    assert as_user(officer_a).head(bundle_url(case)).status_code == 405
    assert not BundleExport.objects.exists()
    share = create_share(as_user(head_a), case)
    assert api.head(share["url"]).status_code == 405
    assert BundleShare.objects.get().download_count == 0
