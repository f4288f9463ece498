"""The tus 1.0.0 protocol surface: versions, extensions, header parsing and error statuses.

Only protocol mechanics live here (no database, no business rules); ``apis.py`` uses it to speak tus and
``services.py`` decides what an upload may do. Spec: tus.io "Resumable upload protocol 1.0.0" (core,
creation, creation-with-upload, creation-defer-length, expiration, checksum, termination).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import re
from email.utils import format_datetime

from backend.common.errors import ApplicationError
from backend.common.inputs import is_ascii_int

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = (
    "creation",
    "creation-with-upload",
    "creation-defer-length",
    "expiration",
    "checksum",
    "termination",
)
# sha1 is what the checksum extension requires every server to support; sha256 is what we prefer.
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"

# Headers a browser client (tus-js-client) must be able to read on a cross-origin response.
EXPOSED_HEADERS = (
    "Location, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, Upload-Expires, "
    "Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, "
    "Evidence-Item, Evidence-Status, Evidence-Error, X-Request-ID"
)
ALLOWED_HEADERS = (
    "Authorization, Content-Type, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, "
    "Upload-Checksum, Tus-Resumable, X-HTTP-Method-Override, X-Request-ID, Date"
)


class TusError(ApplicationError):
    """A protocol-level error; rendered with the tus headers like every other response."""


def precondition_failed() -> TusError:
    return TusError(
        "tus_version_unsupported",
        f"不支持的 Tus-Resumable 版本，仅支持 {TUS_VERSION}",
        status=412,
        extra={"supported": [TUS_VERSION]},
    )


def parse_non_negative_int(value: str | None, header: str) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if not is_ascii_int(value):  # ASCII only: "³".isdigit() is true and int("³") raises
        raise TusError("invalid_header", f"{header} 必须是非负整数", status=400, extra={"header": header})
    return int(value)


_METADATA_KEY = re.compile(r"^[^\s,]+$")


def parse_metadata(header: str | None) -> dict[str, str]:
    """Decode ``Upload-Metadata``: comma-separated ``key base64(value)`` pairs; keys unique, values UTF-8."""
    result: dict[str, str] = {}
    if not header or not header.strip():
        return result
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts or not parts[0] or len(parts) > 2 or not _METADATA_KEY.match(parts[0]):
            raise TusError("invalid_metadata", "Upload-Metadata 格式错误", status=400)
        key = parts[0]
        if key in result:
            raise TusError("invalid_metadata", f"Upload-Metadata 键重复：{key}", status=400)
        raw = parts[1] if len(parts) == 2 else ""
        try:
            value = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise TusError(
                "invalid_metadata", f"Upload-Metadata 的 {key} 不是有效的 base64/UTF-8", status=400
            ) from None
        if "\x00" in value:  # no text column or JSON document can hold NUL (PostgreSQL refuses it)
            raise TusError("invalid_metadata", f"Upload-Metadata 的 {key} 含有 NUL 字符", status=400)
        result[key] = value
    return result


def encode_metadata(values: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" if v else k for k, v in values.items())


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """``Upload-Checksum: <algorithm> <base64 digest>`` → (algorithm, digest bytes)."""
    if header is None:
        return None
    parts = header.strip().split(" ")
    if len(parts) != 2:
        raise TusError("invalid_checksum_header", "Upload-Checksum 格式错误", status=400)
    algorithm = parts[0].lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TusError(
            "checksum_algorithm_unsupported",
            f"不支持的校验算法 {algorithm}",
            status=400,
            extra={"supported": sorted(CHECKSUM_ALGORITHMS)},
        )
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise TusError("invalid_checksum_header", "Upload-Checksum 摘要不是有效的 base64", status=400) from None
    if len(digest) != CHECKSUM_ALGORITHMS[algorithm]().digest_size:
        raise TusError("invalid_checksum_header", "Upload-Checksum 摘要长度错误", status=400)
    return algorithm, digest


def http_date(moment: datetime.datetime) -> str:
    """RFC 9110 IMF-fixdate, as ``Upload-Expires`` requires (``Wed, 25 Jun 2014 16:00:00 GMT``)."""
    return format_datetime(moment.astimezone(datetime.UTC), usegmt=True)
