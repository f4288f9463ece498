"""While a year's holidays are not announced, a party never loses a day (issue 13 §1; DOMAIN.md §1.5(d)).

The audit's example: 告知书 served Tue 2026-12-29, 5 working days to request a hearing (行政处罚法 第六十四条
第一项、第八十五条). Whatever the 2027 notice says, 元旦 (Fri 2027-01-01) rests (放假办法 第二条), so the true
last day is Wed 2027-01-06; the old weekday-only fallback said Tue 01-05 and refused a request made on the 6th.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from cases.casekit import at, ctx, new_case, walk
from django.utils import timezone

from backend.cases import services
from backend.cases.deadlines import deadline_open
from backend.cases.models import CaseDeadline, DeadlineReminder
from backend.common.calendar import calendar_recompute
from backend.common.errors import PreconditionFailed
from backend.common.models import CalendarYear, HolidayOverride
from backend.ledger.models import AuditEvent

D = dt.date
FINE_20000 = [{"kind": "fine", "amount": "20000"}]  # 市场监管 听证: a natural person's fine ≥ 10,000 yuan


def hearing_case(officer_a, officer_a2, head_a, served_on: D):
    start = served_on - dt.timedelta(days=30)
    case = walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="proposed",
                start=start, measures=FINE_20000)
    case = services.case_notify(case=case, actor=officer_a, context=ctx(officer_a), now=at(served_on))
    assert case.hearing_eligible
    return case


def _at(monkeypatch, day: str) -> None:
    moment = dt.datetime.combine(D.fromisoformat(day), dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize(("requested_on", "accepted"), [("2027-01-05", True), ("2027-01-06", True),
                                                        ("2027-01-07", False)])
def test_a_hearing_request_on_its_true_last_day_is_accepted_while_2027_is_provisional(
    as_user, officer_a, officer_a2, head_a, monkeypatch, requested_on, accepted
):
    case = hearing_case(officer_a, officer_a2, head_a, D(2026, 12, 29))
    officer = as_user(officer_a)
    listed = officer.get(f"/api/v1/cases/{case.id}/deadlines/").json()
    rows = listed["results"] if isinstance(listed, dict) and "results" in listed else listed
    window = next(d for d in rows if d["rule_code"] == "HEARING_REQUEST")
    assert (window["due_on"], window["provisional"]) == ("2027-01-06", True)
    assert "2027年" in window["provisional_reason"] and "最晚" in window["provisional_reason"]

    _at(monkeypatch, requested_on)
    r = officer.post(f"/api/v1/cases/{case.id}/request_hearing/", {"requested_on": requested_on}, format="json")
    if accepted:
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "hearing_requested"
    else:
        assert r.status_code == 409 and r.json()["code"] == "hearing_request_window_elapsed"
        assert r.json()["extra"]["window_ends_on"] == "2027-01-06"


def test_the_case_detail_shows_the_provisional_date_and_why(as_user, officer_a, officer_a2, head_a):
    case = hearing_case(officer_a, officer_a2, head_a, D(2026, 12, 29))
    body = as_user(officer_a).get(f"/api/v1/cases/{case.id}/").json()
    statement = next(d for d in body["deadlines"] if d["rule_code"] == "STATEMENT_DEFENCE")
    assert (statement["due_on"], statement["provisional"]) == ("2027-01-06", True)
    assert "法定节假日" in statement["provisional_reason"]
    settled = [d for d in body["deadlines"] if not d["provisional"]]
    assert settled and all(d["provisional_reason"] is None for d in settled)


@pytest.mark.parametrize(("day", "allowed"), [("2027-01-06", False), ("2027-01-07", True)])
def test_the_agency_moves_to_review_only_after_the_latest_plausible_end(
    officer_a, officer_a2, head_a, day, allowed
):
    case = hearing_case(officer_a, officer_a2, head_a, D(2026, 12, 29))
    if allowed:
        case = services.case_start_defence_review(case=case, actor=officer_a, context=ctx(officer_a), now=at(day))
        assert case.status == "reviewing_defence"
    else:
        with pytest.raises(PreconditionFailed) as failure:
            services.case_start_defence_review(case=case, actor=officer_a, context=ctx(officer_a), now=at(day))
        assert failure.value.code == "statement_window_open"
        assert failure.value.extra["provisional"] is True


# --------------------------------------------------------------------------- entering the year

# A 2027 notice written for the tests (the shape of the real ones; its days lie inside the plausible range).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕9号
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月13日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天，不调休。
六、中秋节：9月15日（周三）放假1天，不调休。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def test_entering_2027_moves_a_party_window_to_its_true_end_and_reminds_the_officers(
    officer_a, officer_a2, head_a
):
    """Served Wed 2027-02-03. Provisional (latest): Thu 4 (1), 5–12 plausibly rest, Mon 15..Thu 18 (5).
    With the notice: Thu 4 (1), Fri 12 (2), Sat 13 上班 (3), Mon 15 (4), Tue 16 (5)."""
    from backend.holiday_calendar.services import holiday_notice_import

    case = new_case(officer_a, officer_a2, on=D(2026, 12, 1))
    window = deadline_open(case=case, code="STATEMENT_DEFENCE", anchor_on=D(2027, 2, 3),
                           kind=CaseDeadline.Kind.WINDOW, length=5)
    duty = deadline_open(case=new_case(officer_a, officer_a2, on=D(2026, 12, 1)), code="DECISION_SERVICE",
                         anchor_on=D(2027, 2, 3))
    assert (window.due_on, window.provisional) == (D(2027, 2, 18), True)
    # The duty's earliest plausible day: Thu 4, Tue 9..Fri 12, Sat 13 and Sun 14 plausibly worked.
    assert (duty.due_on, duty.provisional) == (D(2027, 2, 14), True)

    holiday_notice_import(text=NOTICE_2027, today=D(2026, 12, 15), context=ctx(head_a))
    window.refresh_from_db()
    duty.refresh_from_db()
    assert (window.due_on, window.provisional) == (D(2027, 2, 16), False)
    assert (duty.due_on, duty.provisional) == (D(2027, 2, 18), False)
    reminder = DeadlineReminder.objects.get(deadline=window, kind=DeadlineReminder.Kind.MOVED_EARLIER)
    assert reminder.due_on == D(2027, 2, 16)
    assert set(reminder.recipient_ids) == {str(officer_a.pk), str(officer_a2.pk), str(head_a.pk)}
    assert not DeadlineReminder.objects.filter(deadline=duty).exists()  # moved later: nobody to warn
    events = AuditEvent.objects.filter(action="deadline.recomputed").order_by("seq")
    assert {(e.data["rule"], e.data["due_was"], e.data["due_on"]) for e in events} == {
        ("STATEMENT_DEFENCE", "2027-02-18", "2027-02-16"), ("DECISION_SERVICE", "2027-02-14", "2027-02-18")}


def test_a_window_that_moves_earlier_never_ends_before_today(officer_a, officer_a2, head_a):
    """The party may have relied on the provisional end: once it was still to come, the corrected end is not
    put in the past."""
    case = new_case(officer_a, officer_a2, on=D(2026, 12, 1))
    window = deadline_open(case=case, code="STATEMENT_DEFENCE", anchor_on=D(2027, 2, 3),
                           kind=CaseDeadline.Kind.WINDOW, length=5)
    from backend.holiday_calendar.services import holiday_notice_import

    holiday_notice_import(text=NOTICE_2027, today=D(2027, 2, 17), context=ctx(head_a))
    window.refresh_from_db()
    assert window.due_on == D(2027, 2, 17)  # true end 02-16 has passed; provisional 02-18 had not


def test_a_closed_deadline_is_left_alone(officer_a, officer_a2, head_a):
    case = new_case(officer_a, officer_a2, on=D(2026, 12, 1))
    window = deadline_open(case=case, code="STATEMENT_DEFENCE", anchor_on=D(2027, 2, 3),
                           kind=CaseDeadline.Kind.WINDOW, length=5)
    CaseDeadline.objects.filter(pk=window.pk).update(state=CaseDeadline.State.MET)
    HolidayOverride.objects.create(date=D(2027, 2, 9), is_workday=True)
    CalendarYear.objects.create(year=2027)
    changes = calendar_recompute(years=[2027], today=D(2026, 12, 15), context=ctx(head_a))
    assert changes["cases"] == []
    window.refresh_from_db()
    assert window.provisional and window.due_on == D(2027, 2, 18)
