"""评议考核: a seeded 2026 of two supervised agencies; every figure matches the hand count, each lists the records
behind it, the supervisor's ranking follows the composite score, and the agency outside the tree is not there."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from supervision.supkit import closed_case
from support import make_user, pin_clock

from backend.accounts.models import Role
from backend.cases.models import CaseDeadline, DecisionCorrection
from backend.disclosures.models import Notice
from backend.reviews.models import ReviewRound
from backend.supervision.models import CorrectionOrder, ProcuratorialSuggestion

D = dt.date
NOW = dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in 辽源: the year 2026 is over


def _at(day: D) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)


def _decided(agency, officer, n: int, *, decided_on: D, due_on: D, late: bool = False, gaps=None):
    case = closed_case(agency, officer, number=f"辽市监立字〔2026〕{n:04d}号", party=f"辽源市第{n}商贸有限公司",
                       decided_on=decided_on, registered_on=decided_on - dt.timedelta(days=40),
                       missing_recordings=gaps or [])  # fmt: skip
    CaseDeadline.objects.create(
        case=case, rule_code="DECISION", name="作出处罚决定", anchor_on=case.registered_on, due_on=due_on,
        state=CaseDeadline.State.MET, met_on=decided_on, met_late=late,
    )
    return case


def _notice(case, *, decided: D, due: D, published: D | None, late: bool = False) -> Notice:
    status = Notice.Status.PUBLISHED if published else Notice.Status.DRAFT
    return Notice.objects.create(
        agency=case.agency, case=case, decision_number=case.decision_number, party_type="organisation",
        party_name=case.party_name, decision_date=decided, agency_name=case.agency.name,
        agency_uscc=case.agency.uscc, due_date=due, status=status, published_at=_at(published) if published else None,
        published_late=late,
    )  # fmt: skip


def _round(case, officer, *, completed: D, outcome: str, number: int = 1) -> ReviewRound:
    digest = hashlib.sha256(f"{case.pk}{number}".encode()).hexdigest()
    return ReviewRound.objects.create(
        agency=case.agency, case=case, kind="legal", number=number, status=ReviewRound.Status.COMPLETED,
        outcome=outcome, submitted_by=officer, submitted_at=_at(completed - dt.timedelta(days=5)),
        package_sha256=digest, proposal_fingerprint=digest, received_on=completed - dt.timedelta(days=5),
        time_limit_workdays=10, due_on=completed + dt.timedelta(days=5), completed_at=_at(completed),
    )  # fmt: skip


def _order(n: int, bureau, agency, supervisor, *, deadline: D, answered: D | None, late: bool = False):
    return CorrectionOrder.objects.create(
        number=f"辽司监〔2026〕{n}号", kind=CorrectionOrder.Kind.CORRECTION, issuing_agency=bureau, agency=agency,
        subject="公示超期", findings="处罚决定未按期公示。", requirement="限期补正。", deadline=deadline,
        issued_by=supervisor, issued_at=_at(deadline - dt.timedelta(days=15)),
        status=CorrectionOrder.Status.ANSWERED if answered else CorrectionOrder.Status.ESCALATED,
        answer="已整改。" if answered else "", answered_at=_at(answered) if answered else None, answered_late=late,
    )  # fmt: skip


@pytest.fixture
def seeded_2026(agency_a, agency_b, agency_c, bureau, officer_a, supervisor, procurator, head_a):
    """Agency A's 2026, counted by hand in the test; agency B has a smaller, cleaner year; C is outside."""
    officer_b = make_user("officer_b_ind", agency_b, [Role.FIELD_OFFICER], credential="B-0101", full_name="田野")
    a1 = _decided(agency_a, officer_a, 1, decided_on=D(2026, 3, 2), due_on=D(2026, 3, 20))
    a2 = _decided(agency_a, officer_a, 2, decided_on=D(2026, 5, 11), due_on=D(2026, 5, 29))
    a3 = _decided(agency_a, officer_a, 3, decided_on=D(2026, 8, 3), due_on=D(2026, 7, 31), late=True,
                  gaps=["现场检查"])  # fmt: skip
    a4 = _decided(agency_a, officer_a, 4, decided_on=D(2026, 11, 16), due_on=D(2026, 12, 4))
    old = _decided(agency_a, officer_a, 5, decided_on=D(2025, 12, 1), due_on=D(2025, 12, 5))  # another year
    # an overdue duty of a4 (due in 2026, never met) and one due in 2027 (not counted)
    CaseDeadline.objects.create(case=a4, rule_code="DECISION_SERVICE", name="送达处罚决定书", anchor_on=D(2026, 11, 16),
                                due_on=D(2026, 11, 25), state=CaseDeadline.State.OVERDUE)  # fmt: skip
    CaseDeadline.objects.create(case=a4, rule_code="CASE_CLOSURE", name="结案", anchor_on=D(2026, 12, 20),
                                due_on=D(2027, 1, 20), state=CaseDeadline.State.DUE)  # fmt: skip
    _notice(a1, decided=D(2026, 3, 2), due=D(2026, 3, 11), published=D(2026, 3, 5))
    _notice(a2, decided=D(2026, 5, 11), due=D(2026, 5, 20), published=D(2026, 5, 26), late=True)
    _notice(a3, decided=D(2026, 8, 3), due=D(2026, 8, 12), published=D(2026, 8, 10))
    _notice(a4, decided=D(2026, 11, 16), due=D(2026, 11, 25), published=None)  # still a draft: overdue
    _notice(old, decided=D(2025, 12, 1), due=D(2025, 12, 10), published=D(2025, 12, 3))
    _round(a1, officer_a, completed=D(2026, 2, 20), outcome="approved")
    _round(a3, officer_a, completed=D(2026, 7, 10), outcome="correction_required")
    _round(a3, officer_a, completed=D(2026, 7, 24), outcome="approved", number=2)
    DecisionCorrection.objects.create(
        case=a2, kind=DecisionCorrection.Kind.REVOKED, by=DecisionCorrection.By.RECONSIDERATION,
        effective_on=D(2026, 9, 1), reason="认定事实不清", reference="辽源市人民政府行政复议决定书〔2026〕12号",
        recorded_by=head_a, recorded_at=_at(D(2026, 9, 2)),
    )  # fmt: skip
    DecisionCorrection.objects.create(  # a self-correction: not a 复议/诉讼 change
        case=a1, kind=DecisionCorrection.Kind.CHANGED, by=DecisionCorrection.By.SELF_CORRECTION,
        effective_on=D(2026, 4, 1), reason="罚款金额计算有误", reference="", recorded_by=head_a,
        recorded_at=_at(D(2026, 4, 1)),
    )  # fmt: skip
    _order(1, bureau, agency_a, supervisor, deadline=D(2026, 6, 30), answered=D(2026, 6, 20))
    _order(2, bureau, agency_a, supervisor, deadline=D(2026, 9, 30), answered=D(2026, 10, 12), late=True)
    _order(3, bureau, agency_a, supervisor, deadline=D(2026, 12, 15), answered=None)
    ProcuratorialSuggestion.objects.create(
        agency=agency_a, case=a3, procuratorate="辽源市人民检察院", number="辽检行建〔2026〕3号",
        content="建议完善现场检查音像记录。", filed_by=procurator, filed_at=_at(D(2026, 8, 20)),
        answer_due=D(2026, 10, 20), status=ProcuratorialSuggestion.Status.ANSWERED, answer="已完善。",
        answered_by=head_a, answered_at=_at(D(2026, 10, 8)),
    )  # fmt: skip
    b1 = _decided(agency_b, officer_b, 11, decided_on=D(2026, 4, 1), due_on=D(2026, 4, 20))
    _notice(b1, decided=D(2026, 4, 1), due=D(2026, 4, 10), published=D(2026, 4, 3))
    c1 = _decided(agency_c, officer_b, 21, decided_on=D(2026, 4, 1), due_on=D(2026, 4, 20))
    return {"a": [a1, a2, a3, a4], "b1": b1, "c1": c1}


