"""Entering 2027 recomputes and audits every open provisional deadline, in every app (issue 13 §1).

One recompute job (backend/common/calendar.py ``calendar_recompute``) runs when the year is imported; it
reaches case deadlines (windows, payment, service, seizure, closure, the 90-day limit), review rounds'
``due_on`` and notices' publication and withdrawal dates, through the function that computes each.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.db.models import Q

from backend.cases.deadlines import deadline_meet, deadline_open, decision_deadline_refresh
from backend.cases.models import CaseDeadline
from backend.disclosures import services
from backend.disclosures.models import Notice
from backend.holiday_calendar.services import holiday_notice_import
from backend.ledger.models import AuditEvent
from backend.ledger.services import AuditContext
from backend.reviews.models import ReviewRound
from backend.reviews.services.rounds import _due

D = dt.date
K = CaseDeadline.Kind
OPEN = (CaseDeadline.State.DUE, CaseDeadline.State.OVERDUE, CaseDeadline.State.PAUSED)
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


def _round(case, officer, *, received_on: D, status=ReviewRound.Status.IN_REVIEW) -> ReviewRound:
    due_on, provisional = _due(received_on, 10)
    return ReviewRound.objects.create(
        agency=case.agency, case=case, kind="legal", number=1, status=status, submitted_by=officer,
        outcome="approved" if status == ReviewRound.Status.COMPLETED else "",
        submitted_at=dt.datetime(2026, 12, 24, 9, tzinfo=dt.UTC), package_sha256=hashlib.sha256(b"p").hexdigest(),
        proposal_fingerprint=hashlib.sha256(b"f").hexdigest(), received_on=received_on, time_limit_workdays=10,
        due_on=due_on, due_provisional=provisional,
    )


def test_entering_2027_recomputes_and_audits_every_open_provisional_deadline(
    make_case, create_notice, agency_a, officer_a, discloser_a, head_a
):
    # Case deadlines of every kind reaching into 2027, opened by the functions the workflow uses.
    decided = make_case(agency_a, decided_on=D(2026, 12, 28))
    with transaction.atomic():
        deadline_open(case=decided, code="STATEMENT_DEFENCE", anchor_on=D(2026, 12, 29), kind=K.WINDOW, length=5)
        deadline_open(case=decided, code="HEARING_REQUEST", anchor_on=D(2026, 12, 29), kind=K.WINDOW, length=5)
        deadline_open(case=decided, code="DECISION_SERVICE", anchor_on=D(2026, 12, 28))
        deadline_open(case=decided, code="PAYMENT", anchor_on=D(2026, 12, 20), kind=K.PARTY)
        deadline_open(case=decided, code="SEIZURE", anchor_on=D(2026, 12, 10))
        deadline_open(case=decided, code="CASE_CLOSURE", anchor_on=D(2026, 12, 21))
        deadline_open(case=decided, code="DISCLOSE_PENALTY_OR_LICENSE", anchor_on=D(2027, 2, 3))
        deadline_open(case=decided, code="CLUE_VERIFY", anchor_on=D(2026, 3, 2))  # all in 2026: not provisional
        deadline_open(case=decided, code="EVIDENCE_PRESERVATION_DECISION", anchor_on=D(2026, 12, 28))
        deadline_meet(case=decided, code="EVIDENCE_PRESERVATION_DECISION", on=D(2026, 12, 30))  # closed
        registered = make_case(agency_a, decided_on=D(2026, 12, 28), registered_on=D(2026, 11, 28),
                               status="investigating")
        decision_deadline_refresh(case=registered, today=D(2026, 12, 15))  # 90 days → 2027-02-26
    # A review round running into 2027, and one already completed (left alone).
    running = _round(decided, officer_a, received_on=D(2026, 12, 24))
    done = _round(registered, officer_a, received_on=D(2026, 12, 24), status=ReviewRound.Status.COMPLETED)
    # A notice to publish within 7 working days of 12-28, and a published one withdrawn on 12-30.
    notice = create_notice(decided)
    published = services.notice_publish(notice=create_notice(make_case(agency_a, decided_on=D(2026, 12, 1))),
                                        actor=discloser_a)
    published = services.notice_withdraw(notice=published, reason="复议机关决定撤销原处罚决定", kind="revoked",
                                         triggered_on=D(2026, 12, 30))

    open_case = CaseDeadline.objects.filter(provisional=True, state__in=OPEN)
    before = {
        "case": sorted(open_case.values_list("rule_code", flat=True)),
        "review": ReviewRound.objects.filter(due_provisional=True, status__in=("pending", "in_review")).count(),
        "notice": Notice.objects.filter(Q(due_provisional=True) | Q(withdrawal_due_provisional=True)).count(),
    }
    assert before == {
        "case": sorted(["STATEMENT_DEFENCE", "HEARING_REQUEST", "DECISION_SERVICE", "PAYMENT", "SEIZURE",
                        "CASE_CLOSURE", "DISCLOSE_PENALTY_OR_LICENSE", "DECISION"]),
        "review": 1,
        "notice": 2,
    }
    assert done.due_provisional and CaseDeadline.objects.get(
        case=decided, rule_code="EVIDENCE_PRESERVATION_DECISION").provisional

    _preview, changes = holiday_notice_import(text=NOTICE_2027, today=D(2026, 12, 15),
                                              context=AuditContext(actor=head_a))

    # 8 case deadlines + 1 review round + 2 notices (one publication date, one withdrawal date) = 11.
    assert {name: len(rows) for name, rows in changes.items()} == {"cases": 8, "reviews": 1, "disclosures": 2}
    assert not CaseDeadline.objects.filter(provisional=True, state__in=OPEN).exists()
    running.refresh_from_db()
    notice.refresh_from_db()
    published.refresh_from_db()
    assert not running.due_provisional and not notice.due_provisional
    assert not published.withdrawal_due_provisional
    # Each change is in the ledger, with the date before and after.
    assert AuditEvent.objects.filter(action="deadline.recomputed").count() == 8
    assert AuditEvent.objects.filter(action="review.due_recomputed").count() == 1
    assert AuditEvent.objects.filter(action="notice.deadlines_recomputed").count() == 2
    imported = AuditEvent.objects.get(action="calendar.notice_imported")
    assert imported.data["year"] == 2027 and imported.data["source"] == "国办发明电〔2026〕9号"
    assert "2027-02-05" in imported.data["rest"] and "2027-01-31" in imported.data["work"]
    # What stayed out: the closed deadline, the completed round, the 2026-only deadline.
    done.refresh_from_db()
    assert done.due_provisional
    assert CaseDeadline.objects.get(case=decided, rule_code="EVIDENCE_PRESERVATION_DECISION").provisional
    # The true dates (元旦 1–3, no make-up): 12-29 + 5 wd → 01-06; 12-28 + 7 wd → 01-07; the notice too.
    hearing = CaseDeadline.objects.get(case=decided, rule_code="HEARING_REQUEST")
    assert hearing.due_on == D(2027, 1, 6)
    assert CaseDeadline.objects.get(case=decided, rule_code="DECISION_SERVICE").due_on == D(2027, 1, 7)
    assert notice.due_date == D(2027, 1, 7)
    # Replaying the job changes nothing more.
    from backend.common.calendar import calendar_recompute

    again = calendar_recompute(years=[2027], today=D(2026, 12, 15), context=AuditContext(actor=head_a))
    assert {name: len(rows) for name, rows in again.items()} == {"cases": 0, "reviews": 0, "disclosures": 0}


def test_a_notice_duty_counts_from_the_earliest_plausible_day(make_case, create_notice, agency_a):
    """Decided Wed 2027-02-03: 7 working days, counting every weekend near the Spring Festival that a notice
    has ever made a working day (Sat 13, Sun 14): Thu 4, Tue 9, Wed 10, Thu 11, Fri 12, Sat 13, Sun 14."""
    notice = create_notice(make_case(agency_a, decided_on=D(2027, 2, 3)))
    assert (notice.due_date, notice.due_provisional) == (D(2027, 2, 14), True)


def test_a_corrected_notice_that_moves_a_review_limit_earlier_reminds_the_reviewer(
    make_case, agency_a, officer_a, reviewer_a, head_a
):
    from backend.reviews.models import ReviewReminder

    context = AuditContext(actor=head_a)
    holiday_notice_import(text=NOTICE_2027, today=D(2026, 12, 15), context=context)
    round_ = _round(make_case(agency_a, decided_on=D(2026, 12, 28)), officer_a, received_on=D(2027, 2, 3))
    ReviewRound.objects.filter(pk=round_.pk).update(reviewer=reviewer_a)
    # 10 wd from 02-03 with 02-05..11 off, Sat 02-13 worked: 4, 12, 13, 15..19, 22, 23 → 02-23.
    assert (round_.due_on, round_.due_provisional) == (D(2027, 2, 23), False)

    corrected = NOTICE_2027.replace(
        "至11日（农历正月初六、周四）放假调休，共7天", "至10日（农历正月初五、周三）放假调休，共6天"
    )
    _preview, changes = holiday_notice_import(text=corrected, today=D(2026, 12, 20), context=context)
    round_.refresh_from_db()
    assert round_.due_on == D(2027, 2, 22)  # 02-11 is now a working day
    assert [c["id"] for c in changes["reviews"]] == [str(round_.pk)]
    reminder = ReviewReminder.objects.get(round=round_, kind=ReviewReminder.Kind.MOVED_EARLIER)
    assert reminder.recipient_ids == [str(reviewer_a.pk)] and reminder.due_on == D(2027, 2, 22)
    event = AuditEvent.objects.get(action="review.due_recomputed")
    assert (event.data["due_was"], event.data["due_on"]) == ("2027-02-23", "2027-02-22")


def test_the_job_refuses_to_run_without_every_app(monkeypatch):
    import pytest

    from backend.common import calendar

    monkeypatch.setattr(calendar, "_RECOMPUTERS", {"cases": calendar._RECOMPUTERS["cases"]})
    with pytest.raises(RuntimeError, match="reviews, disclosures"):
        calendar.calendar_recompute(years=[2027], today=D(2026, 12, 15))
