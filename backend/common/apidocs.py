"""The API contract's shared parts, in one place: the error answers and response headers of every operation.

drf-spectacular builds each operation from its view; :class:`ContractAutoSchema` (``DEFAULT_SCHEMA_CLASS``)
then adds what a generated client needs and the views would otherwise repeat by hand:

- **Errors.** Every operation declares the 4xx statuses it can answer, each with the one ``Error`` schema
  (the shape of :mod:`backend.common.errors`, rendered by ``api_exception_handler``). The statuses follow
  from what the view is — :func:`error_statuses` reads its authentication, permissions, throttles, path
  and query parameters, request body, ``If-Match`` / ``Idempotency-Key`` headers — plus the protocol
  codes of a few operations (:data:`PROTOCOL_ERRORS`: tus, byte ranges, withdrawn notices).
- **Headers.** Response headers are components (:data:`HEADERS`); every answer names ``X-Request-ID``,
  idempotent POSTs ``Idempotent-Replayed``, a 429 or an in-flight 409 ``Retry-After``, a 401
  ``WWW-Authenticate``; the headers of a success answer that a view sets itself (``ETag``, ``Location``,
  ``Upload-Offset``…) are named by the view in ``openapi_response_headers`` (method → header names), and a
  protocol's headers on its error answers (tus) in ``openapi_error_headers``; ``openapi_not_modified`` lists
  the methods that answer conditional requests with 304.

tests/api_docs/ checks the result: the document validates (openapi-spec-validator), and every answer the
test suite sees has a declared status, a body matching its schema and only declared headers
(tests/contract.py).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorSerializer(serializers.Serializer):
    """The one error shape (api_docs/guides/errors.md): switch on ``code``, show ``message``."""

    code = serializers.CharField(help_text="Stable machine-readable code (snake_case), e.g. `version_mismatch`.")
    message = serializers.CharField(help_text="For people, in Chinese.")
    fields = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Validation errors (400 `invalid`): input field → list of messages (nested for nested input).",
    )
    extra = serializers.DictField(
        required=False, child=serializers.JSONField(), help_text="Details specific to the code."
    )


# Status → (component name, description, typical codes). The guide's table (api_docs/guides/errors.md) says the same.
ERROR_STATUSES: dict[int, tuple[str, str, tuple[str, ...]]] = {
    400: ("BadRequest", "Malformed or invalid input.", ("malformed_request", "invalid", "idempotency_key_invalid")),
    401: (
        "Unauthorized",
        "No, bad, expired or revoked token; wrong credentials.",
        ("not_authenticated", "authentication_failed"),
    ),
    403: ("Forbidden", "Your role may not do this.", ("permission_denied", "role_not_allowed")),
    404: (
        "NotFound",
        "Does not exist for you (other agencies' objects too).",
        ("not_found", "case_not_found", "upload_not_found"),
    ),
    409: (
        "Conflict",
        "A workflow precondition is not met, or the same Idempotency-Key is in flight (Retry-After).",
        ("idempotency_in_flight",),
    ),
    410: (
        "Gone",
        "Gone: cancelled, expired, withdrawn or revoked.",
        ("upload_gone", "notice_display_expired", "share_revoked", "share_expired"),
    ),
    411: ("LengthRequired", "A body without Content-Length.", ("length_required",)),
    412: (
        "PreconditionFailed",
        "If-Match is stale or malformed: fetch again, reapply, retry.",
        ("version_mismatch", "if_match_invalid"),
    ),
    413: (
        "ContentTooLarge",
        "The body or the declared upload is too large.",
        ("request_body_too_large", "upload_too_large", "upload_exceeds_length"),
    ),
    415: ("UnsupportedMediaType", "Unsupported Content-Type.", ("unsupported_media_type",)),
    416: ("RangeNotSatisfiable", "Range not satisfiable.", ("range_not_satisfiable",)),
    422: (
        "UnprocessableContent",
        "Semantically invalid, or the same Idempotency-Key with another request.",
        ("idempotency_key_reused",),
    ),
    423: ("Locked", "Locked: another request is writing this upload.", ("upload_locked",)),
    428: ("PreconditionRequired", "An update without If-Match.", ("if_match_required",)),
    429: ("TooManyRequests", "Too many requests (Retry-After, `extra.retry_after_seconds`).", ("throttled",)),
    # Any operation: the storage or the database is down (backend/common/exceptions.py); nothing was recorded.
    503: (
        "ServiceUnavailable",
        "A dependency (evidence storage, database) is temporarily down; nothing was recorded: retry after Retry-After.",
        ("storage_unavailable", "database_unavailable"),
    ),
    460: (
        "ChecksumMismatch",
        "tus: Upload-Checksum does not match the chunk; the offset did not move.",
        ("checksum_mismatch",),
    ),
}

# Statuses that belong to an operation's protocol rather than to what its view is (operationId → statuses).
PROTOCOL_ERRORS: dict[str, frozenset[int]] = {
    # tus 1.0.0 (api_docs/uploads.md): creation (below), resumption, termination.
    # Credentials checked by the serializer of an unauthenticated view.
    "auth_token_create": frozenset({401}),
    "auth_token_refresh_create": frozenset({401}),
    "uploads_partial_update": frozenset({410, 411, 412, 413, 415, 423, 460}),
    "uploads_destroy": frozenset({412, 423}),
    "evidence_original_retrieve": frozenset({416}),
    "evidence_derivatives_retrieve": frozenset({416}),
    # An object named in the query or the headers, rather than in the path, that does not exist (for you).
    "uploads_create": frozenset({404, 412, 413, 415}),
    "evidence_list": frozenset({404}),
    "public_statistics_retrieve": frozenset({404}),
    # Nothing to answer yet: no checkpoint signed, no catalog published.
    "ledger_public_checkpoint": frozenset({404}),
    "reviews_catalogs_current_retrieve": frozenset({404}),
    # A proof for a tree size the log has not reached (422) or an entry not yet sealed into a checkpoint (409).
    "ledger_public_inclusion_proof": frozenset({404, 409, 422}),
    "ledger_public_consistency_proof": frozenset({422}),
    "public_notice_retrieve": frozenset({410}),
    "public_corrections_retrieve": frozenset({410}),
    "ledger_public_share_download": frozenset({410}),
    "bundle_share_receipt": frozenset({410}),
}


def _header(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "schema": schema or {"type": "string"}}


HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": _header("The request's id (yours if you sent a valid `X-Request-ID`); quote it in reports."),
    "Idempotent-Replayed": _header(
        "`true` when this is the stored answer of an earlier request with the same `Idempotency-Key`.",
        {"type": "string", "enum": ["true"]},
    ),
    "Retry-After": _header("Seconds to wait before retrying.", {"type": "integer"}),
    "WWW-Authenticate": _header('`Bearer realm="api"`.'),
    "ETag": _header("Entity tag of the representation; send it back in `If-Match` / `If-None-Match`."),
    "Last-Modified": _header("When the representation last changed (HTTP date)."),
    "Cache-Control": _header("Caching rules for this answer."),
    "Location": _header("URL of the created resource."),
    "X-Server-Time": _header(
        "The server's clock (ISO 8601) when the page was read: the next `updated_since` of the delta feed.",
        {"type": "string", "format": "date-time"},
    ),
    "Tus-Resumable": _header("tus protocol version (`1.0.0`).", {"type": "string", "enum": ["1.0.0"]}),
    "Upload-Offset": _header("Bytes received and fsynced so far.", {"type": "integer", "minimum": 0}),
    "Upload-Expires": _header("When an unfinished upload is discarded (HTTP date)."),
    "Evidence-Status": _header("The upload's status (`receiving`, `received`, `rejected`, …)."),
    "Evidence-Item": _header("The evidence item created by the last byte.", {"type": "string", "format": "uuid"}),
    "Evidence-Error": _header("Why the upload was rejected (an error code)."),
    "Tus-Max-Size": _header("Largest upload the server accepts, in bytes.", {"type": "integer"}),
    "Upload-Length": _header("The upload's declared length.", {"type": "integer", "minimum": 0}),
    "Upload-Defer-Length": _header("`1`: the length is not known yet.", {"type": "integer", "enum": [1]}),
    "Upload-Metadata": _header("The upload's metadata as it was sent (tus encoding)."),
    "Content-Disposition": _header("File name of the download."),
    "Content-Range": _header("The bytes of a partial answer (RFC 9110 §14.4)."),
    "X-Manifest-SHA256": _header("SHA-256 of the bundle's manifest (compare with the receipt)."),
    "X-Checkpoint-Size": _header("Tree size of the checkpoint the bundle is proved against.", {"type": "integer"}),
    "X-Unread-Count": _header("Unread messages in the caller's inbox.", {"type": "integer", "minimum": 0}),
    "X-Export-Next-Before-Seq": _header(
        "More rows remain: ask again with `before_seq` set to this value.", {"type": "integer"}
    ),
}


# Every idempotent POST takes the header (backend/common/idempotency.py), declared or not by its view.
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": "Idempotency-Key",
    "schema": {"type": "string", "maxLength": 200},
    "description": "Replays return the first answer (`Idempotent-Replayed: true`); the same key with another "
    "body answers 422, while the first is in flight 409 with Retry-After (api_docs/guides/sync.md).",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _authenticates(view: Any) -> bool:
    return bool(getattr(view, "authentication_classes", ()))


def _restricted(view: Any) -> bool:
    """A permission beyond "logged in" (a role, the case's handling officers …)."""
    return any(p not in (AllowAny, IsAuthenticated) for p in getattr(view, "permission_classes", ()))


def _anonymous_allowed(view: Any) -> bool:
    permissions = getattr(view, "permission_classes", ())
    return not permissions or AllowAny in permissions


def error_statuses(view: Any, method: str, operation: dict[str, Any]) -> set[int]:
    """The 4xx statuses an operation can answer, from what its view is (see the module docstring)."""
    method = method.upper()
    params = operation.get("parameters", [])
    query = [p for p in params if p.get("in") == "query"]
    headers = {p["name"].lower(): p for p in params if p.get("in") == "header"}
    has_body = "requestBody" in operation
    statuses: set[int] = set()
    if has_body or query or set(headers) - {"if-match", "if-none-match", "range"}:
        statuses.add(400)  # invalid input: body, query or protocol headers (Idempotency-Key, tus, …)
    if has_body:
        statuses.add(415)
        statuses.add(413)  # over DATA_UPLOAD_MAX_MEMORY_SIZE, refused before it is read (RequestBodyLimitMiddleware)
    if _authenticates(view):
        statuses.add(401)  # anonymous callers of a guarded view, and any bad token (even on AllowAny views)
    if not _anonymous_allowed(view) and (_restricted(view) or method in UNSAFE):
        statuses.add(403)  # a role check, in the permission class or in the service
    if "{" in operation.get("_path", ""):
        statuses.add(404)
    if method in UNSAFE and not _anonymous_allowed(view):
        statuses.update({409, 422})  # workflow preconditions / semantically invalid requests (services)
    if "idempotency-key" in headers:
        statuses.update({409, 422})  # in flight / reused with another body
    if "if-match" in headers:
        statuses.add(412)
        if headers["if-match"].get("required"):
            statuses.add(428)
    if getattr(view, "throttle_classes", ()):
        statuses.add(429)
    statuses.add(503)  # the database (every view) or the evidence storage is down
    statuses |= PROTOCOL_ERRORS.get(operation.get("operationId", ""), frozenset())
    return statuses


def _is_idempotent(view: Any, method: str) -> bool:
    from backend.common.idempotency import IdempotentAPIMixin

    return isinstance(view, IdempotentAPIMixin) and method.upper() in view.idempotent_methods


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers and headers of :mod:`backend.common.apidocs`."""

    def get_operation(self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any) -> Any:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        idempotent = _is_idempotent(self.view, method)
        if idempotent and not any(p["name"].lower() == "idempotency-key" for p in operation.get("parameters", [])):
            operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
        responses: dict[str, Any] = operation["responses"]
        success_headers = getattr(self.view, "openapi_response_headers", {}).get(method.lower(), ())
        if method.lower() in getattr(self.view, "openapi_not_modified", ()) and "304" not in responses:
            responses["304"] = {"description": "Not modified: the `If-None-Match` / `If-Modified-Since` matched."}
        for code, response in responses.items():
            if str(code).startswith(("2", "3")):
                names = ["X-Request-ID", *success_headers]
                if idempotent and str(code).startswith("2"):
                    names.append("Idempotent-Replayed")
                self._add_headers(response, names)
            else:
                self._add_headers(response, ["X-Request-ID"])

        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        statuses = error_statuses(self.view, method, {**operation, "_path": path})
        statuses |= {int(code) for code in responses if str(code).startswith("4")}  # declared by the view
        error_headers = getattr(self.view, "openapi_error_headers", {}).get(method.lower(), ())
        for status in sorted(statuses):
            # A 401 comes before any reservation, a 429 and a 503 release it: none is ever a replay.
            shared = self._error_response(status, error_ref, replayable=idempotent and status not in (401, 429, 503))
            if error_headers:  # a protocol's headers on its errors (tus): the shared answer, inlined, plus those
                name = shared["$ref"].rsplit("/", 1)[-1]
                inline = {**self.registry[(name, ResolvedComponent.RESPONSE)].schema}
                inline["headers"] = {**inline["headers"], **{h: _ref(h) for h in error_headers}}
                responses[str(status)] = inline
            else:
                responses[str(status)] = shared
        operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))
        return operation

    def _error_response(self, status: int, error_ref: dict[str, str], *, replayable: bool) -> dict[str, str]:
        """A reference to the shared error answer of ``status`` (one component per status and variant)."""
        title, description, codes = ERROR_STATUSES[status]
        name = f"{title}Replayable" if replayable else title
        entry: dict[str, Any] = {
            "description": f"{description} Codes include: {', '.join(f'`{c}`' for c in codes)}.",
            "content": {"application/json": {"schema": error_ref}},
        }
        names = ["X-Request-ID"]
        if status == 401:
            names.append("WWW-Authenticate")
        if status in (429, 503) or (status == 409 and replayable):
            names.append("Retry-After")
        if replayable:
            names.append("Idempotent-Replayed")  # 4xx answers to an idempotent POST are stored and replayed
        self._add_headers(entry, names)
        component = ResolvedComponent(name=name, type=ResolvedComponent.RESPONSE, schema=entry, object=name)
        self.registry.register_on_missing(component)
        return component.ref

    @staticmethod
    def _add_headers(response: dict[str, Any], names: list[str]) -> None:
        headers = response.setdefault("headers", {})
        for name in names:
            headers.setdefault(name, _ref(name))


def add_header_components(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the header components the operations refer to."""
    result.setdefault("components", {})["headers"] = dict(sorted(HEADERS.items()))
    return result
