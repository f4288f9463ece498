"""After the decision: 送达 → 执行 → 结案 → 归档."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from backend.accounts.models import User
from backend.cases import hooks
from backend.cases.deadlines import (
    case_rules,
    deadline_meet,
    deadline_open,
)
from backend.cases.models import (
    Activity,
    Case,
    CaseDeadline,
    DecisionOutcome,
    DocumentType,
)
from backend.cases.services.cash import ensure_cash_deposited
from backend.cases.services.common import (
    NO_STEP,
    Step,
    create_document,
    ensure_decision_in_force,
    ensure_may_act,
    ensure_officers_can_act,
    ensure_version,
    lock_case,
    resolve_now,
    save_case,
)
from backend.cases.services.lifecycle.base import (
    S,
    act_date,
    begin_transition,
    finish_transition,
)
from backend.cases.workflow import DECISION_NOT_IN_FORCE
from backend.common.calendar import get_calendar
from backend.common.clock import ensure_not_before
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.common.workdays import get_rule
from backend.ledger.services import AuditContext, audit_record

# --------------------------------------------------------------------------- 送达 → 执行 → 结案 → 归档

SERVICE_METHODS = {
    "direct": Activity.SERVICE,
    "left_at_residence": Activity.SERVICE_LEFT,
    "post": Activity.SERVICE,
    "entrusted": Activity.SERVICE,
    "electronic": Activity.SERVICE,
    "public_notice": Activity.SERVICE_PUBLIC,
}


@transaction.atomic
def case_serve(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    method: str,
    served_on: dt.date | None = None,
    electronic_consent: bool = False,
    recipient: str = "",
    attachment_ids: list[Any] | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """送达 within 7 working days (行政处罚法 第六十一条); electronic service only with the party's consent.
    Starts the 15-day payment period for a fine (第六十七条).

    For 公告送达 (``public_notice``) ``served_on`` is the day the notice was published: the decision is deemed
    served when the agency's period after it has run (民事诉讼法 第九十五条, 30 days; 市场监督管理行政处罚
    程序规定 第八十二条第五项), and the party's payment period starts then. The case records the deemed date."""
    now, _today = resolve_now(now)
    case, t = begin_transition(name="serve", case=case, actor=actor, expected_version=expected_version)
    served_on = act_date(served_on, now, "served_on")
    acted_on = served_on  # the agency's own act: delivery, posting, or publication of the notice
    ensure_not_before(acted_on, field="served_on", label="送达日期", previous={"作出决定": case.decided_on})
    if method not in SERVICE_METHODS:
        raise ApplicationError("invalid_service_method", "送达方式无效", status=422, fields={"method": ["无效"]})
    if method == "electronic" and not electronic_consent:
        raise PreconditionFailed(
            "electronic_service_without_consent", "当事人未同意并签订确认书，不得电子送达（第六十一条）"
        )
    if method in ("direct", "left_at_residence"):
        ensure_officers_can_act(case=case, on=served_on)
    content = {
        "method": method,
        "served_on": served_on.isoformat(),
        "recipient": recipient,
        "decision_number": case.decision_number,
    }
    if method == "public_notice":
        rule = get_rule("PUBLIC_NOTICE_SERVICE")
        # Deemed served when the period has run; it protects the party (latest plausible day if provisional).
        length = case_rules(case.agency_id).public_notice_service_days
        served_on = get_calendar().compute(rule, acted_on, length=length).due
        content.update(published_on=acted_on.isoformat(), served_on=served_on.isoformat())
    case.served_on = served_on
    document = create_document(
        case=case,
        doc_type=DocumentType.SERVICE_RECEIPT,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        activity=SERVICE_METHODS[method],
        attachment_ids=attachment_ids,
        content=content,
    )
    deadline_meet(case=case, code="DECISION_SERVICE", on=acted_on)
    if case.fine_amount:
        deadline_open(case=case, code="PAYMENT", anchor_on=served_on, kind=CaseDeadline.Kind.PARTY)
    case = finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"method": method, "served_on": served_on, "acted_on": acted_on, "document_id": str(document.id)},
    )
    hooks.decision_served(case=case, served_on=served_on)
    return case


