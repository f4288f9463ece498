"""Who reviews a round: assignment by the head (recusal conflicts checked), recusal, the assigned-reviewer check."""

from __future__ import annotations

from django.db import transaction

from backend.accounts.models import Role, User
from backend.cases.models import Case
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews.models import (
    Recusal,
    ReviewAssignment,
    ReviewDispute,
    ReviewRound,
)
from backend.reviews.services.common import (
    MSG_NOT_ASSIGNED,
    MSG_ONLY_REVIEWERS,
    RS,
    _ensure_agency,
    _ensure_transition,
    _is_handler,
    _lock_round,
    _now,
)

# --------------------------------------------------------------------------- assignment and recusal


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


def _ensure_assigned(round_: ReviewRound, actor: User) -> None:
    if not actor.has_role(Role.LEGAL_REVIEWER):
        raise Forbidden(MSG_ONLY_REVIEWERS, code="not_legal_reviewer")
    if round_.reviewer_id != actor.pk:
        raise Forbidden(MSG_NOT_ASSIGNED, code="not_assigned_reviewer")
