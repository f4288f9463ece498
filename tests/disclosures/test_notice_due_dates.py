"""Due dates on China's official working-day calendar (行政处罚法 第八十五条; DOMAIN §1); provisional (weekends
only) while a year's official holidays are unknown, recomputed once they are entered."""

import datetime

import pytest

from backend.disclosures import services
from backend.disclosures.models import Notice
from backend.ledger.models import AuditEvent

D = datetime.date


@pytest.mark.parametrize(
    ("decided_on", "due"),
    [
        # Spring Festival 2026: 2/15–2/23 off; Sat 2/14 and Sat 2/28 are make-up working days.
        (D(2026, 2, 13), D(2026, 3, 2)),
        # ... and the 7th working day can be the make-up Saturday 2/28.
        (D(2026, 2, 12), D(2026, 2, 28)),
        # A decision on the make-up Saturday itself: counting starts the next day.
        (D(2026, 2, 14), D(2026, 3, 3)),
        # Mid-Autumn (Fri 9/25) and National Day (10/1–10/7); Sat 10/10 is a make-up working day.
        (D(2026, 9, 24), D(2026, 10, 12)),
        (D(2026, 9, 30), D(2026, 10, 15)),
        # A decision during the holiday: 10/8 is the first working day counted.
        (D(2026, 10, 3), D(2026, 10, 15)),
        # Ordinary week for contrast.
        (D(2026, 3, 10), D(2026, 3, 19)),
    ],
)
def test_penalty_notice_is_due_seven_working_days_after_the_decision(db, agency_a, decided_on, due):
    profile = services.profile_for(agency_a)
    assert (
        services.due_date_for(decision_date=decided_on, decision_kind=Notice.DecisionKind.PENALTY, profile=profile).due
        == due
    )


def test_other_decisions_get_twenty_working_days(db, agency_a):
    profile = services.profile_for(agency_a)
    # 9/30 + 20 wd: 10/8,9,10(Sat make-up),12..16 (8), 19..23 (13), 26..30 (18), 11/2, 11/3 (20)
    assert services.due_date_for(
        decision_date=D(2026, 9, 30), decision_kind=Notice.DecisionKind.OTHER, profile=profile
    ).due == D(2026, 11, 3)


def test_a_decision_in_a_year_without_holiday_data_gets_a_provisional_date_then_the_real_one(
    make_case, create_notice, agency_a, discloser_a
):
    """A decision of 12-28 reaches into 2027, whose holidays chinese-calendar 1.11 does not know: the decision
    and its notice are never refused; the due date is a duty of the agency, so it is counted on the earliest
    plausible day (元旦 rests, the weekend after it may be a make-up working day) and marked provisional."""
    from backend.common.models import CalendarYear, HolidayOverride

    notice = create_notice(make_case(agency_a, decided_on=D(2026, 12, 28)))
    # 12/29, 12/30, 12/31, (Fri 1/1 元旦), Sat 1/2 and Sun 1/3 (plausibly worked), 1/4, 1/5
    assert (notice.due_date, notice.due_provisional) == (D(2027, 1, 5), True)
    assert services.notice_refresh_provisional_dates() == 0  # still unknown: nothing to recompute

    # Staff enter the State Council's 2027 notice: 元旦 (Fri 1/1) is a holiday.
    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕X号")
    assert services.notice_refresh_provisional_dates() == 1
    notice.refresh_from_db()
    assert (notice.due_date, notice.due_provisional) == (D(2027, 1, 7), False)
    event = AuditEvent.objects.get(action="notice.deadlines_recomputed", target_id=str(notice.pk))
    assert event.data["due_date_was"] == "2027-01-05" and event.data["due_date"] == "2027-01-07"
    assert services.notice_refresh_provisional_dates() == 0


def test_the_calendar_coverage_gap_names_the_missing_year(db):
    from backend.common.calendar import calendar_coverage_gap
    from backend.common.models import CalendarYear

    assert calendar_coverage_gap(D(2026, 3, 1)) == 2027  # 2026-03-01 + 365 days is in 2027
    assert calendar_coverage_gap(D(2025, 6, 1)) is None
    CalendarYear.objects.create(year=2027, source="测试")
    assert calendar_coverage_gap(D(2026, 3, 1)) is None


def test_an_entered_holiday_year_makes_the_due_date_computable(db, agency_a):
    from backend.common.models import CalendarYear, HolidayOverride

    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2027, source="测试")
    profile = services.profile_for(agency_a)
    # 12/29,30,31 (3), 1/1 holiday, 1/4..1/7 (7)
    due = services.due_date_for(decision_date=D(2026, 12, 28), decision_kind="penalty", profile=profile)
    assert (due.due, due.provisional) == (D(2027, 1, 7), False)


def test_the_hook_records_the_due_date_on_the_draft(make_case, create_notice, agency_a):
    notice = create_notice(make_case(agency_a, decided_on=D(2026, 9, 30)))
    assert notice.status == Notice.Status.DRAFT
    assert notice.due_date == D(2026, 10, 15)


def test_withdrawal_is_due_three_working_days_after_the_decision_changed(published_notice):
    notice = services.notice_withdraw(
        notice=published_notice, reason="复议机关决定撤销原处罚决定", kind="revoked", triggered_on=D(2026, 9, 30)
    )
    # 10/1–10/7 off; 10/8, 10/9, Sat 10/10 (make-up working day)
    assert notice.withdrawal_due == D(2026, 10, 10)


def test_a_withdrawal_reaching_into_an_unknown_year_is_provisional_then_recomputed(published_notice):
    from backend.common.models import CalendarYear, HolidayOverride

    notice = services.notice_withdraw(
        notice=published_notice, reason="复议机关决定撤销原处罚决定", kind="revoked", triggered_on=D(2026, 12, 30)
    )
    # 12/31, (Fri 1/1 元旦), Sat 1/2, Sun 1/3 (plausibly worked): the duty's earliest plausible day
    assert (notice.withdrawal_due, notice.withdrawal_due_provisional) == (D(2027, 1, 3), True)
    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2027, source="测试")
    assert services.notice_refresh_provisional_dates() == 1
    notice.refresh_from_db()
    assert (notice.withdrawal_due, notice.withdrawal_due_provisional) == (D(2027, 1, 5), False)
