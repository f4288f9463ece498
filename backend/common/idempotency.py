"""``Idempotency-Key`` for POSTs from the mobile apps (api_docs/guides/sync.md §2).

A view opts in with :class:`IdempotentAPIMixin` (all our POST views do). Exactly one request per
(user, key) does the work, however many copies arrive at once:

1. **Reserve** — before the work starts, an ``in_progress`` :class:`IdempotencyRecord` is inserted and
   committed; the unique (user, key) constraint lets one request win. A duplicate that finds the
   reservation answers 409 ``idempotency_in_flight`` with ``Retry-After``; the same key with a different
   request answers 422 ``idempotency_key_reused``.
2. **Work and answer commit together** — the view runs inside one transaction that also stores its answer
   (status, body, the headers in ``KEPT_HEADERS``) on the reservation, conditional on still holding it. A
   crash before the commit leaves neither the work nor an answer behind.
3. **Replay** — later duplicates get the stored answer unchanged, with ``Idempotent-Replayed: true``.
   Client errors (4xx) are stored and replayed too: the same request would fail the same way.
4. **Release** — a 5xx or 429 answer (or an exception nothing handled) rolls the work back and deletes
   the reservation, so a retry really retries. A reservation whose request died without either (the
   process was killed) is taken over by the next retry once ``IDEMPOTENCY_RESERVATION_TIMEOUT`` seconds
   have passed; the dead holder's token no longer matches, so it could not store an answer even if it
   came back.
5. **Purge** — records are deleted ``IDEMPOTENCY_TTL`` after their first use (``common.idempotency_purge``,
   hourly); the TTL outlasts the longest period the app may stay offline (``idempotency_ttl_check``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from backend.common.errors import ApplicationError
from backend.common.models import IdempotencyRecord
from backend.common.urls import canonical_path

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Location", "ETag", "Upload-Offset", "Upload-Expires", "Tus-Resumable")
MAX_KEY_LENGTH = 200
# A duplicate in flight is told to come back after this: most POSTs finish well within a second.
RETRY_AFTER_SECONDS = 1


def request_fingerprint(request: Any) -> str:
    """SHA-256 over method, path (its canonical slash form: both forms are one resource) and body."""
    raw = getattr(request, "_request", request)
    digest = hashlib.sha256()
    digest.update(raw.method.encode())
    digest.update(b"\0")
    digest.update(canonical_path(raw.path).encode())
    digest.update(b"\0")
    digest.update(raw.body or b"")
    return digest.hexdigest()


@dataclass(frozen=True)
class Reservation:
    """This request holds the key: ``token`` is written on the row, and only its holder may complete it."""

    record_id: int
    token: str


def _in_flight() -> ApplicationError:
    return ApplicationError(
        "idempotency_in_flight",
        "同一 Idempotency-Key 的请求正在处理中，请稍后重试",
        status=409,
        extra={"retry_after_seconds": RETRY_AFTER_SECONDS},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def idempotency_reserve(
    *, user: Any, key: str, method: str, path: str, fingerprint: str
) -> Reservation | IdempotencyRecord:
    """Reserve ``key`` for this request (committed at once), or return the stored answer to replay.

    Raises 409 ``idempotency_in_flight`` while another request holds a live reservation and 422
    ``idempotency_key_reused`` when the key was used for a different request.
    """
    for _attempt in range(3):
        now = timezone.now()
        token = uuid.uuid4().hex
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, method=method, path=path[:500], request_hash=fingerprint,
                    state=IdempotencyRecord.State.IN_PROGRESS, token=token, reserved_at=now,
                )  # fmt: skip
            return Reservation(record.pk, token)
        except IntegrityError:
            pass  # the key exists: answered, in flight, or left by a crashed request
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # released (the holder failed) or purged in between: reserve again
        if record.request_hash != fingerprint:
            raise ApplicationError("idempotency_key_reused", "同一 Idempotency-Key 已用于内容不同的请求", status=422)
        if record.state == IdempotencyRecord.State.DONE:
            return record
        stale_before = now - dt.timedelta(seconds=settings.IDEMPOTENCY_RESERVATION_TIMEOUT)
        if record.reserved_at > stale_before:
            raise _in_flight()
        # Its request died without an answer: take the reservation over (one retry wins the conditional UPDATE).
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, token=record.token, state=IdempotencyRecord.State.IN_PROGRESS
        ).update(token=token, reserved_at=now)
        if taken:
            return Reservation(record.pk, token)
    raise _in_flight()


def idempotency_complete(*, reservation: Reservation, response: Response) -> bool:
    """Store the answer on the reservation (in the caller's transaction); False if it is no longer ours."""
    body = getattr(response, "data", None)
    return bool(
        IdempotencyRecord.objects.filter(
            pk=reservation.record_id, token=reservation.token, state=IdempotencyRecord.State.IN_PROGRESS
        ).update(
            state=IdempotencyRecord.State.DONE,
            status_code=response.status_code,
            response_body=json.loads(json.dumps(body, cls=DjangoJSONEncoder)) if body is not None else None,
            response_headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
            completed_at=timezone.now(),
        )
    )


def idempotency_release(*, reservation: Reservation) -> None:
    """Give the key back (the request failed): the next request with it does the work."""
    IdempotencyRecord.objects.filter(
        pk=reservation.record_id, token=reservation.token, state=IdempotencyRecord.State.IN_PROGRESS
    ).delete()


def idempotency_purge(*, now: dt.datetime | None = None, batch: int = 5000) -> int:
    """Delete records first used more than ``IDEMPOTENCY_TTL`` ago; returns how many."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_TTL
    deleted = 0
    while True:
        ids = list(IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]


def replay_response(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


@dataclass
class _Pending:
    """The reservation this request holds and the open transaction of its work."""

    reservation: Reservation
    atomic: Any = None


# Put before ``APIView``: POSTs with an ``Idempotency-Key`` run at most once per (user, key). The reservation
# is taken in ``initial()`` (after authentication, permissions and throttles, so a 401, 403 or 429 never uses
# up a key); the handler then runs in a transaction that ``finalize_response`` commits together with the
# stored answer, or rolls back on a 5xx/429; ``dispatch`` rolls back and releases on an exception that
# escapes DRF. (A comment, not a docstring: drf-spectacular would show a docstring on every view.)
class IdempotentAPIMixin:

    idempotent_methods = ("POST",)
    _idempotency: _Pending | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self._idempotency = None
        key = request.META.get(HEADER)
        if not key or request.method not in self.idempotent_methods or not request.user.is_authenticated:
            return
        if len(key) > MAX_KEY_LENGTH:
            raise ApplicationError(
                "idempotency_key_invalid", f"Idempotency-Key 过长（最多 {MAX_KEY_LENGTH} 个字符）", status=400
            )
        outcome = idempotency_reserve(
            user=request.user, key=key, method=request.method, path=canonical_path(request.path),
            fingerprint=request_fingerprint(request),
        )  # fmt: skip
        if isinstance(outcome, IdempotencyRecord):
            raise _Replay(outcome)
        pending = _Pending(outcome, transaction.atomic())
        pending.atomic.__enter__()
        self._idempotency = pending

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return replay_response(exc.record)
        # A failed handler's work is undone before its (client) error is answered and stored.
        self._end_work(commit=False)
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        pending = self._idempotency
        if pending is None:
            return response
        if response.status_code >= 500 or response.status_code == 429:
            self._end_work(commit=False)
            self._release()
            return response
        if pending.atomic is not None:
            stored = idempotency_complete(reservation=pending.reservation, response=response)
            if not stored:
                # Our reservation was taken over (we ran past the timeout): the other request's work counts.
                self._end_work(commit=False)
                self._idempotency = None
                return super().finalize_response(  # type: ignore[misc]
                    request, self.handle_exception(_in_flight()), *args, **kwargs
                )
            self._end_work(commit=True)
        else:
            idempotency_complete(reservation=pending.reservation, response=response)  # a stored client error
        self._idempotency = None
        return response

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except BaseException:
            self._end_work(commit=False)
            self._release()
            raise

    def _end_work(self, *, commit: bool) -> None:
        pending = self._idempotency
        if pending is None or pending.atomic is None:
            return
        atomic, pending.atomic = pending.atomic, None
        if commit:
            try:
                atomic.__exit__(None, None, None)
            except BaseException:
                self._release()
                raise
        else:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    def _release(self) -> None:
        pending, self._idempotency = self._idempotency, None
        if pending is not None:
            idempotency_release(reservation=pending.reservation)
