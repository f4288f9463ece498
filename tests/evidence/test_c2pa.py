"""C2PA content credentials are read at intake, validated offline, stored, and never stripped."""

from __future__ import annotations

import datetime
import io
import json

import pytest

from backend.evidence.models import EvidenceItem

pytestmark = pytest.mark.django_db
c2pa = pytest.importorskip("c2pa")


def _signed_jpeg() -> bytes:
    """A JPEG with a C2PA manifest signed by a throwaway CA → camera certificate chain (ES256)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from PIL import Image

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                                                                            "Test")])

    def usage(*, cert_sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=not cert_sign, content_commitment=False, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
                             encipher_only=False, decipher_only=False)

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    base = x509.CertificateBuilder().not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(
        now + datetime.timedelta(days=30))
    ca = (base.subject_name(name("Test CA")).issuer_name(name("Test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(cert_sign=True), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (base.subject_name(name("Test Camera")).issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    certs = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, ca))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    source = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 30, 30)).save(source, "JPEG")
    source.seek(0)
    manifest = {
        "claim_generator_info": [{"name": "zhifa-test-camera", "version": "1"}],
        "title": "scene.jpg",
        "format": "image/jpeg",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": (
            "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture")}]}}],
    }
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", certs, private, None))
    out = io.BytesIO()
    c2pa.Builder(json.dumps(manifest)).sign(signer, "image/jpeg", source, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def signed_jpeg() -> bytes:
    return _signed_jpeg()


def test_content_credentials_are_read_validated_and_kept(as_user, officer_a, case_a, kit, settings, signed_jpeg,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = kit.upload_file(as_user(officer_a), case_a, signed_jpeg)
    assert response["Evidence-Status"] == "received"
    item = EvidenceItem.objects.get()
    assert item.c2pa["status"] == "untrusted"  # binding and signature fine; no trust list offline
    assert item.c2pa["active_manifest"].startswith("urn:c2pa:")
    assert "zhifa-test-camera" in item.c2pa["claim_generator"]
    assert (settings.STORAGE_LOCAL_ROOT / item.storage_key).read_bytes() == signed_jpeg  # never stripped


def test_a_file_changed_after_signing_has_invalid_credentials(as_user, officer_a, case_a, kit, signed_jpeg,
                                                              django_capture_on_commit_callbacks):
    tampered = bytearray(signed_jpeg)
    tampered[-20] ^= 0xFF  # a byte of the image data, after the manifest
    with django_capture_on_commit_callbacks(execute=True):
        kit.upload_file(as_user(officer_a), case_a, bytes(tampered))
    item = EvidenceItem.objects.get()
    assert item.c2pa["status"] == "invalid"
    assert item.c2pa["failures"]


def test_a_photo_without_credentials_is_marked_absent(as_user, officer_a, case_a, kit,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    assert EvidenceItem.objects.get().c2pa["status"] in {"absent", "error"}
