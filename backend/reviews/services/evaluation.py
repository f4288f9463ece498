"""Handler flags, the major-decision evaluation and the decision gate (the hooks the cases app calls)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from backend.accounts.models import Role, User
from backend.cases.models import Case, DocumentType
from backend.cases.workflow import DECIDED_STATUSES
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews import major
from backend.reviews.checklist import (
    ReviewKind,
)
from backend.reviews.models import (
    CaseReviewFlags,
    CollectiveDiscussion,
    MajorCatalog,
    MajorEvaluation,
    ReviewRound,
)
from backend.reviews.services.common import (
    OUT,
    RS,
    _ensure_agency,
    _is_handler,
    _now,
    _today,
    proposal_fingerprint,
    proposal_from_case,
    review_settings_get,
)

# --------------------------------------------------------------------------- flags and evaluation


@transaction.atomic
def review_flags_set(
    *, case: Case, actor: User, values: dict[str, Any], context: AuditContext | None = None
) -> CaseReviewFlags:
    """The handler (or head) declares 重大公共利益 / 疑难复杂 / ... on a case before the decision."""
    _ensure_agency(actor, case.agency_id)
    if not (actor.has_role(Role.AGENCY_HEAD) or _is_handler(case, actor)):
        raise Forbidden("只有本案承办人员或机关负责人可以标记", code="not_handling_officer")
    if case.status in DECIDED_STATUSES:
        raise PreconditionFailed("case_already_decided", "案件已作出决定，不能再修改重大执法决定情形")
    if values.get("head_referral") and not actor.has_role(Role.AGENCY_HEAD):
        raise Forbidden("只有机关负责人可以决定提交法制审核", code="head_required")
    flags, _ = CaseReviewFlags.objects.select_for_update().get_or_create(case=case)
    before = {name: getattr(flags, name) for name in CaseReviewFlags.FLAG_FIELDS}
    for name in [*CaseReviewFlags.FLAG_FIELDS, "law_requires_citation", "note"]:
        if name in values:
            setattr(flags, name, values[name])
    if flags.law_requires and not flags.law_requires_citation.strip():
        raise ApplicationError(
            "law_citation_required",
            "请注明规定应当进行法制审核的法律、法规条文",
            status=422,
            fields={"law_requires_citation": ["必填"]},
        )
    flags.set_by = actor
    flags.full_clean()
    flags.save()
    audit_record(
        action="review.flags_set",
        target=flags,
        context=context,
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
        data={
            "before": before,
            "after": {name: getattr(flags, name) for name in CaseReviewFlags.FLAG_FIELDS},
            "law_requires_citation": flags.law_requires_citation,
        },
    )
    return flags


@dataclass(frozen=True)
class Evaluation:
    reasons: list[major.MajorReason]
    catalog: MajorCatalog | None
    proposal: major.ProposedDecision

    @property
    def is_major(self) -> bool:
        return bool(self.reasons)

    def reason_strings(self) -> list[str]:
        return [reason_string(r) for r in self.reasons]


def reason_string(reason: major.MajorReason) -> str:
    return f"{reason.text}（{reason.source}）"


def evaluate_case(*, case: Case, on: dt.date | None = None) -> Evaluation:
    """Evaluate the case's current proposal against the statute and the catalog in force on ``on``."""
    from backend.reviews.selectors import catalog_for_date

    catalog = catalog_for_date(agency_id=case.agency_id, on=on or _today())
    proposal = proposal_from_case(case)
    reasons = major.evaluate_major(
        proposal=proposal,
        rules=catalog.rule_specs() if catalog else (),
        catalog_label=catalog.label if catalog else "",
    )
    return Evaluation(reasons, catalog, proposal)


def _store_evaluation(case: Case, evaluation: Evaluation, trigger: str) -> MajorEvaluation:
    return MajorEvaluation.objects.create(
        case=case,
        catalog=evaluation.catalog,
        catalog_version=evaluation.catalog.version if evaluation.catalog else None,
        proposal=evaluation.proposal.fingerprint(),
        reasons=[r.as_dict() for r in evaluation.reasons],
        is_major=evaluation.is_major,
        evaluated_at=_now(),
        trigger=trigger,
    )


def review_major_evaluate(*, case: Case) -> list[str]:
    """Hook (CONTRACTS.md): the reasons the case's proposed decision is major; empty when it is not.

    Called by the cases app when a penalty is proposed; the caller stores the strings on the case
    (``major_reasons``, ``is_major``). Each evaluation is also kept here with the catalog version used.
    A case already decided is never re-evaluated: its stored reasons are returned unchanged, so a later
    catalog cannot rewrite why an earlier decision was major.
    """
    if case.status in DECIDED_STATUSES:
        return list(case.major_reasons or [])
    evaluation = evaluate_case(case=case)
    with transaction.atomic():
        stored = _store_evaluation(case, evaluation, "proposal")
        audit_record(
            action="review.major_evaluated",
            target=stored,
            agency_id=case.agency_id,
            case_id=case.pk,
            data={
                "is_major": evaluation.is_major,
                "reasons": [r.code for r in evaluation.reasons],
                "catalog_version": stored.catalog_version,
            },
        )
    return evaluation.reason_strings()


