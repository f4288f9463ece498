"""RFC 3161 timestamps on checkpoints, against a small local TSA that this test starts.

The TSA (a root CA, a TSA certificate with the critical timeStamping EKU, and an HTTP endpoint that
answers ``application/timestamp-query`` with a CMS-signed TSTInfo) is built here with ``cryptography``
and ``asn1crypto``; the service side uses ``rfc3161-client`` and verifies the chain against the root.
"""

from __future__ import annotations

import datetime
import hashlib
import http.server
import itertools
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from rfc3161_client import TimestampRequestBuilder

from backend.ledger.checkpoints import checkpoint_sign
from backend.ledger.models import Checkpoint
from backend.ledgercore.offline_verifier import main, verify_bundle

pytestmark = pytest.mark.django_db

POLICY = "1.3.6.1.4.1.57264.2"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class LocalTSA:
    def __init__(self) -> None:
        now = datetime.datetime.now(datetime.UTC)
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = (
            x509.CertificateBuilder().subject_name(_name("Test TSA Root")).issuer_name(_name("Test TSA Root"))
            .public_key(self.root_key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(self.root_key, hashes.SHA256())
        )
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = (
            x509.CertificateBuilder().subject_name(_name("Test TSA")).issuer_name(self.root.subject)
            .public_key(self.key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .sign(self.root_key, hashes.SHA256())
        )
        self.serials = itertools.count(1)
        self.requests = 0
        self.refuse = False

    def respond(self, query_der: bytes) -> bytes:
        self.requests += 1
        if self.refuse:
            return bytes.fromhex("30053003020102")  # TimeStampResp { status { rejection(2) } }, no token
        query = tsp.TimeStampReq.load(query_der)
        info = tsp.TSTInfo({
            "version": "v1", "policy": POLICY, "message_imprint": query["message_imprint"],
            "serial_number": next(self.serials), "gen_time": datetime.datetime.now(datetime.UTC),
            "nonce": query["nonce"].native,
        })
        info_der = info.dump()
        cert_der = self.cert.public_bytes(serialization.Encoding.DER)
        asn1_cert = asn1_x509.Certificate.load(cert_der)
        signed_attrs = cms.CMSAttributes([
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(info_der).digest()]},
            {"type": "signing_certificate_v2", "values": [{"certs": [{
                "hash_algorithm": {"algorithm": "sha256"}, "cert_hash": hashlib.sha256(cert_der).digest(),
            }]}]},
        ])
        signature = self.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": {"issuer_and_serial_number": {"issuer": asn1_cert.issuer, "serial_number": asn1_cert.serial_number}},
            "digest_algorithm": {"algorithm": "sha256"}, "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        })
        signed_data = cms.SignedData({
            "version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(info_der)},
            "certificates": [asn1_cert], "signer_infos": [signer],
        })
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()


