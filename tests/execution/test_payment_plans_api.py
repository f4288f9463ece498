"""延期 / 分期缴纳 (行政处罚法 第六十六条第二款) over HTTP: application, the head's decision with reasons, the
schedule, an overdue instalment and its surcharge."""

from __future__ import annotations

from execution.conftest import account, deadlines, pay

from backend.cases.models import Case

SCHEDULE = [
    {"due_on": "2026-12-31", "amount": "10000.00"},
    {"due_on": "2027-01-31", "amount": "10000.00"},  # a Sunday: the last day rolls to Monday 2027-02-01
    {"due_on": "2027-02-26", "amount": "10000.00"},
]


def apply(client, case, day: str, schedule=SCHEDULE, kind: str = "instalments"):
    return client.post(
        f"/api/v1/cases/{case.id}/payment_plans/",
        {
            "kind": kind,
            "applied_on": day,
            "schedule": schedule,
            "reason": "受疫情后经营下滑影响，当事人2026年经营亏损，提交了财务报表和银行流水",
        },
        format="json",
    )


def decide(client, case, plan_id: int, approve: bool, day: str, reason: str = "经审查，当事人确有经济困难"):
    return client.post(
        f"/api/v1/cases/{case.id}/payment_plans/{plan_id}/decide/",
        {"approve": approve, "reason": reason, "decided_on": day},
        format="json",
    )


def test_instalments_with_one_overdue(clients, decided_fine, serve):
    case = decided_fine(fine="30000.00")
    serve(case, "2026-12-02")  # the 15-day period would end 2026-12-17
    r = apply(clients.on("2026-12-10").officer, case, "2026-12-10")
    assert r.status_code == 201 and r.json()["status"] == "applied", r.content
    plan = r.json()
    r = decide(clients.on("2026-12-11").officer, case, plan["id"], True, "2026-12-11")
    assert r.status_code == 403 and r.json()["code"] == "head_required", r.content
    r = decide(clients.head, case, plan["id"], True, "2026-12-11")
    assert r.status_code == 200 and r.json()["status"] == "approved", r.content
    assert [i["last_day"] for i in r.json()["instalments"]] == ["2026-12-31", "2027-02-01", "2027-02-26"]
    rows = deadlines(clients.officer, case)
    assert rows["PAYMENT"]["state"] == "cancelled"
    assert rows["PAYMENT_INSTALMENT"]["due_on"] == "2026-12-31" and rows["PAYMENT_INSTALMENT"]["kind"] == "party"

    assert pay(clients.on("2026-12-30").officer, case, "10000.00", "2026-12-30", "BK-I1").status_code == 201
    assert deadlines(clients.officer, case)["PAYMENT_INSTALMENT"]["due_on"] == "2027-02-01"
    assert account(clients.officer, case)["surcharge"]["amount"] == "0.00"  # the 15-day period no longer applies

    # The second instalment is not paid by Monday 2027-02-01: 3 % of 10000 a day from 02-02.
    shown = account(clients.on("2027-02-05").officer, case)
    assert shown["state"] == "overdue"
    assert [(i["seq"], i["paid"], i["overdue"]) for i in shown["instalments"]] == [
        (1, "10000.00", False),
        (2, "0.00", True),
        (3, "0.00", False),
    ]
    assert shown["surcharge"] == {
        "since": "2027-02-02",
        "days": 4,
        "paused_days": 0,
        "amount": "1200.00",
        "capped": False,
    }
    assert shown["due_on"] == "2027-02-01"

    assert pay(clients.officer, case, "10000.00", "2027-02-05", "BK-I2").status_code == 201
    later = account(clients.on("2027-02-20").officer, case)
    assert later["surcharge"]["amount"] == "1200.00" and later["due_on"] == "2027-02-26"
    assert later["state"] == "overdue" and not any(i["overdue"] for i in later["instalments"])  # the surcharge is owed
    assert deadlines(clients.officer, case)["PAYMENT_INSTALMENT"]["due_on"] == "2027-02-26"

    r = pay(clients.on("2027-02-25").officer, case, "11200.00", "2027-02-25", "BK-I3")
    assert r.status_code == 201 and r.json()["account"]["state"] == "paid", r.content
    assert Case.objects.get(pk=case.pk).executed_on.isoformat() == "2027-02-25"
    r = clients.on("2027-02-26").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content


def test_a_refused_application_leaves_the_15_day_period_and_its_surcharge(clients, decided_fine, serve):
    case = decided_fine(fine="30000.00")
    serve(case, "2026-12-02")
    plan = apply(
        clients.on("2026-12-10").officer,
        case,
        "2026-12-10",
        schedule=[{"due_on": "2027-03-31", "amount": "30000.00"}],
        kind="deferral",
    ).json()
    r = decide(
        clients.on("2026-12-15").head,
        case,
        plan["id"],
        False,
        "2026-12-15",
        reason="当事人名下有足额存款，不属于确有经济困难",
    )
    assert r.status_code == 200 and r.json()["status"] == "refused", r.content
    assert r.json()["decision_reason"] == "当事人名下有足额存款，不属于确有经济困难"
    shown = account(clients.on("2026-12-20").officer, case)
    assert shown["surcharge"]["days"] == 3 and shown["surcharge"]["amount"] == "2700.00"  # from 12-18
    assert deadlines(clients.officer, case)["PAYMENT"]["state"] == "due"
    r = decide(clients.head, case, plan["id"], True, "2026-12-20")
    assert r.status_code == 409 and r.json()["code"] == "plan_not_pending", r.content


def test_plan_preconditions(clients, decided_fine, serve):
    case = decided_fine(fine="30000.00")
    serve(case, "2026-12-02")
    r = apply(
        clients.on("2026-12-10").officer,
        case,
        "2026-12-10",
        schedule=[{"due_on": "2026-12-31", "amount": "10000.00"}, {"due_on": "2027-01-31", "amount": "10000.00"}],
    )
    assert r.status_code == 422 and r.json()["code"] == "schedule_total_mismatch", r.content
    assert r.json()["extra"] == {"total": "20000.00", "unpaid": "30000.00"}
    r = apply(clients.officer, case, "2026-12-10", schedule=[{"due_on": "2026-12-31", "amount": "30000.00"}])
    assert r.status_code == 422 and r.json()["code"] == "invalid_schedule", r.content  # one date is a 延期
    r = apply(clients.auditor, case, "2026-12-10")
    assert r.status_code == 403 and r.json()["code"] == "read_only_role", r.content
    assert apply(clients.other, case, "2026-12-10").status_code == 404
    plan = apply(clients.officer, case, "2026-12-10").json()
    r = apply(clients.officer, case, "2026-12-10")
    assert r.status_code == 409 and r.json()["code"] == "plan_exists", r.content
    r = decide(clients.on("2027-01-02").head, case, plan["id"], True, "2027-01-02")
    assert r.status_code == 409 and r.json()["code"] == "plan_schedule_passed", r.content
    listed = clients.auditor.get(f"/api/v1/cases/{case.id}/payment_plans/")
    assert listed.status_code == 200 and [p["status"] for p in listed.json()] == ["applied"]
