"""Due dates on China's official working-day calendar (行政处罚法 第八十五条; DOMAIN §1), strict mode."""

import datetime

import pytest

from backend.common.errors import PreconditionFailed
from backend.disclosures import services
from backend.disclosures.models import Notice

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
        services.due_date_for(decision_date=decided_on, decision_kind=Notice.DecisionKind.PENALTY, profile=profile)
        == due
    )


def test_other_decisions_get_twenty_working_days(db, agency_a):
    profile = services.profile_for(agency_a)
    # 9/30 + 20 wd: 10/8,9,10(Sat make-up),12..16 (8), 19..23 (13), 26..30 (18), 11/2, 11/3 (20)
    assert services.due_date_for(
        decision_date=D(2026, 9, 30), decision_kind=Notice.DecisionKind.OTHER, profile=profile
    ) == D(2026, 11, 3)


def test_due_date_fails_loudly_for_a_year_without_holiday_data(db, agency_a):
    profile = services.profile_for(agency_a)
    with pytest.raises(PreconditionFailed) as excinfo:
        services.due_date_for(decision_date=D(2026, 12, 28), decision_kind="penalty", profile=profile)
    assert excinfo.value.code == "calendar_not_covered"
    assert 2027 in excinfo.value.extra["years"]


def test_an_entered_holiday_year_makes_the_due_date_computable(db, agency_a):
    from backend.common.models import CalendarYear, HolidayOverride

    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2027, source="测试")
    profile = services.profile_for(agency_a)
    # 12/29,30,31 (3), 1/1 holiday, 1/4..1/7 (7)
    assert services.due_date_for(decision_date=D(2026, 12, 28), decision_kind="penalty", profile=profile) == D(
        2027, 1, 7
    )


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
