"""The committed OpenAPI document is generated from the code; a drift fails the build."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "api_docs" / "openapi.yaml"


def test_committed_openapi_matches_the_code(tmp_path):
    # Generated in a separate process against SQLite, exactly as `make openapi` does: integer bounds in
    # the schema depend on the database backend, and the committed document must not.
    generated = tmp_path / "openapi.yaml"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'schema.sqlite3'}"}
    subprocess.run(
        [sys.executable, str(ROOT / "backend" / "manage.py"), "spectacular", "--file", str(generated)],
        env=env, check=True, capture_output=True, cwd=ROOT,
    )
    assert generated.read_text() == COMMITTED.read_text(), "api_docs/openapi.yaml is stale: run `make openapi`"


def test_pinned_paths_are_documented():
    import yaml

    paths = yaml.safe_load(COMMITTED.read_text())["paths"]
    for pinned in ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/", "/api/v1/me/"):
        assert pinned in paths


# --------------------------------------------------------------------------- the contract's shape

HTTP_METHODS = ("get", "put", "post", "patch", "delete")


def _document() -> dict:
    import yaml

    return yaml.load(COMMITTED.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def _response(document: dict, response: dict) -> dict:
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response


def test_the_committed_document_is_valid_openapi():
    from openapi_spec_validator import validate

    validate(_document())  # raises on the first error (e.g. a default that breaks its own minLength)


def test_every_operation_declares_its_errors_with_the_one_error_schema():
    document = _document()
    operations = list(_operations(document))
    assert len(operations) >= 136
    for path, method, operation in operations:
        errors = {code: _response(document, r) for code, r in operation["responses"].items() if code.startswith("4")}
        assert errors, f"{method.upper()} {path} declares no 4xx"
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, code)
        if "{" in path:
            assert "404" in errors, (path, method)
        if operation.get("security") != [] and operation.get("security") is not None:
            assert "401" in errors, (path, method)
        if any(p["name"] == "If-Match" for p in operation.get("parameters", [])):
            assert "412" in errors, (path, method)
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}
    assert set(error["properties"]) == {"code", "message", "fields", "extra"}


def test_lists_that_grow_are_declared_as_pages():
    document = _document()
    paginated = {
        "evidence_list", "deadlines_list", "disclosures_notices_list", "disclosures_corrections_list", "cases_list",
        "cases_timeline_list", "evidence_custody_list", "evidence_notes_list", "reviews_queue_list",
        "reviews_overdue_list", "devices_list",
    }
    found = {}
    for _path, _method, operation in _operations(document):
        if operation["operationId"] in paginated:
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            component = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            found[operation["operationId"]] = component
            params = {p["name"] for p in operation.get("parameters", [])}
            assert {"cursor", "page_size"} <= params, operation["operationId"]
    assert set(found) == paginated
    for name, component in found.items():
        assert set(component["properties"]) == {"next", "previous", "results"}, name
        assert component["properties"]["results"]["type"] == "array", name


def test_response_headers_are_declared():
    document = _document()
    by_id = {operation["operationId"]: operation for _p, _m, operation in _operations(document)}

    def headers(operation_id: str, code: str) -> set[str]:
        return set(_response(document, by_id[operation_id]["responses"][code]).get("headers", {}))

    assert {"ETag", "Location", "Idempotent-Replayed", "X-Request-ID"} <= headers("cases_create", "201")
    assert {"ETag"} <= headers("cases_retrieve", "200") & headers("cases_retrieve", "304")
    assert {"X-Server-Time"} <= headers("cases_list", "200")
    assert {"Upload-Offset", "Tus-Resumable", "Upload-Expires"} <= headers("uploads_partial_update", "204")
    assert {"Upload-Offset", "Tus-Resumable"} <= headers("uploads_partial_update", "409")
    assert {"Location", "Upload-Offset"} <= headers("uploads_create", "201")
    assert {"Retry-After", "Idempotent-Replayed"} <= headers("cases_create", "409")
    assert {"Retry-After"} <= headers("public_notices_list", "429")
    assert {"WWW-Authenticate"} <= headers("me_retrieve", "401")
    assert {"ETag", "Last-Modified", "Cache-Control"} <= headers("public_notices_list", "200")
    for name in ("ETag", "Location", "Upload-Offset", "Idempotent-Replayed", "X-Server-Time", "Retry-After"):
        assert name in document["components"]["headers"]


def test_one_party_type_vocabulary():
    document = _document()
    schemas = document["components"]["schemas"]
    assert schemas["PartyTypeEnum"]["enum"] == ["natural_person", "sole_trader", "organisation"]
    assert "CasePartyTypeEnum" not in schemas and "NoticePartyTypeEnum" not in schemas
    assert "- person\n" not in COMMITTED.read_text()
    for name in ("CaseCreateInputRequest", "CaseDetailOutput", "StaffNoticeListOutput", "PublicNoticeListItem"):
        party_type = schemas[name]["properties"]["party_type"]
        nested = party_type.get("allOf", []) + party_type.get("oneOf", [])
        refs = [party_type.get("$ref")] + [s.get("$ref") for s in nested]
        assert "#/components/schemas/PartyTypeEnum" in refs, (name, party_type)
