"""Review rounds: a round opened (submission: the frozen package, the due date, the checklist) and withdrawn.

The work on an open round is in :mod:`.assignment` (reviewer, recusal), :mod:`.checklist_fill` (checklist,
pre-checks), :mod:`.outcome` (opinion), :mod:`.supplements` (clock paused), :mod:`.extensions` and
:mod:`.disputes` (disagreement, re-review).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max

from backend.accounts.models import Role, User
from backend.cases.models import Case, DocumentType
from backend.cases.services import (
    case_submit_post_hearing_review,
    case_submit_review,
)
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews import prechecks
from backend.reviews.checklist import (
    ReviewKind,
)
from backend.reviews.models import (
    CaseReviewFlags,
    ChecklistEntry,
    ReviewAssignment,
    ReviewRound,
)
from backend.reviews.services.catalog import checklist_effective_items
from backend.reviews.services.clock import review_clock_recompute, review_clock_show, review_due
from backend.reviews.services.common import (
    HEARING_PENDING_STATUSES,
    RS,
    SUBMITTABLE_STATUSES,
    S,
    _ensure_agency,
    _ensure_transition,
    _is_handler,
    _lock_round,
    _measure_list,
    _now,
    _today,
    canonical_sha256,
    jsonable,
    proposal_from_case,
    review_settings_get,
)
from backend.reviews.services.evaluation import _store_evaluation, evaluate_case, review_requirement

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- submission


def _due(received_on: dt.date, workdays: int) -> tuple[dt.date, bool]:
    return review_due(received_on=received_on, workdays=workdays)


def _recompute_due(round_: ReviewRound) -> None:
    review_clock_recompute(round_)


def _documents_snapshot(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": str(doc.pk),
            "doc_type": doc.doc_type,
            "title": doc.title or doc.get_doc_type_display(),
            "number": doc.number,
            "occurred_at": doc.occurred_at.isoformat(),
        }
        for doc in case.documents.all()
    ]


def _build_package(
    *, case: Case, discretion: str, investigation_report: str, hearing_record: str, assessment: str, note: str
) -> dict[str, Any]:
    measures, decided = _measure_list(case)
    proposal = proposal_from_case(case)
    documents = _documents_snapshot(case)
    hearing_docs = [d for d in documents if d["doc_type"] == DocumentType.HEARING_RECORD]
    return {
        "case": {
            "id": str(case.pk),
            "case_number": case.case_number,
            "title": case.title,
            "procedure": case.procedure,
            "status": case.status,
            "registered_on": case.registered_on,
        },
        "party": {
            "type": case.party_type,
            "name": case.party_name,
            "uscc": case.party_uscc,
            "legal_rep": case.party_legal_rep,
        },
        "proposal": {
            "outcome": case.decision_outcome or "penalty",
            "measures": measures,
            "fine_amount": proposal.fine_amount,
            "confiscation_amount": proposal.confiscation_amount,
            "from_decision_fields": decided,
        },
        "violation_type": case.violation_type,
        "facts": case.facts,
        "legal_basis": list(case.legal_basis or []),
        "discretion": discretion,
        "investigation_report": investigation_report,
        "hearing": {
            "held_on": case.hearing_held_on,
            "record": hearing_record,
            "documents": hearing_docs,
        }
        if case.hearing_held_on
        else None,
        "assessment": assessment,
        "documents": documents,
        "handling_officers": [{"id": str(u.pk), "name": str(u)} for u in case.handling_officers.all()],
        "note": note,
    }


def _package_problems(case: Case, package: dict[str, Any]) -> dict[str, list[str]]:
    """DOMAIN §4.5: 调查终结报告, the draft decision, its basis and the evidence; the hearing record."""
    problems: dict[str, list[str]] = {}
    if not case.facts.strip():
        problems["facts"] = ["案件事实未填写"]
    if not package["legal_basis"]:
        problems["legal_basis"] = ["法律依据未填写"]
    if (
        package["proposal"]["outcome"] == "penalty"
        and not package["proposal"]["measures"]
        and package["proposal"]["fine_amount"] is None
    ):
        problems["proposal"] = ["拟处罚内容未填写"]
    has_report_doc = any(d["doc_type"] == DocumentType.INVESTIGATION_REPORT for d in package["documents"])
    if not package["investigation_report"].strip() and not has_report_doc:
        problems["investigation_report"] = ["须提交调查终结报告"]
    if package["proposal"]["fine_amount"] is not None and not package["discretion"].strip():
        problems["discretion"] = ["须说明裁量基准的适用理由"]
    hearing = package["hearing"]
    if hearing is not None and not hearing["record"].strip() and not hearing["documents"]:
        problems["hearing_record"] = ["经过听证的案件须提交听证笔录"]
    return problems


def _enter_case_review_status(*, case: Case, actor: User, context: AuditContext | None) -> Case:
    """Move the case into its review status through the cases app's own transition (提交审核 /
    听证后法制审核), which also stores the major-decision reasons on the case. Returns the re-read case."""
    entries: dict[str, Callable[..., Case]] = {
        S.INVESTIGATION_CONCLUDED: case_submit_review,
        S.HEARING_HELD: case_submit_post_hearing_review,
    }
    enter = entries.get(case.status)
    if enter is None:
        return case
    enter(case=case, actor=actor, context=context or AuditContext(actor=actor))
    return Case.objects.select_for_update().get(pk=case.pk)


def _create_checklist(round_: ReviewRound, hints: dict[str, list[dict[str, Any]]] | None) -> None:
    items = checklist_effective_items(agency_id=round_.agency_id, kind=round_.kind, on=round_.received_on)
    placed = prechecks.place_hints(hints or {}, [i.code for i in items])
    ChecklistEntry.objects.bulk_create(
        ChecklistEntry(
            round=round_,
            code=i.code,
            order=i.order,
            title=i.title,
            guidance=i.guidance,
            source=i.source,
            statutory=i.statutory,
            template_id=i.template_id,
            hints=placed.get(i.code, []),
        )
        for i in items
    )


@transaction.atomic
def review_submit(
    *,
    case: Case,
    actor: User,
    kind: str | None = None,
    discretion: str = "",
    investigation_report: str = "",
    hearing_record: str = "",
    assessment: str = "",
    note: str = "",
    context: AuditContext | None = None,
) -> ReviewRound:
    """The handling officer submits the review package; a new round starts with the package frozen.

    The proposal, facts, legal basis, discretion reasoning, hearing record and the evidence list (ids and
    SHA-256) are copied into the round and hashed, so later changes to the case never change what was
    reviewed. A previous round that is still open is superseded (withdrawn) by the new one.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_agency(actor, case.agency_id)
    if not _is_handler(case, actor):
        raise Forbidden("只有本案承办人员可以提交审核", code="not_handling_officer")
    if case.status in HEARING_PENDING_STATUSES:
        raise PreconditionFailed(
            "hearing_not_finished", "当事人已申请听证：应当在听证结束后提交法制审核（行政处罚法第五十八条）"
        )
    if case.status not in SUBMITTABLE_STATUSES:
        raise PreconditionFailed(
            "case_not_reviewable",
            f"案件当前状态为“{case.get_status_display()}”，不能提交审核",
            extra={"status": case.status},
        )
    if case.procedure != "general":
        raise PreconditionFailed("review_not_applicable", "简易程序案件不进行法制审核")
    case = _enter_case_review_status(case=case, actor=actor, context=context)
    requirement = review_requirement(case=case)
    if requirement.kind is None:
        raise PreconditionFailed("review_not_applicable", "简易程序案件不进行法制审核")
    kind = kind or requirement.kind
    if kind not in ReviewKind.__members__.values():
        raise ApplicationError("invalid_review_kind", "审核类别无效", status=422, fields={"kind": ["无效"]})
    if requirement.kind == ReviewKind.LEGAL_REVIEW and kind != ReviewKind.LEGAL_REVIEW:
        raise PreconditionFailed(
            "legal_review_required",
            "本案属于重大执法决定，须提交法制审核",
            extra={"major_reasons": [r["text"] for r in requirement.reasons]},
        )

    package = jsonable(
        _build_package(
            case=case,
            discretion=discretion,
            investigation_report=investigation_report,
            hearing_record=hearing_record,
            assessment=assessment,
            note=note,
        )
    )
    problems = _package_problems(case, package)
    if problems:
        raise ApplicationError("review_package_incomplete", "送审材料不完整", status=422, fields=problems)

    now, today = _now(), _today()
    for open_round in ReviewRound.objects.select_for_update().filter(case=case, status__in=ReviewRound.OPEN_STATUSES):
        _withdraw(open_round, actor=actor, reason="重新送审，本轮由新一轮取代", context=context)
    evaluation = evaluate_case(case=case)
    _store_evaluation(case, evaluation, "submission")
    manifest = prechecks.evidence_manifest(case)
    previous = ReviewRound.objects.filter(case=case).order_by("-submitted_at").first()
    number = (ReviewRound.objects.filter(case=case, kind=kind).aggregate(m=Max("number"))["m"] or 0) + 1
    settings_row = review_settings_get(agency_id=case.agency_id)
    limit = settings_row.legal_review_workdays if kind == ReviewKind.LEGAL_REVIEW else settings_row.case_review_workdays
    due_on, provisional = _due(today, limit)
    round_ = ReviewRound(
        agency_id=case.agency_id,
        case=case,
        kind=kind,
        number=number,
        post_hearing=bool(case.hearing_held_on),
        previous_round=previous,
        submitted_by=actor,
        submitted_at=now,
        package=package,
        evidence_manifest=manifest,
        package_sha256=canonical_sha256({"package": package, "evidence": manifest}),
        proposal_fingerprint=requirement.fingerprint,
        major_reasons=[r.as_dict() for r in evaluation.reasons],
        catalog=evaluation.catalog,
        received_on=today,
        time_limit_workdays=limit,
        due_on=due_on,
        due_provisional=provisional,
    )
    round_.save()
    review_clock_show(round_, today=today)
    flags_row = CaseReviewFlags.objects.filter(case_id=case.pk).first()
    hints = prechecks.run_prechecks(case=case, flags=flags_row.as_flags() if flags_row else frozenset(), today=today)
    _create_checklist(round_, hints)
    audit_record(
        action="review.submitted",
        target=round_,
        context=context,
        actor=actor,
        case_id=case.pk,
        data={
            "kind": kind,
            "number": number,
            "package_sha256": round_.package_sha256,
            "evidence_count": len(manifest),
            "proposal_fingerprint": round_.proposal_fingerprint,
            "major_reasons": [r.code for r in evaluation.reasons],
            "due_on": due_on,
            "previous_round": str(previous.pk) if previous else None,
        },
    )
    return round_


def _withdraw(round_: ReviewRound, *, actor: User, reason: str, context: AuditContext | None) -> None:
    _ensure_transition(round_, RS.WITHDRAWN)
    round_.status = RS.WITHDRAWN
    round_.save(update_fields=["status", "updated_at"])
    review_clock_show(round_)
    ReviewAssignment.objects.filter(round=round_, ended_at__isnull=True).update(ended_at=_now(), end_reason=reason)
    audit_record(
        action="review.withdrawn",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"number": round_.number, "reason": reason},
    )


@transaction.atomic
def review_withdraw(
    *, round_: ReviewRound, actor: User, reason: str, context: AuditContext | None = None
) -> ReviewRound:
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    if not (_is_handler(round_.case, actor) or actor.has_role(Role.AGENCY_HEAD)):
        raise Forbidden("只有本案承办人员或机关负责人可以撤回送审", code="not_handling_officer")
    _withdraw(round_, actor=actor, reason=reason, context=context)
    return round_
