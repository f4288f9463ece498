"""Building blocks shared by the case services: locking, version checks, who may act, officer
credentials, numbering, documents, measures and the recorded-activity flag."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from backend.accounts.models import Role, User
from backend.accounts.services import officer_ensure_can_act
from backend.cases import hooks
from backend.cases.deadlines import case_rules
from backend.cases.models import (
    CITIZEN_PARTY_TYPES,
    STATUTORY_FULL_RECORDING,
    Case,
    CaseTransition,
    DocumentType,
    EnforcementDocument,
    NumberSequence,
    PenaltyKind,
    RecordingRequirement,
)
from backend.cases.rules import limitation_check
from backend.cases.workflow import DECISION_NOT_IN_FORCE, HANDLER, HEAD, REVIEWER, counts_as
from backend.common.calendar import get_calendar
from backend.common.clock import ensure_not_future
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record


@dataclass(frozen=True)
class Step:
    """Where and how a step was performed (全过程记录: 时间、地点、执法人员、设备、说明).

    ``performed_at`` is the client's time of the act when it was done offline and synced later; the
    server time of the request is always recorded too.
    """

    comment: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    device_id: uuid.UUID | None = None
    performed_at: dt.datetime | None = None

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.comment:
            data["comment"] = self.comment
        if self.latitude is not None and self.longitude is not None:
            data["latitude"] = str(self.latitude)
            data["longitude"] = str(self.longitude)
        if self.performed_at is not None:
            data["performed_at"] = self.performed_at.isoformat()
        return data


NO_STEP = Step()


def resolve_now(now: dt.datetime | None) -> tuple[dt.datetime, dt.date]:
    now = now or timezone.now()
    return now, timezone.localdate(now)


def lock_case(case: Case | uuid.UUID | str) -> Case:
    """Re-read the case under a row lock (one lock helper for the model, as STYLE R6)."""
    pk = case.pk if isinstance(case, Case) else case
    return Case.objects.select_for_update().get(pk=pk)


def ensure_version(case: Case, expected_version: int | None) -> None:
    """Optimistic concurrency: the client's If-Match must name the current version (412 otherwise)."""
    if expected_version is not None and expected_version != case.version:
        raise ApplicationError(
            "version_mismatch",
            "案件已被他人修改，请刷新后重试",
            status=412,
            extra={"current_version": case.version, "expected_version": expected_version},
        )


def ensure_may_act(*, actor: User, case: Case, who: frozenset[str] | set[str]) -> None:
    """Only handling officers and the head change a case; heads decide; reviewers return cases."""
    if actor.agency_id != case.agency_id:
        # A supervising agency's auditor may read the case but never change it.
        raise Forbidden("只能办理本机关的案件", code="not_case_agency")
    # Cheapest test first: the role checks need no query, the handling-officer test does.
    for kind in (HEAD, REVIEWER, HANDLER):
        if kind in who and counts_as(actor=actor, case=case, who=kind):
            return
    if who == {HEAD} or who == frozenset({HEAD}):
        raise Forbidden("该操作须由机关负责人作出", code="head_required")
    raise Forbidden("只有本案承办人员或机关负责人可以办理", code="not_handling_officer")


def ensure_officers_can_act(*, case: Case, on: dt.date, officers: list[User] | None = None) -> list[User]:
    """行政处罚法 第四十二条: at least two officers, each holding a valid 执法证 on ``on``.

    Raises ``too_few_officers`` when fewer are assigned, or the first officer's credential error
    (``credential_expired``, ``credential_suspended``, ...) naming the officer.
    """
    rules = case_rules(case.agency_id)
    if officers is None:
        officers = list(case.handling_officers.prefetch_related("roles", "credentials"))
    if len(officers) < rules.min_officers:
        raise PreconditionFailed(
            "too_few_officers",
            f"执法人员不得少于{rules.min_officers}人（行政处罚法第四十二条）",
            extra={"required": rules.min_officers, "assigned": len(officers)},
        )
    for officer in officers:
        officer_ensure_can_act(user=officer, on=on)
    return officers


