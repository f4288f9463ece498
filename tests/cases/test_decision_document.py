"""The 行政处罚决定书 states its evidence and how to perform it (行政处罚法 第五十九条第一款第二项、第五项)."""

from __future__ import annotations

import datetime as dt

from cases.casekit import new_case, walk

START = dt.date(2026, 3, 2)


def _decision(client, case_id) -> dict:
    listing = client.get(f"/api/v1/cases/{case_id}/documents/").json()
    doc = next(d for d in listing if d["doc_type"] == "decision")
    return client.get(f"/api/v1/cases/{case_id}/documents/{doc['id']}/").json()["content"]


def test_the_decision_lists_the_inquiry_and_inspection_records_as_evidence(as_user, officer_a, officer_a2, head_a):
    case = walk(
        new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="investigating", start=START
    )
    officer = as_user(officer_a)
    r = officer.post(
        f"/api/v1/cases/{case.id}/documents/",
        {
            "doc_type": "inquiry_record",
            "place": "辽源市市场监督管理局询问室",
            "content": {"questions": [{"q": "货架上的过期酸奶是否由你销售？", "a": "是我店里卖的。"}]},
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    case = walk(case, officer=officer_a, head=head_a, to="decided", start=START)
    evidence = _decision(officer, case.id)["evidence"]
    assert any(line.startswith("现场检查（勘验）笔录（2026-03-04") for line in evidence), evidence
    assert any(line.startswith("询问笔录（") and "询问室" in line for line in evidence), evidence
