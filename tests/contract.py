"""Every answer the test suite sees conforms to the committed OpenAPI document (api_docs/openapi.yaml).

``tests/conftest.py`` wraps Django's test client (and so DRF's ``APIClient``) for every test: each answer
to a documented operation must have a declared status, a JSON body that validates against the declared
schema (openapi-schema-validator, OpenAPI 3.0 semantics: ``nullable``, ``readOnly``…), and no contract
header (:data:`backend.common.apidocs.HEADERS`) the operation does not declare for that status. A test
whose answers break the contract fails at teardown with the list of violations.

Not checked: paths the document does not list (admin, HTML pages, probes), methods an operation does not
have (405), a Host outside ALLOWED_HOSTS (Django's 400 before any view), server errors (5xx, themselves a
failing test elsewhere), and request bodies.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import DisallowedHost
from openapi_schema_validator import OAS30Validator

from backend.common.apidocs import HEADERS
from backend.common.urls import canonical_path

DOCUMENT = Path(__file__).resolve().parents[1] / "api_docs" / "openapi.yaml"
# Headers a view sets itself; the ones every answer or every error carries are declared by rule anyway.
CHECKED_HEADERS = frozenset(HEADERS) - {"X-Request-ID", "Cache-Control", "WWW-Authenticate"}


@cache
def document() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with DOCUMENT.open() as handle:
        return _nullable_refs(yaml.load(handle, Loader=loader))


def _nullable_refs(node: Any) -> Any:
    """``{allOf: [$ref], nullable: true}`` (how drf-spectacular writes a nullable nested object in OpenAPI 3.0)
    as a validator reads it: the object or null. JSON Schema would apply ``nullable`` to the wrapper only,
    and the referenced schema alone refuses null."""
    if isinstance(node, list):
        return [_nullable_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_refs(value) for key, value in node.items()}
    if node.get("nullable") and ("allOf" in node or "$ref" in node) and "type" not in node:
        rest = {key: value for key, value in node.items() if key != "nullable"}
        return {"anyOf": [rest, {"enum": [None]}]}
    return node


@cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in document()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template))
    # Literal segments win over parameters (``/reviews/catalogs/current/`` before ``/{catalog_id}/``).
    routes.sort(key=lambda route: route[1].count("{"))
    return routes


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    path = canonical_path(path)
    for pattern, template in _routes():
        if pattern.match(path):
            operation = document()["paths"][template].get(method.lower())
            if operation is not None:
                return template, operation
    return None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


@cache
def _validator(pointer: str) -> OAS30Validator:
    # The whole document's components beside the $ref, so nested references resolve.
    return OAS30Validator({"$ref": pointer, "components": document()["components"]})


def _schema_violations(schema: dict[str, Any], body: Any) -> list[str]:
    if "$ref" in schema:
        validator = _validator(schema["$ref"])
    else:
        validator = OAS30Validator({**schema, "components": document()["components"]})
    return [
        f"body{''.join(f'[{p!r}]' for p in error.absolute_path)}: {error.message[:300]}"
        for error in validator.iter_errors(body)
    ][:5]


def _host_refused(response: Any) -> bool:
    """Django's 400 for a Host outside ALLOWED_HOSTS: answered before any operation, for every path."""
    request = getattr(response, "wsgi_request", None)
    if request is None or response.status_code != 400:
        return False
    try:
        request.get_host()
    except DisallowedHost:
        return True
    return False


def violations(method: str, path: str, response: Any) -> list[str]:
    """What is wrong with one answer, measured against the document (empty: it conforms)."""
    status = response.status_code
    if status >= 500 or status == 405 or _host_refused(response):
        return []
    found = operation_for(method, path)
    if found is None:
        return []
    template, operation = found
    where = f"{method} {template} ({operation['operationId']}) → {status}"
    declared = operation["responses"].get(str(status)) or operation["responses"].get("default")
    if declared is None:
        return [f"{where}: status not declared (declared: {', '.join(sorted(operation['responses']))})"]
    declared = _resolve(declared)
    problems = []
    declared_headers = {name.lower() for name in declared.get("headers", {})}
    for name in CHECKED_HEADERS:
        if response.has_header(name) and name.lower() not in declared_headers:
            problems.append(f"{where}: header {name} not declared")
    content = declared.get("content") or {}
    media_type = (response.get("Content-Type") or "").split(";")[0].strip()
    raw = b"" if getattr(response, "streaming", False) else response.content
    if not content:
        if raw and status != 304:
            problems.append(f"{where}: a {media_type or 'body'} answer where none is declared")
        return problems
    if status == 304 or (not raw and method == "HEAD"):
        return problems
    if media_type not in content and not any(key.endswith("/*") or key == "*/*" for key in content):
        problems.append(f"{where}: Content-Type {media_type!r} not declared ({', '.join(content)})")
        return problems
    if media_type == "application/json" and raw:
        schema = content[media_type].get("schema")
        if schema:
            problems += [f"{where}: {problem}" for problem in _schema_violations(schema, json.loads(raw))]
    return problems
