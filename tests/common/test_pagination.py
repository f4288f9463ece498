"""Every list that grows answers pages (api_docs/guides/pagination.md): ``{"next", "previous", "results"}``,
``page_size`` up to 200 (50 by default), a client follows ``next`` until it is null and sees each row once."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from backend.common.pagination import DefaultCursorPagination


def _walk(client, url: str, **params) -> tuple[list[dict], int]:
    rows, pages, next_url = [], 0, None
    while True:
        response = client.get(next_url) if next_url else client.get(url, params)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        rows += body["results"]
        pages += 1
        next_url = body["next"]
        if next_url is None:
            return rows, pages


def _device_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def test_devices_come_in_pages_newest_first(as_user, officer_a):
    client = as_user(officer_a)
    ids = [
        client.post("/api/v1/devices/", {"model": f"型号 {i}", "public_key": _device_key()}, format="json").json()["id"]
        for i in range(3)
    ]
    rows, pages = _walk(client, "/api/v1/devices/", page_size=2)
    assert pages == 2
    assert [row["id"] for row in rows] == ids[::-1]


def test_the_timeline_comes_in_pages_oldest_first_and_each_event_once(as_user, officer_a):
    client = as_user(officer_a)
    body = {"title": "无照经营", "party_type": "natural_person", "party_name": "张三"}
    case = client.post("/api/v1/cases/", body, format="json")
    etag = case["ETag"]
    for title in ("无照经营（一）", "无照经营（二）", "无照经营（三）"):
        updated = client.patch(f"/api/v1/cases/{case.json()['id']}/", {"title": title}, format="json",
                               HTTP_IF_MATCH=etag)
        assert updated.status_code == 200
        etag = updated["ETag"]
    url = f"/api/v1/cases/{case.json()['id']}/timeline/"
    everything, one_page = _walk(client, url)
    assert one_page == 1
    rows, pages = _walk(client, url, page_size=1)
    assert pages == len(everything) >= 4
    assert rows == everything
    assert rows[0]["action"] == "case.created"


@pytest.mark.parametrize(("asked", "served"), [(199, 199), (200, 200), (201, 200), (0, 50), (-1, 50)])
def test_page_size_is_capped(rf, asked, served):
    from rest_framework.request import Request

    request = Request(rf.get("/", {"page_size": asked}))
    assert DefaultCursorPagination().get_page_size(request) == served
