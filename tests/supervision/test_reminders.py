"""Overdue 检察建议 and the annual report's deadline reach people's inboxes, once per stage."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from supervision.supkit import closed_case
from support import pin_clock

from backend.ledger.models import AuditEvent
from backend.supervision.models import AnnualReport, ProcuratorialSuggestion


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)


def _supervision_inbox(client) -> list[str]:
    return [n["title"] for n in client.get("/api/v1/inbox/").json()["results"] if n["kind"] == "supervision"]


def test_an_unanswered_suggestion_is_marked_overdue_once_and_told(
    monkeypatch, as_user, head_a, procurator, agency_a, case_a
):
    suggestion = ProcuratorialSuggestion.objects.create(
        agency=agency_a, case=case_a, procuratorate="辽源市人民检察院", number="辽检行建〔2026〕5号",
        content="建议规范罚没物品的保管。", filed_by=procurator, filed_at=_at(dt.date(2026, 8, 1)),
        answer_due=dt.date(2026, 10, 1),
    )  # fmt: skip
    pin_clock(monkeypatch, _at(dt.date(2026, 9, 30)))
    call_command("supervision_escalate_overdue")
    assert _supervision_inbox(as_user(head_a)) == []
    pin_clock(monkeypatch, _at(dt.date(2026, 10, 8)))
    call_command("supervision_escalate_overdue")
    call_command("supervision_escalate_overdue")
    suggestion.refresh_from_db()
    assert suggestion.overdue_at is not None
    assert AuditEvent.objects.filter(action="supervision.suggestion.overdue", target_id=str(suggestion.pk)).count() == 1
    for person in (head_a, procurator):
        assert _supervision_inbox(as_user(person)) == ["检察建议逾期未回复：辽检行建〔2026〕5号"]


def test_the_annual_report_deadline_reminds_heads_then_supervisors_until_published(
    monkeypatch, as_user, head_a, head_b, supervisor, agency_a, agency_b, agency_c, head_c, officer_a
):
    for agency, n in ((agency_a, 1), (agency_b, 2)):  # both enforced in 2026; agency C did not
        closed_case(agency, officer_a, number=f"辽立字〔2026〕{n}号", party="辽源市某商店",
                    decided_on=dt.date(2026, 5, 1), registered_on=dt.date(2026, 4, 1))  # fmt: skip
    pin_clock(monkeypatch, _at(dt.date(2027, 1, 15)))  # more than 10 days before 31 January: nothing yet
    call_command("supervision_escalate_overdue")
    assert _supervision_inbox(as_user(head_a)) == []
    # agency B publishes its 2026 report in time
    pin_clock(monkeypatch, _at(dt.date(2027, 1, 20)))
    assert as_user(head_b).post("/api/v1/supervision/annual-reports/", {"year": 2026}, format="json").status_code == 201
    pin_clock(monkeypatch, _at(dt.date(2027, 1, 22)))
    call_command("supervision_escalate_overdue")
    call_command("supervision_escalate_overdue")
    first = f"2026年度行政执法数据公开将于 2027年01月31日 到期：{agency_a.name}"
    assert _supervision_inbox(as_user(head_a)) == [first]
    assert _supervision_inbox(as_user(head_b)) == []  # published: not reminded
    assert _supervision_inbox(as_user(supervisor)) == []
    pin_clock(monkeypatch, _at(dt.date(2027, 1, 29)))
    call_command("supervision_escalate_overdue")
    assert _supervision_inbox(as_user(head_a)) == [first, first]  # the three-day reminder
    pin_clock(monkeypatch, _at(dt.date(2027, 2, 2)))
    call_command("supervision_escalate_overdue")
    late = f"2026年度行政执法数据公开已逾期：{agency_a.name}"
    assert _supervision_inbox(as_user(head_a))[0] == late
    assert _supervision_inbox(as_user(supervisor)) == [late]  # the supervising body hears of it
    assert _supervision_inbox(as_user(head_c)) == []  # nothing to report on
    assert AnnualReport.objects.filter(agency=agency_b, year=2026, checkpoint__isnull=False).exists()
