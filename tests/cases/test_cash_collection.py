"""当场收缴罚款 (行政处罚法 第六十八条至第七十一条): who may collect on the spot, the official receipt, and the
hand-in (2 working days; on water from reaching the shore) and bank deposit (2 working days) as deadlines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from cases.casekit import TZ, new_case, walk
from support import pin_clock

from backend.cases.deadlines import deadline_reminders
from backend.cases.models import Case, CaseDeadline, CashCollection
from backend.cases.rules import cash_collection_problem
from backend.ledger.models import AuditEvent

D = dt.date
LEGAL_BASIS = [{"law": "吉林省市容和环境卫生管理条例", "article": "第二十条"}]
DECIDED_AT = "2026-11-02T10:00:00+08:00"  # Mon: the 2 working days to hand the money in end Wed 11-04


@pytest.fixture(autouse=True)
def server_clock(monkeypatch):
    pin_clock(monkeypatch, dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ))


# --------------------------------------------------------------------------- the pure rule


@pytest.mark.parametrize(("fine", "allowed"), [("99.99", True), ("100", True), ("100.01", False)])
def test_a_small_fine_is_one_of_100_yuan_or_less(fine, allowed):
    problem = cash_collection_problem(ground="small_fine", summary=True, fine=Decimal(fine), party_requested=False,
                                      ground_note="")
    assert (problem is None) is allowed
    if not allowed:
        assert problem.code == "cash_collection_not_allowed"


def test_a_fine_hard_to_enforce_later_needs_the_reason_written_down():
    kwargs = {"ground": "hard_to_enforce", "summary": True, "fine": Decimal("200"), "party_requested": False}
    assert cash_collection_problem(**kwargs, ground_note="").code == "cash_ground_note_required"
    assert cash_collection_problem(**kwargs, ground_note="当事人为外地流动摊贩，无固定住所") is None


def test_a_general_procedure_fine_only_in_a_remote_area_at_the_partys_request():
    kwargs = {"summary": False, "fine": Decimal("5000"), "ground_note": "长山村，距最近银行四十公里"}
    assert cash_collection_problem(ground="small_fine", party_requested=True, **kwargs).code == \
        "cash_collection_not_allowed"
    assert cash_collection_problem(ground="hard_to_enforce", party_requested=True, **kwargs).code == \
        "cash_collection_not_allowed"
    assert cash_collection_problem(ground="remote_area", party_requested=False, **kwargs).code == \
        "cash_collection_not_requested"
    assert cash_collection_problem(ground="remote_area", party_requested=True, **kwargs) is None


def test_nothing_is_collected_without_a_fine():
    assert cash_collection_problem(ground="small_fine", summary=True, fine=None, party_requested=False,
                                   ground_note="").code == "cash_collection_without_fine"


# --------------------------------------------------------------------------- 简易程序 through the API


def _summary(client, officer2, *, amount="100", cash=None, **extra):
    body = {
        "title": "占道经营", "party_type": "natural_person", "party_name": "李四", "facts": "在人行道上摆摊经营",
        "legal_basis": LEGAL_BASIS, "officer_ids": [str(officer2.pk)], "decided_at": DECIDED_AT,
        "measures": [{"kind": "fine", "amount": amount}], "paid_on_spot": True, **extra,
    }
    if cash is not None:
        body["cash_collection"] = cash
    return client.post("/api/v1/cases/summary/", body, format="json")


def _deadline(case_id, code):
    return CaseDeadline.objects.get(case_id=case_id, rule_code=code)


@pytest.mark.parametrize(("amount", "status"), [("99.99", 201), ("100", 201), ("100.01", 409)])
def test_on_the_spot_collection_of_a_small_fine_stops_above_100_yuan(as_user, officer_a, officer_a2, amount, status):
    r = _summary(as_user(officer_a), officer_a2, amount=amount,
                 cash={"ground": "small_fine", "receipt_number": f"吉财罚0001-{amount}"})
    assert r.status_code == status, r.json()
    if status == 409:
        assert r.json()["code"] == "cash_collection_not_allowed"
        assert not Case.objects.exists() and not CashCollection.objects.exists()
        return
    case = Case.objects.get(pk=r.json()["id"])
    assert case.executed_on == D(2026, 11, 2)
    assert not CaseDeadline.objects.filter(case=case, rule_code="PAYMENT").exists()
    handover = _deadline(case.pk, "CASH_FINE_HANDOVER")
    assert (handover.anchor_on, handover.due_on, handover.state) == (D(2026, 11, 2), D(2026, 11, 4), "due")


def test_a_larger_fine_hard_to_enforce_later_is_collected_with_the_reason(as_user, officer_a, officer_a2):
    cash = {"ground": "hard_to_enforce", "receipt_number": "吉财罚0002"}
    r = _summary(as_user(officer_a), officer_a2, amount="150", cash=cash)
    assert r.status_code == 409 and r.json()["code"] == "cash_ground_note_required"
    r = _summary(as_user(officer_a), officer_a2, amount="150", cash={**cash, "ground_note": "外地流动摊贩，无固定住所"})
    assert r.status_code == 201, r.json()
    detail = as_user(officer_a).get(f"/api/v1/cases/{r.json()['id']}/?masked=1").json()
    assert detail["cash_collection"]["ground"] == "hard_to_enforce"
    assert detail["cash_collection"]["receipt_number"] == "吉财罚0002"
    assert detail["cash_collection"]["amount"] == "150.00"


def test_the_official_receipt_number_is_required_and_used_once(as_user, officer_a, officer_a2):
    officer = as_user(officer_a)
    r = _summary(officer, officer_a2)  # paid on the spot, no receipt
    assert r.status_code == 422 and r.json()["code"] == "cash_receipt_required"
    r = _summary(officer, officer_a2, cash={"ground": "small_fine", "receipt_number": "  "})
    assert r.status_code == 400 and "receipt_number" in r.json()["fields"]["cash_collection"]
    assert _summary(officer, officer_a2, cash={"receipt_number": "吉财罚0003"}).status_code == 201
    r = _summary(officer, officer_a2, cash={"receipt_number": "吉财罚0003"})
    assert r.status_code == 409 and r.json()["code"] == "cash_receipt_in_use"


@pytest.mark.parametrize(("handed_in_on", "late"), [("2026-11-03", False), ("2026-11-04", False),
                                                    ("2026-11-05", True)])
def test_the_hand_in_is_due_within_two_working_days_and_then_the_bank_deposit(
    as_user, officer_a, officer_a2, head_a, handed_in_on, late
):
    officer, head = as_user(officer_a), as_user(head_a)
    case_id = _summary(officer, officer_a2, cash={"receipt_number": "吉财罚0004"}).json()["id"]
    url = f"/api/v1/cases/{case_id}/cash_collection"
    r = officer.post(f"{url}/handed_in/", {"handed_in_on": handed_in_on}, format="json")
    assert r.status_code == 200, r.json()
    handover = _deadline(case_id, "CASH_FINE_HANDOVER")
    assert handover.state == "met" and handover.met_late is late
    assert AuditEvent.objects.get(action="case.cash_handed_in").data["late"] is late
    deposit = _deadline(case_id, "CASH_FINE_BANK_DEPOSIT")
    assert deposit.anchor_on == D.fromisoformat(handed_in_on)
    assert deposit.due_on == {"2026-11-03": D(2026, 11, 5), "2026-11-04": D(2026, 11, 6),
                              "2026-11-05": D(2026, 11, 9)}[handed_in_on]  # Sat/Sun are not working days
    # Summary case filed, but cannot be closed until the money is in the bank (第七十一条).
    assert officer.post(f"/api/v1/cases/{case_id}/file_summary/", {}, format="json").status_code == 200
    r = head.post(f"/api/v1/cases/{case_id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "cash_not_deposited"
    r = head.post(f"{url}/deposited/", {"deposited_on": deposit.due_on.isoformat(), "bank_receipt_number": "B-1"},
                  format="json")
    assert r.status_code == 200 and r.json()["deposited_on"] == deposit.due_on.isoformat()
    deposit.refresh_from_db()
    assert deposit.state == "met" and deposit.met_late is False
    assert head.post(f"/api/v1/cases/{case_id}/close/", {}, format="json").json()["status"] == "closed"


@pytest.mark.parametrize(("today", "overdue"), [(D(2026, 11, 3), False), (D(2026, 11, 4), False),
                                                (D(2026, 11, 5), True)])
def test_a_hand_in_not_recorded_is_flagged_overdue_by_the_sweep(as_user, officer_a, officer_a2, today, overdue):
    case_id = _summary(as_user(officer_a), officer_a2, cash={"receipt_number": "吉财罚0005"}).json()["id"]
    deadline_reminders(today=today)
    handover = _deadline(case_id, "CASH_FINE_HANDOVER")
    assert (handover.state == "overdue") is overdue
    assert AuditEvent.objects.filter(action="deadline.overdue", case_id=case_id).exists() is overdue


def test_on_water_the_two_days_run_from_reaching_the_shore(as_user, officer_a, officer_a2, head_a):
    officer = as_user(officer_a)
    cash = {"ground": "small_fine", "receipt_number": "吉财罚0006", "on_water": True}
    case_id = _summary(officer, officer_a2, cash=cash).json()["id"]
    assert not CaseDeadline.objects.filter(case_id=case_id, rule_code="CASH_FINE_HANDOVER").exists()
    url = f"/api/v1/cases/{case_id}/cash_collection"
    r = officer.post(f"{url}/handed_in/", {"handed_in_on": "2026-11-05"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "landing_not_recorded"
    r = officer.post(f"{url}/landed/", {"landed_on": "2026-11-01"}, format="json")
    assert r.status_code == 422 and r.json()["code"] == "landed_before_collection"
    assert officer.post(f"{url}/landed/", {"landed_on": "2026-11-06"}, format="json").status_code == 200  # Fri
    handover = _deadline(case_id, "CASH_FINE_HANDOVER")
    assert (handover.anchor_on, handover.due_on) == (D(2026, 11, 6), D(2026, 11, 10))
    assert officer.post(f"{url}/handed_in/", {"handed_in_on": "2026-11-10"}, format="json").status_code == 200
    handover.refresh_from_db()
    assert handover.state == "met" and handover.met_late is False


def test_cash_dates_cannot_lie_in_the_future(as_user, officer_a, officer_a2):
    officer = as_user(officer_a)
    case_id = _summary(officer, officer_a2, cash={"receipt_number": "吉财罚0007"}).json()["id"]
    r = officer.post(f"/api/v1/cases/{case_id}/cash_collection/handed_in/", {"handed_in_on": "2026-11-21"},
                     format="json")
    assert r.status_code == 400 and r.json()["code"] == "date_in_future"


# --------------------------------------------------------------------------- 普通程序 (第六十九条)


def test_a_general_procedure_fine_is_collected_only_in_a_remote_area_at_the_partys_request(
    as_user, officer_a, officer_a2, head_a
):
    start = D(2026, 3, 2)
    case = walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="served", start=start)
    assert case.status == "served" and case.fine_amount == Decimal("5000")
    url = f"/api/v1/cases/{case.id}/cash_collection/"
    officer = as_user(officer_a)
    base = {"receipt_number": "吉财罚0100", "collected_at": "2026-03-25T09:00:00+08:00",
            "ground_note": "长山村，距最近银行网点四十公里"}
    r = officer.post(url, {**base, "ground": "small_fine", "party_requested": True}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "cash_collection_not_allowed"
    r = officer.post(url, {**base, "ground": "remote_area"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "cash_collection_not_requested"
    r = officer.post(url, {**base, "ground": "remote_area", "party_requested": True}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["amount"] == "5000.00"
    case.refresh_from_db()
    assert case.executed_on == D(2026, 3, 25)
    assert _deadline(case.pk, "PAYMENT").state == "met"
    assert _deadline(case.pk, "CASH_FINE_HANDOVER").due_on == D(2026, 3, 27)
    assert _deadline(case.pk, "CASE_CLOSURE").state == "due"
    r = officer.post(url, {**base, "receipt_number": "吉财罚0101", "ground": "remote_area", "party_requested": True},
                     format="json")
    assert r.status_code == 409 and r.json()["code"] == "fine_already_paid"
