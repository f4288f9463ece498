"""履行: payments, the balance and 加处罚款 (行政处罚法 第六十七条、第七十二条), and the 结案 check, over HTTP."""

from __future__ import annotations

from execution.conftest import account, deadlines, pay

from backend.cases.models import Case
from backend.execution.models import Payment


def test_paid_on_time_in_two_parts_then_closed(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00", gains="1260.00")
    serve(case, "2026-12-02")
    assert deadlines(clients.officer, case)["PAYMENT"]["due_on"] == "2026-12-17"  # 15 days (第六十七条第三款)

    r = pay(clients.on("2026-12-10").officer, case, "2000.00", "2026-12-10", "辽财缴〔2026〕0045871")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["case_status"] == "executing"  # the first payment starts 执行
    assert body["account"]["owed"] == "6260.00" and body["account"]["balance"] == "4260.00"
    assert r["ETag"] == f'"{body["case_version"]}"'

    r = pay(clients.on("2026-12-16").officer, case, "4260.00", "2026-12-16", "辽财缴〔2026〕0046102", "electronic")
    assert r.status_code == 201, r.content
    assert r.json()["account"]["state"] == "paid"
    case.refresh_from_db()
    assert case.executed_on.isoformat() == "2026-12-16"  # 执行完毕 from the last payment
    rows = deadlines(clients.officer, case)
    assert rows["PAYMENT"]["state"] == "met" and rows["PAYMENT"]["met_late"] is False
    assert rows["CASE_CLOSURE"]["state"] == "due"

    shown = account(clients.on("2027-03-01").auditor, case)  # the auditor reads it, months later: no surcharge
    assert shown["surcharge"]["amount"] == "0.00" and shown["balance"] == "0.00"
    assert [p["amount"] for p in shown["payments"]] == ["2000.00", "4260.00"]
    r = clients.on("2026-12-18").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content


def test_paid_late_owes_the_surcharge_and_cannot_close_until_it_is_paid(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-15")  # last day 2026-12-30
    # Paid 2027-01-04: five days late across the new year (12-31 … 01-04) → 3 % × 5000 × 5.
    r = pay(clients.on("2027-01-04").officer, case, "5000.00", "2027-01-04", "BK20270104-00381")
    assert r.status_code == 201, r.content
    owed = r.json()["account"]
    assert owed["surcharge"] == {
        "since": "2026-12-31",
        "days": 5,
        "paused_days": 0,
        "amount": "750.00",
        "capped": False,
    }
    assert owed["balance"] == "750.00" and owed["state"] == "overdue"
    assert deadlines(clients.officer, case)["PAYMENT"]["met_late"] is True

    r = clients.on("2027-01-05").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "execution_balance_open", r.content
    assert r.json()["extra"] == {"balance": "750.00", "surcharge": "750.00"}
    # The surcharge stopped growing with the fine paid: it is 3 % of the unpaid fine.
    assert account(clients.on("2027-02-01").officer, case)["surcharge"]["amount"] == "750.00"

    r = pay(clients.on("2027-01-06").officer, case, "750.00", "2027-01-06", "BK20270106-00112")
    assert r.status_code == 201 and r.json()["account"]["state"] == "paid", r.content
    r = clients.on("2027-01-07").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content


def test_partial_payment_reduces_the_daily_surcharge_and_the_total_is_capped_at_the_fine(clients, decided_fine, serve):
    case = decided_fine(fine="20000.00")
    serve(case, "2026-12-02")  # last day 2026-12-17
    # 10 days late on 20000 (12-18 … 12-27), then 12000 paid on 12-27: 8000 left at 240 a day.
    assert pay(clients.on("2026-12-27").officer, case, "12000.00", "2026-12-27", "BK-1").status_code == 201
    shown = account(clients.on("2027-01-06").officer, case)
    assert shown["surcharge"]["days"] == 20
    assert shown["surcharge"]["amount"] == "8400.00"  # 10 × 600 + 10 × 240
    assert shown["balance"] == "16400.00"
    later = account(clients.on("2027-12-31").officer, case)
    assert later["surcharge"] == {
        "since": "2026-12-18",
        "days": later["surcharge"]["days"],
        "paused_days": 0,
        "amount": "20000.00",
        "capped": True,
    }  # never more than the fine (第七十二条)
    assert later["balance"] == "28000.00"


def test_payments_refused_when_not_allowed(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00")
    # Not served yet: nothing is payable through this record.
    r = pay(clients.on("2026-12-01").officer, case, "100.00", "2026-12-01", "BK-0")
    assert r.status_code == 409 and r.json()["code"] == "step_not_allowed", r.content
    serve(case, "2026-12-02")
    r = pay(clients.on("2026-12-05").officer, case, "5000.01", "2026-12-05", "BK-1")
    assert r.status_code == 409 and r.json()["code"] == "payment_exceeds_balance", r.content
    assert r.json()["extra"]["balance"] == "5000.00"
    assert pay(clients.officer, case, "1000.00", "2026-12-05", "BK-1").status_code == 201
    r = pay(clients.officer, case, "1000.00", "2026-12-05", "BK-1")
    assert r.status_code == 409 and r.json()["code"] == "payment_duplicate", r.content
    r = pay(clients.officer, case, "1000.00", "2026-11-30", "BK-2")
    assert r.status_code == 422 and r.json()["code"] == "paid_before_decision", r.content
    r = pay(clients.officer, case, "1000.00", "2026-12-06", "BK-3")
    assert r.status_code == 400 and r.json()["code"] == "date_in_future", r.content
    r = pay(clients.officer, case, "-5", "2026-12-05", "BK-4")
    assert r.status_code == 400, r.content
    assert Payment.objects.filter(case=case).count() == 1


def test_roles_auditor_reads_only_other_agency_sees_nothing(clients, decided_fine, serve, officer_a2):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-02")
    r = pay(clients.on("2026-12-05").auditor, case, "100.00", "2026-12-05", "BK-A")
    assert r.status_code == 403 and r.json()["code"] == "read_only_role", r.content
    assert account(clients.auditor, case)["balance"] == "5000.00"
    r = pay(clients.other, case, "100.00", "2026-12-05", "BK-B")
    assert r.status_code == 404 and r.json()["code"] == "case_not_found", r.content
    assert clients.other.get(f"/api/v1/cases/{case.id}/account/").status_code == 404
    r = pay(clients.reviewer, case, "100.00", "2026-12-05", "BK-C")  # reads the case, does not handle it
    assert r.status_code == 403 and r.json()["code"] == "not_handling_officer", r.content
    assert pay(clients.head, case, "100.00", "2026-12-05", "BK-D").status_code == 201  # the head may record
    assert Case.objects.get(pk=case.pk).status == "executing"
