"""催告 → 强制执行 / court application over HTTP (行政强制法 第三十五条至第四十条、第四十六条、
第五十三条、第五十四条)."""

from __future__ import annotations

import datetime as dt

from execution.conftest import account, deadlines, pay

from backend.cases.models import Case
from backend.common.calendar import get_calendar
from backend.common.workdays import get_rule


def step(client, case, name: str, **body):
    return client.post(f"/api/v1/cases/{case.id}/enforcement/{name}/", body, format="json")


def test_reminder_then_court_application_with_a_ruling(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-02")  # nothing paid; 复议 until 2027-02-01, 诉讼 until 2027-06-02
    r = step(
        clients.on("2027-05-20").officer,
        case,
        "reminder",
        perform_by="2027-05-31",
        issued_on="2027-05-20",
        content="限你单位于2027年5月31日前缴纳罚款5000元及加处罚款5000元",
    )
    assert r.status_code == 200, r.content
    reminder = r.json()["reminders"][0]
    assert reminder["amount"] == "10000.00"  # the surcharge reached its ceiling: the fine (第七十二条)
    r = step(
        clients.on("2027-05-21").officer,
        case,
        "reminder_served",
        reminder_id=reminder["id"],
        method="direct",
        served_on="2027-05-21",
    )
    assert r.status_code == 200, r.content
    wait = get_calendar().compute(get_rule("ENFORCEMENT_REMINDER"), dt.date(2027, 5, 21)).due
    rows = deadlines(clients.officer, case)
    assert rows["ENFORCEMENT_REMINDER"]["due_on"] == wait.isoformat()
    assert rows["COURT_ENFORCEMENT_APPLICATION"]["due_on"] == "2027-09-02"  # 3 months after 2027-06-02
    r = step(
        clients.on("2027-05-25").officer,
        case,
        "statement",
        reminder_id=reminder["id"],
        statement="当事人称资金周转困难，请求暂缓",
        adopted=False,
        review="当事人未提交经济困难的证明材料，不予采纳",
        stated_on="2027-05-25",
    )
    assert r.status_code == 200 and r.json()["reminders"][0]["statement_adopted"] is False, r.content

    court = "辽源市龙山区人民法院"
    r = step(clients.on("2027-06-01").head, case, "court_application", reminder_id=reminder["id"], court=court)
    assert r.status_code == 409 and r.json()["code"] == "reminder_period_running", r.content  # 10 working days
    day = (wait + dt.timedelta(days=1)).isoformat()
    r = step(clients.on(day).officer, case, "court_application", reminder_id=reminder["id"], court=court)
    assert r.status_code == 403 and r.json()["code"] == "head_required", r.content
    r = step(
        clients.head,
        case,
        "court_application",
        reminder_id=reminder["id"],
        court=court,
        reference="辽市监强申〔2027〕3号",
    )
    assert r.status_code == 200, r.content
    action = r.json()["actions"][0]
    assert action["kind"] == "court_application" and action["acted_on"] == day
    assert deadlines(clients.officer, case)["COURT_ENFORCEMENT_APPLICATION"]["state"] == "met"

    r = step(clients.on("2027-06-25").head, case, "outcome", action_id=action["id"], outcome="executed", reason="执行")
    assert r.status_code == 409 and r.json()["code"] == "court_not_granted", r.content
    r = step(
        clients.officer,
        case,
        "court_ruling",
        action_id=action["id"],
        ruling="granted",
        reference="（2027）吉0402行审12号",
        ruled_on="2027-06-25",
    )
    assert r.status_code == 200 and r.json()["actions"][0]["ruling"] == "granted", r.content
    r = pay(clients.on("2027-07-10").officer, case, "10000.00", "2027-07-10", "（2027）吉0402执301号", "enforced")
    assert r.status_code == 201 and r.json()["account"]["state"] == "paid", r.content
    r = step(
        clients.head,
        case,
        "outcome",
        action_id=action["id"],
        outcome="executed",
        reason="法院划拨存款",
        concluded_on="2027-07-10",
    )
    assert r.status_code == 200, r.content
    r = clients.on("2027-07-12").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content


def test_a_court_application_waits_for_the_remedy_periods(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-02")
    reminder = step(clients.on("2027-01-05").officer, case, "reminder", perform_by="2027-01-15").json()["reminders"][0]
    step(clients.officer, case, "reminder_served", reminder_id=reminder["id"], method="post")
    r = step(clients.on("2027-03-01").head, case, "court_application", reminder_id=reminder["id"], court="龙山区法院")
    assert r.status_code == 409 and r.json()["code"] == "remedy_period_running", r.content
    assert r.json()["extra"] == {"rule": "LITIGATION_WINDOW", "due_on": "2027-06-02"}
    r = step(clients.on("2027-09-03").head, case, "court_application", reminder_id=reminder["id"], court="龙山区法院")
    assert r.status_code == 409 and r.json()["code"] == "court_application_period_expired", r.content


def test_enforcement_is_refused_while_a_suit_suspends_it(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-02")
    reminder = step(clients.on("2026-12-20").officer, case, "reminder", perform_by="2026-12-31").json()["reminders"][0]
    step(clients.officer, case, "reminder_served", reminder_id=reminder["id"], method="direct")
    suit = (
        clients.on("2027-01-04")
        .officer.post(
            f"/api/v1/cases/{case.id}/remedies/",
            {"kind": "litigation", "body": "辽源市龙山区人民法院", "case_number": "（2027）吉0402行初3号"},
            format="json",
        )
        .json()
    )
    r = clients.head.post(
        f"/api/v1/cases/{case.id}/remedies/{suit['id']}/suspend/",
        {"basis": "人民法院裁定停止执行（行政诉讼法第五十六条第一款第三项）"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["execution_suspended"] is True, r.content
    power = "行政强制法第四十六条第三款：依法拍卖查封、扣押的财物抵缴罚款"
    r = step(
        clients.on("2027-02-01").head,
        case,
        "decision",
        reminder_id=reminder["id"],
        legal_power=power,
        method="拍卖扣押的财物抵缴罚款",
    )
    assert r.status_code == 409 and r.json()["code"] == "execution_suspended", r.content
    r = step(clients.head, case, "reminder", perform_by="2027-02-10")
    assert r.status_code == 409 and r.json()["code"] == "execution_suspended", r.content
    # The surcharge stood still from the filing (第七十三条第三款): 12-18 … 01-03 only.
    assert account(clients.officer, case)["surcharge"]["days"] == 17


def test_the_agencys_own_decision_waits_for_thirty_days_of_surcharge_and_may_end_in_termination(
    clients, decided_fine, serve
):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-02")  # surcharge from 2026-12-18
    reminder = step(clients.on("2026-12-20").officer, case, "reminder", perform_by="2026-12-31").json()["reminders"][0]
    step(clients.officer, case, "reminder_served", reminder_id=reminder["id"], method="direct")
    power = "行政强制法第四十六条第三款：依法拍卖查封、扣押的财物抵缴罚款"
    r = step(
        clients.on("2027-01-05").head,
        case,
        "decision",
        reminder_id=reminder["id"],
        legal_power=power,
        method="拍卖扣押的财物抵缴罚款",
    )
    assert r.status_code == 409 and r.json()["code"] == "surcharge_period_running", r.content
    r = step(clients.on("2027-01-20").head, case, "decision", reminder_id=reminder["id"], legal_power="", method="拍卖")
    assert r.status_code == 400, r.content
    r = step(clients.head, case, "decision", reminder_id=reminder["id"], legal_power=power, method="拍卖扣押的财物")
    assert r.status_code == 200, r.content
    action = r.json()["actions"][0]
    assert action["kind"] == "agency_decision"
    r = clients.on("2027-02-01").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "execution_balance_open", r.content
    r = step(
        clients.head,
        case,
        "outcome",
        action_id=action["id"],
        outcome="terminated",
        reason="当事人辽源市恒通商贸有限公司已注销，无财产可供执行（行政强制法第四十条第二项）",
    )
    assert r.status_code == 200, r.content
    r = clients.head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content  # 终结执行 closes with the balance
    assert str(Case.objects.get(pk=case.pk).executed_on) == "2027-02-01"


def test_enforcement_roles(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-02")
    r = step(clients.on("2026-12-10").officer, case, "reminder", perform_by="2026-12-31")
    assert r.status_code == 409 and r.json()["code"] == "performance_period_running", r.content
    r = step(clients.on("2026-12-20").auditor, case, "reminder", perform_by="2026-12-31")
    assert r.status_code == 403 and r.json()["code"] == "read_only_role", r.content
    assert step(clients.other, case, "reminder", perform_by="2026-12-31").status_code == 404
    assert clients.other.get(f"/api/v1/cases/{case.id}/enforcement/").status_code == 404
    assert clients.auditor.get(f"/api/v1/cases/{case.id}/enforcement/").json()["reminders"] == []