# --------------------------------------------------------------------------- requirement and gate


@dataclass
class ReviewRequirement:
    """Which review the case needs before 决定, and why."""

    kind: str | None  # "legal_review" | "case_review" | None (简易程序)
    is_major: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)
    after_hearing: bool = False
    collective_required: bool = False
    collective_reasons: list[str] = field(default_factory=list)
    fingerprint: str = ""
    catalog_version: int | None = None


def review_requirement(*, case: Case) -> ReviewRequirement:
    """Major (法制审核) or not (案件审核 for 普通程序), evaluated live unless the case is decided.

    A case stays major once the cases app stored it as major (``case.is_major``): only a fresh proposal
    evaluated through :func:`review_major_evaluate` clears that.
    """
    if case.procedure != "general":
        return ReviewRequirement(kind=None, is_major=False)
    if case.status in DECIDED_STATUSES:
        is_major = bool(case.is_major)
        reasons = [{"code": "stored", "text": text, "source": ""} for text in case.major_reasons or []]
        catalog_version = None
    else:
        evaluation = evaluate_case(case=case)
        is_major = evaluation.is_major or bool(case.is_major)
        reasons = [r.as_dict() for r in evaluation.reasons]
        if not evaluation.reasons and case.is_major:
            reasons = [{"code": "stored", "text": text, "source": ""} for text in case.major_reasons or []]
        catalog_version = evaluation.catalog.version if evaluation.catalog else None
    settings_row = review_settings_get(agency_id=case.agency_id)
    flags_row = CaseReviewFlags.objects.filter(case_id=case.pk).first()
    collective_reasons = []
    # 行政处罚法 第五十七条第二款: 情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定.
    if flags_row is not None and flags_row.complex_multi_legal:
        collective_reasons.append("情节复杂（行政处罚法第五十七条第二款）")
    if case.collective_discussion_required:
        collective_reasons.append("案件标记为需集体讨论（行政处罚法第五十七条第二款）")
    if is_major and settings_row.collective_discussion_for_major:
        collective_reasons.append("法制审核案件应当集体讨论决定（市场监督管理行政处罚程序规定第六十条第二款）")
    return ReviewRequirement(
        kind=ReviewKind.LEGAL_REVIEW if is_major else ReviewKind.CASE_REVIEW,
        is_major=is_major,
        reasons=reasons,
        after_hearing=bool(case.hearing_held_on),
        collective_required=bool(collective_reasons) and case.decision_outcome in ("", "penalty"),
        collective_reasons=collective_reasons,
        fingerprint=proposal_fingerprint(case),
        catalog_version=catalog_version,
    )


def _round_covers(round_: ReviewRound, requirement: ReviewRequirement, case: Case) -> str | None:
    """None when ``round_`` (passed) covers the case now; else why not."""
    if round_.proposal_fingerprint != requirement.fingerprint:
        return "proposal_changed"
    if requirement.after_hearing and not round_.post_hearing:
        return "review_before_hearing"
    return None


def review_passed_round(*, case: Case, requirement: ReviewRequirement | None = None) -> ReviewRound | None:
    """The latest passed round that covers the case's current proposal (legal review for major cases;
    either kind for others), or None. Pass ``requirement`` when already computed."""
    requirement = requirement or review_requirement(case=case)
    if requirement.kind is None:
        return None
    kinds = [ReviewKind.LEGAL_REVIEW] if requirement.kind == ReviewKind.LEGAL_REVIEW else list(ReviewKind)
    rounds = ReviewRound.objects.filter(case=case, kind__in=kinds, status=RS.COMPLETED, outcome=OUT.APPROVED)
    for round_ in rounds.order_by("-completed_at"):
        if _round_covers(round_, requirement, case) is None:
            return round_
    return None