EXPECTED_A = {  # counted by hand from the fixture above
    "decisions_on_time": (3, 4),  # a3 decided after its due date
    "notices_on_time": (2, 4),  # a2 late, a4 still a draft past its due date
    "review_pass_rate": (2, 3),  # a3's first round asked for a correction
    "decisions_changed": (1, 4),  # a2 revoked by 复议; a1's self-correction does not count
    "overdue_deadlines": (2, 5),  # four DECISION rows + a4's service; a3 met late, a4's service overdue
    "recording_gaps": (1, 4),  # a3
    "corrections_answered": (2, 4),  # order 1 and the 检察建议 on time; order 2 late; order 3 unanswered
}


def test_an_agencys_indicators_match_the_hand_count(monkeypatch, as_user, supervisor, agency_a, seeded_2026):
    pin_clock(monkeypatch, NOW)
    response = as_user(supervisor).get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["complete"] is True
    got = {f["code"]: (f["numerator"], f["denominator"]) for f in body["indicators"]}
    assert got == EXPECTED_A
    rates = {f["code"]: f["rate"] for f in body["indicators"]}
    assert rates["decisions_on_time"] == "75.0" and rates["review_pass_rate"] == "66.7"
    # score: mean of the good shares 3/4, 2/4, 2/3, 3/4, 3/5, 3/4, 2/4 → 64.5
    shares = [Decimal(3) / 4, Decimal(2) / 4, Decimal(2) / 3, Decimal(3) / 4, Decimal(3) / 5, Decimal(3) / 4,
              Decimal(2) / 4]  # fmt: skip
    assert body["score"] == f"{(sum(shares) * 100 / 7).quantize(Decimal('0.1'))}" == "64.5"


