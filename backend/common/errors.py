"""One error shape for the whole API.

Every error answers JSON ``{"code": ..., "message": ..., "fields": {...}, "extra": {...}}``. ``code`` is
stable and machine-readable (mobile apps switch on it); ``message`` is for people, Chinese by default.
Services raise :class:`ApplicationError`; views never build error responses by hand.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business-rule violation with a stable code.

    ``status`` is the HTTP status the API answers with: 409 for an unmet precondition of a workflow
    transition, 422 for a semantically invalid request, 404 for something that does not exist *for this
    user* (another agency's object), 403 for a role that may not act.
    """

    status: int = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra or {}
        self.fields = fields or {}
        # HTTP headers the answer carries (``Retry-After`` on a 409 idempotency_in_flight, …).
        self.headers = headers or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        if self.extra:
            body["extra"] = self.extra
        return body


class PreconditionFailed(ApplicationError):
    """A workflow precondition is not met (HTTP 409)."""

    status = 409


class NotFound(ApplicationError):
    """The object does not exist for this user (HTTP 404; also used for other agencies' objects)."""

    status = 404

    def __init__(self, message: str = "对象不存在", *, code: str = "not_found", **kwargs: Any) -> None:
        super().__init__(code, message, **kwargs)


class Forbidden(ApplicationError):
    """The user's role may not do this (HTTP 403)."""

    status = 403

    def __init__(self, message: str = "无权执行此操作", *, code: str = "permission_denied", **kwargs: Any) -> None:
        super().__init__(code, message, **kwargs)