def ensure_within_limitation(case: Case, *, discovered_on: dt.date) -> None:
    """行政处罚法 第三十六条: refuse (409 ``limitation_expired``) to punish a violation that was not discovered
    within the limitation period. Discovery is the 线索登记 day (``clue_received_on``), whatever the day of
    立案 or decision. Nothing to test while the violation date is unknown."""
    if case.violation_on is None:
        return
    limitation = limitation_check(
        violation_on=case.violation_on, discovered_on=discovered_on, serious=case.limitation_serious,
        calendar=get_calendar(),
    )
    if limitation.expired:
        raise PreconditionFailed(
            "limitation_expired",
            f"违法行为自发生（终了）之日起{limitation.years}年内未被发现，不再给予行政处罚（行政处罚法第三十六条）",
            extra={
                "violation_on": limitation.violation_on.isoformat(),
                "discovered_on": limitation.discovered_on.isoformat(),
                "limitation_ends_on": limitation.ends_on.isoformat(),
                "years": limitation.years,
            },
        )


def officers_from_ids(*, agency_id: int, officer_ids: list[Any]) -> list[User]:
    """Field officers of the agency with these ids (422 ``invalid_officer`` for anyone else)."""
    ids = {str(i) for i in officer_ids}
    users = list(
        User.objects.filter(pk__in=ids, agency_id=agency_id, is_active=True, roles__role=Role.FIELD_OFFICER)
        .prefetch_related("roles", "credentials")
        .distinct()
    )
    found = {str(u.pk) for u in users}
    if found != ids:
        raise ApplicationError(
            "invalid_officer",
            "承办人员须为本机关的执法人员",
            status=422,
            extra={"unknown": sorted(ids - found)},
        )
    return users


def issue_number(*, case: Case, kind: str, fmt: str, on: dt.date) -> str:
    """Next number of ``kind`` for the agency and year (案号, 文号), under a row lock."""
    NumberSequence.objects.get_or_create(agency_id=case.agency_id, year=on.year, kind=kind)
    seq = NumberSequence.objects.select_for_update().get(agency_id=case.agency_id, year=on.year, kind=kind)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    prefix = case_rules(case.agency_id).number_prefix
    return fmt.format(prefix=prefix, year=on.year, seq=seq.last_value)


def create_document(
    *,
    case: Case,
    doc_type: str,
    actor: User,
    context: AuditContext,
    now: dt.datetime,
    step_name: str = "",
    number: str = "",
    title: str = "",
    content: dict[str, Any] | None = None,
    activity: str = "",
    place: str = "",
    officer_ids: list[Any] | None = None,
    attachment_ids: list[Any] | None = None,
    occurred_at: dt.datetime | None = None,
    document_id: uuid.UUID | None = None,
    supersedes: EnforcementDocument | None = None,
) -> EnforcementDocument:
    if officer_ids is None:
        officer_ids = [str(pk) for pk in case.handling_officers.values_list("pk", flat=True)]
    document = EnforcementDocument.objects.create(
        id=document_id or uuid.uuid4(),
        supersedes=supersedes,
        case=case,
        doc_type=doc_type,
        number=number,
        title=title or DocumentType(doc_type).label,
        step=step_name,
        activity=activity,
        occurred_at=occurred_at or now,
        place=place or case.place_address,
        officer_ids=[str(i) for i in officer_ids],
        content=content or {},
        attachment_ids=[str(i) for i in (attachment_ids or [])],
        created_by=actor,
    )
    event = audit_record(
        action="document.created",
        target=document,
        context=context,
        agency_id=case.agency_id,
        case_id=case.id,
        data={
            "doc_type": doc_type,
            "number": number,
            "step": step_name,
            "activity": activity,
            "officer_ids": document.officer_ids,
            "attachment_ids": document.attachment_ids,
            "supersedes": str(supersedes.pk) if supersedes else None,
        },
    )
    EnforcementDocument.objects.filter(pk=document.pk).update(audit_event=event)
    document.audit_event = event
    if activity:
        note_activity(case=case, activity=activity)
    return document


