"""年度行政执法数据 (国办发〔2018〕118号 (六)): the 2026 report is frozen by the head after the year, signed in the
ledger, published on the public API, checked offline with the verifier, submitted with dates, and corrected only
as a new version."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from supervision.supkit import closed_case
from support import pin_clock

from backend.ledger.models import AuditEvent
from backend.ledgercore.offline_verifier import verify_bundle

NOW = dt.datetime(2027, 1, 12, 2, 0, tzinfo=dt.UTC)
REPORTS = "/api/v1/supervision/annual-reports/"


@pytest.fixture
def year_2026(agency_a, officer_a):
    for n, day in enumerate((dt.date(2026, 3, 2), dt.date(2026, 6, 15), dt.date(2026, 11, 3)), start=1):
        closed_case(agency_a, officer_a, number=f"辽市监立字〔2026〕{n:04d}号", party=f"辽源市第{n}商店",
                    decided_on=day, registered_on=day - dt.timedelta(days=30))  # fmt: skip


def _bundle(api, url: str, tmp_path, name: str):
    response = api.get(url)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response["Content-Type"] == "application/zip"
    path = tmp_path / name
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_the_2026_report_is_frozen_signed_published_and_verifiable_offline(
    monkeypatch, as_user, api, head_a, supervisor, agency_a, year_2026, tmp_path
):
    pin_clock(monkeypatch, NOW)
    head = as_user(head_a)
    created = head.post(REPORTS, {"year": 2026}, format="json")
    assert created.status_code == 201, created.content
    report = created.json()
    assert (report["version"], report["sealed"], report["published_late"]) == (1, True, False)
    event = AuditEvent.objects.get(action="supervision.annual_report.published")
    assert event.data["sha256"] == report["sha256"] and event.actor_id == head_a.id
    assert report["log_index"] == event.seq - 1

    public = api.get(f"/api/v1/public/annual-reports/{agency_a.uscc}/2026/")
    assert public.status_code == 200, public.content
    body = public.json()
    assert body["deadline"] == "2027-01-31"
    assert body["current"]["statistics"]["cases"]["decided"] == 3
    assert body["current"]["year"] == 2026 and body["current"]["format"] == "zhifa-annual-report/1"
    assert [v["version"] for v in body["versions"]] == [1]

    key = api.get("/api/v1/public/ledger/key/").content.decode().strip()
    path = _bundle(api, body["versions"][0]["bundle"], tmp_path, "v1.zip")
    verdict = verify_bundle(path, trusted_keys=[key])
    assert verdict.ok, verdict.render()
    with zipfile.ZipFile(path) as zf:
        [original] = [n for n in zf.namelist() if n.startswith("originals/")]
        frozen = zf.read(original)
    assert json.loads(frozen) == body["current"]
    # one changed figure in the report and the bundle no longer verifies
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(forged, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == original:
                data = data.replace(b'"decided":3', b'"decided":2')
            dst.writestr(info, data)
    assert not verify_bundle(forged, trusted_keys=[key]).ok

    # submitted to the government and the superior department, with the dates recorded
    submit = f"{REPORTS}{report['id']}/submissions/"
    sent = head.post(submit, {"recipient_kind": "government", "recipient_name": "辽源市人民政府",
                              "submitted_on": "2027-01-12"}, format="json")  # fmt: skip
    assert sent.status_code == 201, sent.content
    again = head.post(submit, {"recipient_kind": "government", "recipient_name": "辽源市人民政府",
                               "submitted_on": "2027-01-12"}, format="json")  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "already_submitted"
    future = head.post(submit, {"recipient_kind": "superior", "recipient_name": "吉林省市场监督管理厅",
                                "submitted_on": "2027-01-20"}, format="json")  # fmt: skip
    assert future.status_code == 422 and future.json()["code"] == "invalid_submitted_on"
    listed = as_user(supervisor).get(f"{REPORTS}?year=2026").json()
    assert [(r["agency_name"], r["version"], [s["recipient_kind"] for s in r["submissions"]]) for r in listed] == [
        (agency_a.name, 1, ["government"])
    ]


def test_a_correction_is_a_new_version_never_an_edit(
    monkeypatch, as_user, api, head_a, agency_a, officer_a, year_2026, tmp_path
):
    pin_clock(monkeypatch, NOW)
    head = as_user(head_a)
    first = head.post(REPORTS, {"year": 2026}, format="json").json()
    refused = head.post(REPORTS, {"year": 2026}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "report_exists"
    # a case of 2026 entered late: the report is corrected, with a reason
    closed_case(agency_a, officer_a, number="辽市监立字〔2026〕0099号", party="辽源市补录商店",
                decided_on=dt.date(2026, 12, 28), registered_on=dt.date(2026, 12, 1))  # fmt: skip
    pin_clock(monkeypatch, NOW + dt.timedelta(days=25))  # 2027-02-06: after the deadline
    second = head.post(REPORTS, {"year": 2026, "correction_reason": "补录12月作出的处罚决定1件"}, format="json")
    assert second.status_code == 201, second.content
    v2 = second.json()
    assert (v2["version"], v2["supersedes_version"], v2["published_late"]) == (2, 1, True)
    body = api.get(f"/api/v1/public/annual-reports/{agency_a.uscc}/2026/").json()
    assert body["current"]["version"] == 2 and body["current"]["statistics"]["cases"]["decided"] == 4
    assert body["current"]["supersedes"] == {"version": 1, "sha256": first["sha256"]}
    assert [(v["version"], v["sha256"]) for v in body["versions"]] == [(2, v2["sha256"]), (1, first["sha256"])]
    # version 1 is still there, unchanged, and still verifies
    key = api.get("/api/v1/public/ledger/key/").content.decode().strip()
    old = _bundle(api, body["versions"][1]["bundle"], tmp_path, "v1.zip")
    assert verify_bundle(old, trusted_keys=[key]).ok
    with zipfile.ZipFile(old) as zf:
        content = next(zf.read(n) for n in zf.namelist() if n.startswith("originals/"))
    assert json.loads(io.BytesIO(content).read())["statistics"]["cases"]["decided"] == 3


def test_who_may_publish_and_when(monkeypatch, as_user, api, head_a, supervisor, auditor_a, agency_a, year_2026):
    pin_clock(monkeypatch, dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC))
    early = as_user(head_a).post(REPORTS, {"year": 2026}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "year_not_over"
    pin_clock(monkeypatch, NOW)
    assert as_user(supervisor).post(REPORTS, {"year": 2026}, format="json").status_code == 403
    assert as_user(auditor_a).post(REPORTS, {"year": 2026}, format="json").status_code == 403
    nothing = as_user(head_a).post(REPORTS, {"year": 2026, "correction_reason": "更正"}, format="json")
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_correct"
    assert as_user(head_a).post(REPORTS, {"year": "x"}, format="json").status_code == 400
    missing = api.get(f"/api/v1/public/annual-reports/{agency_a.uscc}/2025/")
    assert missing.status_code == 404 and missing.json()["code"] == "report_not_found"
    assert api.get(f"/api/v1/public/annual-reports/{agency_a.uscc}/2026/versions/1/bundle/").status_code == 404
