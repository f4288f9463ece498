"""Documents of a case (文书): create, read (a personal-data read is audited), approve an emergency measure,
attach a file."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import request_user
from backend.cases import selectors, services
from backend.cases.api_support import (
    IDEMPOTENCY_KEY,
    CaseActionApi,
)
from backend.cases.serializers import (
    DocumentApproveInputSerializer,
    DocumentAttachInputSerializer,
    DocumentCreateInputSerializer,
    DocumentListOutputSerializer,
    DocumentOutputSerializer,
)
from backend.ledger.services import audit_context_from_request

# --------------------------------------------------------------------------- documents


class CaseDocumentListCreateApi(CaseActionApi):
    @extend_schema(tags=["documents"], responses=DocumentListOutputSerializer(many=True))
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = self._case(request, case_id)
        return Response(DocumentListOutputSerializer(case.documents.all(), many=True).data)

    @extend_schema(tags=["documents"], parameters=[IDEMPOTENCY_KEY], request=DocumentCreateInputSerializer,
                   responses={201: DocumentOutputSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        data = DocumentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        document = services.case_add_document(
            case=self._case(request, case_id), actor=request_user(request), context=audit_context_from_request(request),
            document_id=values.pop("id", None), **values,
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)


class CaseDocumentDetailApi(APIView):
    @extend_schema(tags=["documents"], responses=DocumentOutputSerializer)
    def get(self, request: Request, case_id: uuid.UUID, document_id: uuid.UUID) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        document = selectors.document_get_for_user(user=request_user(request), case=case, document_id=document_id)
        services.case_record_personal_data_read(
            case=case, actor=request_user(request), context=audit_context_from_request(request), document=document,
            purpose=request.query_params.get("purpose", "")[:200],
        )
        return Response(DocumentOutputSerializer(document).data)


class CaseDocumentApproveApi(CaseActionApi):
    @extend_schema(tags=["documents"], parameters=[IDEMPOTENCY_KEY], request=DocumentApproveInputSerializer,
                   responses=DocumentOutputSerializer,
                   description="The head's 补办批准 of a 查封扣押/先行登记保存 taken in an emergency "
                               "(行政强制法 第十九条).")
    def post(self, request: Request, case_id: uuid.UUID, document_id: uuid.UUID) -> Response:
        case = self._case(request, case_id)
        document = selectors.document_get_for_user(user=request_user(request), case=case, document_id=document_id)
        data = DocumentApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.case_approve_emergency_measure(
            document=document, actor=request_user(request), context=audit_context_from_request(request),
            note=data.validated_data["note"],
        )
        return Response(DocumentOutputSerializer(document).data)


class CaseDocumentAttachApi(CaseActionApi):
    @extend_schema(tags=["documents"], parameters=[IDEMPOTENCY_KEY], request=DocumentAttachInputSerializer,
                   responses=DocumentOutputSerializer, description="Link signed scans (evidence items) to a document.")
    def post(self, request: Request, case_id: uuid.UUID, document_id: uuid.UUID) -> Response:
        case = self._case(request, case_id)
        document = selectors.document_get_for_user(user=request_user(request), case=case, document_id=document_id)
        data = DocumentAttachInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_attach(
            document=document, actor=request_user(request), context=audit_context_from_request(request),
            attachment_ids=data.validated_data["attachment_ids"],
        )
        return Response(DocumentOutputSerializer(document).data)