def note_activity(*, case: Case, activity: str) -> None:
    """Remember that the act was performed (for the missing-recording flag); the caller saves."""
    if activity and activity not in case.performed_activities:
        case.performed_activities = [*case.performed_activities, activity]


def missing_recordings(*, case: Case) -> list[str]:
    """Acts that must be on audio-video — by law (``STATUTORY_FULL_RECORDING``) or by the agency's
    音像记录事项清单 — that were performed without a recording."""
    performed = set(case.performed_activities)
    if not performed:
        return []
    required = set(
        RecordingRequirement.objects.filter(agency_id=case.agency_id, activity__in=performed).values_list(
            "activity", flat=True
        )
    ) | (performed & STATUTORY_FULL_RECORDING)
    if not required:
        return []
    return sorted(required - hooks.case_recorded_activities(case_id=case.id))


def record_transition(
    *,
    case: Case,
    name: str,
    from_status: str,
    actor: User | None,
    context: AuditContext,
    now: dt.datetime,
    step: Step,
    data: dict[str, Any] | None = None,
) -> CaseTransition:
    data = data or {}
    # The client's time of the act (offline work) cannot lie in the future (api_docs/guides/sync.md).
    ensure_not_future(step.performed_at, field="performed_at", now=now, label="办理时间")
    device_id = step.device_id or context.device_id
    event = audit_record(
        action="case.transition",
        target=case,
        context=context,
        case_id=case.id,
        data={
            "transition": name,
            "from": from_status,
            "to": case.status,
            "version": case.version,
            "device_id": str(device_id) if device_id else None,
            **step.as_data(),
            **data,
        },
    )
    return CaseTransition.objects.create(
        case=case,
        name=name,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        occurred_at=step.performed_at or now,
        device_id=device_id,
        latitude=step.latitude,
        longitude=step.longitude,
        comment=step.comment,
        data=data,
        audit_event=event,
    )


def save_case(case: Case, *, bump: bool = True) -> None:
    """Save with a new version (the ETag changes) and refresh the missing-recording flag."""
    case.missing_recordings = missing_recordings(case=case)
    if bump:
        case.version += 1
    case.full_clean(exclude=["handling_officers"], validate_unique=False)
    case.save()


# --------------------------------------------------------------------------- penalty measures

# Severity order used to decide whether a decision is heavier than what was notified (第四十五条).
_SEVERITY = {
    PenaltyKind.WARNING: 1,
    PenaltyKind.CRITICISM: 2,
    PenaltyKind.FINE: 3,
    PenaltyKind.OTHER: 3,
    PenaltyKind.CONFISCATE_GAINS: 4,
    PenaltyKind.CONFISCATE_PROPERTY: 4,
    PenaltyKind.SUSPEND_LICENCE: 5,
    PenaltyKind.DOWNGRADE: 6,
    PenaltyKind.RESTRICT_BUSINESS: 6,
    PenaltyKind.RESTRICT_PRACTICE: 6,
    PenaltyKind.SUSPEND_BUSINESS: 7,
    PenaltyKind.REVOKE_LICENCE: 8,
    PenaltyKind.CLOSE: 9,
    PenaltyKind.DETENTION: 10,
}
AMOUNT_KINDS = {PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}


# Measures that run for a term (行政处罚法 第九条第三、四项): their ``months`` say how long.
TIME_LIMITED_KINDS = frozenset({
    PenaltyKind.SUSPEND_LICENCE, PenaltyKind.RESTRICT_BUSINESS, PenaltyKind.SUSPEND_BUSINESS,
    PenaltyKind.RESTRICT_PRACTICE,
})


