"""``Idempotency-Key`` for POSTs from the mobile apps.

A view opts in with :class:`IdempotentAPIMixin` (all our POST views do). The first successful or
client-error answer is stored per (user, key); a replay with the same body returns it unchanged, with
``Idempotent-Replayed: true``; the same key with a different body answers 422 ``idempotency_key_reused``.
Server errors are not stored, so a retry after a 5xx really retries.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from backend.common.errors import ApplicationError
from backend.common.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("Location", "ETag", "Upload-Offset", "Upload-Expires", "Tus-Resumable")


def _request_fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request._request.body if request._request.body else b"")
    return digest.hexdigest()


class IdempotentAPIMixin:
    idempotent_methods = ("POST",)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self._idempotency_key = None
        key = request.META.get(HEADER)
        if not key or request.method not in self.idempotent_methods or not request.user.is_authenticated:
            return
        if len(key) > 200:
            raise ApplicationError("idempotency_key_invalid", "Idempotency-Key 过长（最多 200 个字符）", status=400)
        fingerprint = _request_fingerprint(request)
        record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if record is not None:
            if record.request_hash != fingerprint:
                raise ApplicationError(
                    "idempotency_key_reused",
                    "同一 Idempotency-Key 已用于内容不同的请求",
                    status=422,
                )
            raise _Replay(record)
        self._idempotency_key = (key, fingerprint)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            record = exc.record
            response = Response(record.response_body, status=record.status_code)
            for name, value in record.response_headers.items():
                response[name] = value
            response[REPLAYED_HEADER] = "true"
            return response
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        pending = getattr(self, "_idempotency_key", None)
        if pending and response.status_code < 500 and response.status_code != 429:
            key, fingerprint = pending
            headers = {h: response[h] for h in _KEPT_HEADERS if response.has_header(h)}
            body = getattr(response, "data", None)
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=fingerprint,
                        status_code=response.status_code,
                        response_body=json.loads(json.dumps(body, default=str)) if body is not None else None,
                        response_headers=headers,
                    )
            except IntegrityError:
                pass  # a concurrent duplicate stored first; both answers are equivalent
        return response


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record
