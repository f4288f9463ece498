"""责令改正 (行政处罚法 第二十八条第一款): the order with its period, the follow-up inspection and its outcome,
and a new case on the violation when the party did not correct it within the period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.cases import services as case_services
from backend.cases.deadlines import deadline_meet, deadline_open
from backend.cases.models import Case, CaseDeadline, Source
from backend.cases.services.common import ensure_officers_can_act, officers_from_ids
from backend.common.clock import ensure_not_before, ensure_not_future
from backend.common.errors import ApplicationError, NotFound, PreconditionFailed
from backend.evidence.models import EvidenceItem
from backend.execution.models import CorrectionOrder
from backend.execution.services.common import act_date, begin
from backend.ledger.services import AuditContext, audit_record

CS = CorrectionOrder.Status
DEFAULT_BASIS = "中华人民共和国行政处罚法第二十八条第一款"
# The party's data the new case starts from (the same party, the same place; the facts are the new case's).
_PARTY_FIELDS = (
    "party_type",
    "party_name",
    "party_id_number",
    "party_phone",
    "party_address",
    "party_uscc",
    "party_legal_rep",
    "party_legal_rep_id_number",
    "party_is_minor",
    "place_address",
)


def _audit(action: str, order: CorrectionOrder, context: AuditContext, data: dict[str, Any]) -> None:
    event = audit_record(
        action=action,
        target=order,
        context=context,
        agency_id=order.agency_id,
        case_id=order.case_id,
        data={"status": order.status, "due_on": order.due_on, **data},
    )
    CorrectionOrder.objects.filter(pk=order.pk).update(audit_event=event)


def _order(case: Case) -> CorrectionOrder:
    order = CorrectionOrder.objects.select_for_update().filter(case=case).first()
    if order is None:
        raise NotFound("本案未登记责令改正", code="correction_order_not_found")
    return order


def evidence_refs(*, case: Case, evidence_ids: list[Any], field: str = "evidence_ids") -> list[str]:
    """Received evidence items of this case (photos, 笔录 scans), as ids: 422 ``invalid_evidence`` otherwise."""
    wanted = {str(i) for i in evidence_ids}
    found = {
        str(pk)
        for pk in EvidenceItem.objects.filter(
            case=case, pk__in=wanted, status=EvidenceItem.Status.RECEIVED
        ).values_list("pk", flat=True)
    }
    missing = sorted(wanted - found)
    if missing:
        raise ApplicationError(
            "invalid_evidence",
            "证据不存在、不属于本案或尚未接收",
            status=422,
            fields={field: [f"无效的证据：{', '.join(missing)}"]},
        )
    return sorted(found)


@transaction.atomic
def correction_order(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    requirement: str,
    period_days: int,
    ordered_on: dt.date | None = None,
    basis: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CorrectionOrder:
    """Record the decision's order to correct within ``period_days`` (第二十八条第一款). The period runs from
    ``ordered_on`` — the day the decision was served unless the order says otherwise — and ends on the case's
    ``CORRECTION_ORDER`` deadline (a rest day rolls forward). One order per decision (409
    ``correction_order_exists``)."""
    now = now or timezone.now()
    case, _step = begin(step="correction_order", case=case, actor=actor, expected_version=expected_version)
    if CorrectionOrder.objects.filter(case=case).exists():
        raise PreconditionFailed("correction_order_exists", "本案已登记责令改正")
    ensure_not_future(ordered_on, field="ordered_on", now=now, label="责令改正之日")
    ordered_on = ordered_on or case.served_on or timezone.localdate(now)
    ensure_not_before(ordered_on, field="ordered_on", previous={"作出决定": case.decided_on}, label="责令改正之日")
    row = deadline_open(
        case=case, code="CORRECTION_ORDER", anchor_on=ordered_on, length=period_days, kind=CaseDeadline.Kind.PARTY
    )
    order = CorrectionOrder.objects.create(
        case=case,
        agency_id=case.agency_id,
        requirement=requirement,
        basis=basis or DEFAULT_BASIS,
        ordered_on=ordered_on,
        period_days=period_days,
        due_on=row.due_on,
        recorded_by=actor,
        recorded_at=now,
    )
    _audit(
        "correction.ordered",
        order,
        context,
        {"ordered_on": ordered_on, "period_days": period_days, "requirement": requirement, "basis": order.basis},
    )
    return order


@transaction.atomic
def correction_inspect(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    outcome: str,
    findings: str,
    inspected_on: dt.date | None = None,
    corrected_on: dt.date | None = None,
    officer_ids: list[Any] | None = None,
    evidence_ids: list[Any] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CorrectionOrder:
    """The follow-up inspection (复查) and its outcome. On site, so ≥ 2 officers with valid 执法证 on the day
    (第四十二条、第五十五条). ``corrected``: the period is met on ``corrected_on`` (late when after it);
    ``not_corrected`` can only be found once the period is over: an inspection on or before its last day
    answers 409 ``correction_period_running`` (the party still has that day)."""
    now = now or timezone.now()
    case, _step = begin(step="correction_inspect", case=case, actor=actor, expected_version=expected_version)
    order = _order(case)
    if order.status != CS.PENDING:
        raise PreconditionFailed("correction_already_inspected", "该责令改正已复查并登记结果")
    inspected_on = act_date(inspected_on, now, "inspected_on", "复查日期")
    ensure_not_before(inspected_on, field="inspected_on", previous={"责令改正": order.ordered_on}, label="复查日期")
    if officer_ids:
        officers = officers_from_ids(agency_id=case.agency_id, officer_ids=officer_ids)
    else:
        officers = list(case.handling_officers.prefetch_related("roles", "credentials"))
    ensure_officers_can_act(case=case, on=inspected_on, officers=officers)
    refs = evidence_refs(case=case, evidence_ids=evidence_ids or [])
    if outcome == CS.NOT_CORRECTED:
        if inspected_on <= order.due_on:
            raise PreconditionFailed(
                "correction_period_running",
                f"改正期限至{order.due_on.isoformat()}届满，期满前不能认定逾期未改正（行政处罚法第二十八条）",
                extra={"due_on": order.due_on.isoformat()},
            )
        if corrected_on is not None:
            raise ApplicationError(
                "corrected_on_not_allowed",
                "未改正的不应填写改正日期",
                status=422,
                fields={"corrected_on": ["未改正的不应填写改正日期"]},
            )
        CaseDeadline.objects.filter(case=case, rule_code="CORRECTION_ORDER").update(state=CaseDeadline.State.OVERDUE)
    else:
        corrected_on = corrected_on or inspected_on
        ensure_not_before(corrected_on, field="corrected_on", previous={"责令改正": order.ordered_on}, label="改正日期")
        if corrected_on > inspected_on:
            raise ApplicationError(
                "corrected_after_inspection",
                "改正日期不能晚于复查日期",
                status=422,
                fields={"corrected_on": ["不能晚于复查日期"]},
            )
        deadline_meet(case=case, code="CORRECTION_ORDER", on=corrected_on)
    order.status = outcome
    order.inspected_on = inspected_on
    order.inspection_findings = findings
    order.inspection_officer_ids = sorted(str(o.pk) for o in officers)
    order.inspection_evidence_ids = refs
    order.save(
        update_fields=[
            "status",
            "inspected_on",
            "inspection_findings",
            "inspection_officer_ids",
            "inspection_evidence_ids",
        ]
    )
    _audit("correction.inspected", order, context, {
        "outcome": outcome, "inspected_on": inspected_on, "corrected_on": corrected_on,
        "late": bool(corrected_on and corrected_on > order.due_on), "findings": findings,
        "officer_ids": order.inspection_officer_ids, "evidence_ids": refs,
    })  # fmt: skip
    return order


@transaction.atomic
def correction_follow_up(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    title: str = "",
    facts: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CorrectionOrder:
    """The party did not correct within the period: the violation is taken up again as a new case (线索登记,
    第五十四条), the same party, with the inspection as its source. Once (409 ``follow_up_case_exists``), only
    after an inspection found it not corrected (409 ``correction_not_lapsed``)."""
    now = now or timezone.now()
    case, _step = begin(step="correction_follow_up", case=case, actor=actor, expected_version=expected_version)
    order = _order(case)
    if order.status != CS.NOT_CORRECTED:
        raise PreconditionFailed("correction_not_lapsed", "复查未认定逾期未改正，不能另行立案")
    if order.follow_up_case_id is not None:
        raise PreconditionFailed(
            "follow_up_case_exists", "已就逾期未改正登记新案件", extra={"case_id": str(order.follow_up_case_id)}
        )
    assert order.inspected_on is not None  # set with the not_corrected outcome
    fields: dict[str, Any] = {name: getattr(case, name) for name in _PARTY_FIELDS}
    fields.update(
        title=title or f"逾期不改正：{case.title}"[:300],
        source=Source.INSPECTION,
        violation_type=case.violation_type,
        legal_basis=case.legal_basis,
        facts=facts
        or (
            f"{case.decision_number}责令当事人于{order.due_on.isoformat()}前改正：{order.requirement}。"
            f"{order.inspected_on.isoformat()}复查，{order.inspection_findings}"
        ),
    )
    new_case = case_services.case_create(
        actor=actor,
        context=context,
        fields=fields,
        officer_ids=[str(o.pk) for o in case.handling_officers.all()],
        clue_received_on=order.inspected_on,
        now=now,
    )
    order.follow_up_case = new_case
    order.save(update_fields=["follow_up_case"])
    _audit("correction.follow_up_case_opened", order, context, {"follow_up_case_id": str(new_case.pk)})
    return order
