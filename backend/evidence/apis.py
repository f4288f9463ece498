"""Evidence HTTP APIs: the tus 1.0.0 upload endpoints and the evidence read/custody/notes endpoints.

tus views never touch ``request.body`` or DRF parsers: PATCH/POST bodies are streamed from the WSGI input in
1 MiB reads straight into the storage writer (see ``services.upload_append``). Every tus response — errors
included — carries ``Tus-Resumable`` and the exposed-headers list a browser client (tus-js-client) needs.
"""

from __future__ import annotations

import base64
import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import IsAgencyStaff, RoleActionPermission
from backend.cases.selectors import case_get_for_user
from backend.common.errors import ApplicationError, NotFound
from backend.common.idempotency import IdempotentAPIMixin
from backend.common.pagination import (
    DefaultCursorPagination,
    OldestFirstPagination,
    RecordedOrderPagination,
    paginated_response,
)
from backend.common.request_body import body_reader
from backend.common.storage import ObjectMissing, get_storage
from backend.common.throttling import ExactUserRateThrottle
from backend.evidence import selectors, services, tus
from backend.evidence.conf import upload_limits
from backend.evidence.models import Upload
from backend.evidence.serializers import (
    CustodyEventOutputSerializer,
    EvidenceItemOutputSerializer,
    EvidenceListFilterSerializer,
    EvidenceNoteInputSerializer,
    EvidenceNoteOutputSerializer,
    EvidenceOriginalQuerySerializer,
)
from backend.evidence.streaming import guess_type as _guess_type
from backend.evidence.streaming import parse_range as _parse_range
from backend.evidence.streaming import stream_response as _stream_response
from backend.ledger.services import audit_context_from_request

# --------------------------------------------------------------------------- tus


class _WindowCounterThrottle(ExactUserRateThrottle):
    """Per user, on the exact sliding-window counter (backend/common/throttling.py): reading two small counters
    and incrementing one costs the same whatever the rate, where DRF's list of request times grows with it
    (up to thousands of floats per 8 MiB chunk at the PATCH budget)."""


class UploadThrottle(_WindowCounterThrottle):
    """Creation, HEAD, DELETE, OPTIONS: per user."""

    scope = "evidence_upload"

    def get_rate(self) -> str:
        return upload_limits().throttle_rate


class UploadPatchThrottle(_WindowCounterThrottle):
    """PATCH has its own, higher budget: its bytes are already bounded by the body cap and the upload's
    length, and a request count low enough for creations would cap a fast link (600/min × 8 MiB chunks is
    only 80 MiB/s)."""

    scope = "evidence_upload_patch"

    def get_rate(self) -> str:
        return upload_limits().patch_throttle_rate