def test_each_figure_lists_the_records_behind_it(monkeypatch, as_user, supervisor, agency_a, seeded_2026):
    pin_clock(monkeypatch, NOW)
    a1, a2, a3, a4 = seeded_2026["a"]
    client = as_user(supervisor)
    detail = client.get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/notices_on_time/").json()
    assert (detail["numerator"], detail["denominator"]) == (2, 4)
    assert {i["case_number"]: i["meets"] for i in detail["items"]} == {
        a1.case_number: True, a2.case_number: False, a3.case_number: True, a4.case_number: False,
    }  # fmt: skip
    changed = client.get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/decisions_changed/").json()
    assert [(i["case_id"], i["kind"]) for i in changed["items"]] == [(str(a2.pk), "correction")]
    assert "行政复议" in changed["items"][0]["detail"]
    answered = client.get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/corrections_answered/").json()
    assert sorted((i["kind"], i["meets"]) for i in answered["items"]) == [
        ("order", False), ("order", False), ("order", True), ("suggestion", True)
    ]
    overdue = client.get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/overdue_deadlines/").json()
    assert sorted(i["case_number"] for i in overdue["items"] if i["meets"]) == sorted([a3.case_number, a4.case_number])
    # every listed case is a case of the agency, and the count of "meets" is the numerator
    for code, (numerator, denominator) in EXPECTED_A.items():
        figure = client.get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/{code}/").json()
        assert len(figure["items"]) == (denominator if code != "decisions_changed" else 1), code
        if code != "decisions_changed":
            assert sum(i["meets"] for i in figure["items"]) == numerator, code
    missing = client.get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/speeding/")
    assert missing.status_code == 404 and missing.json()["code"] == "indicator_not_found"


def test_the_supervisor_ranks_its_agencies_and_never_sees_another_tree(
    monkeypatch, as_user, supervisor, agency_a, agency_b, agency_c, head_c, seeded_2026
):
    pin_clock(monkeypatch, NOW)
    client = as_user(supervisor)
    ranking = client.get("/api/v1/supervision/indicators/?year=2026")
    assert ranking.status_code == 200, ranking.content
    rows = ranking.json()
    assert [(r["agency"]["name"], r["rank"]) for r in rows] == [(agency_b.name, 1), (agency_a.name, 2)]
    assert rows[0]["score"] == "100.0"  # one decision on time, one notice on time, nothing else
    by_changes = client.get("/api/v1/supervision/indicators/?year=2026&by=review_pass_rate").json()
    # agency B had no review: no population, ranked last without a rank
    assert [(r["agency"]["name"], r["rank"]) for r in by_changes] == [(agency_a.name, 1), (agency_b.name, None)]
    assert client.get(f"/api/v1/supervision/indicators/{agency_c.pk}/2026/").status_code == 404
    # the other tree's head reads its own agency, and nothing of A
    own = as_user(head_c).get("/api/v1/supervision/indicators/?year=2026").json()
    assert [r["agency"]["name"] for r in own] == [agency_c.name]
    assert as_user(head_c).get(f"/api/v1/supervision/indicators/{agency_a.pk}/2026/").status_code == 404


def test_bad_years_and_filters_are_refused_with_a_code(monkeypatch, as_user, supervisor, agency_a, officer_a, db):
    pin_clock(monkeypatch, NOW)
    client = as_user(supervisor)
    for query in ("", "?year=abc", "?year=1999", "?year=2026&by=nonsense"):
        response = client.get(f"/api/v1/supervision/indicators/{query}")
        assert response.status_code == 400, (query, response.content)
        assert response.json()["code"]
    future = client.get(f"/api/v1/supervision/indicators/{agency_a.pk}/2028/")
    assert future.status_code == 400 and future.json()["code"] == "year_in_future"
    assert as_user(officer_a).get("/api/v1/supervision/indicators/?year=2026").status_code == 403
