"""The staff's reading of the ledger and the evidence bundle of a case: full log entries for auditors, the
bundle export of a case and its share links for outside parties (court, 复议 body, prosecutor, lawyer).

Above cases, evidence and accounts (ARCHITECTURE.md "Layers"): the ledger itself imports none of them.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.idempotency import IdempotentAPIMixin
from backend.common.security import allow_inline_styles
from backend.ledger.apis import PublicApi
from backend.ledger.models import BundleExport
from backend.ledger.serializers import (
    BundleShareCreatedOutputSerializer,
    BundleShareCreateInputSerializer,
    BundleShareOutputSerializer,
    BundleShareReceiptOutputSerializer,
    BundleShareRevokeInputSerializer,
    LedgerEntryOutputSerializer,
)
from backend.ledger.services import audit_context_from_request, audit_record
from backend.sharing import selectors
from backend.sharing import services as bundles

ZIP_RESPONSE = {(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="证据包 (zip)")}


# What a bundle download says about itself (declared in the OpenAPI document).
BUNDLE_HEADERS = ("Content-Disposition", "X-Manifest-SHA256", "X-Checkpoint-Size", "Cache-Control")


@extend_schema(tags=["ledger-public"], auth=[])
class PublicShareDownloadApi(PublicApi):
    """Download the evidence bundle behind a share link (time-boxed, revocable; every access is logged)."""

    openapi_response_headers = {"get": BUNDLE_HEADERS}

    http_method_names = ["get", "options"]  # a HEAD must not count as (and log) a download

    @extend_schema(
        operation_id="ledger_public_share_download",
        responses={
            **ZIP_RESPONSE,
            404: OpenApiResponse(description="unknown link"),
            410: OpenApiResponse(description="revoked, expired or used up"),
        },
    )
    def get(self, request: Request, token: str) -> StreamingHttpResponse:
        export = bundles.share_access(token=token, context=audit_context_from_request(request))
        return bundle_zip_response(export)


def bundle_zip_response(export: BundleExport) -> StreamingHttpResponse:
    response = StreamingHttpResponse(bundles.bundle_stream(export), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{bundles.bundle_filename(export)}"'
    response["X-Manifest-SHA256"] = export.manifest_sha256
    response["X-Checkpoint-Size"] = str(export.checkpoint.tree_size)
    response["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------------------------
# Authorised
# --------------------------------------------------------------------------------------------


@extend_schema(tags=["ledger"])
class LedgerEntryDetailApi(APIView):
    """A full log entry (the audit event as hashed) — auditors, and the head of the event's agency."""

    http_method_names = ["get", "options"]  # every read is logged; HEAD would log a read too

    @extend_schema(operation_id="ledger_entry_detail", responses={200: LedgerEntryOutputSerializer})
    def get(self, request: Request, index: int) -> Response:
        entry = selectors.entry_get_for_user(user=request.user, index=index)
        with transaction.atomic():
            audit_record(
                action="ledger.entry.accessed",
                target_type="ledger.logentry",
                target_id=str(index),
                context=audit_context_from_request(request),
                agency_id=entry.event.agency_id,
                data={"index": index},
            )
        raw = bytes(entry.entry)
        return Response(
            LedgerEntryOutputSerializer(
                {
                    "index": entry.index,
                    "seq": entry.event_id,
                    "leaf_hash": bytes(entry.leaf_hash).hex(),
                    "entry": json.loads(raw),
                    "entry_canonical": raw.decode("utf-8"),
                }
            ).data
        )


@extend_schema(tags=["ledger"])
class CaseBundleApi(APIView):
    """Export the case's evidence bundle (originals, manifest, log entries, proofs, signed checkpoint,
    public key) as a streamed zip. Handling officers, the agency head and auditors; every export is logged."""

    openapi_response_headers = {"get": BUNDLE_HEADERS}

    http_method_names = ["get", "options"]  # a HEAD must not create (and log) an export

    @extend_schema(
        operation_id="case_bundle_export",
        responses={
            **ZIP_RESPONSE,
            403: OpenApiResponse(description="role may not export"),
            404: OpenApiResponse(description="no such case"),
        },
    )
    def get(self, request: Request, case_id: Any) -> StreamingHttpResponse:
        case = bundles.case_get_for_bundle(user=request.user, case_id=case_id)
        export = bundles.bundle_export_create(case=case, user=request.user, context=audit_context_from_request(request))
        return bundle_zip_response(export)


@extend_schema(tags=["ledger"])
class CaseBundleShareListCreateApi(IdempotentAPIMixin, APIView):
    """Share links of a case's bundle for outside parties (court, 复议 body, prosecutor, lawyer)."""

    @extend_schema(operation_id="case_bundle_share_list", responses={200: BundleShareOutputSerializer(many=True)})
    def get(self, request: Request, case_id: Any) -> Response:
        case = bundles.case_get_for_bundle(user=request.user, case_id=case_id)
        shares = bundles.share_list_for_case(case=case)
        return Response(BundleShareOutputSerializer(shares, many=True).data)

    @extend_schema(
        operation_id="case_bundle_share_create",
        request=BundleShareCreateInputSerializer,
        responses={201: BundleShareCreatedOutputSerializer},
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = bundles.case_get_for_bundle(user=request.user, case_id=case_id)
        data = BundleShareCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = bundles.share_create(
            case=case, user=request.user, context=audit_context_from_request(request), **data.validated_data
        )
        url = request.build_absolute_uri(reverse("ledger-public-share-download", args=[created.token]))
        body = dict(BundleShareOutputSerializer(created.share).data)
        body.update(url=url, receipt={**bundles.share_receipt(share=created.share), "url": url})
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ledger"])
class BundleShareRevokeApi(IdempotentAPIMixin, APIView):
    @extend_schema(
        operation_id="bundle_share_revoke",
        request=BundleShareRevokeInputSerializer,
        responses={200: BundleShareOutputSerializer},
    )
    def post(self, request: Request, share_id: Any) -> Response:
        share = bundles.share_get_for_user(user=request.user, share_id=share_id)
        data = BundleShareRevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share = bundles.share_revoke(
            share=share,
            user=request.user,
            reason=data.validated_data["reason"],
            context=audit_context_from_request(request),
        )
        return Response(BundleShareOutputSerializer(share).data)


@extend_schema(tags=["ledger"])
class BundleShareReceiptApi(APIView):
    """The share receipt (回执): what was shared, to whom, until when, the checkpoint and manifest hash.
    JSON, or a printable HTML page with ``?format=html``."""

    renderer_classes = [JSONRenderer, TemplateHTMLRenderer]
    template_name = "sharing/share_receipt.html"

    @extend_schema(
        operation_id="bundle_share_receipt",
        responses={(200, "application/json"): BundleShareReceiptOutputSerializer, (200, "text/html"): OpenApiTypes.STR},
        parameters=[OpenApiParameter("format", str, enum=["json", "html"], required=False)],
    )
    def get(self, request: Request, share_id: Any) -> Response:
        share = bundles.share_get_for_user(user=request.user, share_id=share_id)
        return allow_inline_styles(Response(bundles.share_receipt(share=share)))  # the HTML's <style> block
