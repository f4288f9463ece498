"""Extending a case's deadlines: the decision period (第六十条) and the other extendable periods."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases import hooks
from backend.cases.deadlines import (
    EXTERNAL_CLOCK_CODES,
    case_rules,
    decision_deadline_refresh,
)
from backend.cases.models import (
    Case,
    CaseDeadline,
    DeadlineExtension,
    DocumentType,
)
from backend.cases.rules import extension_in_time
from backend.cases.services.common import (
    create_document,
    ensure_may_act,
    ensure_version,
    lock_case,
    resolve_now,
    save_case,
)
from backend.common.calendar import get_calendar
from backend.common.errors import PreconditionFailed
from backend.common.workdays import get_rule
from backend.ledger.services import AuditContext, audit_record

# --------------------------------------------------------------------------- deadlines


@transaction.atomic
def case_extend_decision(
    *, case: Case, actor: User, context: AuditContext, reason: str, collective_discussion: bool = False,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> Case:
    """延长办案期限: +30 days with the head's approval (行政处罚法 第六十条; 市场监管程序规定 第六十四条);
    a further extension needs 集体讨论."""
    now, today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    deadline = decision_deadline_refresh(case=case, today=today)  # pauses up to today counted
    if deadline is None or deadline.state in (CaseDeadline.State.MET, CaseDeadline.State.CANCELLED):
        raise PreconditionFailed("no_decision_clock", "案件没有正在计算的决定期限")
    _ensure_extension_in_time(deadline, today)
    previous = case.extensions.filter(rule_code="DECISION").count()
    if previous >= 1 and not collective_discussion:
        raise PreconditionFailed("extension_needs_collective_discussion", "再次延长须经集体讨论决定")
    rules = case_rules(case.agency_id)
    document = create_document(
        case=case, doc_type=DocumentType.EXTENSION_APPROVAL, actor=actor, context=context, now=now,
        step_name="extend_decision",
        content={
            "reason": reason, "days": rules.decision_extension_days, "collective_discussion": collective_discussion
        },
    )
    DeadlineExtension.objects.create(case=case, rule_code="DECISION", length=rules.decision_extension_days,
                                     reason=reason, approved_by=actor, approved_at=now, document=document)
    case.decision_extension_days += rules.decision_extension_days
    save_case(case)
    refreshed = decision_deadline_refresh(case=case, today=today)
    audit_record(action="case.deadline_extended", target=case, context=context, case_id=case.id, data={
        "rule": "DECISION", "days": rules.decision_extension_days, "reason": reason,
        "due_on": refreshed.due_on if refreshed else None, "version": case.version,
    })
    return case


def _ensure_extension_in_time(deadline: CaseDeadline, today: dt.date) -> None:
    """An extension is approved while the limit runs, on its last day at the latest (行政处罚法 第六十条;
    市场监管程序规定 第六十四条; 行政强制法 第二十五条): afterwards 409 ``extension_after_expiry``."""
    if deadline.state == CaseDeadline.State.PAUSED:
        return  # the clock stands still: its end is not reached
    if not extension_in_time(due_on=deadline.due_on, approved_on=today):
        raise PreconditionFailed(
            "extension_after_expiry",
            f"“{deadline.name}”已于{deadline.due_on.isoformat()}届满，不能再批准延长；延长须在期限届满前批准",
            extra={"rule": deadline.rule_code, "due_on": deadline.due_on.isoformat()},
        )


# Time limits other than the decision clock that an approval may extend (DOMAIN.md §5, §8).
EXTENDABLE_RULES = {"CLUE_VERIFY", "SEIZURE", "FREEZE", "CASE_REVIEW", "LEGAL_REVIEW"}


@transaction.atomic
def case_extend_deadline(
    *, case: Case, actor: User, context: AuditContext, rule_code: str, reason: str,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> CaseDeadline:
    """An approved extension of an open time limit by the rule's extension length: 核查 +15 working days
    (市场监管程序规定 第十八条), 查封扣押/冻结 +30 days (行政强制法 第二十五条、第三十二条: 书面告知理由),
    审核 (第五十五条). The decision clock has its own service (:func:`case_extend_decision`)."""
    now, _today = resolve_now(now)
    if rule_code == "DECISION":
        case = case_extend_decision(case=case, actor=actor, context=context, reason=reason,
                                    expected_version=expected_version, now=now)
        return CaseDeadline.objects.get(case=case, rule_code="DECISION")
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    if rule_code not in EXTENDABLE_RULES:
        raise PreconditionFailed("deadline_not_extendable", "该期限不能延长", extra={"rule": rule_code})
    if rule_code in EXTERNAL_CLOCK_CODES:
        # The review's one clock is its round: extend it there; the case's row follows.
        if not CaseDeadline.objects.filter(case=case, rule_code=rule_code, state__in=(
                CaseDeadline.State.DUE, CaseDeadline.State.OVERDUE, CaseDeadline.State.PAUSED)).exists():
            raise PreconditionFailed("no_open_deadline", "案件没有正在计算的该项期限", extra={"rule": rule_code})
        hooks.review_extend_time_limit(case=case, actor=actor, reason=reason, context=context)
        save_case(case)
        return CaseDeadline.objects.get(case=case, rule_code=rule_code)
    deadline = CaseDeadline.objects.filter(case=case, rule_code=rule_code, state__in=(
        CaseDeadline.State.DUE, CaseDeadline.State.OVERDUE, CaseDeadline.State.PAUSED)).first()
    if deadline is None:
        raise PreconditionFailed("no_open_deadline", "案件没有正在计算的该项期限", extra={"rule": rule_code})
    _ensure_extension_in_time(deadline, timezone.localdate(now))
    rule = get_rule(rule_code)
    if rule.max_extensions is not None and deadline.extensions >= rule.max_extensions:
        raise PreconditionFailed("extension_limit_reached", "该期限的延长次数已用完",
                                 extra={"rule": rule_code, "max_extensions": rule.max_extensions})
    document = create_document(
        case=case, doc_type=DocumentType.EXTENSION_APPROVAL, actor=actor, context=context, now=now,
        step_name="extend_deadline", content={"rule": rule_code, "reason": reason, "length": rule.extension},
    )
    DeadlineExtension.objects.create(case=case, rule_code=rule_code, length=rule.extension or 0, reason=reason,
                                     approved_by=actor, approved_at=now, document=document)
    extensions = deadline.extensions + 1
    result = get_calendar().compute(rule, deadline.anchor_on, extensions=extensions)
    before = deadline.due_on
    deadline.due_on = result.due
    deadline.provisional = result.provisional
    deadline.extensions = extensions
    if deadline.state == CaseDeadline.State.OVERDUE and result.due >= timezone.localdate(now):
        deadline.state = CaseDeadline.State.DUE
    deadline.save()
    save_case(case)
    audit_record(action="case.deadline_extended", target=case, context=context, case_id=case.id, data={
        "rule": rule_code, "length": rule.extension, "reason": reason, "before": before, "due_on": result.due,
        "version": case.version,
    })
    return deadline