class TusPermission(RoleActionPermission):
    """JWT on every request; only a CORS preflight (no credentials by design) may ask OPTIONS anonymously."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method == "OPTIONS" and request.META.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            return True
        return super().has_permission(request, view)  # an upload is a write: not for a read-only role


def _tus_headers(response: Any) -> None:
    limits = upload_limits()
    response["Tus-Resumable"] = tus.TUS_VERSION
    response["Tus-Max-Size"] = str(limits.max_size)
    response["Access-Control-Expose-Headers"] = tus.EXPOSED_HEADERS
    response["Cache-Control"] = "no-store"


class TusBaseApi(APIView):
    permission_classes = [TusPermission]
    parser_classes: list = []  # bodies are streamed, never parsed
    streams_request_body = True  # own size limits (Tus-Max-Size, chunk limit): RequestBodyLimitMiddleware skips it
    throttle_classes = [UploadThrottle]
    _upload: Upload | None = None

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # tus: X-HTTP-Method-Override lets clients behind restrictive proxies send PATCH/DELETE/HEAD as POST.
        override = request.META.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").strip().upper()
        if override and request.method == "POST" and override in {"PATCH", "DELETE", "HEAD", "OPTIONS", "POST"}:
            request.method = override
        return super().dispatch(request, *args, **kwargs)

    def get_throttles(self) -> list[Any]:
        return [UploadPatchThrottle() if self.request.method == "PATCH" else UploadThrottle()]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method != "OPTIONS" and request.META.get("HTTP_TUS_RESUMABLE") != tus.TUS_VERSION:
            raise tus.precondition_failed()

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response["Tus-Version"] = tus.TUS_VERSION
        response["Tus-Extension"] = ",".join(tus.TUS_EXTENSIONS)
        response["Tus-Checksum-Algorithm"] = ",".join(tus.CHECKSUM_ALGORITHMS)
        response["Access-Control-Allow-Methods"] = "POST, HEAD, PATCH, DELETE, OPTIONS"
        response["Access-Control-Allow-Headers"] = tus.ALLOWED_HEADERS
        response["Access-Control-Max-Age"] = "86400"
        return response

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        _tus_headers(response)
        if response.status_code == 412:
            response["Tus-Version"] = tus.TUS_VERSION
        upload = self._upload
        if upload is not None and response.status_code in (409, 423, 460) and "Upload-Offset" not in response:
            upload.refresh_from_db(fields=["offset"])
            response["Upload-Offset"] = str(upload.offset)
        if request.method == "HEAD" and response.status_code >= 400:
            # HEAD answers carry no body (the status and headers say it all); the type stays JSON, as on a GET.
            plain = HttpResponse(status=response.status_code, content_type="application/json")
            for name, value in response.items():
                if name.lower() not in {"content-type", "content-length"}:
                    plain[name] = value
            return plain
        return response


# Declared in the OpenAPI document (backend/common/apidocs.py): on every tus answer, and with an upload's state.
TUS_HEADERS = ("Tus-Resumable", "Tus-Max-Size", "Cache-Control")
TUS_STATE_HEADERS = (
    *TUS_HEADERS, "Upload-Offset", "Upload-Length", "Upload-Defer-Length", "Upload-Expires",
    "Evidence-Status", "Evidence-Item", "Evidence-Error",
)


def _upload_state_headers(response: Any, upload: Upload) -> None:
    response["Upload-Offset"] = str(upload.offset)
    if upload.length is None:
        response["Upload-Defer-Length"] = "1"
    else:
        response["Upload-Length"] = str(upload.length)
    if upload.status == Upload.Status.RECEIVING:
        response["Upload-Expires"] = tus.http_date(upload.expires_at)
    response["Evidence-Status"] = Upload.Status(upload.status).value
    if upload.item_id:
        response["Evidence-Item"] = str(upload.item_id)
    if upload.error_code:
        response["Evidence-Error"] = upload.error_code


def _device_clock(request: Request) -> datetime.datetime | None:
    value = request.META.get("HTTP_DATE")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else None


def _content_length(request: Request) -> int:
    value = request.META.get("CONTENT_LENGTH") or ""
    if value == "" and request.META.get("HTTP_TRANSFER_ENCODING"):
        raise tus.TusError("length_required", "请求必须带 Content-Length", status=411)
    return tus.parse_non_negative_int(value or "0", "Content-Length") or 0


def _body_reader(request: Request) -> Any:
    return body_reader(request._request)  # the WSGI input, read in blocks by the service


_TUS_SCHEMA_HEADERS = [
    OpenApiParameter("Tus-Resumable", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, enum=["1.0.0"]),
]


class UploadCreateApi(TusBaseApi):
    """``POST /api/v1/uploads/`` (creation, creation-with-upload, creation-defer-length) and discovery."""

    openapi_response_headers = {"post": ("Location", *TUS_STATE_HEADERS)}
    # An append that fails after the creation still answers where the upload is and how far it got.
    openapi_error_headers = {"post": ("Location", *TUS_STATE_HEADERS)}

    @extend_schema(
        tags=["uploads"],
        summary="tus: create an upload",
        description="tus 1.0.0 creation. See api_docs/uploads.md for Upload-Metadata keys and the full flow.",
        request=None,
        parameters=[
            *_TUS_SCHEMA_HEADERS,
            OpenApiParameter("Upload-Length", OpenApiTypes.INT, OpenApiParameter.HEADER),
            OpenApiParameter("Upload-Defer-Length", OpenApiTypes.INT, OpenApiParameter.HEADER, enum=[1]),
            OpenApiParameter("Upload-Metadata", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
        ],
        responses={201: OpenApiResponse(description="Created; Location is the upload URL")},
    )
    def post(self, request: Request) -> Response:
        meta = request.META
        length = tus.parse_non_negative_int(meta.get("HTTP_UPLOAD_LENGTH"), "Upload-Length")
        defer = meta.get("HTTP_UPLOAD_DEFER_LENGTH")
        if defer is not None and defer.strip() != "1":
            raise tus.TusError("invalid_header", "Upload-Defer-Length 只能为 1", status=400)
        if (length is None) == (defer is None):
            raise tus.TusError(
                "length_required", "必须且只能提供 Upload-Length 或 Upload-Defer-Length 之一", status=400
            )
        limits = upload_limits()
        if length is not None and length > limits.max_size:
            raise tus.TusError(
                "upload_too_large", "文件超过服务器允许的最大上传大小", status=413, extra={"max_size": limits.max_size}
            )
        content_length = _content_length(request)
        if content_length and meta.get("CONTENT_TYPE", "").split(";")[0].strip() != tus.OFFSET_CONTENT_TYPE:
            raise tus.TusError(
                "unsupported_media_type", f"携带数据时 Content-Type 必须为 {tus.OFFSET_CONTENT_TYPE}", status=415
            )
        checksum = tus.parse_checksum(meta.get("HTTP_UPLOAD_CHECKSUM"))
        metadata = tus.parse_metadata(meta.get("HTTP_UPLOAD_METADATA"))
        context = audit_context_from_request(request)
        upload = services.upload_create(
            user=request.user,
            length=length,
            metadata=metadata,
            context=context,
            device_clock=_device_clock(request),
        )
        self._upload = upload
        location = request.build_absolute_uri(reverse("upload-detail", args=[upload.pk]))
        if content_length or upload.length == 0:
            try:
                upload = services.upload_append(
                    upload=upload,
                    offset=0,
                    read=_body_reader(request),
                    content_length=content_length,
                    checksum=checksum,
                    new_length=None,
                    context=context,
                )
            except tus.TusError:
                # The upload exists; the client continues with HEAD + PATCH (tus creation-with-upload).
                upload.refresh_from_db()
            except ApplicationError as exc:
                response = Response(exc.as_dict(), status=exc.status)
                response["Location"] = location
                upload.refresh_from_db()
                _upload_state_headers(response, upload)
                return response
        response = Response(status=status.HTTP_201_CREATED)
        response["Location"] = location
        _upload_state_headers(response, upload)
        return response


class UploadDetailApi(TusBaseApi):
    """``HEAD``/``PATCH``/``DELETE /api/v1/uploads/<id>``: offsets, appending, termination."""

    openapi_response_headers = {"patch": TUS_STATE_HEADERS, "delete": TUS_HEADERS}
    # 409 (offset mismatch), 423 and 460 also say the current offset.
    openapi_error_headers = {"patch": (*TUS_HEADERS, "Upload-Offset"), "delete": TUS_HEADERS}

    def _get(self, request: Request, upload_id: str) -> Upload:
        upload = selectors.upload_get_for_user(user=request.user, upload_id=upload_id)
        self._upload = upload
        return upload

    @extend_schema(
        tags=["uploads"], summary="tus: current offset", parameters=_TUS_SCHEMA_HEADERS, responses={200: None}
    )
    def head(self, request: Request, upload_id: str) -> Response:
        upload = self._get(request, upload_id)
        if upload.status in (Upload.Status.TERMINATED, Upload.Status.EXPIRED) or services.upload_is_expired(upload):
            raise tus.TusError("upload_gone", "该上传已取消或已过期", status=410)
        if upload.status == Upload.Status.RECEIVING and upload.is_complete:
            # A completion interrupted by a crash is finished here (idempotent) before answering.
            try:
                token = services.upload_claim(upload=upload)
            except tus.TusError:
                pass
            else:
                try:
                    upload = services.upload_complete(upload=upload, context=audit_context_from_request(request))
                except ApplicationError:
                    upload.refresh_from_db()
                finally:
                    services.upload_release(upload=upload, token=token)
        response = Response(status=status.HTTP_200_OK)
        _upload_state_headers(response, upload)
        response["Upload-Metadata"] = tus.encode_metadata(upload.metadata)
        return response

    @extend_schema(
        tags=["uploads"],
        summary="tus: append bytes",
        request={tus.OFFSET_CONTENT_TYPE: OpenApiTypes.BINARY},
        parameters=[
            *_TUS_SCHEMA_HEADERS,
            OpenApiParameter("Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("Upload-Checksum", OpenApiTypes.STR, OpenApiParameter.HEADER),
        ],
        responses={204: None},
    )
    def patch(self, request: Request, upload_id: str) -> Response:
        meta = request.META
        if meta.get("CONTENT_TYPE", "").split(";")[0].strip() != tus.OFFSET_CONTENT_TYPE:
            raise tus.TusError("unsupported_media_type", f"Content-Type 必须为 {tus.OFFSET_CONTENT_TYPE}", status=415)
        offset = tus.parse_non_negative_int(meta.get("HTTP_UPLOAD_OFFSET"), "Upload-Offset")
        if offset is None:
            raise tus.TusError("invalid_header", "缺少 Upload-Offset", status=400)
        new_length = tus.parse_non_negative_int(meta.get("HTTP_UPLOAD_LENGTH"), "Upload-Length")
        checksum = tus.parse_checksum(meta.get("HTTP_UPLOAD_CHECKSUM"))
        content_length = _content_length(request)
        upload = self._get(request, upload_id)
        upload = services.upload_append(
            upload=upload,
            offset=offset,
            read=_body_reader(request),
            content_length=content_length,
            checksum=checksum,
            new_length=new_length,
            context=audit_context_from_request(request),
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        _upload_state_headers(response, upload)
        return response

    @extend_schema(
        tags=["uploads"],
        summary="tus: terminate an unfinished upload",
        parameters=_TUS_SCHEMA_HEADERS,
        responses={204: None},
    )
    def delete(self, request: Request, upload_id: str) -> Response:
        upload = self._get(request, upload_id)
        services.upload_terminate(upload=upload, user=request.user, context=audit_context_from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------- evidence


class EvidencePagination(DefaultCursorPagination):
    ordering = ("captured_at", "id")


class EvidenceListApi(APIView):
    permission_classes = [IsAgencyStaff]
    pagination_class = EvidencePagination

    @extend_schema(
        tags=["evidence"], parameters=[EvidenceListFilterSerializer], responses=EvidenceItemOutputSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        filters = EvidenceListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        case = case_get_for_user(user=request.user, case_id=filters.validated_data["case"])
        items = selectors.evidence_visible_to(user=request.user).filter(case=case)
        if filters.validated_data.get("kind"):
            items = items.filter(kind=filters.validated_data["kind"])
        if filters.validated_data.get("activity"):
            items = items.filter(activity=filters.validated_data["activity"])
        context = {"request": request}
        return paginated_response(
            self, request, items, lambda page: EvidenceItemOutputSerializer(page, many=True, context=context).data
        )


class EvidenceDetailApi(APIView):
    permission_classes = [IsAgencyStaff]

    @extend_schema(tags=["evidence"], responses=EvidenceItemOutputSerializer)
    def get(self, request: Request, item_id: str) -> Response:
        item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
        return Response(EvidenceItemOutputSerializer(item, context={"request": request}).data)


# A stored file's own type (image/jpeg, video/mp4, application/json waveforms, …): any media type; listed as
# application/octet-stream first too, which client generators map to bytes (openapi-python-client skips */*).
BINARY_DOWNLOAD = {
    (code, media_type): OpenApiTypes.BINARY for code in (200, 206) for media_type in ("application/octet-stream", "*/*")
}


class EvidenceOriginalApi(APIView):
    """Stream the original (HTTP Range supported). Every read is a chain-of-custody record."""

    permission_classes = [IsAgencyStaff]
    openapi_response_headers = {"get": ("ETag", "Content-Disposition", "Content-Range")}

    @extend_schema(
        tags=["evidence"],
        parameters=[
            EvidenceOriginalQuerySerializer,
            OpenApiParameter("Range", OpenApiTypes.STR, OpenApiParameter.HEADER),
        ],
        responses=BINARY_DOWNLOAD,
    )
    def get(self, request: Request, item_id: str) -> StreamingHttpResponse:
        query = EvidenceOriginalQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
        byte_range = _parse_range(request.META.get("HTTP_RANGE"), item.size)
        read = services.evidence_original_read(
            item=item,
            purpose=query.validated_data["purpose"],
            byte_range=byte_range,
            context=audit_context_from_request(request),
        )
        response = _stream_response(
            chunks=read.chunks,
            size=item.size,
            byte_range=byte_range,
            content_type=item.content_type,
            filename=item.original_filename,
        )
        response["X-Evidence-SHA256"] = item.sha256
        # RFC 9530: the digest of the whole representation, whatever range is sent.
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(item.sha256)).decode()}:"
        response["ETag"] = f'"{item.sha256}"'
        return response


class EvidenceDerivativeApi(APIView):
    """Stream a derivative (thumbnail, preview, transcode): authorised like the original, no purpose needed."""

    permission_classes = [IsAgencyStaff]
    openapi_response_headers = {"get": ("Content-Disposition", "Content-Range")}

    @extend_schema(
        tags=["evidence"],
        responses=BINARY_DOWNLOAD,
    )
    def get(self, request: Request, item_id: str, name: str) -> StreamingHttpResponse:
        item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
        entry = (item.derivatives or {}).get(name)
        key = entry.get("key") if isinstance(entry, dict) else entry
        if not key:
            raise NotFound("衍生文件不存在", code="derivative_not_found")
        content_type = entry.get("content_type", "") if isinstance(entry, dict) else ""
        storage = get_storage()
        try:
            size = storage.size(key)
        except ObjectMissing:
            raise NotFound("衍生文件不存在", code="derivative_not_found") from None
        byte_range = _parse_range(request.META.get("HTTP_RANGE"), size)
        start, end = byte_range if byte_range else (0, size - 1)
        chunks = storage.open(key, start=start, end=end) if size else iter(())
        return _stream_response(
            chunks=chunks,
            size=size,
            byte_range=byte_range,
            content_type=content_type or _guess_type(key),
            filename=key.rsplit("/", 1)[-1],
        )


class EvidenceCustodyApi(APIView):
    permission_classes = [IsAgencyStaff]
    pagination_class = RecordedOrderPagination

    @extend_schema(tags=["evidence"], responses=CustodyEventOutputSerializer(many=True))
    def get(self, request: Request, item_id: str) -> Response:
        item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
        events = selectors.evidence_custody_log(item=item)
        return paginated_response(
            self, request, events, lambda page: CustodyEventOutputSerializer(page, many=True).data
        )


class EvidenceNoteListCreateApi(IdempotentAPIMixin, APIView):
    permission_classes = [IsAgencyStaff]
    pagination_class = OldestFirstPagination

    @extend_schema(tags=["evidence"], responses=EvidenceNoteOutputSerializer(many=True))
    def get(self, request: Request, item_id: str) -> Response:
        item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
        notes = selectors.evidence_notes(item=item)
        return paginated_response(self, request, notes, lambda page: EvidenceNoteOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=["evidence"], request=EvidenceNoteInputSerializer, responses={201: EvidenceNoteOutputSerializer}
    )
    def post(self, request: Request, item_id: str) -> Response:
        item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
        data = EvidenceNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.evidence_note_create(
            item=item, author=request.user, context=audit_context_from_request(request), **data.validated_data
        )
        return Response(EvidenceNoteOutputSerializer(note).data, status=status.HTTP_201_CREATED)
