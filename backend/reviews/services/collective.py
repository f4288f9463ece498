"""集体讨论记录 (行政处罚法 第五十七条第二款)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from backend.accounts.models import Role, User
from backend.cases.models import Case
from backend.cases.workflow import DECIDED_STATUSES
from backend.common.clock import ensure_not_future
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews.checklist import (
    ReviewKind,
)
from backend.reviews.models import (
    CollectiveDiscussion,
)
from backend.reviews.services.common import _ensure_agency, _ensure_role, _now, review_settings_get
from backend.reviews.services.evaluation import review_passed_round, review_requirement

# --------------------------------------------------------------------------- 集体讨论


@transaction.atomic
def collective_discussion_record(
    *,
    case: Case,
    actor: User,
    held_on: dt.date,
    chair: User,
    participants: Sequence[User],
    conclusion: str,
    other_participants: Sequence[str] = (),
    discussion: str = "",
    place: str = "",
    recorder: str = "",
    context: AuditContext | None = None,
) -> CollectiveDiscussion:
    """Record the heads' 集体讨论 (行政处罚法 第五十七条第二款). For a case under legal review it must
    follow the passed review (DOMAIN §4.11) and is tied to the proposal it discussed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_agency(actor, case.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="集体讨论记录由机关负责人登记", code="head_required")
    if case.status in DECIDED_STATUSES:
        raise PreconditionFailed("case_already_decided", "案件已作出决定")
    # A meeting already held: never dated in the future (backend/common/clock.py, 400 date_in_future).
    ensure_not_future(held_on, field="held_on", now=_now(), label="讨论日期")
    errors: dict[str, list[str]] = {}
    people = {u.pk: u for u in participants}
    people.setdefault(chair.pk, chair)
    if any(u.agency_id != case.agency_id for u in people.values()):
        errors["participants"] = ["参加人员须为本机关人员"]
    if not chair.has_role(Role.AGENCY_HEAD):
        errors["chair_id"] = ["主持人须为机关负责人"]
    settings_row = review_settings_get(agency_id=case.agency_id)
    names = [n.strip() for n in other_participants if str(n).strip()]
    if len(people) + len(names) < settings_row.collective_min_participants:
        errors.setdefault("participants", []).append(
            f"集体讨论参加人员不得少于 {settings_row.collective_min_participants} 人"
        )
    if not conclusion.strip():
        errors["conclusion"] = ["须写明讨论结论"]
    if errors:
        raise ApplicationError("collective_discussion_invalid", "集体讨论记录不完整", status=422, fields=errors)
    requirement = review_requirement(case=case)
    passed = review_passed_round(case=case, requirement=requirement) if requirement.kind else None
    if requirement.kind == ReviewKind.LEGAL_REVIEW and passed is None:
        raise PreconditionFailed(
            "legal_review_not_passed", "集体讨论应当在法制审核通过后进行", extra={"review_kind": requirement.kind}
        )
    record = CollectiveDiscussion.objects.create(
        agency_id=case.agency_id,
        case=case,
        review_round=passed,
        held_on=held_on,
        place=place,
        chair=chair,
        other_participants=names,
        recorder=recorder,
        discussion=discussion,
        conclusion=conclusion.strip(),
        proposal_fingerprint=requirement.fingerprint,
        recorded_by=actor,
        recorded_at=_now(),
    )
    record.participants.set(list(people.values()))
    audit_record(
        action="review.collective_discussion",
        target=record,
        context=context,
        actor=actor,
        case_id=case.pk,
        data={
            "held_on": held_on,
            "chair": str(chair.pk),
            "participants": sorted(str(p) for p in people),
            "other_participants": names,
            "conclusion": record.conclusion,
            "review_round": str(passed.pk) if passed else None,
            "proposal_fingerprint": record.proposal_fingerprint,
        },
    )
    return record