def normalise_measures(measures: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """``[{"kind", "amount"?, "detail"?, "months"?}]`` with amounts as 2-decimal strings; 422 on a bad entry."""
    result = []
    for index, measure in enumerate(measures or []):
        kind = measure.get("kind")
        if kind not in PenaltyKind.values:
            raise ApplicationError(
                "invalid_measure", "处罚种类无效", status=422, fields={f"measures[{index}]": ["处罚种类无效"]}
            )
        item: dict[str, Any] = {"kind": kind}
        amount = measure.get("amount")
        if kind in AMOUNT_KINDS:
            if amount in (None, ""):
                raise ApplicationError(
                    "invalid_measure", "罚款、没收须写明金额", status=422,
                    fields={f"measures[{index}]": ["罚款、没收须写明金额"]},
                )
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
            if value < 0:
                raise ApplicationError("invalid_measure", "金额不能为负", status=422)
            item["amount"] = str(value)
        if measure.get("detail"):
            item["detail"] = str(measure["detail"])[:1000]
        if measure.get("months") not in (None, ""):
            months = int(measure["months"])
            if kind not in TIME_LIMITED_KINDS or not 1 <= months <= 1200:
                raise ApplicationError(
                    "invalid_measure", "只有暂扣、限制、停产停业类处罚可写明期限（1–1200 个月）", status=422,
                    fields={f"measures[{index}]": ["期限无效"]},
                )
            item["months"] = months
        result.append(item)
    return result


def measures_amount(measures: list[dict[str, Any]], *kinds: str) -> Decimal | None:
    amounts = [Decimal(m["amount"]) for m in measures if m["kind"] in kinds and m.get("amount") is not None]
    return sum(amounts, Decimal("0")) if amounts else None


def measures_heavier(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> bool:
    """Is ``new`` heavier than ``old``? A more severe kind, a higher amount of the same kind, or all of
    the old kinds plus another one."""
    old_kinds = {m["kind"] for m in old}
    new_kinds = {m["kind"] for m in new}
    old_max = max((_SEVERITY[PenaltyKind(k)] for k in old_kinds), default=0)
    if any(_SEVERITY[PenaltyKind(k)] > old_max for k in new_kinds):
        return True
    for kind in new_kinds & old_kinds & AMOUNT_KINDS:
        if (measures_amount(new, kind) or 0) > (measures_amount(old, kind) or 0):
            return True
    return old_kinds < new_kinds


# 行政处罚法 第六十三条: kinds that give the party a right to a hearing regardless of amount.
_HEARING_KINDS = {
    PenaltyKind.DOWNGRADE,
    PenaltyKind.REVOKE_LICENCE,
    PenaltyKind.SUSPEND_BUSINESS,
    PenaltyKind.CLOSE,
    PenaltyKind.RESTRICT_PRACTICE,
    PenaltyKind.RESTRICT_BUSINESS,
}


def hearing_eligible(*, case: Case, measures: list[dict[str, Any]]) -> bool:
    """行政处罚法 第六十三条: 较大数额罚款、没收较大数额违法所得/较大价值非法财物、降低资质等级、吊销许可证件、
    责令停产停业、责令关闭、限制从业 and other heavier penalties. Thresholds are per agency."""
    if {m["kind"] for m in measures} & _HEARING_KINDS:
        return True
    rules = case_rules(case.agency_id)
    threshold = (
        rules.hearing_fine_threshold_person
        if case.party_type in CITIZEN_PARTY_TYPES
        else rules.hearing_fine_threshold_org
    )
    fine = measures_amount(measures, PenaltyKind.FINE) or Decimal("0")
    confiscated = measures_amount(measures, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY) or 0
    return fine >= threshold or confiscated >= threshold


def ensure_decision_in_force(case: Case) -> None:
    """A revoked or void decision is not served or executed any more (workflow.DECISION_NOT_IN_FORCE)."""
    if case.decision_state in DECISION_NOT_IN_FORCE:
        raise PreconditionFailed(
            "decision_not_in_force",
            f"该处罚决定{case.get_decision_state_display()}，不再送达或执行，可以结案",
            extra={"decision_state": case.decision_state},
        )


def ensure_exists(case_id: Any) -> Case:
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在", code="case_not_found")
    return case
