"""The redaction corpus through the whole workflow over HTTP: a case is created with the party and the facts
as an agency writes them, walked to 决定, the draft notice is generated, and it is published without any
manual edit. Every rendering — the draft the discloser reviews, the public API (detail and list), the HTML
page, the CSV and JSON exports and both Atom feeds — must show no personal data (0 leaks) and keep
everything that is public (0 over-redactions).

Only the reviews gate is stood in for (its own suite covers rounds and checklists): nothing it writes
reaches a notice.
"""

from __future__ import annotations

import csv
import html
import io
import json

import pytest
from disclosures.corpuskit import Tally, load_corpus
from django.core.cache import cache
from support import replace_subscribers

from backend.cases import events as case_events

CORPUS = load_corpus()


@pytest.fixture
def unthrottled(monkeypatch):
    """Some 800 requests by the same four people and one address in a few minutes: the throttles (tested on
    their own) would refuse part of them, which is not what this test measures."""
    from rest_framework.throttling import SimpleRateThrottle

    from backend.disclosures.public_apis import PublicRateThrottle
    from backend.evidence.apis import _WindowCounterThrottle

    for throttle in (SimpleRateThrottle, PublicRateThrottle, _WindowCounterThrottle):
        monkeypatch.setattr(throttle, "allow_request", lambda self, request, view: True)


@pytest.fixture
def review_gate_passed(monkeypatch):
    replace_subscribers(monkeypatch, {
        case_events.MajorDecisionReasons: lambda question: [],
        case_events.ReviewPassedGate: lambda question: None,
    })  # fmt: skip


def _ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:600])
    return response.json()


def _decide(doc, officer, head, officer2) -> str:
    party = dict(doc["party"])
    party["party_type"] = {"person": "person", "sole_trader": "sole_trader"}.get(party["party_type"], "organisation")
    created = _ok(officer.post("/api/v1/cases/", {
        "title": doc["title"], "source": "complaint", **party, "violation_type": doc["violation_type"],
        "facts": doc["facts"], "legal_basis": doc["legal_basis"], "officer_ids": [str(officer2.pk)],
        "place_address": "辽源市龙山区",
    }, format="json"), 201)
    url = f"/api/v1/cases/{created['id']}"
    _ok(head.post(f"{url}/register/", {"opinion": "同意立案"}, format="json"))
    _ok(officer.post(f"{url}/start_investigation/", format="json"))
    _ok(officer.post(f"{url}/documents/", {"doc_type": "inspection_record", "content": {"findings": "现场检查"}},
                     format="json"), 201)
    _ok(officer.post(f"{url}/conclude_investigation/", {"report": "事实清楚，证据确凿", "measures": doc["measures"]},
                     format="json"))
    _ok(officer.post(f"{url}/submit_review/", format="json"))
    _ok(head.post(f"{url}/approve_proposal/", format="json"))
    _ok(officer.post(f"{url}/notify/", {"content": {"note": "直接送达告知书"}}, format="json"))
    _ok(officer.post(f"{url}/waiver/", {"statement": True, "hearing": True, "note": "当事人表示无异议"}, format="json"))
    _ok(officer.post(f"{url}/start_defence_review/", format="json"))
    _ok(officer.post(f"{url}/submit_decision/", {"defence_adoption": "当事人未提出陈述申辩"}, format="json"))
    decided = _ok(head.post(f"{url}/decide/", format="json"))
    assert decided["status"] == "decided"
    return created["id"]


def _csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


FEED_BATCH = 25  # the feeds carry the newest 50 events: read them while the notices are among those


def _score_feeds(api, pending: dict[str, dict], tally: Tally) -> None:
    for name, path in (("atom_api", "/api/v1/public/notices/feed.atom"), ("atom_page", "/notices/feed.atom")):
        feed = api.get(path).content.decode()
        for notice_id, doc in pending.items():
            entry = next((e for e in feed.split("<entry>") if notice_id in e), "")
            assert entry, f"{doc['id']} missing from {name}"
            tally.add(name, doc, html.unescape(entry), facts=False)
    pending.clear()


@pytest.mark.slow
def test_the_corpus_publishes_with_no_leak_and_no_over_redaction(
    as_user, api, officer_a, officer_a2, head_a, discloser_a, review_gate_passed, unthrottled, capsys
):
    assert len(CORPUS) >= 50
    cache.clear()  # throttle counters left by earlier tests in this process
    officer, head, discloser = as_user(officer_a), as_user(head_a), as_user(discloser_a)
    tally = Tally()
    refused: list[str] = []
    notices: dict[str, dict] = {}
    feed_pending: dict[str, dict] = {}
    for doc in CORPUS:
        case_id = _decide(doc, officer, head, officer_a2)
        listed = _ok(discloser.get("/api/v1/disclosures/notices/", {"case": case_id}))["results"]
        assert len(listed) == 1, doc["id"]
        notice_id = listed[0]["id"]
        draft = _ok(discloser.get(f"/api/v1/disclosures/notices/{notice_id}/"))
        public_draft = {k: v for k, v in draft.items() if k not in ("original", "redaction", "edits")}
        tally.add("draft", doc, json.dumps(public_draft, ensure_ascii=False))
        published = discloser.post(f"/api/v1/disclosures/notices/{notice_id}/publish/", format="json")
        if published.status_code != 200:
            refused.append(f"{doc['id']}: {published.status_code} {published.content.decode()[:400]}")
            continue
        notices[notice_id] = doc
        feed_pending[notice_id] = doc
        if len(feed_pending) == FEED_BATCH:
            _score_feeds(api, feed_pending, tally)
    if feed_pending:
        _score_feeds(api, feed_pending, tally)

    for i, (notice_id, doc) in enumerate(notices.items()):
        # One visitor per notice: the per-address throttle (tested on its own) is not what is measured here.
        visitor = {"REMOTE_ADDR": f"192.0.2.{i + 1}"}
        detail = _ok(api.get(f"/api/v1/public/notices/{notice_id}/", **visitor))
        tally.add("api_detail", doc, json.dumps(detail, ensure_ascii=False))
        page = api.get(f"/notices/{notice_id}/", **visitor)
        assert page.status_code == 200
        tally.add("html", doc, html.unescape(page.content.decode()))

    listing = []
    url = "/api/v1/public/notices/"
    while url:
        body = _ok(api.get(url))
        listing += body["results"]
        url = body["next"]
    by_id = {item["id"]: item for item in listing}
    csv_rows = {r["公示信息标识"]: r for r in _csv_rows(api.get("/api/v1/public/notices/export.csv"))}
    export = json.loads(b"".join(api.get("/api/v1/public/notices/export.json").streaming_content))
    json_rows = {r["GS_ID"]: r for r in export["records"]}
    for notice_id, doc in notices.items():
        tally.add("api_list", doc, json.dumps(by_id[notice_id], ensure_ascii=False), facts=False)
        tally.add("csv", doc, json.dumps(csv_rows[notice_id], ensure_ascii=False), full_text=False)
        tally.add("json_export", doc, json.dumps(json_rows[notice_id], ensure_ascii=False), full_text=False)

    with capsys.disabled():
        print(f"\ncorpus: {len(CORPUS)} decisions, published {len(notices)}, refused {len(refused)}\n{tally.table()}")
    problems = refused + tally.details
    assert not problems, "\n".join(problems)
    assert tally.total_leaks == 0 and tally.total_over == 0
