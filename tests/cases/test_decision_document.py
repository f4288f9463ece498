"""The 行政处罚决定书 states its evidence and how to perform it (行政处罚法 第五十九条第一款第二项、第五项)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cases.casekit import new_case, walk

from backend.cases.rules import decision_performance_text

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


def test_the_decision_says_where_and_by_when_to_pay_the_fine_and_the_confiscated_gains(
    as_user, officer_a, officer_a2, head_a
):
    measures = [{"kind": "fine", "amount": "5000"}, {"kind": "confiscate_gains", "amount": "860.50"}]
    case = walk(
        new_case(officer_a, officer_a2, on=START),
        officer=officer_a,
        head=head_a,
        to="decided",
        start=START,
        measures=measures,
    )
    performance = _decision(as_user(officer_a), case.id)["performance"]
    assert performance.startswith(
        "自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款、没收的违法所得"
    ), performance
    assert "每日按罚款数额的百分之三加处罚款" in performance


def test_the_summary_decision_states_the_same_performance(as_user, officer_a, officer_a2):
    r = as_user(officer_a).post(
        "/api/v1/cases/summary/",
        {
            "title": "占道经营案",
            "party_type": "natural_person",
            "party_name": "李建华",
            "facts": "当事人在人民大街占道摆摊经营",
            "legal_basis": [{"law": "城市市容和环境卫生管理条例", "article": "第三十六条"}],
            "measures": [{"kind": "fine", "amount": "150"}],
            "officer_ids": [str(officer_a2.pk)],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    listing = as_user(officer_a).get(f"/api/v1/cases/{r.json()['id']}/documents/").json()
    doc = next(d for d in listing if d["doc_type"] == "summary_decision")
    content = as_user(officer_a).get(f"/api/v1/cases/{r.json()['id']}/documents/{doc['id']}/").json()["content"]
    assert content["performance"] == decision_performance_text(fine=Decimal("150"))
    assert content["performance"].startswith("自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款。")


def test_nothing_to_pay_states_no_performance():
    assert decision_performance_text(fine=None) == ""
    assert (
        decision_performance_text(fine=Decimal("200"), paid_on_spot=True)
        == "罚款已由执法人员当场收缴（行政处罚法第六十八条）"
    )
