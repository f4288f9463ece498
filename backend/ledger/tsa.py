"""RFC 3161 trusted timestamps (可信时间戳) for signed checkpoints, through ``rfc3161-client``.

When ``LEDGER_TSA_URL`` is set, each new checkpoint's signed note is sent (as a SHA-256 message
imprint with a nonce) to the time-stamping authority; the DER ``TimeStampResp`` is stored with the
checkpoint and published (base64) by the checkpoint API. Before storing, the response is checked:
status granted, the imprint is the SHA-256 of this note, the nonce is ours, and — when
``LEDGER_TSA_ROOTS`` names a PEM file of trusted TSA root certificates — the token's signature and
certificate chain verify (``rfc3161_client.VerifierBuilder``).

Anyone can later check the token against the published note with any RFC 3161 tool, e.g.
``openssl ts -verify -data checkpoint.txt -in token.tsr -CAfile tsa-root.pem``.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = 10
MAX_RESPONSE = 1 << 20


class TimestampError(Exception):
    """The TSA was unreachable or answered with something we do not accept."""


def _trusted_roots() -> list:
    path = getattr(settings, "LEDGER_TSA_ROOTS", "")
    if not path:
        return []
    from cryptography import x509

    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def request_timestamp(url: str, message: bytes) -> bytes:
    """Obtain and check a timestamp over ``message``; return the DER ``TimeStampResp``."""
    from rfc3161_client import (
        HashAlgorithm,
        PKIStatus,
        TimestampRequestBuilder,
        VerificationError,
        VerifierBuilder,
        decode_timestamp_response,
    )

    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):  # never file:// or a custom scheme
        raise TimestampError(f"TSA URL must be http(s): {url!r}")
    request = TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256).build()
    http_request = urllib.request.Request(
        url, data=request.as_bytes(), method="POST",
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
    )
    try:
        with urllib.request.urlopen(http_request, timeout=TIMEOUT_SECONDS) as answer:  # scheme checked above  # nosec B310
            body = answer.read(MAX_RESPONSE + 1)
    except OSError as exc:
        raise TimestampError(f"TSA unreachable: {exc}") from exc
    if len(body) > MAX_RESPONSE:
        raise TimestampError("TSA response too large")
    try:
        response = decode_timestamp_response(body)
    except ValueError as exc:
        raise TimestampError(f"not an RFC 3161 response: {exc}") from exc
    if PKIStatus(response.status) != PKIStatus.GRANTED:
        raise TimestampError(f"TSA refused: status {response.status}")
    info = response.tst_info
    if info.message_imprint.message != hashlib.sha256(message).digest():
        raise TimestampError("TSA timestamped a different hash")
    if info.nonce != request.nonce:
        raise TimestampError("TSA answered with another nonce")
    roots = _trusted_roots()
    if roots:
        builder = VerifierBuilder(nonce=request.nonce)
        for root in roots:
            builder = builder.add_root_certificate(root)
        try:
            builder.build().verify_message(response, message)
        except VerificationError as exc:
            raise TimestampError(f"timestamp does not verify against LEDGER_TSA_ROOTS: {exc}") from exc
    return body


def timestamp_time(token: bytes) -> str:
    """The TSA's genTime of a stored response (ISO 8601), for display."""
    from rfc3161_client import decode_timestamp_response

    return decode_timestamp_response(token).tst_info.gen_time.isoformat()
