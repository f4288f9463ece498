"""What the console shows, composed from the apps' own selectors and services (no rule of its own).

Every read goes through the selector the API uses, so the scoping (own agency; an auditor also the agencies
it supervises) is the API's. The functions here only gather, count, filter and sort for the pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.accounts.permissions import readable_agency_ids
from backend.accounts.services import credential_state
from backend.cases import selectors as case_selectors
from backend.cases.models import Case, CaseDeadline
from backend.common.calendar import get_calendar
from backend.common.errors import PreconditionFailed
from backend.disclosures import selectors as notice_selectors
from backend.disclosures.models import CorrectionRequest, Notice
from backend.ledger.models import AuditEvent
from backend.reviews import selectors as review_selectors
from backend.reviews import services as review_services
from backend.reviews.models import ReviewRound

CREDENTIAL_LABELS = {
    "valid": "有效",
    "expired": "已过期",
    "suspended": "已暂扣",
    "revoked": "已注销/吊销",
    "not_yet_valid": "尚未生效",
    "missing": "未持有执法证",
}

REVIEW_SORTS = {"due": ("due_on", "submitted_at"), "-due": ("-due_on", "-submitted_at"),
                "submitted": ("submitted_at",), "-submitted": ("-submitted_at",)}  # fmt: skip
SortFields = dict[str, tuple[str, ...]]
DEADLINE_SORTS: SortFields = {
    "due": ("due_on", "pk"), "-due": ("-due_on", "-pk"), "case": ("case__case_number", "due_on")
}  # fmt: skip
NOTICE_SORTS: SortFields = {"due": ("due_date",), "-due": ("-due_date",), "decided": ("-decision_date",)}


@dataclass
class Section:
    key: str
    title: str
    rows: list[Any]
    kind: str  # rounds | cases | notices | corrections | deadlines | events
    empty: str = "暂无"
    filters: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


def _sorted(qs: QuerySet, sorts: dict[str, tuple[str, ...]], key: str | None) -> QuerySet:
    return qs.order_by(*sorts.get(key or "", next(iter(sorts.values()))))


def workdays_left(due_on: dt.date | None, *, today: dt.date | None = None) -> int | None:
    """Working days from today to ``due_on`` on the official calendar (negative once past)."""
    if due_on is None:
        return None
    return get_calendar().workdays_between(today or timezone.localdate(), due_on)


def _review_rows(qs: QuerySet[ReviewRound], today: dt.date) -> list[ReviewRound]:
    rows = list(qs[:200])
    for round_ in rows:
        round_.workdays_left = workdays_left(round_.due_on, today=today)  # type: ignore[attr-defined]
    return rows


def _collective_missing(case: Case) -> bool:
    """The reviews service says a 集体讨论 is required and not yet on record (行政处罚法 第五十七条第二款)."""
    try:
        review_services.review_ensure_collective_discussion(case=case)
    except PreconditionFailed:
        return True
    return False


def work_queues(*, user: User, params: dict[str, str], today: dt.date | None = None) -> list[Section]:
    """The user's work queues, one section per duty of each role held (DOMAIN §4, §6; issue 16 §1)."""
    today = today or timezone.localdate()
    kind = params.get("kind") or None
    if kind not in (None, "legal_review", "case_review"):
        kind = None
    sort = params.get("sort")
    sections: list[Section] = []
    if user.has_role(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD):
        if user.has_role(Role.LEGAL_REVIEWER):
            mine = _review_rows(_sorted(review_selectors.review_queue(user=user, kind=kind, mine=True),
                                        REVIEW_SORTS, sort), today)  # fmt: skip
            sections.append(Section("reviews_mine", "分配给我的审核", mine, "rounds", filters=["kind", "sort"]))
        pending = review_selectors.review_queue(user=user, kind=kind, status=ReviewRound.Status.PENDING)
        rows = _review_rows(_sorted(pending, REVIEW_SORTS, sort), today)
        sections.append(Section("reviews_unassigned", "待分配的审核", rows, "rounds", filters=["kind", "sort"]))
    if user.has_role(Role.AGENCY_HEAD):
        deciding = list(
            case_selectors.case_list_for_user(user=user, status=Case.Status.DECIDING).order_by("updated_at")[:200]
        )
        sections.append(Section("decisions", "待我决定的案件", deciding, "cases"))
        sections.append(
            Section("collective", "待登记集体讨论", [c for c in deciding if _collective_missing(c)], "cases")
        )
    if user.has_role(Role.DISCLOSURE_MANAGER):
        lists = notice_selectors.notice_deadline_lists(user=user, today=today)
        sections.append(Section("notices_overdue", "逾期未公示", list(lists["overdue"][:200]), "notices"))
        sections.append(Section("notices_due", "即将到期的公示", list(lists["due_soon"][:200]), "notices"))
        drafts = notice_selectors.staff_notices(user=user).filter(status=Notice.Status.DRAFT)
        sections.append(Section("redactions", "待核对脱敏", list(_sorted(drafts, NOTICE_SORTS, sort)[:200]),
                                "notices", filters=["sort"]))  # fmt: skip
        corrections = notice_selectors.correction_requests_for(user=user).filter(
            status=CorrectionRequest.Status.SUBMITTED
        )
        sections.append(Section("corrections", "待答复的更正申请", list(corrections.order_by("due_date")[:200]),
                                "corrections"))  # fmt: skip
    if user.has_role(Role.AUDITOR):
        for bucket, title in (("overdue", "已逾期的期限"), ("due_soon", "临近到期的期限")):
            qs = case_selectors.deadline_list_for_user(user=user, bucket=bucket, today=today)
            rows = list(_sorted(qs, DEADLINE_SORTS, sort)[:200])
            for deadline in rows:
                deadline.workdays_left = workdays_left(deadline.due_on, today=today)  # type: ignore[attr-defined]
            sections.append(Section(f"deadlines_{bucket}", title, rows, "deadlines", filters=["sort"]))
        sections.append(Section("reviews_overdue", "超期未审结的审核",
                                _review_rows(review_selectors.review_overdue(user=user, today=today), today), "rounds"))
        sections.append(Section("integrity", "完整性告警", list(integrity_alerts(user=user)[:200]), "events"))
    return sections


