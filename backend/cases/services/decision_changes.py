"""Later corrections of a decision (复议/诉讼/监督 outcomes, 自行纠正)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from backend.accounts.models import User
from backend.cases import hooks
from backend.cases.deadlines import (
    deadline_cancel,
)
from backend.cases.models import (
    Case,
    DecisionCorrection,
    DecisionOutcome,
    DecisionState,
    DocumentType,
    PenaltyKind,
)
from backend.cases.services.common import (
    create_document,
    ensure_may_act,
    ensure_version,
    lock_case,
    measures_amount,
    normalise_measures,
    resolve_now,
    save_case,
)
from backend.cases.workflow import DECISION_NOT_IN_FORCE
from backend.common.clock import ensure_not_before, ensure_not_future
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record

# --------------------------------------------------------------------------- later corrections


@transaction.atomic
def case_correct_decision(
    *,
    case: Case,
    actor: User,
    context: AuditContext,
    kind: str,
    by: str,
    reason: str,
    effective_on: dt.date | None = None,
    reference: str = "",
    new_measures: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """变更、撤销、确认违法、确认无效 of a decision by 复议, 诉讼 or self-correction. The published decision
    must be withdrawn within 3 working days with a public reason (行政处罚法 第四十八条第二款): the
    disclosures hook is called in this transaction."""
    now, today = resolve_now(now)
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who={"head"})
    if not case.decision_number or case.decision_outcome != DecisionOutcome.PENALTY:
        raise PreconditionFailed("no_decision", "案件尚未作出行政处罚决定")
    if case.decision_state in (DecisionState.REVOKED, DecisionState.CONFIRMED_VOID):
        raise PreconditionFailed("decision_already_void", "该决定已被撤销或确认无效")
    if kind not in DecisionCorrection.Kind.values or by not in DecisionCorrection.By.values:
        raise ApplicationError("invalid_correction", "变更类型或途径无效", status=422)
    ensure_not_future(effective_on, field="effective_on", now=now, label="生效日期")
    last_correction = case.corrections.order_by("-effective_on").values_list("effective_on", flat=True).first()
    ensure_not_before(effective_on or today, field="effective_on", label="生效日期",
                      previous={"作出决定": case.decided_on, "上一次变更": last_correction})
    measures = normalise_measures(new_measures) if kind == DecisionCorrection.Kind.CHANGED else []
    if kind == DecisionCorrection.Kind.CHANGED and not measures:
        raise ApplicationError("measures_required", "变更决定须写明变更后的处罚内容", status=422)
    correction = DecisionCorrection.objects.create(
        case=case, kind=kind, by=by, effective_on=effective_on or today, reason=reason, reference=reference,
        previous_measures=case.decided_measures, new_measures=measures, recorded_by=actor, recorded_at=now,
    )
    create_document(
        case=case, doc_type=DocumentType.CORRECTION_DECISION, actor=actor, context=context, now=now,
        step_name="correct_decision", number=reference,
        content={"kind": kind, "by": by, "reason": reason, "new_measures": measures},
    )
    case.decision_state = kind
    if kind in DECISION_NOT_IN_FORCE:
        # Nothing is owed under a revoked or void decision: no payment period, no service (workflow.py).
        deadline_cancel(case=case, codes=["PAYMENT", "DECISION_SERVICE"])
    if measures:
        case.decided_measures = measures
        case.fine_amount = measures_amount(measures, PenaltyKind.FINE)
        case.confiscation_amount = measures_amount(
            measures, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY
        )
    save_case(case)
    audit_record(action="case.decision_corrected", target=case, context=context, case_id=case.id, data={
        "kind": kind, "by": by, "reason": reason, "reference": reference, "correction_id": correction.pk,
        "previous_measures": correction.previous_measures, "new_measures": measures, "version": case.version,
    })
    # The 3 working days run from the day the decision was changed (行政处罚法 第四十八条第二款), which a
    # correction recorded late may precede.
    hooks.notice_withdraw_for_case(
        case=case, reason=reason, kind=kind, triggered_on=correction.effective_on, context=context
    )
    hooks.decision_corrected(
        case=case, correction_id=correction.pk, kind=kind, by=by, reason=reason, reference=reference,
        effective_on=correction.effective_on,
    )
    return case
