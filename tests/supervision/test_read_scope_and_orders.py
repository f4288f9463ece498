"""A 执法监督人员 reads the agencies its body supervises and nothing else; a correction order is answered late,
escalates, and is closed — each step audited. Through the HTTP API, as the roles would."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone
from support import pin_clock, sequence_ledger

from backend.ledger.models import AuditEvent
from backend.supervision.models import CorrectionOrder


def test_a_supervisor_reads_the_supervised_agencies_and_not_a_third(
    as_user, supervisor, agency_a, agency_b, agency_c, case_a, case_c, officer_b
):
    client = as_user(supervisor)
    agencies = client.get("/api/v1/supervision/agencies/")
    assert agencies.status_code == 200
    assert {a["name"] for a in agencies.json()} == {"辽源市司法局", "辽源市市场监督管理局", "辽源市城市管理综合执法局"}
    listed = client.get("/api/v1/cases/").json()["results"]
    assert {c["case_number"] for c in listed} == {case_a.case_number}
    assert client.get(f"/api/v1/cases/{case_a.id}/?masked=1").status_code == 200
    assert client.get(f"/api/v1/cases/{case_c.id}/?masked=1").status_code == 404  # another tree: not revealed
    # Read-only on every enforcement record: a write anywhere outside supervision answers 403 read_only_role.
    refused = client.post("/api/v1/cases/", {"title": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_role"
    assert client.post(f"/api/v1/cases/{case_a.id}/corrections/", {}, format="json").status_code == 403


def test_a_procurator_reads_nothing_without_a_grant(as_user, procurator, case_a):
    client = as_user(procurator)
    assert client.get("/api/v1/cases/").status_code == 403
    assert client.get(f"/api/v1/cases/{case_a.id}/").status_code == 403
    assert client.get("/api/v1/supervision/orders/").status_code == 403
    assert client.get("/api/v1/supervision/procuratorate/grants/").json()["results"] == []
    assert client.get("/api/v1/me/").status_code == 200


def _issue(client, agency, case=None, deadline="2026-06-15", **extra):
    body = {
        "agency": agency.pk,
        "kind": "correction",
        "subject": "行政处罚案件未按期公示",
        "findings": "经抽查，该局2026年第一季度作出的3件行政处罚决定超过7个工作日未公示。",
        "requirement": "立即补充公示，并于期限内书面报告整改情况及责任人员处理情况。",
        "legal_basis": "《吉林省行政执法监督条例》；国办发〔2018〕118号（六）",
        "deadline": deadline,
        **extra,
    }
    if case is not None:
        body["case"] = str(case.id)
    return client.post("/api/v1/supervision/orders/", body, format="json")


def test_a_correction_order_answered_late_escalates_and_is_closed(
    as_user, monkeypatch, supervisor, agency_a, agency_b, agency_c, case_a, head_a, head_b, auditor_a, officer_a
):
    pin_clock(monkeypatch, dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC))
    sup = as_user(supervisor)
    issued = _issue(sup, agency_a, case_a)
    assert issued.status_code == 201, issued.json()
    order = issued.json()
    assert order["status"] == "issued" and order["number"] == "辽源市司法局执法监督纠〔2026〕1号"
    assert order["case_number"] == case_a.case_number
    # Outside the tree, or a past deadline, or a case of another agency: refused.
    assert _issue(sup, agency_c).status_code == 404
    past = _issue(sup, agency_a, deadline="2026-05-30")
    assert past.status_code == 422 and past.json()["code"] == "invalid_deadline"
    assert _issue(sup, agency_b, case_a).status_code == 404
    # Only a supervisor issues: the agency's own head and auditor cannot.
    assert _issue(as_user(head_a), agency_a).status_code == 403
    assert _issue(as_user(auditor_a), agency_a).status_code == 403

    url = f"/api/v1/supervision/orders/{order['id']}/"
    assert as_user(auditor_a).get(url).status_code == 200
    assert as_user(head_b).get(url).status_code == 404  # another agency's order
    assert as_user(officer_a).get(url).status_code == 403  # a field officer has no business here
    assert as_user(auditor_a).post(f"{url}answer/", {"answer": "x"}, format="json").status_code == 403

    # The deadline passes unanswered: the hourly escalation (here its management command) escalates it once.
    pin_clock(monkeypatch, dt.datetime(2026, 6, 17, 9, 0, tzinfo=dt.UTC))
    call_command("supervision_escalate_overdue")
    call_command("supervision_escalate_overdue")
    assert CorrectionOrder.objects.get(pk=order["id"]).status == "escalated"
    assert AuditEvent.objects.filter(action="supervision.order.escalated", target_id=order["id"]).count() == 1
    escalated = sup.get("/api/v1/supervision/orders/?status=escalated").json()["results"]
    assert [o["id"] for o in escalated] == [order["id"]]
    # the escalation reached the agency's head and the supervisor who issued it, once each
    for person in (head_a, supervisor):
        inbox = as_user(person).get("/api/v1/inbox/").json()["results"]
        titles = [n["title"] for n in inbox if n["kind"] == "supervision"]
        assert titles == [f"监督文书逾期未答复（已督办）：{order['number']}"], (person, titles)

    answered = as_user(head_a).post(
        f"{url}answer/",
        {
            "answer": "已于6月16日补充公示3件处罚决定，对承办科室负责人进行批评教育，并建立公示期限提醒。",
        },
        format="json",
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "answered" and answered.json()["answered_late"] is True
    again = as_user(head_a).post(f"{url}answer/", {"answer": "再次答复"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"

    review = f"{url}review/"
    assert as_user(head_a).post(review, {"accept": True}, format="json").status_code == 403
    closed = sup.post(review, {"accept": True, "note": "整改到位，予以办结。"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    sequence_ledger()
    actions = list(AuditEvent.objects.filter(target_id=order["id"]).order_by("id").values_list("action", flat=True))
    assert actions == [
        "supervision.order.issued",
        "supervision.order.escalated",
        "supervision.order.answered",
        "supervision.order.closed",
    ]
    assert timezone.now().date() == dt.date(2026, 6, 17)


def test_a_rejected_answer_goes_back_with_a_new_deadline(as_user, monkeypatch, supervisor, agency_a, head_a):
    pin_clock(monkeypatch, dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC))
    order = _issue(as_user(supervisor), agency_a).json()
    url = f"/api/v1/supervision/orders/{order['id']}/"
    assert as_user(head_a).post(f"{url}answer/", {"answer": "已整改"}, format="json").json()["answered_late"] is False
    no_deadline = as_user(supervisor).post(f"{url}review/", {"accept": False, "note": "整改不到位"}, format="json")
    assert no_deadline.status_code == 422
    rejected = as_user(supervisor).post(
        f"{url}review/",
        {"accept": False, "note": "答复未说明责任人员处理情况，请补充。", "new_deadline": "2026-06-30"},
        format="json",
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "issued" and rejected.json()["deadline"] == "2026-06-30"
    assert rejected.json()["rejections"] == 1
