"""The whole desk flow through the console with Django's test client (the browser test walks the same
path in Chromium): every step lands in the records the services keep, with the same audit events."""

from __future__ import annotations

import datetime

import pytest

from backend.cases.models import Case
from backend.disclosures.models import Notice
from backend.ledger.models import AuditEvent
from backend.reviews.models import ReviewRound

pytestmark = pytest.mark.django_db


def _message(client, response) -> str:
    return client.get(response["Location"]).content.decode().split('class="messages"')[1].split("</div>")[0]


def test_review_return_resubmission_approval_decision_and_publication(
    console, submitted_round, reviewer_a, head_a, discloser_a, officer_a, django_capture_on_commit_callbacks
):
    case = submitted_round.case
    reviewer = console(reviewer_a)
    assert "已分配审核" in _message(reviewer, reviewer.post(f"/console/reviews/{submitted_round.pk}/assign/"))
    codes = list(submitted_round.checklist.order_by("order").values_list("code", flat=True))
    answers = {f"result-{c}": "conforms" for c in codes} | {"result-discretion": "nonconforming",
                                                            "note-discretion": "裁量理由不充分"}  # fmt: skip
    assert "已保存" in _message(reviewer, reviewer.post(f"/console/reviews/{submitted_round.pk}/checklist/", answers))
    returned = reviewer.post(f"/console/reviews/{submitted_round.pk}/outcome/", {
        "outcome": "correction_required", "opinion_text": "裁量理由不充分，请补充", "aspect": "discretion",
        "point_text": "补充从轻情节的认定"})  # fmt: skip
    assert "已出具审核意见" in _message(reviewer, returned)
    submitted_round.refresh_from_db()
    assert submitted_round.outcome == "correction_required"
    assert submitted_round.correction_points == [{"aspect": "discretion", "text": "补充从轻情节的认定"}]

    officer = console(officer_a)
    resubmitted = officer.post(f"/console/cases/{case.pk}/reviews/", {
        "discretion": "当事人初次违法，适用一般情节。", "investigation_report": "经调查，违法事实清楚。"})  # fmt: skip
    assert "已提交审核" in _message(officer, resubmitted)
    second = ReviewRound.objects.get(case=case, number=2)
    reviewer.post(f"/console/reviews/{second.pk}/assign/")
    reviewer.post(f"/console/reviews/{second.pk}/checklist/", {f"result-{c}": "conforms" for c in codes})
    assert "已出具审核意见" in _message(reviewer, reviewer.post(f"/console/reviews/{second.pk}/outcome/",
                                                               {"outcome": "approved"}))  # fmt: skip

    head = console(head_a)
    assert "collective_discussion_required" in head.get(f"/console/cases/{case.pk}/decision/").content.decode()
    discussed = head.post(f"/console/cases/{case.pk}/decision/collective/", {
        "held_on": datetime.date.today().isoformat(), "chair_id": str(head_a.pk),
        "participant_ids": [str(head_a.pk), str(reviewer_a.pk), str(officer_a.pk)],
        "conclusion": "同意罚款二万元"})  # fmt: skip
    assert "已登记集体讨论" in _message(head, discussed)
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        decided = head.post(f"/console/cases/{case.pk}/steps/decide/", {
            "version": str(case.version), "next": f"/console/cases/{case.pk}/decision/",
            "comment": "同意"})  # fmt: skip
    assert decided["Location"] == f"/console/cases/{case.pk}/decision/"
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED and case.decision_number
    assert case.decision_number in head.get(decided["Location"]).content.decode()

    notice = Notice.objects.get(case=case)
    desk = console(discloser_a)
    assert 'class="mask"' in desk.get(f"/console/notices/{notice.pk}/").content.decode()
    assert "已公示" in _message(desk, desk.post(f"/console/notices/{notice.pk}/publish/"))
    public = console(None).get(f"/notices/{notice.pk}/").content.decode()
    assert "王某" in public and "220402199003071231" not in public and "王小明" not in public

    # The same audit events as through the API, each with the console user as actor.
    actions = list(AuditEvent.objects.filter(case_id=case.pk).values_list("action", "actor_name"))
    assert AuditEvent.objects.filter(action="notice.published", actor_name="discloser_a").exists()
    for action, actor in (("review.assigned", "reviewer_a"), ("review.checklist_filled", "reviewer_a"),
                          ("review.opinion", "reviewer_a"), ("review.submitted", "officer_a"),
                          ("review.collective_discussion", "head_a"), ("case.transition", "head_a")):  # fmt: skip
        assert (action, actor) in actions, action
