"""Ledger API: the public proof endpoints (anonymous, read-only, throttled). Full entries for auditors, the
evidence bundle export and its share links are ``backend.sharing`` (they read cases, evidence and accounts)."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.errors import NotFound
from backend.common.throttling import ExactScopedRateThrottle
from backend.ledger import selectors
from backend.ledger.checkpoints import checkpoint_latest
from backend.ledger.serializers import (
    LedgerCheckpointOutputSerializer,
    LedgerConsistencyOutputSerializer,
    LedgerConsistencyQuerySerializer,
    LedgerFileLookupOutputSerializer,
    LedgerInclusionOutputSerializer,
    LedgerInclusionQuerySerializer,
    LedgerKeyOutputSerializer,
)


class PlainTextRenderer(BaseRenderer):
    """``text/plain`` for signed notes and keys (what tlog tooling fetches); errors fall back to JSON text."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, str):
            return data.encode("utf-8")
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class PublicApi(APIView):
    """Anonymous, read-only, rate-limited with the ``public`` throttle scope."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ExactScopedRateThrottle]
    throttle_scope = "public"


def _wants_text(request: Request) -> bool:
    return getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "txt"


@extend_schema(tags=["ledger-public"], auth=[])
class PublicCheckpointApi(PublicApi):
    """The latest signed checkpoint. ``text/plain`` (default): the C2SP signed note; JSON with
    ``Accept: application/json`` or ``?format=json``."""

    renderer_classes = [PlainTextRenderer, JSONRenderer]

    @extend_schema(operation_id="ledger_public_checkpoint",
                   responses={(200, "text/plain"): OpenApiTypes.STR,
                              (200, "application/json"): LedgerCheckpointOutputSerializer})
    def get(self, request: Request) -> Response:
        checkpoint = checkpoint_latest()
        if checkpoint is None:
            raise NotFound("台账尚未签署检查点", code="no_checkpoint")
        if _wants_text(request):
            return Response(checkpoint.note)
        return Response(LedgerCheckpointOutputSerializer(selectors.checkpoint_json(checkpoint)).data)


@extend_schema(tags=["ledger-public"], auth=[])
class PublicKeyApi(PublicApi):
    """The log's public (verifier) key; ``text/plain`` is the current key line, JSON adds retired keys."""

    renderer_classes = [PlainTextRenderer, JSONRenderer]

    @extend_schema(operation_id="ledger_public_key",
                   responses={(200, "text/plain"): OpenApiTypes.STR,
                              (200, "application/json"): LedgerKeyOutputSerializer})
    def get(self, request: Request) -> Response:
        keys = selectors.public_keys()
        if _wants_text(request):
            return Response(keys["key"] + "\n")
        return Response(LedgerKeyOutputSerializer(keys).data)


@extend_schema(tags=["ledger-public"], auth=[])
class PublicInclusionProofApi(PublicApi):
    """Inclusion proof of one log entry, by ``index`` (and optional tree ``size``, default: the latest
    checkpoint), or by an evidence file's ``sha256``: was this file recorded, when, in which case."""

    @extend_schema(
        operation_id="ledger_public_inclusion_proof",
        parameters=[LedgerInclusionQuerySerializer],
        responses={200: OpenApiResponse(
            PolymorphicProxySerializer(
                component_name="LedgerInclusionAnswer",
                serializers=[LedgerInclusionOutputSerializer, LedgerFileLookupOutputSerializer],
                resource_type_field_name=None,
            ),
            description="by index: LedgerInclusionOutput; by sha256: LedgerFileLookupOutput",
        ),
                   404: OpenApiResponse(description="not recorded")},
    )
    def get(self, request: Request) -> Response:
        query = LedgerInclusionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if "sha256" in params:
            result = selectors.public_proof_by_sha256(sha256=params["sha256"])
            return Response(LedgerFileLookupOutputSerializer(result).data)
        result = selectors.public_inclusion_proof(index=params["index"], size=params.get("size"))
        return Response(LedgerInclusionOutputSerializer(result).data)


@extend_schema(tags=["ledger-public"], auth=[])
class PublicConsistencyProofApi(PublicApi):
    """Consistency proof that the tree of size ``first`` is a prefix of the tree of size ``second``
    (default: the latest checkpoint) — i.e. nothing recorded before was changed or removed."""

    @extend_schema(operation_id="ledger_public_consistency_proof", parameters=[LedgerConsistencyQuerySerializer],
                   responses={200: LedgerConsistencyOutputSerializer})
    def get(self, request: Request) -> Response:
        query = LedgerConsistencyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        result = selectors.public_consistency_proof(first=params["first"], second=params.get("second"))
        return Response(LedgerConsistencyOutputSerializer(result).data)


