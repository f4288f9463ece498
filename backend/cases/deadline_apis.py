"""Deadlines across the cases a user may read: the list by bucket and the summary counts."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import request_user
from backend.cases import selectors
from backend.cases.serializers import (
    DeadlineOutputSerializer,
    DeadlineSummaryOutputSerializer,
)
from backend.common.errors import ApplicationError
from backend.common.pagination import DefaultCursorPagination, paginated_response

# --------------------------------------------------------------------------- deadlines across cases


class DeadlinePagination(DefaultCursorPagination):
    """Soonest due first."""

    ordering = ("due_on", "id")


class DeadlineListApi(APIView):
    pagination_class = DeadlinePagination

    @extend_schema(
        tags=["deadlines"],
        parameters=[
            OpenApiParameter("bucket", OpenApiTypes.STR, enum=["due_soon", "overdue", "open", "all"]),
            OpenApiParameter("agency", OpenApiTypes.INT, description="One readable agency (auditors: subordinates)."),
        ],
        responses=DeadlineOutputSerializer(many=True),
        description="What is due soon (within 3 working days) or overdue, per agency; auditors see subordinates.",
    )
    def get(self, request: Request) -> Response:
        bucket = request.query_params.get("bucket", "open")
        if bucket not in ("due_soon", "overdue", "open", "all"):
            raise ApplicationError("invalid_bucket", "bucket 取值无效", status=400)
        agency = request.query_params.get("agency")
        try:
            agency_id = int(agency) if agency else None
        except ValueError:
            raise ApplicationError("invalid_agency", "agency 须为整数", status=400) from None
        today = timezone.localdate()
        qs = selectors.deadline_list_for_user(
            user=request_user(request), bucket=bucket, agency_id=agency_id, today=today
        )
        return paginated_response(
            self, request, qs, lambda page: DeadlineOutputSerializer(page, many=True, context={"today": today}).data
        )


class DeadlineSummaryApi(APIView):
    @extend_schema(tags=["deadlines"], responses=DeadlineSummaryOutputSerializer(many=True),
                   description="Supervision view: per readable agency, open / due soon / overdue / met late.")
    def get(self, request: Request) -> Response:
        rows = selectors.deadline_summary_for_user(user=request_user(request))
        return Response(DeadlineSummaryOutputSerializer(rows, many=True).data)

