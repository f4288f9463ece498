"""DRF exception handler that maps every error to the shape in :mod:`backend.common.errors`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from backend.common.errors import ApplicationError
from backend.common.parsers import JSONTooDeep
from backend.common.storage import StorageError

logger = logging.getLogger(__name__)

# Stable codes and Chinese messages for DRF's own exceptions.
_DRF_CODES: dict[type[exceptions.APIException], tuple[str, str]] = {
    JSONTooDeep: ("json_too_deep", "请求体 JSON 嵌套过深"),
    exceptions.NotAuthenticated: ("not_authenticated", "需要登录：请提供有效的访问令牌"),
    exceptions.AuthenticationFailed: ("authentication_failed", "身份验证失败"),
    exceptions.PermissionDenied: ("permission_denied", "无权执行此操作"),
    exceptions.NotFound: ("not_found", "对象不存在"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供所请求的内容格式"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的请求内容类型"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试"),
    exceptions.ParseError: ("malformed_request", "请求体格式错误"),
    exceptions.ValidationError: ("invalid", "请求数据无效"),
}


def error_body(exc_class: type[exceptions.APIException]) -> dict[str, str]:
    """``{"code", "message"}`` of one of DRF's exceptions, for answers built outside DRF views."""
    for klass in exc_class.__mro__:
        if klass in _DRF_CODES:
            code, message = _DRF_CODES[klass]
            return {"code": code, "message": message}
    return {"code": "error", "message": "请求失败"}


def _flatten(detail: Any) -> Any:
    """Turn DRF ErrorDetail trees into plain lists/dicts of strings."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _answer_json(context: dict[str, Any]) -> None:
    """Errors are JSON whatever the view renders on success (CSV exports, Atom, signed notes, HTML receipts)."""
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


# A dependency that is down answers 503 with Retry-After and a stable code (never a 500): the client retries,
# and nothing of the request was recorded — the transaction was rolled back, an upload's offset did not move.
UNAVAILABLE_RETRY_AFTER_SECONDS = 10


def _unavailable(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StorageError):
        body = {"code": "storage_unavailable", "message": "证据存储暂时不可用，本次请求未被记录，请稍后重试"}
    elif isinstance(exc, OperationalError | InterfaceError):
        body = {"code": "database_unavailable", "message": "数据库暂时不可用，本次请求未被记录，请稍后重试"}
    else:
        return None
    logger.warning("%s: %s: %s", body["code"], type(exc).__name__, exc)
    _answer_json(context)
    return Response(body, status=503, headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)})


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    unavailable = _unavailable(exc, context)
    if unavailable is not None:
        return unavailable
    if isinstance(exc, ApplicationError):
        _answer_json(context)
        return Response(exc.as_dict(), status=exc.status, headers=exc.headers or None)
    if isinstance(exc, RequestDataTooBig):
        # A body without Content-Length that grew past the limit while read (RequestBodyLimitMiddleware
        # answers the announced ones before reading).
        return Response({"code": "request_body_too_large", "message": "请求体过大"}, status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    response = drf_default_handler(exc, context)
    if response is None:
        return None  # unexpected: ApiJsonErrorMiddleware answers with a JSON 500

    code, message = "error", "请求失败"
    for klass in type(exc).__mro__:
        if klass in _DRF_CODES:
            code, message = _DRF_CODES[klass]
            break
    named = exc.get_codes() if isinstance(exc, exceptions.PermissionDenied) else None
    if isinstance(named, str) and named != exceptions.PermissionDenied.default_code:
        # A permission class that names its refusal (role_not_allowed, read_only_role) keeps its code.
        code, message = named, str(exc.detail)
    body: dict[str, Any] = {"code": code, "message": message}
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        body["fields"] = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    elif isinstance(exc, exceptions.Throttled):
        body["extra"] = {"retry_after_seconds": exc.wait}
    elif isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        detail = exc.detail
        if isinstance(detail, dict) and "code" in detail:
            body["extra"] = {"reason": str(detail["code"])}
        elif getattr(exc, "get_codes", None):
            body["extra"] = {"reason": _flatten(exc.get_codes())}
    response.data = body
    _answer_json(context)
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
