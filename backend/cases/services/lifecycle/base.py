"""What every transition service shares: the begin/finish pair (lock, version, who may act, the table row;
the transition row and audit event), the act date and the evidence checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from backend.cases import hooks
from backend.cases.models import (
    Case,
    DocumentType,
)
from backend.cases.services.common import (
    Step,
    ensure_decision_in_force,
    ensure_may_act,
    ensure_version,
    lock_case,
    record_transition,
    save_case,
)
from backend.cases.workflow import NEEDS_DECISION_IN_FORCE, TRANSITIONS, Transition
from backend.common.clock import ensure_not_future
from backend.common.errors import PreconditionFailed
from backend.ledger.services import AuditContext

S = Case.Status
EVIDENTIARY_DOCUMENTS = (DocumentType.INSPECTION_RECORD, DocumentType.INQUIRY_RECORD, DocumentType.SAMPLING_RECORD)


def begin_transition(*, name: str, case: Case, actor: User, expected_version: int | None) -> tuple[Case, Transition]:
    transition = TRANSITIONS[name]
    case = lock_case(case)
    ensure_version(case, expected_version)
    ensure_may_act(actor=actor, case=case, who=transition.who)
    if case.status not in transition.sources:
        raise PreconditionFailed(
            "transition_not_allowed",
            f"案件当前状态为“{case.get_status_display()}”，不能进行“{transition.label}”",
            extra={"status": case.status, "transition": name, "allowed_from": sorted(transition.sources)},
        )
    if name in NEEDS_DECISION_IN_FORCE:
        ensure_decision_in_force(case)
    return case, transition


def finish_transition(
    *,
    case: Case,
    transition: Transition,
    actor: User,
    context: AuditContext,
    now: dt.datetime,
    step: Step,
    to: str | None = None,
    data: dict[str, Any] | None = None,
) -> Case:
    from_status = case.status
    target = to or transition.target
    assert target is not None, f"{transition.name}: a service-decided target must be passed as ``to``"
    case.status = target
    save_case(case)
    record_transition(
        case=case,
        name=transition.name,
        from_status=from_status,
        actor=actor,
        context=context,
        now=now,
        step=step,
        data=data,
    )
    return case


def act_date(value: dt.date | None, now: dt.datetime, field: str) -> dt.date:
    """The date an act was done, as the client reports it (offline work), or today; never in the future
    (api_docs/guides/sync.md; backend/common/clock.py)."""
    ensure_not_future(value, field=field, now=now)
    return value if value is not None else timezone.localdate(now)


def ensure_evidence(case: Case) -> None:
    """No 告知 without evidence (行政处罚法 第四十条: 违法事实不清、证据不足的，不得给予行政处罚). Received
    evidence items count, and so do 笔录 (第四十六条: 勘验笔录、现场笔录、当事人的陈述 are evidence)."""
    if hooks.evidence_received_count(case_id=case.id):
        return
    if case.documents.filter(doc_type__in=EVIDENTIARY_DOCUMENTS).exists():
        return
    raise PreconditionFailed("evidence_missing", "案件尚无证据，不能告知拟处罚（行政处罚法第四十条）")


def decision_evidence(case: Case) -> list[str]:
    """The evidence a 决定书 lists (行政处罚法 第五十九条第一款第二项): the 笔录 made in the investigation
    (第四十六条: 勘验笔录、现场笔录 and the party's statements are evidence; a superseded one is left off), then
    the received evidence items."""
    documents = case.documents.filter(doc_type__in=EVIDENTIARY_DOCUMENTS).order_by("occurred_at", "created_at")
    superseded = set(case.documents.exclude(supersedes=None).values_list("supersedes_id", flat=True))
    lines = []
    for document in documents:
        if document.pk in superseded:
            continue
        made = timezone.localtime(document.occurred_at).date().isoformat()
        details = "，".join(part for part in (made, document.place, document.number) if part)
        lines.append(f"{document.get_doc_type_display()}（{details}）")
    return [*lines, *hooks.case_evidence_list_text(case_id=case.id)]
