"""Review rounds: submission, assignment and recusal, checklist, opinion, supplements, extensions, disputes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.cases.models import Case, CaseRules, DocumentType
from backend.cases.rules import extension_in_time
from backend.cases.services import (
    case_return_for_investigation,
    case_submit_post_hearing_review,
    case_submit_review,
)
from backend.cases.workflow import TRANSITIONS
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews import prechecks
from backend.reviews.checklist import (
    ItemResult,
    ReviewKind,
)
from backend.reviews.models import (
    CaseReviewFlags,
    ChecklistEntry,
    CollectiveDiscussion,
    OpinionCounter,
    Recusal,
    ReviewAssignment,
    ReviewDispute,
    ReviewExtension,
    ReviewRound,
    SupplementRequest,
)
from backend.reviews.services.catalog import checklist_effective_items
from backend.reviews.services.clock import review_clock_recompute, review_clock_show, review_due
from backend.reviews.services.common import (
    HEARING_PENDING_STATUSES,
    MSG_NOT_ASSIGNED,
    MSG_ONLY_REVIEWERS,
    OUT,
    RS,
    SUBMITTABLE_STATUSES,
    S,
    _calendar,
    _ensure_agency,
    _ensure_role,
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


def _first_assignment_conflicts(case: Case, reviewer: User, round_: ReviewRound | None) -> list[dict[str, str]]:
    """Why ``reviewer`` must not review ``case`` (回避); empty when there is no conflict."""
    conflicts: list[dict[str, str]] = []
    if _is_handler(case, reviewer):
        conflicts.append({"reason": Recusal.Reason.HANDLER, "message": "审核人员是本案承办人员"})
    doc_officers = {str(i) for ids in case.documents.values_list("officer_ids", flat=True) for i in (ids or [])}
    if str(reviewer.pk) in doc_officers and not conflicts:
        conflicts.append({"reason": Recusal.Reason.HANDLER, "message": "审核人员参与了本案调查取证"})
    # Anyone who approved a step of the case (立案, 拟处罚 ...) or registered it is not independent.
    approved = case.transitions.filter(actor=reviewer).exclude(name="return_for_investigation").exists()
    if approved or case.created_by_id == reviewer.pk:
        conflicts.append({"reason": Recusal.Reason.APPROVER, "message": "审核人员参与了本案的办理或审批"})
    for recusal in Recusal.objects.filter(case=case, reviewer=reviewer):
        conflicts.append({"reason": recusal.reason, "message": f"已登记回避：{recusal.get_reason_display()}"})
    if round_ is not None:
        # A re-review ordered on a dispute goes to someone other than the disputed opinion's author.
        disputed_authors = ReviewDispute.objects.filter(new_round=round_).values_list("round__completed_by", flat=True)
        if reviewer.pk in set(disputed_authors):
            conflicts.append(
                {"reason": Recusal.Reason.OTHER, "message": "异议处理决定另行组织审核，原审核人员不再承办"}
            )
    return conflicts


def _enter_case_review_status(*, case: Case, actor: User, context: AuditContext | None) -> Case:
    """Move the case into its review status through the cases app's own transition (提交审核 /
    听证后法制审核), which also stores the major-decision reasons on the case. Returns the re-read case."""
    enter = {S.INVESTIGATION_CONCLUDED: case_submit_review, S.HEARING_HELD: case_submit_post_hearing_review}.get(
        case.status
    )
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


# --------------------------------------------------------------------------- assignment and recusal


def _ensure_reviewer(user: User, agency_id: int) -> None:
    if user.agency_id != agency_id or not user.is_active:
        raise ApplicationError("invalid_reviewer", "审核人员须为本机关的在职人员", status=422)
    if not user.has_role(Role.LEGAL_REVIEWER):
        raise PreconditionFailed(
            "not_legal_reviewer", f"{user} 不是法制审核人员，不能承办审核", extra={"reviewer": str(user.pk)}
        )


@transaction.atomic
def review_assign(
    *, round_: ReviewRound, reviewer: User, actor: User, reason: str = "", context: AuditContext | None = None
) -> ReviewRound:
    """Assign (or reassign) a round to a legal reviewer.

    Separation of duties (行政处罚法 第五十八条第二款; 国办发〔2018〕118号 (十一)): only legal reviewers;
    never a handler, an approver of the case or a person who recused; the reviewer's first assignment
    requires the recorded 法律职业资格.
    """
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    is_self = actor.pk == reviewer.pk
    if not (actor.has_role(Role.AGENCY_HEAD) or actor.has_role(Role.LEGAL_REVIEWER)):
        raise Forbidden("只有机关负责人或法制审核机构可以分配审核任务", code="role_not_allowed")
    _ensure_reviewer(reviewer, round_.agency_id)
    _ensure_transition(round_, RS.IN_REVIEW)
    if round_.status == RS.SUPPLEMENTING:
        raise PreconditionFailed("review_round_state", "补充材料期间不能改派")
    if round_.reviewer_id == reviewer.pk:
        return round_
    conflicts = _first_assignment_conflicts(round_.case, reviewer, round_)
    if conflicts:
        raise PreconditionFailed(
            "reviewer_conflict",
            f"{reviewer} 应当回避，不能审核本案：" + "；".join(c["message"] for c in conflicts),
            extra={"reviewer": str(reviewer.pk), "conflicts": conflicts},
        )
    first = not ReviewAssignment.objects.filter(reviewer=reviewer).exists()
    if first and not reviewer.legal_qualification_no.strip():
        raise PreconditionFailed(
            "reviewer_not_qualified",
            f"{reviewer} 首次从事法制审核，须取得法律职业资格（国办发〔2018〕118号）",
            extra={"reviewer": str(reviewer.pk)},
        )
    now = _now()
    previous_reviewer = round_.reviewer
    ReviewAssignment.objects.filter(round=round_, ended_at__isnull=True).update(
        ended_at=now, end_reason=reason or "改派"
    )
    ReviewAssignment.objects.create(round=round_, reviewer=reviewer, assigned_by=actor, assigned_at=now, reason=reason)
    round_.reviewer = reviewer
    round_.assigned_at = now
    round_.status = RS.IN_REVIEW
    round_.save(update_fields=["reviewer", "assigned_at", "status", "updated_at"])
    audit_record(
        action="review.reassigned" if previous_reviewer else "review.assigned",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={
            "reviewer": str(reviewer.pk),
            "reviewer_name": str(reviewer),
            "self_claimed": is_self,
            "previous_reviewer": str(previous_reviewer.pk) if previous_reviewer else None,
            "first_assignment": first,
            "reason": reason,
        },
    )
    return round_


@transaction.atomic
def review_recusal_record(
    *,
    case: Case,
    reviewer: User,
    actor: User,
    reason: str,
    note: str = "",
    round_: ReviewRound | None = None,
    context: AuditContext | None = None,
) -> Recusal:
    """Record a 回避: declared by the reviewer, or registered by the head (e.g. a relation to the party).
    When the reviewer holds an open round of the case, the round goes back to the queue."""
    _ensure_agency(actor, case.agency_id)
    if actor.pk != reviewer.pk and not actor.has_role(Role.AGENCY_HEAD):
        raise Forbidden("只有审核人员本人或机关负责人可以登记回避", code="role_not_allowed")
    if reason not in Recusal.Reason.values:
        raise ApplicationError("invalid_recusal_reason", "回避理由无效", status=422, fields={"reason": ["无效"]})
    held = (
        ReviewRound.objects.select_for_update()
        .filter(case=case, reviewer=reviewer, status__in=[RS.IN_REVIEW, RS.SUPPLEMENTING])
        .first()
    )
    if held is not None and held.status == RS.SUPPLEMENTING:
        raise PreconditionFailed("review_round_state", "补充材料期间不能回避，请在材料补齐后办理")
    recusal = Recusal.objects.create(
        case=case,
        round=held or round_,
        reviewer=reviewer,
        reason=reason,
        note=note,
        recorded_by=actor,
        recorded_at=_now(),
    )
    if held is not None:
        ReviewAssignment.objects.filter(round=held, ended_at__isnull=True).update(
            ended_at=_now(), end_reason=f"回避：{recusal.get_reason_display()}"
        )
        held.reviewer = None
        held.assigned_at = None
        held.status = RS.PENDING
        held.save(update_fields=["reviewer", "assigned_at", "status", "updated_at"])
    audit_record(
        action="review.recused",
        target=recusal,
        context=context,
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
        data={"reviewer": str(reviewer.pk), "reason": reason, "note": note, "round": str(held.pk) if held else None},
    )
    return recusal


# --------------------------------------------------------------------------- checklist and pre-checks


def _ensure_assigned(round_: ReviewRound, actor: User) -> None:
    if not actor.has_role(Role.LEGAL_REVIEWER):
        raise Forbidden(MSG_ONLY_REVIEWERS, code="not_legal_reviewer")
    if round_.reviewer_id != actor.pk:
        raise Forbidden(MSG_NOT_ASSIGNED, code="not_assigned_reviewer")


@transaction.atomic
def review_checklist_fill(
    *, round_: ReviewRound, actor: User, items: Sequence[dict[str, Any]], context: AuditContext | None = None
) -> ReviewRound:
    """The reviewer records 符合 / 不符合 / 不适用 (with a note; required for 不符合) per item."""
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    if round_.status != RS.IN_REVIEW:
        raise PreconditionFailed(
            "review_round_state",
            f"本轮审核当前状态为“{round_.get_status_display()}”，不能填写审核内容",
            extra={"status": round_.status},
        )
    entries = {e.code: e for e in round_.checklist.all()}
    errors: dict[str, list[str]] = {}
    for item in items:
        code = str(item.get("code", ""))
        result = str(item.get("result", ""))
        note = str(item.get("note", "") or "").strip()
        if code not in entries:
            errors[code or "code"] = ["没有该审核条目"]
        elif result not in ItemResult.__members__.values():
            errors[code] = ["结论须为 conforms（符合）、nonconforming（不符合）或 not_applicable（不适用）"]
        elif result == ItemResult.NONCONFORMING and not note:
            errors[code] = ["结论为不符合时须说明理由"]
    if errors:
        raise ApplicationError("checklist_invalid", "审核内容填写有误", status=422, fields=errors)
    now = _now()
    changed = []
    for item in items:
        entry = entries[str(item["code"])]
        entry.result = str(item["result"])
        entry.note = str(item.get("note", "") or "").strip()
        entry.filled_by = actor
        entry.filled_at = now
        entry.save(update_fields=["result", "note", "filled_by", "filled_at"])
        changed.append({"code": entry.code, "result": entry.result})
    audit_record(
        action="review.checklist_filled",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"items": changed},
    )
    return round_


@transaction.atomic
def review_prechecks_refresh(*, round_: ReviewRound, actor: User, context: AuditContext | None = None) -> ReviewRound:
    """Re-run the automatic pre-checks against the case as it is now (hints only; the package stays frozen)."""
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    if not round_.is_open:
        raise PreconditionFailed("review_round_state", "本轮审核已结束")
    flags_row = CaseReviewFlags.objects.filter(case_id=round_.case_id).first()
    hints = prechecks.run_prechecks(case=round_.case, flags=flags_row.as_flags() if flags_row else frozenset())
    entries = list(round_.checklist.all())
    placed = prechecks.place_hints(hints, [e.code for e in entries])
    for entry in entries:
        entry.hints = placed.get(entry.code, [])
        entry.save(update_fields=["hints"])
    audit_record(
        action="review.prechecks_refreshed",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"problems": sorted({h["check"] for hs in placed.values() for h in hs if h["status"] == "problem"})},
    )
    return round_


# --------------------------------------------------------------------------- outcome and opinion


def _issue_opinion_number(round_: ReviewRound, on: dt.date) -> str:
    OpinionCounter.objects.get_or_create(agency_id=round_.agency_id, year=on.year)
    counter = OpinionCounter.objects.select_for_update().get(agency_id=round_.agency_id, year=on.year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    prefix = review_settings_get(agency_id=round_.agency_id).opinion_number_prefix
    if not prefix:
        rules = CaseRules.objects.filter(agency_id=round_.agency_id).first()
        prefix = rules.number_prefix if rules else ""
    word = "法审" if round_.kind == ReviewKind.LEGAL_REVIEW else "案审"
    return f"{prefix}{word}〔{on.year}〕{counter.last_value}号"


def opinion_payload(round_: ReviewRound) -> dict[str, Any]:
    """The content of the 审核意见书 that its SHA-256 covers (and the audit trail records)."""
    return {
        "round_id": str(round_.pk),
        "case_id": str(round_.case_id),
        "kind": round_.kind,
        "number": round_.number,
        "opinion_number": round_.opinion_number,
        "outcome": round_.outcome,
        "opinion_text": round_.opinion_text,
        "correction_points": round_.correction_points,
        "checklist": [
            {"code": e.code, "title": e.title, "result": e.result, "note": e.note} for e in round_.checklist.all()
        ],
        "reviewer_id": str(round_.completed_by_id) if round_.completed_by_id else None,
        "completed_at": round_.completed_at,
        "package_sha256": round_.package_sha256,
        "proposal_fingerprint": round_.proposal_fingerprint,
    }


CORRECTION_ASPECTS = {
    "characterization": "定性",
    "basis": "适用依据",
    "procedure": "程序",
    "outcome": "处理结果",
    "facts": "事实证据",
    "discretion": "裁量",
    "documents": "文书",
    "other": "其他",
}


@transaction.atomic
def review_complete(
    *,
    round_: ReviewRound,
    actor: User,
    outcome: str,
    opinion_text: str = "",
    correction_points: Sequence[dict[str, str]] = (),
    context: AuditContext | None = None,
) -> ReviewRound:
    """The reviewer issues the written opinion (审核意见书) and closes the round.

    同意 needs every item 符合 or 不适用; the other outcomes need the reasons in ``opinion_text``
    (建议纠正 also names what to correct: 定性、依据、程序或处理结果; 市场监管程序规定 第五十四条).
    建议补充调查 returns the case to 调查取证 through the cases app. The opinion enters the audit trail
    (``review.opinion``) with the reviewer's identity, the time and the SHA-256 of its content.
    """
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    if round_.status != RS.IN_REVIEW:
        raise PreconditionFailed(
            "review_round_state",
            f"本轮审核当前状态为“{round_.get_status_display()}”，不能出具意见",
            extra={"status": round_.status},
        )
    if outcome not in OUT.values:
        raise ApplicationError(
            "invalid_outcome", "审核结论无效", status=422, fields={"outcome": [f"须为：{'、'.join(OUT.values)}"]}
        )
    entries = list(round_.checklist.all())
    opinion_text = opinion_text.strip()
    points = [dict(p) for p in correction_points]
    if outcome == OUT.APPROVED:
        unfilled = [e.code for e in entries if not e.result]
        failing = [e.code for e in entries if e.result == ItemResult.NONCONFORMING]
        if unfilled or failing:
            raise PreconditionFailed(
                "checklist_not_passed",
                "同意须每一项审核内容均为“符合”或“不适用”",
                extra={"unfilled": unfilled, "nonconforming": failing},
            )
        opinion_text = (
            opinion_text
            or "经审核，本案执法主体合法，程序合法，事实清楚，证据确实充分，适用依据正确，裁量适当，同意拟作出的决定。"
        )
    else:
        if not opinion_text:
            raise ApplicationError(
                "opinion_required", "须写明审核意见及理由", status=422, fields={"opinion_text": ["必填"]}
            )
        if outcome == OUT.CORRECTION_REQUIRED:
            bad = [p for p in points if p.get("aspect") not in CORRECTION_ASPECTS or not str(p.get("text", "")).strip()]
            if bad or not (points or any(e.result == ItemResult.NONCONFORMING for e in entries)):
                raise ApplicationError(
                    "correction_points_required",
                    "建议纠正须指出需纠正的定性、依据、程序或处理结果",
                    status=422,
                    fields={"correction_points": [f"aspect 须为：{'、'.join(CORRECTION_ASPECTS)}，并说明"]},
                )
    now = _now()
    round_.outcome = outcome
    round_.opinion_text = opinion_text
    round_.correction_points = points
    round_.completed_at = now
    round_.completed_by = actor
    round_.status = RS.COMPLETED
    round_.opinion_number = _issue_opinion_number(round_, timezone.localdate(now))
    round_.opinion_sha256 = canonical_sha256(opinion_payload(round_))
    round_.save()
    review_clock_show(round_)
    ReviewAssignment.objects.filter(round=round_, ended_at__isnull=True).update(ended_at=now, end_reason="出具审核意见")
    audit_record(
        action="review.opinion",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={
            "kind": round_.kind,
            "number": round_.number,
            "outcome": outcome,
            "opinion_number": round_.opinion_number,
            "opinion_sha256": round_.opinion_sha256,
            "reviewer": str(actor.pk),
            "reviewer_name": str(actor),
            "completed_at": now,
            "package_sha256": round_.package_sha256,
            "nonconforming": [e.code for e in entries if e.result == ItemResult.NONCONFORMING],
        },
    )
    if outcome == OUT.SUPPLEMENTARY_INVESTIGATION:
        _return_case_for_investigation(round_, actor=actor, context=context)
    return round_


def _return_case_for_investigation(round_: ReviewRound, *, actor: User, context: AuditContext | None) -> None:
    """建议补充调查: the case goes back to 调查取证 (市场监管程序规定 第五十四条) via the cases app."""
    case = Case.objects.get(pk=round_.case_id)
    if case.status not in TRANSITIONS["return_for_investigation"].sources:
        return
    case_return_for_investigation(
        case=case,
        actor=actor,
        context=context or AuditContext(actor=actor),
        reason=f"法制审核意见：建议补充调查（{round_.opinion_number}）",
    )


# --------------------------------------------------------------------------- supplements (clock paused)


@transaction.atomic
def review_supplement_request(
    *, round_: ReviewRound, actor: User, items: str, context: AuditContext | None = None
) -> SupplementRequest:
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    _ensure_transition(round_, RS.SUPPLEMENTING)
    if round_.status != RS.IN_REVIEW:
        raise PreconditionFailed("review_round_state", "只有审核中的案件可以要求补充材料")
    if not items.strip():
        raise ApplicationError(
            "supplement_items_required", "须列明需补充的材料", status=422, fields={"items": ["必填"]}
        )
    now, today = _now(), _today()
    request = SupplementRequest.objects.create(
        round=round_, requested_by=actor, requested_on=today, requested_at=now, items=items.strip()
    )
    round_.status = RS.SUPPLEMENTING
    round_.paused_since = today
    round_.save(update_fields=["status", "paused_since", "updated_at"])
    review_clock_show(round_, today=today)  # the clock stands still (第五十五条; 内蒙古 第三十一条)
    audit_record(
        action="review.supplement_requested",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"items": request.items, "paused_since": today},
    )
    return request


@transaction.atomic
def review_supplement_resolve(
    *, supplement: SupplementRequest, actor: User, response: str, context: AuditContext | None = None
) -> SupplementRequest:
    """Materials supplied: the clock resumes and the due date moves by the working days paused
    (内蒙古…法制审核办法 第三十一条: 补充材料的时间不计入审核期限). Evidence received since the submission
    is listed on the request; the frozen package of the round is not changed."""
    round_ = _lock_round(supplement.round)
    supplement = SupplementRequest.objects.select_for_update().get(pk=supplement.pk)
    _ensure_agency(actor, round_.agency_id)
    if not (_is_handler(round_.case, actor) or round_.reviewer_id == actor.pk):
        raise Forbidden("只有本案承办人员或审核人员可以办理补充材料", code="not_handling_officer")
    if supplement.resolved_at is not None or round_.status != RS.SUPPLEMENTING:
        raise PreconditionFailed("supplement_resolved", "补充材料已办结")
    now, today = _now(), _today()
    paused = max(0, _calendar().workdays_between(round_.paused_since or today, today))
    frozen_ids = {e["id"] for e in round_.evidence_manifest}
    added = [e for e in prechecks.evidence_manifest(round_.case) if e["id"] not in frozen_ids]
    supplement.resolved_at = now
    supplement.resolved_on = today
    supplement.resolved_by = actor
    supplement.response = response
    supplement.added_evidence = added
    supplement.paused_workdays = paused
    supplement.save()
    round_.paused_workdays += paused
    round_.paused_since = None
    round_.status = RS.IN_REVIEW
    _recompute_due(round_)
    round_.save(update_fields=["paused_workdays", "paused_since", "status", "due_on", "due_provisional", "updated_at"])
    review_clock_show(round_, today=today)
    audit_record(
        action="review.supplement_resolved",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"paused_workdays": paused, "due_on": round_.due_on, "added_evidence": added, "response": response},
    )
    return supplement


# --------------------------------------------------------------------------- extensions


@transaction.atomic
def review_extension_request(
    *,
    round_: ReviewRound,
    actor: User,
    workdays: int | None = None,
    reason: str,
    context: AuditContext | None = None,
) -> ReviewExtension:
    round_ = _lock_round(round_)
    _ensure_assigned(round_, actor)
    if not round_.is_open:
        raise PreconditionFailed("review_round_state", "本轮审核已结束")
    if round_.extensions.filter(status=ReviewExtension.Status.REQUESTED).exists():
        raise PreconditionFailed("extension_pending", "已有待批准的延期申请")
    settings_row = review_settings_get(agency_id=round_.agency_id)
    approved = round_.extensions.filter(status=ReviewExtension.Status.APPROVED).count()
    if settings_row.max_extensions is not None and approved >= settings_row.max_extensions:
        raise PreconditionFailed("extension_limit", f"审核期限最多延长 {settings_row.max_extensions} 次")
    if not reason.strip():
        raise ApplicationError("extension_reason_required", "须说明延期理由", status=422, fields={"reason": ["必填"]})
    workdays = workdays or settings_row.extension_workdays
    extension = ReviewExtension.objects.create(
        round=round_, workdays=workdays, reason=reason.strip(), requested_by=actor, requested_at=_now()
    )
    audit_record(
        action="review.extension_requested",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"workdays": workdays, "reason": extension.reason},
    )
    return extension


def _ensure_extension_in_time(round_: ReviewRound, today: dt.date) -> None:
    """An extension is approved while the limit runs (on its last day at the latest); a round waiting for
    materials has a stopped clock and may be extended (see backend.cases.rules.extension_in_time)."""
    if round_.status == RS.SUPPLEMENTING or extension_in_time(due_on=round_.due_on, approved_on=today):
        return
    raise PreconditionFailed(
        "extension_after_expiry",
        f"审核期限已于{round_.due_on.isoformat()}届满，不能再批准延长；延长须在期限届满前批准",
        extra={"due_on": round_.due_on.isoformat()},
    )


@transaction.atomic
def review_extension_grant(
    *, case: Case, actor: User, reason: str, workdays: int | None = None, context: AuditContext | None = None
) -> ReviewRound:
    """The head approves an extension of the open round's time limit directly (from the case's deadlines,
    ``POST /cases/{id}/deadlines/LEGAL_REVIEW/extend/``): the same one clock the reviewer's request moves
    (市场监督管理行政处罚程序规定 第五十五条: 经审核机构负责人批准可以延长)."""
    round_ = ReviewRound.objects.filter(case_id=case.pk, status__in=ReviewRound.OPEN_STATUSES).first()
    if round_ is None:
        raise PreconditionFailed("no_open_deadline", "案件没有正在进行的审核", extra={"rule": "LEGAL_REVIEW"})
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="延长审核期限须经机关负责人批准", code="head_required")
    if not reason.strip():
        raise ApplicationError("extension_reason_required", "须说明延期理由", status=422, fields={"reason": ["必填"]})
    settings_row = review_settings_get(agency_id=round_.agency_id)
    approved = round_.extensions.filter(status=ReviewExtension.Status.APPROVED).count()
    if settings_row.max_extensions is not None and approved >= settings_row.max_extensions:
        raise PreconditionFailed("extension_limit_reached", f"审核期限最多延长 {settings_row.max_extensions} 次",
                                 extra={"max_extensions": settings_row.max_extensions})
    _ensure_extension_in_time(round_, _today())
    now = _now()
    extension = ReviewExtension.objects.create(
        round=round_, workdays=workdays or settings_row.extension_workdays, reason=reason.strip(),
        requested_by=actor, requested_at=now, status=ReviewExtension.Status.APPROVED, decided_by=actor,
        decided_at=now, decision_note="机关负责人批准",
    )
    round_.extension_workdays += extension.workdays
    _recompute_due(round_)
    round_.save(update_fields=["extension_workdays", "due_on", "due_provisional", "updated_at"])
    review_clock_show(round_)
    audit_record(
        action="review.extension_decided",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"approved": True, "workdays": extension.workdays, "due_on": round_.due_on, "note": reason.strip(),
              "granted_by_head": True},
    )
    return round_


@transaction.atomic
def review_extension_decide(
    *, extension: ReviewExtension, actor: User, approve: bool, note: str = "", context: AuditContext | None = None
) -> ReviewExtension:
    """The head approves (or refuses) an extension (市场监管程序规定 第五十五条)."""
    round_ = _lock_round(extension.round)
    extension = ReviewExtension.objects.select_for_update().get(pk=extension.pk)
    _ensure_agency(actor, round_.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="延长审核期限须经机关负责人批准", code="head_required")
    if extension.status != ReviewExtension.Status.REQUESTED:
        raise PreconditionFailed("extension_decided", "该延期申请已处理")
    if approve:
        _ensure_extension_in_time(round_, _today())
    extension.status = ReviewExtension.Status.APPROVED if approve else ReviewExtension.Status.REJECTED
    extension.decided_by = actor
    extension.decided_at = _now()
    extension.decision_note = note
    extension.save()
    if approve:
        round_.extension_workdays += extension.workdays
        _recompute_due(round_)
        round_.save(update_fields=["extension_workdays", "due_on", "due_provisional", "updated_at"])
        review_clock_show(round_)
    audit_record(
        action="review.extension_decided",
        target=round_,
        context=context,
        actor=actor,
        case_id=round_.case_id,
        data={"approved": approve, "workdays": extension.workdays, "due_on": round_.due_on, "note": note},
    )
    return extension


# --------------------------------------------------------------------------- disagreement (§4.9)


@transaction.atomic
def review_dispute_raise(
    *,
    round_: ReviewRound,
    actor: User,
    grounds: str,
    escalate_to: str = ReviewDispute.EscalateTo.HEAD,
    context: AuditContext | None = None,
) -> ReviewDispute:
    """The handling unit disagrees with a non-approving opinion and escalates it (国办发〔2018〕118号 (十四))."""
    round_ = _lock_round(round_)
    _ensure_agency(actor, round_.agency_id)
    if not _is_handler(round_.case, actor):
        raise Forbidden("只有本案承办人员可以对审核意见提出异议", code="not_handling_officer")
    if round_.status != RS.COMPLETED or round_.outcome == OUT.APPROVED:
        raise PreconditionFailed("dispute_not_applicable", "只能对已出具的非同意审核意见提出异议")
    if round_.disputes.filter(status=ReviewDispute.Status.OPEN).exists():
        raise PreconditionFailed("dispute_open", "已有待处理的异议")
    if escalate_to not in ReviewDispute.EscalateTo.values:
        raise ApplicationError("invalid_escalation", "提请对象无效", status=422, fields={"escalate_to": ["无效"]})
    if not grounds.strip():
        raise ApplicationError("dispute_grounds_required", "须说明异议理由", status=422, fields={"grounds": ["必填"]})
    dispute = ReviewDispute.objects.create(
        round=round_, raised_by=actor, raised_at=_now(), grounds=grounds.strip(), escalate_to=escalate_to
    )
    audit_record(
        action="review.dispute_raised",
        target=dispute,
        context=context,
        actor=actor,
        agency_id=round_.agency_id,
        case_id=round_.case_id,
        data={"round": str(round_.pk), "grounds": dispute.grounds, "escalate_to": escalate_to},
    )
    return dispute


@transaction.atomic
def review_dispute_resolve(
    *,
    dispute: ReviewDispute,
    actor: User,
    resolution: str,
    note: str,
    collective_discussion: CollectiveDiscussion | None = None,
    context: AuditContext | None = None,
) -> ReviewDispute:
    """The head (or the collective meeting, recorded) resolves the disagreement.

    ``adopt_opinion``: the handling unit follows the opinion and resubmits after correcting.
    ``re_review``: a new round with the same frozen package, for another reviewer. Neither path lets a
    decision through without a passed review (行政处罚法 第五十八条).
    """
    dispute = ReviewDispute.objects.select_for_update().select_related("round").get(pk=dispute.pk)
    round_ = dispute.round
    _ensure_agency(actor, round_.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="审核意见分歧由机关负责人决定", code="head_required")
    if dispute.status != ReviewDispute.Status.OPEN:
        raise PreconditionFailed("dispute_resolved", "该异议已处理")
    if resolution not in ReviewDispute.Resolution.values:
        raise ApplicationError("invalid_resolution", "处理结果无效", status=422, fields={"resolution": ["无效"]})
    if dispute.escalate_to == ReviewDispute.EscalateTo.COLLECTIVE and collective_discussion is None:
        raise ApplicationError(
            "collective_discussion_required",
            "提请集体讨论的异议须附集体讨论记录",
            status=422,
            fields={"collective_discussion_id": ["必填"]},
        )
    if collective_discussion is not None and collective_discussion.case_id != round_.case_id:
        raise ApplicationError("invalid_collective_discussion", "集体讨论记录不属于本案", status=422)
    new_round = None
    if resolution == ReviewDispute.Resolution.RE_REVIEW:
        if ReviewRound.objects.filter(case_id=round_.case_id, status__in=ReviewRound.OPEN_STATUSES).exists():
            raise PreconditionFailed("review_round_open", "本案已有进行中的审核")
        new_round = _reopen_round(round_, actor=actor, context=context)
    dispute.status = ReviewDispute.Status.RESOLVED
    dispute.resolution = resolution
    dispute.resolution_note = note
    dispute.resolved_by = actor
    dispute.resolved_at = _now()
    dispute.collective_discussion = collective_discussion
    dispute.new_round = new_round
    dispute.save()
    audit_record(
        action="review.dispute_resolved",
        target=dispute,
        context=context,
        actor=actor,
        agency_id=round_.agency_id,
        case_id=round_.case_id,
        data={
            "resolution": resolution,
            "note": note,
            "new_round": str(new_round.pk) if new_round else None,
            "collective_discussion": str(collective_discussion.pk) if collective_discussion else None,
        },
    )
    return dispute


def _reopen_round(old: ReviewRound, *, actor: User, context: AuditContext | None) -> ReviewRound:
    today = _today()
    package = old.package  # the same frozen package (and hash): only the reviewer changes
    number = (ReviewRound.objects.filter(case_id=old.case_id, kind=old.kind).aggregate(m=Max("number"))["m"] or 0) + 1
    due_on, provisional = _due(today, old.time_limit_workdays)
    new = ReviewRound.objects.create(
        agency_id=old.agency_id,
        case_id=old.case_id,
        kind=old.kind,
        number=number,
        post_hearing=old.post_hearing,
        previous_round=old,
        submitted_by=actor,
        submitted_at=_now(),
        package=package,
        evidence_manifest=old.evidence_manifest,
        package_sha256=old.package_sha256,
        proposal_fingerprint=old.proposal_fingerprint,
        major_reasons=old.major_reasons,
        catalog=old.catalog,
        received_on=today,
        time_limit_workdays=old.time_limit_workdays,
        due_on=due_on,
        due_provisional=provisional,
    )
    review_clock_show(new, today=today)
    _create_checklist(new, {e.code: e.hints for e in old.checklist.all()})
    audit_record(
        action="review.submitted",
        target=new,
        context=context,
        actor=actor,
        case_id=old.case_id,
        data={"kind": new.kind, "number": number, "re_review_of": str(old.pk), "package_sha256": new.package_sha256},
    )
    return new
