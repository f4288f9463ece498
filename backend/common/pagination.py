"""The one page shape of every list that grows: ``{"next", "previous", "results"}`` (api_docs/guides/pagination.md).

Cursor pagination: stable under concurrent inserts, cheap on big tables, fine for mobile catch-up. A view
names its paginator in ``pagination_class`` (drf-spectacular then declares the page, ``cursor`` and
``page_size``) and answers with :func:`paginated_response`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response


class DefaultCursorPagination(CursorPagination):
    """Newest first, 50 a page (``page_size`` up to 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: str | tuple[str, ...] = "-created_at"


class OldestFirstPagination(DefaultCursorPagination):
    """Oldest first (notes, a thread read from its start)."""

    ordering = "created_at"


class RecordedOrderPagination(DefaultCursorPagination):
    """Audit events in the order they were recorded (their auto-increment id): the case timeline and the chain
    of custody read as logs from their start. Per case, ids follow the ledger order (case services hold the
    case row lock until they commit); each entry carries its ``seq`` (null while the sequencer has not
    sealed it yet)."""

    ordering = "id"


def paginated_response(
    view: Any, request: Request, queryset: Any, serialize: Callable[[Sequence[Any]], Any]
) -> Response:
    """One page of ``queryset`` through ``view.pagination_class``; ``serialize`` turns its rows into data."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    response: Response = paginator.get_paginated_response(serialize(page))
    return response
