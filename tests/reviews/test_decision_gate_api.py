"""Through the cases API: a head cannot decide a major case without a passed round (409 with the code);
a decision different from the reviewed proposal needs a new round; 集体讨论 precedes 决定."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.cases.models import Case


@pytest.fixture
def deciding_case(make_case, officer_a, add_evidence):
    """A case at 待负责人决定: notified 20 days ago, the party waived the statement, nothing pending."""

    def _make(fine: str) -> Case:
        today = timezone.localdate()
        measures = [{"kind": "fine", "amount": fine}]
        case = make_case(
            fine=fine,
            status=Case.Status.DECIDING,
            notified_on=today - datetime.timedelta(days=20),
            notified_measures=measures,
            notified_fine_amount=Decimal(fine),
            statement_waived=True,
            registered_on=today - datetime.timedelta(days=40),
        )
        add_evidence(case, officer_a)
        return case

    return _make


def review_through_api(as_user, case: Case, officer, reviewer) -> dict:
    submitted = as_user(officer).post(
        f"/api/v1/cases/{case.pk}/reviews/",
        {
            "discretion": "适用裁量基准一般情节",
            "investigation_report": "违法事实清楚，证据确实充分",
        },
        format="json",
    )
    assert submitted.status_code == 201, submitted.json()
    round_ = submitted.json()
    codes = [item["code"] for item in round_["checklist"]]
    expected = ["subject_lawful", "officer_qualified"] if round_["kind"] == "legal_review" else ["jurisdiction"]
    assert codes[: len(expected)] == expected
    client = as_user(reviewer)
    assert (
        client.post(
            f"/api/v1/reviews/rounds/{round_['id']}/assign/", {"reviewer_id": str(reviewer.pk)}, format="json"
        ).status_code
        == 200
    )
    filled = client.post(
        f"/api/v1/reviews/rounds/{round_['id']}/checklist/",
        {"items": [{"code": c, "result": "conforms"} for c in codes]},
        format="json",
    )
    assert filled.status_code == 200, filled.json()
    outcome = client.post(f"/api/v1/reviews/rounds/{round_['id']}/outcome/", {"outcome": "approved"}, format="json")
    assert outcome.status_code == 200, outcome.json()
    assert outcome.json()["status"] == "completed" and outcome.json()["opinion_number"]
    return outcome.json()


def test_a_head_cannot_decide_a_major_case_without_a_passed_round(
    catalog_a, deciding_case, as_user, head_a, officer_a, officer_a2, reviewer_a
) -> None:
    case = deciding_case("150000.00")
    head = as_user(head_a)
    refused = head.post(f"/api/v1/cases/{case.pk}/decide/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "legal_review_required"

    round_ = review_through_api(as_user, case, officer_a, reviewer_a)
    requirement = as_user(officer_a).get(f"/api/v1/cases/{case.pk}/reviews/requirement/").json()
    assert requirement["is_major"] and requirement["review_kind"] == "legal_review"
    assert requirement["decision_reference"]["review_round_id"] == round_["id"]

    # Deciding a different penalty from the one reviewed needs a new round.
    different = head.post(
        f"/api/v1/cases/{case.pk}/decide/", {"measures": [{"kind": "fine", "amount": "120000"}]}, format="json"
    )
    assert different.status_code == 409 and different.json()["code"] == "legal_review_not_passed"
    assert different.json()["extra"]["reason"] == "proposal_changed"

    # 法制审核案件 are decided by the heads' collective discussion (市场监管程序规定 第六十条).
    no_meeting = head.post(f"/api/v1/cases/{case.pk}/decide/", {}, format="json")
    assert no_meeting.status_code == 409 and no_meeting.json()["code"] == "collective_discussion_required"
    meeting = head.post(
        f"/api/v1/cases/{case.pk}/reviews/collective-discussions/",
        {
            "held_on": timezone.localdate().isoformat(),
            "chair_id": str(head_a.pk),
            "participant_ids": [str(head_a.pk), str(reviewer_a.pk)],
            "other_participants": ["副局长 孙某"],
            "conclusion": "同意按法制审核意见给予罚款十五万元的行政处罚",
        },
        format="json",
    )
    assert meeting.status_code == 201, meeting.json()
    assert meeting.json()["review_round_id"] == round_["id"]

    decided = head.post(f"/api/v1/cases/{case.pk}/decide/", {}, format="json")
    assert decided.status_code == 200, decided.json()
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED and case.decision_number
    # The decision (决定书 and the transition record) cites the passed round and its opinion.
    decision = case.documents.get(doc_type="decision")
    assert decision.content["review"]["review_round_id"] == round_["id"]
    assert decision.content["review"]["opinion_number"] == round_["opinion_number"]
    assert decision.content["review"]["collective_discussion_id"] == meeting.json()["id"]


def test_a_non_major_general_case_needs_a_passed_case_review(
    catalog_a, deciding_case, as_user, head_a, officer_a, reviewer_a
) -> None:
    case = deciding_case("5000.00")
    refused = as_user(head_a).post(f"/api/v1/cases/{case.pk}/decide/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "case_review_required"
    round_ = review_through_api(as_user, case, officer_a, reviewer_a)
    assert round_["kind"] == "case_review"
    decided = as_user(head_a).post(f"/api/v1/cases/{case.pk}/decide/", {}, format="json")
    assert decided.status_code == 200, decided.json()