@transaction.atomic
def case_start_execution(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    now, _today = resolve_now(now)
    case, t = begin_transition(name="start_execution", case=case, actor=actor, expected_version=expected_version)
    return finish_transition(case=case, transition=t, actor=actor, context=context, now=now, step=step)


@transaction.atomic
def case_record_execution(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    executed_on: dt.date | None = None,
    note: str = "",
    paid_amount: Decimal | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """执行完毕: starts the 15-working-day limit for 结案 (市场监管程序规定 第七十七条)."""
    now, _today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"handler"})
    if case.status != S.EXECUTING:
        raise PreconditionFailed("transition_not_allowed", "案件不在执行阶段", extra={"status": case.status})
    ensure_decision_in_force(case)
    executed_on = act_date(executed_on, now, "executed_on")
    case.executed_on = executed_on
    deadline_meet(case=case, code="PAYMENT", on=executed_on)
    deadline_open(case=case, code="CASE_CLOSURE", anchor_on=executed_on)
    save_case(case)
    audit_record(
        action="case.executed",
        target=case,
        context=context,
        case_id=case.id,
        data={
            "executed_on": executed_on,
            "note": note,
            "paid_amount": paid_amount,
            "version": case.version,
        },
    )
    return case


@transaction.atomic
def case_close(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    opinion: str = "",
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """结案审批 (市场监管程序规定 第七十七条): executed, or nothing to execute (warning; 不予处罚; 移送)."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="close", case=case, actor=actor, expected_version=expected_version)
    # What happened after the decision (payments, 复议/诉讼, property) is the apps above's to check; a
    # refusal names the open item, so they are told first.
    hooks.case_closing(case=case, closing_on=today)
    # Nothing is left to execute of a revoked or void decision: the case is closed as it stands.
    void = case.decision_state in DECISION_NOT_IN_FORCE
    nothing_to_execute = void or (not case.fine_amount and not case.confiscation_amount)
    if case.status == S.DECIDED and case.decision_outcome == DecisionOutcome.PENALTY and not void:
        raise PreconditionFailed("decision_not_served", "处罚决定书尚未送达，不能结案")
    if case.status in (S.SERVED, S.FILED) and not nothing_to_execute and case.executed_on is None:
        raise PreconditionFailed("execution_not_completed", "处罚尚未执行完毕，不能结案")
    if case.status == S.EXECUTING and case.executed_on is None and not void:
        raise PreconditionFailed("execution_not_completed", "处罚尚未执行完毕，不能结案")
    ensure_cash_deposited(case)
    if case.executed_on is None and nothing_to_execute:
        deadline_open(case=case, code="CASE_CLOSURE", anchor_on=case.served_on or case.decided_on or today)
    document = create_document(
        case=case,
        doc_type=DocumentType.CLOSURE_APPROVAL,
        actor=actor,
        context=context,
        now=now,
        step_name=t.name,
        content={"opinion": opinion},
    )
    deadline_meet(case=case, code="CASE_CLOSURE", on=today)
    deadline_meet(case=case, code="SUMMARY_FILING", on=today)
    case.closed_on = today
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"document_id": str(document.id)},
    )


@transaction.atomic
def case_archive(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    retention_years: int | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """归档 (一案一卷; 市场监管程序规定 第七十八条、第七十九条). The retention term starts; ``None`` years
    keeps the file permanently."""
    now, today = resolve_now(now)
    case, t = begin_transition(name="archive", case=case, actor=actor, expected_version=expected_version)
    case.archived_on = today
    if retention_years:
        case.retention_until = get_calendar().add_years(today, retention_years).due
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"retention_until": case.retention_until},
    )


@transaction.atomic
def case_file_summary(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    filed_on: dt.date | None = None,
    step: Step = NO_STEP,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """简易程序: hand the materials to the agency within 7 working days (市场监管程序规定 第七十条)."""
    now, _today = resolve_now(now)
    case, t = begin_transition(name="file_summary", case=case, actor=actor, expected_version=expected_version)
    filed_on = act_date(filed_on, now, "filed_on")
    case.summary_filed_on = filed_on
    met = deadline_meet(case=case, code="SUMMARY_FILING", on=filed_on)
    return finish_transition(
        case=case,
        transition=t,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data={"filed_on": filed_on, "late": bool(met and met.met_late)},
    )