def review_ensure_passed(*, case: Case) -> None:
    """Hook (CONTRACTS.md): refuse 决定 (and 事先告知 after a review) unless a passed round covers the case.

    行政处罚法 第五十八条: 未经法制审核或者审核未通过的，不得作出决定. A round covers the case when its frozen
    proposal equals the current one (outcome, kinds, amounts, legal basis: deciding differently needs a
    new round) and, once a hearing has been held, when it was submitted after the hearing (第五十八条
    第一款第二项; 市场监管程序规定 第五十条第二款). Non-major 普通程序 cases need a passed 案件审核
    (市场监管程序规定 第四十九条).
    """
    requirement = review_requirement(case=case)
    if requirement.kind is None:
        return
    if review_passed_round(case=case, requirement=requirement) is not None:
        return
    kinds = [ReviewKind.LEGAL_REVIEW] if requirement.kind == ReviewKind.LEGAL_REVIEW else list(ReviewKind)
    latest = ReviewRound.objects.filter(case=case, kind__in=kinds).order_by("-submitted_at").first()
    extra: dict[str, Any] = {"review_kind": requirement.kind, "major_reasons": [r["text"] for r in requirement.reasons]}
    if latest is not None:
        extra["latest_round"] = {
            "id": str(latest.pk),
            "number": latest.number,
            "status": latest.status,
            "outcome": latest.outcome,
        }
    if requirement.kind == ReviewKind.CASE_REVIEW:
        extra["reason"] = _not_passed_reason(latest, requirement, case)
        raise PreconditionFailed(
            "case_review_required",
            "普通程序案件须经案件审核通过后方可作出决定（市场监督管理行政处罚程序规定第四十九条）",
            extra=extra,
        )
    if latest is None:
        extra["reason"] = "not_submitted"
        raise PreconditionFailed(
            "legal_review_required", "重大执法决定须经法制审核通过后方可作出决定（行政处罚法第五十八条）", extra=extra
        )
    extra["reason"] = _not_passed_reason(latest, requirement, case)
    raise PreconditionFailed(
        "legal_review_not_passed",
        "法制审核未通过或审核内容与拟作出的决定不一致，不得作出决定（行政处罚法第五十八条）",
        extra=extra,
    )


def _not_passed_reason(latest: ReviewRound | None, requirement: ReviewRequirement, case: Case) -> str:
    if latest is None:
        return "not_submitted"
    if latest.is_open:
        return "in_progress"
    if latest.status == RS.WITHDRAWN:
        return "withdrawn"
    if not latest.passed:
        return "not_approved"
    return _round_covers(latest, requirement, case) or "not_approved"


def _document_discussion_valid(content: dict[str, Any], min_participants: int) -> bool:
    """A 集体讨论记录 filed as a case document (``collective_discussion`` in the decide request) counts
    when it names the date, the participants and the conclusion."""
    participants = content.get("participants") or []
    held_on = content.get("held_on") or content.get("date")
    conclusion = str(content.get("conclusion") or "").strip()
    return (
        bool(held_on)
        and bool(conclusion)
        and isinstance(participants, list)
        and (len(participants) >= min_participants)
    )


def review_ensure_collective_discussion(*, case: Case) -> None:
    """Hook: refuse 决定 until the 集体讨论记录 exists when required (行政处罚法 第五十七条第二款; 市场监管
    程序规定 第六十条). The discussion must follow the passed review (DOMAIN §4.11: 听证 → 法制审核 →
    集体讨论 → 决定) and, when recorded here, concern the current proposal.

    Accepted records: a :class:`CollectiveDiscussion` (``POST /api/v1/cases/<id>/reviews/collective-discussions/``)
    or a ``collective_discussion`` case document with ``held_on``, ``participants`` (at least the agency's
    minimum) and ``conclusion`` (the ``collective_discussion`` object of the cases decide request).
    """
    requirement = review_requirement(case=case)
    if not requirement.collective_required:
        return
    passed = review_passed_round(case=case, requirement=requirement) if requirement.kind else None
    since = passed.completed_at if passed is not None else None
    discussions = CollectiveDiscussion.objects.filter(case=case, proposal_fingerprint=requirement.fingerprint)
    if since is not None:
        discussions = discussions.filter(recorded_at__gte=since)
    if discussions.exists():
        return
    minimum = review_settings_get(agency_id=case.agency_id).collective_min_participants
    documents = case.documents.filter(doc_type=DocumentType.COLLECTIVE_DISCUSSION)
    if since is not None:
        documents = documents.filter(created_at__gte=since)
    if any(_document_discussion_valid(doc.content or {}, minimum) for doc in documents):
        return
    raise PreconditionFailed(
        "collective_discussion_required",
        "本案应当由行政机关负责人集体讨论决定，请先记录集体讨论（时间、参加人员、结论）（行政处罚法第五十七条第二款）",
        extra={"reasons": requirement.collective_reasons, "min_participants": minimum},
    )


def review_decision_reference(*, case: Case) -> dict[str, Any] | None:
    """What the head's decision cites: the passed round and its 审核意见书, plus the 集体讨论 if any."""
    round_ = review_passed_round(case=case)
    if round_ is None:
        return None
    discussion = (
        CollectiveDiscussion.objects.filter(case=case, proposal_fingerprint=round_.proposal_fingerprint)
        .order_by("-recorded_at")
        .first()
    )
    return {
        "review_round_id": str(round_.pk),
        "review_kind": round_.kind,
        "round_number": round_.number,
        "opinion_number": round_.opinion_number,
        "opinion_sha256": round_.opinion_sha256,
        "completed_at": round_.completed_at.isoformat() if round_.completed_at else None,
        "collective_discussion_id": str(discussion.pk) if discussion else None,
    }
