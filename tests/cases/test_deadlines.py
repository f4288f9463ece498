"""The deadlines engine on the official calendar: 2026 Spring Festival and National Day, make-up working
days, calendar periods rolling off holidays, provisional dates beyond the package's data, reminders at
T-3/T-1 working days, and the due-soon/overdue views."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from cases.casekit import at, ctx, new_case, walk
from django.utils import timezone
from support import make_agency, make_user

from backend.accounts.models import Role
from backend.cases import services
from backend.cases.deadlines import deadline_open, deadline_reminders
from backend.cases.models import CaseDeadline, DeadlineReminder
from backend.common.calendar import get_calendar
from backend.common.errors import PreconditionFailed
from backend.common.models import CalendarYear, HolidayOverride
from backend.ledger.models import AuditEvent

D = dt.date


def notified_case(officer_a, officer_a2, head_a, served_on: D):
    start = served_on - dt.timedelta(days=30)
    case = walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="proposed", start=start)
    return services.case_notify(case=case, actor=officer_a, context=ctx(officer_a), now=at(served_on))


def test_the_statement_window_spans_the_spring_festival_and_counts_the_make_up_saturday(
    officer_a, officer_a2, head_a
):
    """Served Thu 2026-02-12: Fri 13 (1), Sat 14 调休上班 (2), 15–23 春节, Tue 24 (3), Wed 25 (4), Thu 26 (5)."""
    case = notified_case(officer_a, officer_a2, head_a, D(2026, 2, 12))
    window = CaseDeadline.objects.get(case=case, rule_code="STATEMENT_DEFENCE")
    assert (window.due_on, window.kind, window.provisional) == (D(2026, 2, 26), "window", False)
    with pytest.raises(PreconditionFailed) as failure:
        services.case_start_defence_review(case=case, actor=officer_a, context=ctx(officer_a), now=at("2026-02-26"))
    assert failure.value.code == "statement_window_open"
    case = services.case_start_defence_review(case=case, actor=officer_a, context=ctx(officer_a),
                                              now=at("2026-02-27"))
    assert case.status == "reviewing_defence"


def test_the_statement_window_spans_national_day(officer_a, officer_a2, head_a):
    """Served Tue 2026-09-29: Wed 30 (1), 10-01..07 国庆, Thu 8 (2), Fri 9 (3), Sat 10 调休 (4), Mon 12 (5)."""
    case = notified_case(officer_a, officer_a2, head_a, D(2026, 9, 29))
    assert CaseDeadline.objects.get(case=case, rule_code="STATEMENT_DEFENCE").due_on == D(2026, 10, 12)


@pytest.mark.parametrize(
    ("code", "anchor", "due"),
    [
        # 7 working days from Fri 09-18: Sun 09-20 is a make-up working day, 中秋 09-25..27 rest.
        ("DECISION_SERVICE", D(2026, 9, 18), D(2026, 9, 29)),
        # 15 calendar days from 09-16 end on 10-01 (国庆): rolls to the first working day after the holiday.
        ("PAYMENT", D(2026, 9, 16), D(2026, 10, 8)),
        # 15 working days from Mon 2026-02-09 across 春节: 02-10..13, 14(调休), 24..27, 28(调休), 03-02..06.
        ("CLUE_VERIFY", D(2026, 2, 9), D(2026, 3, 6)),
        # 30 calendar days of 查封扣押 from 2026-09-03 end Sat 10-03: rolls to Thu 10-08.
        ("SEIZURE", D(2026, 9, 3), D(2026, 10, 8)),
        # 10 working days of case review from Wed 2026-09-30: 10-08, 09, 10(调休), 12..16, 19, 20.
        ("CASE_REVIEW", D(2026, 9, 30), D(2026, 10, 20)),
    ],
)
def test_statutory_periods_on_the_2026_calendar(officer_a, officer_a2, code, anchor, due):
    case = new_case(officer_a, officer_a2, on=anchor)
    deadline = deadline_open(case=case, code=code, anchor_on=anchor)
    assert deadline.due_on == due
    assert not deadline.provisional


def test_the_90_day_decision_limit_rolls_off_the_spring_festival(officer_a, officer_a2, head_a):
    """立案 2025-11-18 + 90 days = Mon 2026-02-16 (春节) → Tue 2026-02-24."""
    case = new_case(officer_a, officer_a2, on=D(2025, 11, 18))
    services.case_register(case=case, actor=head_a, context=ctx(head_a), now=at("2025-11-18"))
    deadline = CaseDeadline.objects.get(case=case, rule_code="DECISION")
    assert deadline.due_on == D(2026, 2, 24)


def test_a_deadline_in_a_year_without_holiday_data_is_provisional_until_the_table_covers_it(
    officer_a, officer_a2, head_a
):
    case = notified_case(officer_a, officer_a2, head_a, D(2026, 12, 29))
    window = CaseDeadline.objects.get(case=case, rule_code="STATEMENT_DEFENCE")
    # 2027 not announced: Wed 30, Thu 31, Fri 01-01 元旦 (放假办法 第二条: rests whatever the notice says),
    # then Mon 4, Tue 5, Wed 6 — the party's window ends on the latest plausible day.
    assert window.provisional and window.due_on == D(2027, 1, 6)

    # Staff enter the State Council's 2027 notice; the one recompute job makes the date final.
    from backend.common.calendar import calendar_recompute

    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕X号")
    calendar_recompute(years=[2027], today=D(2026, 12, 30), context=ctx(head_a))
    window.refresh_from_db()
    assert not window.provisional and window.due_on == D(2027, 1, 6)
    assert get_calendar().is_covered(2027)


def test_reminders_at_t_minus_3_and_t_minus_1_working_days_then_overdue(officer_a, officer_a2, head_a):
    """DECISION_SERVICE due Tue 2026-09-29: T-3 = Wed 09-23, T-1 = Mon 09-28 (中秋 in between)."""
    case = walk(new_case(officer_a, officer_a2, on=D(2026, 8, 28)), officer=officer_a, head=head_a,
                to="deciding", start=D(2026, 8, 28))
    services.case_decide(case=case, actor=head_a, context=ctx(head_a), now=at("2026-09-18"))
    deadline = CaseDeadline.objects.get(case=case, rule_code="DECISION_SERVICE")
    assert deadline.due_on == D(2026, 9, 29)

    def sweep(day: str) -> list[str]:
        deadline_reminders(today=D.fromisoformat(day))
        return list(DeadlineReminder.objects.filter(deadline=deadline).order_by("pk").values_list("kind", flat=True))

    assert sweep("2026-09-22") == []
    assert sweep("2026-09-23") == ["t-3"]
    assert sweep("2026-09-23") == ["t-3"]  # a replayed sweep issues nothing twice
    assert sweep("2026-09-25") == ["t-3"]
    assert sweep("2026-09-28") == ["t-3", "t-1"]
    assert sweep("2026-09-29") == ["t-3", "t-1"]  # due today: not overdue yet
    assert sweep("2026-09-30") == ["t-3", "t-1", "overdue"]
    deadline.refresh_from_db()
    assert deadline.state == "overdue"
    reminder = DeadlineReminder.objects.get(deadline=deadline, kind="t-1")
    assert set(reminder.recipient_ids) == {str(officer_a.pk), str(officer_a2.pk), str(head_a.pk)}
    overdue_event = AuditEvent.objects.filter(action="deadline.overdue", case_id=case.id).get()
    assert overdue_event.data["rule"] == "DECISION_SERVICE"
    # Serving late meets it, marked late.
    services.case_serve(case=case, actor=officer_a, context=ctx(officer_a), method="direct", now=at("2026-10-08"))
    deadline.refresh_from_db()
    assert (deadline.state, deadline.met_late) == ("met", True)


def test_a_sweep_that_missed_t_minus_3_sends_only_t_minus_1(officer_a, officer_a2):
    case = new_case(officer_a, officer_a2, on=D(2026, 9, 18))
    deadline = deadline_open(case=case, code="DECISION_SERVICE", anchor_on=D(2026, 9, 18))
    deadline_reminders(today=D(2026, 9, 28))
    assert list(deadline.reminders.values_list("kind", flat=True)) == ["t-1"]


def test_party_windows_elapse_rather_than_go_overdue(officer_a, officer_a2, head_a):
    case = notified_case(officer_a, officer_a2, head_a, D(2026, 9, 29))
    deadline_reminders(today=D(2026, 10, 20))
    window = CaseDeadline.objects.get(case=case, rule_code="STATEMENT_DEFENCE")
    assert window.state == "met" and not window.reminders.exists()


@pytest.fixture
def supervised(agency_a):
    """A city-level supervising agency whose auditor also reads agency A (吉林省行政执法监督条例)."""
    parent = make_agency("辽源市人民政府司法局", "11220400MB0000001Z")
    agency_a.parent = parent
    agency_a.save()
    return make_user("city_auditor", parent, [Role.AUDITOR], full_name="市司法局监督员")


def test_due_soon_and_overdue_views_per_agency_and_for_supervision(
    as_user, officer_a, officer_a2, officer_b, auditor_a, supervised, agency_a
):
    today = timezone.localdate()
    case = new_case(officer_a, officer_a2, on=today)
    calendar = get_calendar()
    soon = calendar.add_workdays(today, 2).due
    CaseDeadline.objects.filter(case=case).delete()
    CaseDeadline.objects.create(case=case, rule_code="DECISION_SERVICE", name="送达", anchor_on=today,
                                due_on=soon)
    CaseDeadline.objects.create(case=case, rule_code="CASE_CLOSURE", name="结案", anchor_on=today,
                                due_on=today - dt.timedelta(days=1))
    CaseDeadline.objects.create(case=case, rule_code="STATEMENT_DEFENCE", name="陈述申辩", kind="window",
                                anchor_on=today, due_on=today - dt.timedelta(days=1))

    officer = as_user(officer_a)
    due_soon = officer.get("/api/v1/deadlines/?bucket=due_soon").json()["results"]
    assert [d["rule_code"] for d in due_soon] == ["DECISION_SERVICE"]
    overdue = officer.get("/api/v1/deadlines/?bucket=overdue").json()["results"]
    assert [(d["rule_code"], d["effective_state"]) for d in overdue] == [("CASE_CLOSURE", "overdue")]

    # The supervising agency's auditor sees agency A's overdue items; agency B sees nothing.
    city = as_user(supervised)
    summary = city.get("/api/v1/deadlines/summary/").json()
    assert summary == [{"agency_id": agency_a.pk, "agency_name": agency_a.name, "open": 3, "due_soon": 1,
                        "overdue": 1, "met_late": 0}]
    assert len(city.get(f"/api/v1/deadlines/?bucket=overdue&agency={agency_a.pk}").json()["results"]) == 1
    assert as_user(officer_b).get("/api/v1/deadlines/?bucket=overdue").json()["results"] == []
    assert as_user(auditor_a).get("/api/v1/deadlines/summary/").json()[0]["overdue"] == 1

    # The case shows each deadline and its state.
    rows = officer.get(f"/api/v1/cases/{case.id}/deadlines/").json()
    assert {r["rule_code"]: r["effective_state"] for r in rows} == {
        "DECISION_SERVICE": "due", "CASE_CLOSURE": "overdue", "STATEMENT_DEFENCE": "due",
    }


def test_late_payment_is_surcharged_three_percent_a_day_up_to_the_fine(as_user, officer_a, officer_a2, head_a):
    """加处罚款 (行政处罚法 第七十二条第一项): 3 % of the 5,000 fine a day after the payment period, capped at 5,000."""
    from backend.cases.deadlines import late_payment_surcharge

    start = D(2026, 3, 2)
    case = walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="served", start=start)
    due = CaseDeadline.objects.get(case=case, rule_code="PAYMENT").due_on
    assert late_payment_surcharge(case=case, today=due) is None  # the last day of the period is not late
    owed = late_payment_surcharge(case=case, today=due + dt.timedelta(days=10))
    assert (owed["days"], owed["amount"], owed["capped"]) == (10, Decimal("1500.00"), False)
    owed = late_payment_surcharge(case=case, today=due + dt.timedelta(days=40))
    assert (owed["amount"], owed["capped"]) == (Decimal("5000.00"), True)
    body = as_user(officer_a).get(f"/api/v1/cases/{case.id}/", {"masked": "1"}).json()
    assert body["late_payment_surcharge"]["amount"] == "5000.00"  # months after 2026-04
    services.case_start_execution(case=case, actor=officer_a, context=ctx(officer_a))
    services.case_record_execution(case=case, actor=officer_a, context=ctx(officer_a), paid_amount=Decimal("10000"))
    case.refresh_from_db()
    assert late_payment_surcharge(case=case, today=due + dt.timedelta(days=40)) is None