@pytest.fixture
def local_tsa(settings, tmp_path) -> Iterator[tuple[LocalTSA, str]]:
    tsa = LocalTSA()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = tsa.respond(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    roots = tmp_path / "tsa-root.pem"
    roots.write_bytes(tsa.root.public_bytes(serialization.Encoding.PEM))
    url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    settings.LEDGER_TSA_URL = url
    settings.LEDGER_TSA_ROOTS = str(roots)
    yield tsa, url
    server.shutdown()
    server.server_close()


def test_each_new_checkpoint_gets_a_verified_rfc3161_timestamp(local_tsa, events, api):
    from rfc3161_client import VerifierBuilder, decode_timestamp_response

    tsa, url = local_tsa
    events(3)
    checkpoint = checkpoint_sign().checkpoint
    assert tsa.requests == 1 and checkpoint.tsa_url == url
    response = decode_timestamp_response(bytes(checkpoint.tsa_token))
    assert response.tst_info.message_imprint.message == hashlib.sha256(checkpoint.note.encode()).digest()
    verifier = VerifierBuilder().add_root_certificate(tsa.root).build()
    assert verifier.verify_message(response, checkpoint.note.encode())
    body = api.get("/api/v1/public/ledger/checkpoint", {"format": "json"}).json()
    import base64

    assert base64.b64decode(body["timestamp_token"]) == bytes(checkpoint.tsa_token)


def test_a_tsa_refusal_or_outage_does_not_stop_signing(local_tsa, events, settings, caplog):
    tsa, _ = local_tsa
    tsa.refuse = True
    events(1)
    checkpoint = checkpoint_sign().checkpoint
    assert checkpoint.tsa_token is None and "TSA refused" in caplog.text
    settings.LEDGER_TSA_URL = "http://127.0.0.1:9/unreachable"
    events(1)
    assert checkpoint_sign().checkpoint.tsa_token is None


def test_a_token_from_an_untrusted_tsa_is_not_stored(local_tsa, events, settings, tmp_path, caplog):
    other = LocalTSA()
    roots = tmp_path / "other-root.pem"
    roots.write_bytes(other.root.public_bytes(serialization.Encoding.PEM))
    settings.LEDGER_TSA_ROOTS = str(roots)
    events(1)
    assert checkpoint_sign().checkpoint.tsa_token is None
    assert "does not verify" in caplog.text


# --------------------------------------------------------------------------- in evidence bundles


@pytest.fixture
def stamped_bundle(local_tsa, case_a, officer_a, evidence, as_user, tmp_path):
    """A case bundle exported while the service has a TSA: it carries the checkpoint's token."""
    evidence(case_a, officer_a, b"\xff\xd8 photo of the shelf " * 200)
    response = as_user(officer_a).get(f"/api/v1/cases/{case_a.id}/bundle")
    assert response.status_code == 200
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_a_bundle_carries_the_checkpoint_timestamp_and_the_verifier_checks_it(
    stamped_bundle, local_tsa, verifier_key, settings
):
    with zipfile.ZipFile(stamped_bundle) as zf:
        note, token = zf.read("checkpoint.txt"), zf.read("checkpoint.tsr")
    assert token == bytes(Checkpoint.objects.get(note=note.decode()).tsa_token)

    report = verify_bundle(stamped_bundle, trusted_keys=[verifier_key], tsa_roots=[settings.LEDGER_TSA_ROOTS])
    assert report.ok, report.render()
    assert any("签名及证书链" in n for n in report.timestamp_verdict.notes)
    assert "可信时间戳 RFC 3161 timestamp" in report.render()

    # Without the TSA's root the imprint is still checked, and the report says what was not.
    report = verify_bundle(stamped_bundle, trusted_keys=[verifier_key])
    assert report.ok and any("--tsa-roots" in w for w in report.warnings)


def test_a_timestamp_of_another_document_or_an_untrusted_tsa_fails(
    stamped_bundle, local_tsa, verifier_key, settings, tmp_path
):
    tsa, _url = local_tsa
    roots = [settings.LEDGER_TSA_ROOTS]
    with zipfile.ZipFile(stamped_bundle) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}

    def rebuilt(name: str, **replace: bytes) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for member, data in {**members, **replace}.items():
                zf.writestr(member, data)
        return path

    other = tsa.respond(TimestampRequestBuilder().data(b"another document").build().as_bytes())
    report = verify_bundle(rebuilt("other.zip", **{"checkpoint.tsr": other}), tsa_roots=roots)
    assert not report.ok and "covers a different document" in report.render()

    garbage = verify_bundle(rebuilt("garbage.zip", **{"checkpoint.tsr": b"\x30\x03\x02\x01\x00"}), tsa_roots=roots)
    assert not garbage.ok and not garbage.timestamp_verdict.ok

    untrusted = tmp_path / "other-root.pem"
    untrusted.write_bytes(LocalTSA().root.public_bytes(serialization.Encoding.PEM))
    report = verify_bundle(stamped_bundle, trusted_keys=[verifier_key], tsa_roots=[untrusted])
    assert not report.ok and "does not verify" in report.render()


def test_the_command_line_takes_tsa_roots(stamped_bundle, verifier_key, settings, capsys):
    assert main([str(stamped_bundle), "--key", verifier_key, "--tsa-roots", settings.LEDGER_TSA_ROOTS]) == 0
    assert "signature and chain valid" in capsys.readouterr().out
