"""Supervision reminders that reach people (the notifications app's inbox, e-mail and robot webhooks).

- A correction order escalated (督办, ``services.orders_escalate_overdue``) tells the supervised agency's heads and
  the supervisor who issued it.
- A 检察建议 whose period passed unanswered (人民检察院检察建议工作规定 第十九条: 两个月) is marked overdue once
  and tells the agency's heads and the procurator who filed it.
- The annual report (国办发〔2018〕118号 (六): 每年1月31日前公开): the heads of an agency without a published report for
  last year are reminded from ``ANNUAL_REPORT_REMIND_DAYS`` before 31 January, again three days before, and once
  the date has passed — then the supervisors of the bodies above it are told too.

Every message has a ``source`` unique per subject and stage, so the hourly task sends each one once
(``notifications.services.notify`` ignores a repeat).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import Agency, Role, User
from backend.cases.models import Case
from backend.ledger.services import audit_record
from backend.notifications.models import Notification
from backend.notifications.services import notify
from backend.supervision.annual_report import annual_report_seal, publication_deadline
from backend.supervision.models import AnnualReport, CorrectionOrder, ProcuratorialSuggestion

log = logging.getLogger(__name__)

ANNUAL_REPORT_REMIND_DAYS = 10  # first reminder 10 days before 31 January (then 3 days before, then overdue)


def _heads(agency_id: int) -> list[User]:
    return list(User.objects.filter(agency_id=agency_id, is_active=True, roles__role=Role.AGENCY_HEAD).distinct())


def _supervisors_above(agency: Agency) -> list[User]:
    """The 执法监督人员 of every body above ``agency`` in the tree."""
    bodies: list[int] = []
    parent = agency.parent
    while parent is not None and parent.pk not in bodies:
        bodies.append(parent.pk)
        parent = parent.parent
    return list(User.objects.filter(agency_id__in=bodies, is_active=True, roles__role=Role.SUPERVISOR).distinct())


def _send(users: list[User], *, source: str, title: str, body: str, case_id: object = None,
          now: dt.datetime | None = None) -> int:
    sent = 0
    for user in {u.pk: u for u in users}.values():
        message = {"kind": Notification.Kind.SUPERVISION, "source": source, "case_id": case_id, "title": title,
                   "body": body, "link": ""}  # fmt: skip
        if notify(recipient=user, message=message, now=now) is not None:
            sent += 1
    return sent


def order_escalated_notify(order: CorrectionOrder, *, now: dt.datetime | None = None) -> int:
    """Tell the agency's heads and the issuing supervisor that the order was escalated (督办)."""
    return _send(
        [*_heads(order.agency_id), order.issued_by], source=f"supervision-order-escalated:{order.pk}",
        title=f"监督文书逾期未答复（已督办）：{order.number}",
        body=f"{order.get_kind_display()}“{order.subject}”的整改期限为 {order.deadline:%Y年%m月%d日}，"
             f"至今未答复，已转为督办。请被监督机关立即答复整改情况。",
        case_id=order.case_id, now=now,
    )  # fmt: skip


def suggestions_mark_overdue(*, now: dt.datetime | None = None) -> int:
    """Mark each 检察建议 past its answer date once (conditional UPDATE, an audit event) and tell the people."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    marked = 0
    due = ProcuratorialSuggestion.objects.filter(
        status=ProcuratorialSuggestion.Status.RECEIVED, answer_due__lt=today, overdue_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            if not ProcuratorialSuggestion.objects.filter(pk=pk, overdue_at__isnull=True,
                                                          status=ProcuratorialSuggestion.Status.RECEIVED
                                                          ).update(overdue_at=now):  # fmt: skip
                continue
            suggestion = ProcuratorialSuggestion.objects.select_related("filed_by").get(pk=pk)
            audit_record(
                action="supervision.suggestion.overdue", target=suggestion, agency_id=suggestion.agency_id,
                case_id=suggestion.case_id,
                data={"number": suggestion.number, "answer_due": suggestion.answer_due,
                      "days_overdue": (today - suggestion.answer_due).days},
            )  # fmt: skip
            _send(
                [*_heads(suggestion.agency_id), suggestion.filed_by], source=f"supervision-suggestion-overdue:{pk}",
                title=f"检察建议逾期未回复：{suggestion.number}",
                body=f"{suggestion.procuratorate}的检察建议（{suggestion.number}）应于 "
                     f"{suggestion.answer_due:%Y年%m月%d日}前书面回复，至今未回复。",
                case_id=suggestion.case_id, now=now,
            )  # fmt: skip
            marked += 1
    return marked


def _stage(today: dt.date, year: int) -> str | None:
    deadline = publication_deadline(year)
    if today > deadline:
        return "overdue"
    if today >= deadline - dt.timedelta(days=3):
        return "t-3"
    if today >= deadline - dt.timedelta(days=ANNUAL_REPORT_REMIND_DAYS):
        return "t-10"
    return None


def annual_report_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind the agencies without last year's published report (one message per agency, year and stage). An
    agency is reminded when it has an active head and cases registered or decided that year; overdue reports
    are also told to the supervisors above it.
    Runs in January and the rest of the year after (overdue) — an agency that publishes stops being reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = today.year - 1
    stage = _stage(today, year)
    if stage is None:
        return 0
    published = set(AnnualReport.objects.filter(year=year).values_list("agency_id", flat=True))
    active = Case.objects.filter(
        Q(registered_on__year=year) | Q(decided_on__year=year) | Q(registered_on__isnull=True, created_at__year=year)
    ).values("agency_id")  # the agencies that enforced that year: they have a year to report on
    agencies = Agency.objects.filter(
        Q(users__is_active=True) & Q(users__roles__role=Role.AGENCY_HEAD), pk__in=active
    ).exclude(pk__in=published).distinct().select_related("parent")
    deadline = publication_deadline(year)
    sent = 0
    for agency in agencies:
        words = "已逾期" if stage == "overdue" else f"将于 {deadline:%Y年%m月%d日} 到期"
        people = _heads(agency.pk) + (_supervisors_above(agency) if stage == "overdue" else [])
        sent += _send(
            people, source=f"supervision-annual-report:{agency.pk}:{year}:{stage}",
            title=f"{year}年度行政执法数据公开{words}：{agency.name}",
            body=f"{agency.name}应于 {deadline:%Y年%m月%d日}前公开{year}年度行政执法总体情况有关数据，"
                 f"并报本级人民政府和上级主管部门（国办发〔2018〕118号）。目前尚未公开。",
            now=now,
        )  # fmt: skip
    return sent


def annual_reports_seal_pending() -> int:
    """Seal any report left unsealed (the publish request sealed it unless it failed after commit)."""
    count = 0
    for pk in AnnualReport.objects.filter(checkpoint__isnull=True).values_list("pk", flat=True):
        try:
            annual_report_seal(report_id=pk)
            count += 1
        except Exception:  # one report's failure must not stop the others; retried next hour
            log.exception("annual report %s could not be sealed", pk)
    return count
