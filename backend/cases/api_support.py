"""What every cases view shares: the sync headers (``If-Match``, ``Idempotency-Key``, ``ETag``), the step
input and the base of case actions (api_docs/guides/sync.md)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import request_user
from backend.cases import selectors
from backend.cases.models import Case
from backend.cases.services import Step
from backend.common.conditional import ANY, parse_entity_tags, representation_digest
from backend.common.errors import ApplicationError
from backend.common.idempotency import IdempotentAPIMixin

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The case's ETag (from the detail or a step); its version is compared, strongly (W/ never "
    "matches). A stale value answers 412 version_mismatch.",
)
IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="The case's ETag (from the detail or a step; W/ never matches). Missing: 428 if_match_required; "
    "stale: 412 version_mismatch.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Replays return the first answer; the same key with another body answers 422.",
)


def etag_for(case: Case) -> str:
    """The ETag of a case's state answers (creation, steps, PATCH): its version."""
    return f'"{case.version}"'


def detail_etag(case: Case, body: dict[str, Any]) -> str:
    """The detail's ETag: the version, then a digest of the body — it also shows what changes with the date
    alone (加处罚款 owed today, deadline states) and with related records, and masked ≠ full."""
    return f'"{case.version}-{representation_digest(body)}"'


_CASE_TAG = re.compile(r"^(\d{1,18})(?:-[0-9a-f]{16})?$")


def parse_if_match(request: Request, *, required: bool = False) -> int | None:
    """The case version an ``If-Match`` names (``"7"`` from a step, ``"7-…"`` from the detail; ``*``: any).

    The precondition guards the case's state, so the version is compared — strongly: a weak tag never
    matches (RFC 9110 §13.1.1) and answers 412 ``version_mismatch`` like a stale one.
    """
    raw = request.headers.get("If-Match")
    if not raw:
        if required:
            raise ApplicationError("if_match_required", "修改案件须携带 If-Match（案件的 ETag）", status=428)
        return None
    tags = parse_entity_tags(raw)
    if tags is ANY:
        return None
    if not tags:
        raise ApplicationError("if_match_invalid", "If-Match 格式错误", status=412)
    strong = [tag for tag in tags if not tag.weak]  # type: ignore[union-attr]
    if not strong:
        raise ApplicationError(
            "version_mismatch", "If-Match 须为强 ETag（W/ 开头的弱 ETag 不能用于修改），请刷新后重试", status=412
        )
    match = _CASE_TAG.match(strong[0].opaque)
    if match is None:
        raise ApplicationError("if_match_invalid", "If-Match 格式错误", status=412)
    return int(match[1])


def with_etag(response: Response, case: Case) -> Response:
    response["ETag"] = etag_for(case)
    return response


def step_input(data: dict[str, Any]) -> Step:
    return Step(
        comment=data.pop("comment", "") or "",
        latitude=data.pop("latitude", None),
        longitude=data.pop("longitude", None),
        performed_at=data.pop("performed_at", None),
    )


class CaseActionApi(IdempotentAPIMixin, APIView):
    """Base for POST actions on a case that are not status transitions."""

    def _case(self, request: Request, case_id: uuid.UUID) -> Case:
        return selectors.case_get_for_user(user=request_user(request), case_id=case_id)