def integrity_alerts(*, user: User) -> QuerySet[AuditEvent]:
    """Integrity alerts on record for the agencies the user may read, newest first."""
    # A ledger alert concerns the one shared audit log, so every auditor sees it; evidence alerts are scoped.
    scoped = Q(action="evidence.integrity_alert", agency_id__in=readable_agency_ids(user))
    return AuditEvent.objects.filter(scoped | Q(action="ledger.alert")).order_by("-occurred_at")


def officers_with_credentials(*, case: Case, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The handling officers and their 执法证 state today (行政处罚法 第四十二条)."""
    today = today or timezone.localdate()
    out = []
    for officer in case.handling_officers.prefetch_related("credentials").order_by("full_name"):
        state = credential_state(user=officer, on=today)
        credential = officer.valid_credential(today) or next(iter(officer.credentials.all()), None)
        out.append({"user": officer, "state": state, "label": CREDENTIAL_LABELS.get(state, state),
                    "credential": credential})  # fmt: skip
    return out


def case_deadlines(*, user: User, case: Case, today: dt.date | None = None) -> list[CaseDeadline]:
    today = today or timezone.localdate()
    rows = list(case_selectors.deadline_list_for_user(user=user, case=case, bucket="all", today=today))
    for deadline in rows:
        deadline.workdays_left = workdays_left(deadline.due_on, today=today)  # type: ignore[attr-defined]
        deadline.is_open = deadline.state in (CaseDeadline.State.DUE, CaseDeadline.State.OVERDUE,  # type: ignore[attr-defined]
                                              CaseDeadline.State.PAUSED)  # fmt: skip
        deadline.past = deadline.is_open and deadline.due_on < today  # type: ignore[attr-defined]
    return rows
