"""What the reviews API views share: the permission classes (people without a review-related role are kept out
early; the services check roles again), the OpenAPI tags, and the request helpers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.models import Role, User
from backend.accounts.permissions import (
    HasRole,
    request_agency_id,
    request_user,
)
from backend.common.errors import ApplicationError
from backend.ledger.services import audit_context_from_request
from backend.reviews import selectors
from backend.reviews.serializers import (
    ReviewRoundDetailOutputSerializer,
)

IsReviewerOrHead = HasRole(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD)
IsLegalReviewerOnly = HasRole(Role.LEGAL_REVIEWER)
IsCaseActor = HasRole(Role.FIELD_OFFICER, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER)
TAG_CATALOG = "reviews: catalog"
TAG_ROUNDS = "reviews: rounds"
TAG_CASE = "reviews: case"


def _ctx(request: Request) -> Any:
    return audit_context_from_request(request)


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _round_detail(request: Request, round_id: Any) -> Response:
    round_ = selectors.review_round_get_for_user(user=request_user(request), round_id=round_id)
    return Response(ReviewRoundDetailOutputSerializer(round_).data)


def _agency_user(request: Request, user_id: Any, *, field: str) -> User:
    user = User.objects.filter(pk=user_id, agency_id=request_agency_id(request)).first()
    if user is None:
        raise ApplicationError("invalid_user", "人员不存在或不属于本机关", status=422, fields={field: ["无效"]})
    return user


KIND_PARAM = OpenApiParameter(
    "kind", OpenApiTypes.STR, enum=["legal_review", "case_review"], required=False, description="默认 legal_review"
)
