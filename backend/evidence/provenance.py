"""Supporting provenance read at intake: C2PA content credentials and the optional SM3 digest.

C2PA (c2pa-python, the CAI's Rust library): phones such as recent Pixels sign every photo. We read and
validate the manifest offline (no trust-list download), store the validation state and a summary beside
the item, and never modify the file. SM3 (GB/T 32905, 国密) is computed with OpenSSL's SM3 through
``hashlib`` when available, else with ``gmssl`` if installed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

logger = logging.getLogger(__name__)


def c2pa_inspect(path: str, *, mime: str = "") -> dict[str, Any]:
    """``{"status": ..., ...}`` for the file at ``path``.

    ``absent`` (no manifest), ``valid`` (signature and content binding check out, signer trusted),
    ``untrusted`` (they check out, but the signer is not on a configured trust list — the usual case offline),
    ``invalid`` (the file was changed after signing, or the signature is bad), ``unavailable``/``error``.
    """
    try:
        import c2pa
    except ImportError:
        return {"status": "unavailable", "reason": "c2pa-python is not installed"}
    try:
        reader = c2pa.Reader(path)
    except c2pa.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or "ManifestNotFound" in str(exc) or "JUMBF" in str(exc):
            return {"status": "absent"}
        return {"status": "error", "reason": str(exc)[:300]}
    except Exception as exc:  # the native reader can fail on exotic containers; never block intake
        logger.warning("c2pa reader failed on %s: %s", path, exc)
        return {"status": "error", "reason": str(exc)[:300]}
    try:
        report = json.loads(reader.json())
    finally:
        close = getattr(reader, "close", None)
        if close:
            close()
    active = report.get("active_manifest")
    manifest = report.get("manifests", {}).get(active, {}) if active else {}
    codes = [str(status.get("code", "")) for status in report.get("validation_status", []) or []]
    # Without a configured trust list every signer is "untrusted": the content binding can still be
    # checked. Anything else reported (hash mismatch, bad signature, ...) means the credentials fail.
    failures = [code for code in codes if not code.endswith(".untrusted")]
    if failures:
        status = "invalid"
    elif any(code.endswith(".untrusted") for code in codes):
        status = "untrusted"
    else:
        status = "valid"
    generator = manifest.get("claim_generator") or ", ".join(
        str(info.get("name", "")) for info in manifest.get("claim_generator_info", []) or []
    )
    return {
        "status": status,
        "validation_state": report.get("validation_state", ""),
        "codes": codes[:20],
        "active_manifest": active,
        "claim_generator": generator,
        "signature_issuer": (manifest.get("signature_info") or {}).get("issuer", ""),
        "signed_at": (manifest.get("signature_info") or {}).get("time", ""),
        "failures": failures[:20],
    }


class _GmsslSm3:
    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def update(self, data: bytes) -> None:
        self._parts.append(bytes(data))

    def hexdigest(self) -> str:
        from gmssl import func, sm3

        digest: str = sm3.sm3_hash(func.bytes_to_list(b"".join(self._parts)))
        return digest


def sm3_hasher() -> Any:
    """An object with ``update``/``hexdigest`` computing SM3, or ``None`` when no implementation exists."""
    if "sm3" in hashlib.algorithms_available:
        try:
            return hashlib.new("sm3")
        except ValueError:
            pass
    try:
        import gmssl  # noqa: F401
    except ImportError:
        logger.warning("EVIDENCE_SM3 is on but neither OpenSSL SM3 nor gmssl is available")
        return None
    return _GmsslSm3()
