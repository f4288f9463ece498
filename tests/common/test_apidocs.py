"""The error statuses an operation declares follow from what its view is (backend/common/apidocs.py)."""

from __future__ import annotations

from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.throttling import AnonRateThrottle

from backend.common.apidocs import error_statuses


class IsHead(BasePermission):
    pass


class View:
    authentication_classes = ("jwt",)
    permission_classes = (IsAuthenticated,)
    throttle_classes = (AnonRateThrottle,)


class PublicView:
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()


class HeadOnlyView(View):
    permission_classes = (IsHead,)


def header(name: str, required: bool = False) -> dict:
    return {"in": "header", "name": name, "required": required}


# Every operation may answer 503 (the database or the evidence storage is down: backend/common/exceptions.py).
DOWN = {503}


def test_an_anonymous_read_without_parameters_can_only_be_missing_or_throttled():
    assert error_statuses(PublicView(), "get", {"_path": "/api/v1/public/statistics/"}) == DOWN
    assert error_statuses(PublicView(), "get", {"_path": "/api/v1/public/agencies/{key}/"}) == {404} | DOWN


def test_a_logged_in_read_of_an_object():
    assert error_statuses(View(), "get", {"_path": "/api/v1/cases/{case_id}/"}) == {401, 404, 429} | DOWN


def test_query_parameters_can_be_invalid_and_roles_refuse():
    operation = {"_path": "/api/v1/reviews/queue/", "parameters": [{"in": "query", "name": "status"}]}
    assert error_statuses(HeadOnlyView(), "get", operation) == {400, 401, 403, 429} | DOWN


def test_a_write_with_a_body_and_an_idempotency_key():
    operation = {"_path": "/api/v1/cases/", "requestBody": {}, "parameters": [header("Idempotency-Key")]}
    assert error_statuses(View(), "post", operation) == {400, 401, 403, 409, 413, 415, 422, 429} | DOWN


def test_if_match_adds_412_and_428_only_when_required():
    optional = {"_path": "/api/v1/cases/{case_id}/decide/", "parameters": [header("If-Match")]}
    required = {"_path": "/api/v1/cases/{case_id}/", "parameters": [header("If-Match", required=True)]}
    assert {412} <= error_statuses(View(), "post", optional) and 428 not in error_statuses(View(), "post", optional)
    assert {412, 428} <= error_statuses(View(), "patch", required)
    assert 400 not in error_statuses(View(), "patch", required)  # a validator header alone is never "invalid"


def test_protocol_codes_come_from_the_one_table():
    assert {410, 423, 460} <= error_statuses(View(), "patch", {"_path": "/api/v1/uploads/{upload_id}/",
                                                               "operationId": "uploads_partial_update"})
