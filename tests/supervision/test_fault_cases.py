"""过错追究: a 复议 撤销 of a decision opens a fault case naming the people behind the decision, read from the
ledger; the supervisor decides and closes it; everything audited. Through the real reviews and cases apps."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from reviews.test_decision_gate_api import review_through_api
from support import sequence_ledger

from backend.cases.models import Case
from backend.ledger.models import AuditEvent
from backend.supervision.models import FaultCase


def _decided_major_case(as_user, make_case, add_evidence, officer_a, reviewer_a, head_a) -> Case:
    today = timezone.localdate()
    measures = [{"kind": "fine", "amount": "150000.00"}]
    case = make_case(
        fine="150000.00",
        status=Case.Status.DECIDING,
        notified_on=today - datetime.timedelta(days=20),
        notified_measures=measures,
        notified_fine_amount=Decimal("150000.00"),
        statement_waived=True,
        registered_on=today - datetime.timedelta(days=40),
        party_name="辽源市金鼎食品有限公司",
    )
    add_evidence(case, officer_a)
    opinion = review_through_api(as_user, case, officer_a, reviewer_a)
    head = as_user(head_a)
    meeting = head.post(
        f"/api/v1/cases/{case.pk}/reviews/collective-discussions/",
        {
            "held_on": today.isoformat(),
            "chair_id": str(head_a.pk),
            "participant_ids": [str(head_a.pk), str(reviewer_a.pk)],
            "other_participants": ["副局长 孙某"],
            "conclusion": "同意按法制审核意见给予罚款十五万元的行政处罚",
        },
        format="json",
    )
    assert meeting.status_code == 201, meeting.json()
    decided = head.post(f"/api/v1/cases/{case.pk}/decide/", {}, format="json")
    assert decided.status_code == 200, decided.json()
    case.refresh_from_db()
    case.opinion_number = opinion["opinion_number"]
    return case


def test_a_reconsideration_revocation_opens_a_fault_case_naming_the_right_people(
    as_user,
    catalog_a,
    make_case,
    add_evidence,
    officer_a,
    officer_a2,
    reviewer_a,
    head_a,
    head_b,
    auditor_a,
    supervisor,
):
    case = _decided_major_case(as_user, make_case, add_evidence, officer_a, reviewer_a, head_a)
    # A 变更 alone is no fault of anyone by itself: nothing is opened.
    revoked = as_user(head_a).post(
        f"/api/v1/cases/{case.pk}/corrections/",
        {
            "kind": "revoked",
            "by": "reconsideration",
            "reason": "复议机关认定主要事实不清、证据不足，决定撤销",
            "reference": "辽源市人民政府行政复议决定书 辽政复决字〔2026〕12号",
        },
        format="json",
    )
    assert revoked.status_code == 200, revoked.json()

    faults = as_user(supervisor).get("/api/v1/supervision/faults/").json()["results"]
    assert len(faults) == 1
    fault = faults[0]
    assert fault["case"] == str(case.pk) and fault["trigger_kind"] == "revoked"
    assert fault["trigger_by"] == "reconsideration" and fault["status"] == "open"
    people = {(p["role"], p["name"]) for p in fault["chain"]}
    assert people == {
        ("handling_officer", "张伟"),
        ("handling_officer", "李娜"),
        ("legal_reviewer", "赵敏"),
        ("head", "刘建国"),
        ("collective_discussion", "刘建国"),
        ("collective_discussion", "赵敏"),
    }
    reviewer = next(p for p in fault["chain"] if p["role"] == "legal_reviewer")
    assert reviewer["acts"][0]["opinion_number"] == case.opinion_number
    assert reviewer["acts"][0]["outcome"] == "approved"
    head = next(p for p in fault["chain"] if p["role"] == "head")
    assert [a["transition"] for a in head["acts"]] == ["decide"]
    # Every act points at its ledger event.
    sequence_ledger()
    event = AuditEvent.objects.get(pk=head["acts"][0]["event_id"])
    assert event.action == "case.transition" and event.data["transition"] == "decide"
    assert str(event.actor_id) == str(head_a.pk)

    # The same chain answers live for the case.
    chain = as_user(auditor_a).get(f"/api/v1/supervision/cases/{case.pk}/responsible-chain/")
    assert chain.status_code == 200 and chain.json()["decision_state"] == "revoked"
    assert as_user(head_b).get(f"/api/v1/supervision/faults/{fault['id']}/").status_code == 404

    url = f"/api/v1/supervision/faults/{fault['id']}/"
    sup = as_user(supervisor)
    assert as_user(head_a).post(f"{url}decide/", {}, format="json").status_code == 403  # not one's own judge
    outsider = sup.post(
        f"{url}decide/",
        {
            "finding": "at_fault",
            "reasoning": "x",
            "responsible": [{"user_id": str(head_b.pk), "responsibility": "x", "measure": "批评教育"}],
        },
        format="json",
    )
    assert outsider.status_code == 422 and outsider.json()["code"] == "not_in_chain"
    decided = sup.post(
        f"{url}decide/",
        {
            "finding": "at_fault",
            "reasoning": "承办人员对当事人进货来源的证据未调查核实即认定违法所得，法制审核未发现证据不足。",
            "responsible": [
                {
                    "user_id": str(officer_a.pk),
                    "responsibility": "主办人员，认定事实的主要证据不足",
                    "measure": "责令书面检查",
                },
                {"user_id": str(reviewer_a.pk), "responsibility": "法制审核未尽审查义务", "measure": "批评教育"},
            ],
        },
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    assert [(r["name"], r["measure"]) for r in decided.json()["responsible"]] == [
        ("张伟", "责令书面检查"),
        ("赵敏", "批评教育"),
    ]
    closed = sup.post(f"{url}close/", {"note": "追究决定已送达本人并执行完毕。"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = sup.post(f"{url}close/", {"note": "x"}, format="json")
    assert again.status_code == 409
    actions = list(AuditEvent.objects.filter(target_id=fault["id"]).order_by("id").values_list("action", flat=True))
    assert actions == ["supervision.fault.opened", "supervision.fault.decided", "supervision.fault.closed"]


def test_a_changed_decision_opens_nothing_but_a_supervisor_may_open_one(
    as_user, catalog_a, make_case, add_evidence, officer_a, reviewer_a, head_a, supervisor, case_c
):
    case = _decided_major_case(as_user, make_case, add_evidence, officer_a, reviewer_a, head_a)
    changed = as_user(head_a).post(
        f"/api/v1/cases/{case.pk}/corrections/",
        {
            "kind": "changed",
            "by": "litigation",
            "reason": "法院判决变更罚款数额",
            "new_measures": [{"kind": "fine", "amount": "80000"}],
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert not FaultCase.objects.exists()
    opened = as_user(supervisor).post(
        "/api/v1/supervision/faults/", {"case": str(case.pk), "reason": "案卷评查发现裁量明显不当"}, format="json"
    )
    assert opened.status_code == 201 and opened.json()["trigger_kind"] == "supervision"
    outside = as_user(supervisor).post(
        "/api/v1/supervision/faults/", {"case": str(case_c.pk), "reason": "x"}, format="json"
    )
    assert outside.status_code == 404
