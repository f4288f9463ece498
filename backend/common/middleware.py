"""JSON answers for API paths even when something escapes DRF (404 for unknown URLs, unexpected 500s)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from backend.common.inputs import is_ascii_int

logger = logging.getLogger("backend.errors")

API_PREFIXES = ("/api/",)


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


class ApiJsonErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Only Django's own HTML 404 page (an unknown URL) is replaced; API views answer their errors themselves.
        if (
            is_api_path(request.path)
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return JsonResponse({"code": "not_found", "message": "接口不存在"}, status=404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return JsonResponse({"code": "server_error", "message": "服务器内部错误，已记录，请稍后重试"}, status=500)


_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep the client's ``X-Request-ID``) for logs and the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


REQUEST_TOO_LARGE = {"code": "request_body_too_large", "message": "请求体过大"}


def view_streams_body(path_info: str) -> bool:
    """Whether the view at ``path_info`` reads its own (large) body with its own limits (the tus uploads:
    ``streams_request_body = True`` on the view class)."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    return bool(getattr(view_class, "streams_request_body", False))


class RequestBodyLimitMiddleware:
    """413 for a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, from its ``Content-Length``, before a byte
    of it is read (RFC 9110 §15.5.14), with the API's JSON error shape. Django itself would only notice
    while reading ``request.body`` and raise ``RequestDataTooBig`` from inside DRF's parsing (a 500).

    Views that stream their body (tus ``POST``/``PATCH``) are left to their own limits (``Tus-Max-Size``,
    the chunk limit) and parse their own ``Content-Length``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or ""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if raw and limit is not None and not view_streams_body(request.path_info):
            if not is_ascii_int(raw.strip()):
                return JsonResponse(
                    {"code": "invalid_content_length", "message": "Content-Length 须为非负整数"}, status=400
                )
            length = int(raw.strip())
            if length > limit:
                response = JsonResponse({**REQUEST_TOO_LARGE, "extra": {"max_bytes": limit}}, status=413)
                # Sized, so the answer is complete before the body would follow (no chunked framing); the
                # server discards the unread body (or the client hangs up) before any next request.
                response["Content-Length"] = str(len(response.content))
                return response
        return self.get_response(request)
