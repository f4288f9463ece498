"""Canonical JSON for log entries and capture records: RFC 8785 (JSON Canonicalization Scheme).

Why JCS: a log entry is hashed into the Merkle tree, so everyone who re-derives the entry
(our self-audit, the offline verifier, a court's expert with another programming language)
must produce the same bytes from the same data. JCS is an IETF standard with independent
implementations in many languages (including Java/Kotlin and Swift for the field devices that
sign capture records), and it fixes exactly the points where JSON serializers differ: object
members sorted by UTF-16 code units, no insignificant whitespace, minimal string escaping with
UTF-8 output, and numbers printed as ECMAScript does (``1.0`` -> ``1``, ``1e21`` -> ``1e+21``).
We wrap the ``rfc8785`` package rather than hand-rolling number formatting.

Constraints that follow from JCS (and are enforced by the package): integers must fit in the
IEEE-754 double range exactly (|n| <= 2**53 - 1), floats must be finite, keys must be strings.
Keep money in integer fen and identifiers as strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import rfc8785

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class CanonicalizationError(ValueError):
    """The value cannot be expressed as canonical JSON, or the bytes are not canonical."""


def canonical_json(value: Any) -> bytes:
    """Serialize ``value`` to RFC 8785 canonical JSON (UTF-8 bytes)."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalizationError(str(exc)) from exc


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CanonicalizationError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise CanonicalizationError(f"{name} is not allowed in canonical JSON")


def parse_json_strict(data: bytes | str) -> Any:
    """Parse JSON, rejecting duplicate keys and NaN/Infinity (which JCS cannot represent)."""
    try:
        return json.loads(data, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalizationError(f"not valid JSON: {exc}") from exc


def parse_canonical(data: bytes) -> Any:
    """Parse bytes that must already be canonical; raise if re-canonicalizing changes them."""
    value = parse_json_strict(data)
    if canonical_json(value) != data:
        raise CanonicalizationError("JSON is not in RFC 8785 canonical form")
    return value


def is_canonical(data: bytes) -> bool:
    try:
        parse_canonical(data)
    except CanonicalizationError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Evidence capture records
# --------------------------------------------------------------------------------------------

CAPTURE_RECORD_FIELDS = ("captured_at", "case", "device", "latitude", "longitude", "sha256")


def format_timestamp(moment: datetime) -> str:
    """The one timestamp format used inside signed records: UTC, millisecond precision, ``Z``.

    ``2024-05-01T08:30:00.123Z``. Sub-millisecond digits are truncated (devices report
    milliseconds). Naive datetimes are refused: a wall-clock time without zone would make the
    signed bytes depend on the server's time zone.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CanonicalizationError("captured_at must be timezone-aware")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _coordinate(value: float | Decimal | str | None, name: str, limit: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CanonicalizationError(f"{name} must be a number")
    number = float(value)  # Decimal / str from the database: the shortest float that reads back
    if not -limit <= number <= limit:
        raise CanonicalizationError(f"{name} {number} out of range")
    return number


def capture_record(*, sha256: str, captured_at: datetime | str, case: str | int,
                   device: str | None, latitude: float | Decimal | str | None,
                   longitude: float | Decimal | str | None) -> dict[str, Any]:
    """The capture record as a dict (see :func:`capture_record_bytes` for the rules)."""
    if not isinstance(sha256, str) or not SHA256_HEX.match(sha256):
        raise CanonicalizationError("sha256 must be 64 lowercase hex digits")
    if isinstance(captured_at, datetime):
        captured_at = format_timestamp(captured_at)
    elif not isinstance(captured_at, str) or not captured_at:
        raise CanonicalizationError("captured_at must be a datetime or a non-empty string")
    if isinstance(case, bool) or not isinstance(case, str | int):
        raise CanonicalizationError("case must be a string or an integer")
    if device is not None and not isinstance(device, str):
        raise CanonicalizationError("device must be a string or None")
    return {
        "captured_at": captured_at,
        "case": case,
        "device": device,
        "latitude": _coordinate(latitude, "latitude", 90.0),
        "longitude": _coordinate(longitude, "longitude", 180.0),
        "sha256": sha256,
    }


def capture_record_bytes(*, sha256: str, captured_at: datetime | str, case: str | int,
                         device: str | None, latitude: float | Decimal | str | None,
                         longitude: float | Decimal | str | None) -> bytes:
    """The exact bytes a field device signs for one evidence file, and the verifier re-derives.

    Canonical JSON (RFC 8785) of the object with exactly these members::

        {"captured_at": "2024-05-01T08:30:00.123Z",  # string; a datetime is formatted by
                                                     # format_timestamp, a string kept verbatim
         "case": "...",                              # case id/number as the device knew it
         "device": "..." | null,                     # device id; null for web uploads
         "latitude": 43.1234 | null,                 # WGS-84 degrees, null when unknown
         "longitude": 125.5678 | null,
         "sha256": "<64 lowercase hex>"}             # SHA-256 of the original file

    Intake code must pass the values exactly as the device signed them (store the device's
    ``captured_at`` string and full-precision coordinates), otherwise the signature will not
    verify; the verifier reports that as a device-signature failure.
    """
    return canonical_json(capture_record(sha256=sha256, captured_at=captured_at, case=case, device=device,
                                         latitude=latitude, longitude=longitude))


def capture_record_bytes_from_mapping(record: Mapping[str, Any]) -> bytes:
    """Re-derive the signed bytes from a capture record dict (as found in a bundle manifest)."""
    if set(record) != set(CAPTURE_RECORD_FIELDS):
        raise CanonicalizationError(f"capture record must have exactly the fields {CAPTURE_RECORD_FIELDS}")
    return capture_record_bytes(**{k: record[k] for k in CAPTURE_RECORD_FIELDS})
