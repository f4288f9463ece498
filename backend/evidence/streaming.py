"""Streaming stored files over HTTP: one ``bytes=`` range, the headers of a file answer, a content type.

Used by the evidence API and the staff console alike (originals and derivatives).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import StreamingHttpResponse

from backend.common.errors import ApplicationError


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """A single ``bytes=`` range → (start, end inclusive); ``None`` for no/ignorable range; 416 if unsatisfiable."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    spec = header[len("bytes=") :].strip()
    start_s, _, end_s = spec.partition("-")
    try:
        if start_s == "":
            suffix = int(end_s)
            if suffix <= 0:
                raise ValueError
            start, end = max(size - suffix, 0), size - 1
        else:
            start = int(start_s)
            end = int(end_s) if end_s else size - 1
    except ValueError:
        return None
    end = min(end, size - 1)
    if start > end or start >= size:
        raise ApplicationError("range_not_satisfiable", "请求的字节范围无效", status=416, extra={"size": size})
    return start, end


def stream_response(
    *, chunks: Any, size: int, byte_range: tuple[int, int] | None, content_type: str, filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type or "application/octet-stream")
    response["Accept-Ranges"] = "bytes"
    if byte_range is not None:
        start, end = byte_range
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response["Content-Length"] = str(size)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename or 'evidence')}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def guess_type(key: str) -> str:
    import mimetypes

    return mimetypes.guess_type(key)[0] or "application/octet-stream"
