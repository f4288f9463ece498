"""The agency's 音像记录事项清单 (which activities must be recorded on audio/video)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Agency
from backend.accounts.permissions import request_user
from backend.cases import selectors, services
from backend.cases.api_support import (
    IDEMPOTENCY_KEY,
)
from backend.cases.serializers import (
    RecordingRequirementInputSerializer,
    RecordingRequirementOutputSerializer,
)
from backend.common.errors import Forbidden, NotFound
from backend.common.idempotency import IdempotentAPIMixin
from backend.ledger.services import audit_context_from_request

# --------------------------------------------------------------------------- 音像记录事项清单


class RecordingRequirementListCreateApi(IdempotentAPIMixin, APIView):
    @extend_schema(tags=["recording requirements"], responses=RecordingRequirementOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.recording_requirement_list(user=request_user(request))
        return Response(RecordingRequirementOutputSerializer(qs, many=True).data)

    @extend_schema(tags=["recording requirements"], parameters=[IDEMPOTENCY_KEY],
                   request=RecordingRequirementInputSerializer, responses={201: RecordingRequirementOutputSerializer})
    def post(self, request: Request) -> Response:
        user = request_user(request)
        if user.agency_id is None:
            raise Forbidden("未归属执法主体", code="no_agency")
        data = RecordingRequirementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        requirement = services.recording_requirement_set(
            agency=Agency.objects.get(pk=user.agency_id), actor=user,
            context=audit_context_from_request(request), **data.validated_data,
        )
        return Response(RecordingRequirementOutputSerializer(requirement).data, status=status.HTTP_201_CREATED)


class RecordingRequirementDetailApi(APIView):
    @extend_schema(tags=["recording requirements"], responses={204: None})
    def delete(self, request: Request, requirement_id: int) -> Response:
        user = request_user(request)
        requirement = selectors.recording_requirement_list(user=user).filter(pk=requirement_id).first()
        if requirement is None:
            raise NotFound("事项不存在")
        services.recording_requirement_remove(
            requirement=requirement, actor=user, context=audit_context_from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
