"""Reads of the supervision app. Every queryset is narrowed to what the caller may see, so another agency's
(or an unsupervised agency's) object answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import Agency, Role, User
from backend.accounts.permissions import readable_agency_ids
from backend.common.errors import NotFound
from backend.supervision.models import CorrectionOrder, FaultCase, ProcuratorGrant, ProcuratorialSuggestion


def supervised_agency_ids(user: User) -> set[int]:
    """The agencies below ``user``'s supervising body (its subtree without itself): what a 执法监督人员 acts on.
    Empty for every other role."""
    if not user.is_authenticated or user.agency is None or not user.has_role(Role.SUPERVISOR):
        return set()
    return user.agency.subtree_ids() - {user.agency.pk}


def supervised_agencies(*, user: User) -> QuerySet[Agency]:
    """The agencies whose records ``user`` reads as a supervisor or auditor (the agency tree), by name."""
    if not user.has_role(Role.SUPERVISOR, Role.AUDITOR):
        return Agency.objects.none()
    return Agency.objects.filter(pk__in=readable_agency_ids(user)).select_related("parent").order_by("name")


def case_get_supervised(*, user: User, case_id: Any) -> Any:
    from backend.cases.models import Case

    case = Case.objects.filter(pk=case_id, agency_id__in=readable_agency_ids(user)).first()
    if case is None:
        raise NotFound("案件不存在", code="case_not_found")
    return case


def agency_get_supervised(*, user: User, agency_id: Any) -> Agency:
    agency = Agency.objects.filter(pk=agency_id, pk__in=supervised_agency_ids(user)).first()
    if agency is None:
        raise NotFound("执法主体不存在", code="agency_not_found")
    return agency


# --------------------------------------------------------------------------- orders


def order_list(*, user: User, status: str | None = None, agency_id: int | None = None) -> QuerySet[CorrectionOrder]:
    """Orders addressed to the agencies ``user`` reads: a supervisor those of its subtree, the agency's staff
    (head, auditor) their own agency's."""
    qs = CorrectionOrder.objects.filter(agency_id__in=readable_agency_ids(user)).select_related(
        "agency", "issuing_agency", "issued_by", "answered_by", "case"
    )
    if status:
        qs = qs.filter(status=status)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return qs


def order_get(*, user: User, order_id: Any) -> CorrectionOrder:
    order = order_list(user=user).filter(pk=order_id).first()
    if order is None:
        raise NotFound("监督文书不存在", code="order_not_found")
    return order


# --------------------------------------------------------------------------- fault cases

_HANDLER_TRANSITIONS = frozenset(
    {
        "start_verification",
        "start_investigation",
        "conclude_investigation",
        "submit_review",
        "notify",
        "request_hearing",
        "start_defence_review",
        "submit_decision",
        "serve",
        "file_summary",
    }
)
_HEAD_TRANSITIONS = frozenset({"register", "approve_proposal", "decide", "decide_without_penalty"})
ROLE_LABELS = {
    "handling_officer": "承办人员",
    "legal_reviewer": "法制审核人员",
    "head": "机关负责人（决定人）",
    "collective_discussion": "集体讨论参加人员",
}


def responsible_chain(*, case_id: Any) -> list[dict[str, Any]]:
    """Who made the decision of the case, read from the audit trail (the ledger), never from what anyone
    types: the handling officers (their steps), the legal reviewer and the opinion, the head who approved and
    decided, the members of the collective discussion. Each person lists the events (id, seq, hash) that put
    them in the chain, so the chain is checkable against the transparency log."""
    from backend.cases.models import Case
    from backend.ledger.models import AuditEvent

    people: dict[tuple[str, str], dict[str, Any]] = {}

    def add(role: str, user_id: Any, name: str, event: AuditEvent, **detail: Any) -> None:
        if not user_id:
            return
        person = people.setdefault(
            (role, str(user_id)),
            {
                "role": role,
                "role_label": ROLE_LABELS[role],
                "user_id": str(user_id),
                "name": name,
                "acts": [],
            },
        )
        person["acts"].append(
            {
                "event_id": event.pk,
                "seq": event.seq,
                "hash": event.hash,
                "action": event.action,
                "occurred_at": event.occurred_at.isoformat(),
                **detail,
            }
        )

    events = AuditEvent.objects.filter(
        case_id=case_id, action__in=("case.transition", "review.opinion", "review.collective_discussion")
    ).order_by("id")
    users = {
        str(u.pk): str(u)
        for u in User.objects.filter(pk__in=Case.objects.get(pk=case_id).handling_officers.values("pk"))
    }
    for event in events:
        data = event.data or {}
        if event.action == "case.transition":
            name = data.get("transition", "")
            if name in _HEAD_TRANSITIONS:
                add("head", event.actor_id, event.actor_name, event, transition=name)
            elif name in _HANDLER_TRANSITIONS:
                add("handling_officer", event.actor_id, event.actor_name, event, transition=name)
        elif event.action == "review.opinion":
            add(
                "legal_reviewer",
                data.get("reviewer") or event.actor_id,
                data.get("reviewer_name") or event.actor_name,
                event,
                outcome=data.get("outcome"),
                opinion_number=data.get("opinion_number"),
                opinion_sha256=data.get("opinion_sha256"),
            )
        elif event.action == "review.collective_discussion":
            from backend.reviews.models import CollectiveDiscussion

            record = CollectiveDiscussion.objects.filter(pk=event.target_id).prefetch_related("participants").first()
            for participant in record.participants.all() if record else []:
                add(
                    "collective_discussion",
                    participant.pk,
                    str(participant),
                    event,
                    held_on=data.get("held_on"),
                    conclusion=data.get("conclusion"),
                    chair=str(participant.pk) == data.get("chair"),
                )
    # Officers assigned to the case who never acted are still its handlers (行政处罚法 第五十五条: two officers).
    acted = {uid for role, uid in people if role == "handling_officer"}
    chain = list(people.values())
    # The ledger freezes the username; the chain shows the person's name as the directory has it.
    names = {str(u.pk): str(u) for u in User.objects.filter(pk__in={p["user_id"] for p in chain})}
    for person in chain:
        person["name"] = names.get(person["user_id"], person["name"])
    for user_id, name in users.items():
        if user_id not in acted:
            chain.append(
                {
                    "role": "handling_officer",
                    "role_label": ROLE_LABELS["handling_officer"],
                    "user_id": user_id,
                    "name": name,
                    "acts": [],
                }
            )
    order = list(ROLE_LABELS)
    chain.sort(key=lambda p: (order.index(p["role"]), p["name"]))
    return chain


def fault_list(*, user: User, status: str | None = None) -> QuerySet[FaultCase]:
    qs = FaultCase.objects.filter(agency_id__in=readable_agency_ids(user)).select_related("case", "agency")
    return qs.filter(status=status) if status else qs


def fault_get(*, user: User, fault_id: Any) -> FaultCase:
    fault = fault_list(user=user).filter(pk=fault_id).first()
    if fault is None:
        raise NotFound("过错追究案件不存在", code="fault_case_not_found")
    return fault


# --------------------------------------------------------------------------- procuratorate


def grant_list(*, user: User) -> QuerySet[ProcuratorGrant]:
    """A procurator sees its own grants; the agency's head and auditor see the agency's."""
    qs = ProcuratorGrant.objects.select_related("grantee", "granted_by").prefetch_related("cases")
    if user.has_role(Role.PROCURATOR):
        return qs.filter(grantee=user)
    return qs.filter(agency_id__in=readable_agency_ids(user))


def grant_get(*, user: User, grant_id: Any) -> ProcuratorGrant:
    grant = grant_list(user=user).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound("调阅授权不存在", code="grant_not_found")
    return grant


def grant_case_for_procurator(*, user: User, grant_id: Any, case_id: Any) -> tuple[ProcuratorGrant, Any]:
    """The grant and the named case, while the grant is active and ``user`` is its grantee. An expired or
    revoked grant answers 404 like one that never existed (nothing is revealed after the period)."""
    grant = ProcuratorGrant.objects.filter(pk=grant_id, grantee=user).first()
    if grant is None or grant.state(timezone.now()) != "active":
        raise NotFound("调阅授权不存在或已失效", code="grant_not_found")
    case = grant.cases.filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在", code="case_not_found")
    return grant, case


def suggestion_list(*, user: User) -> QuerySet[ProcuratorialSuggestion]:
    qs = ProcuratorialSuggestion.objects.select_related("case", "agency")
    if user.has_role(Role.PROCURATOR):
        return qs.filter(filed_by=user)
    return qs.filter(agency_id__in=readable_agency_ids(user))


def suggestion_get(*, user: User, suggestion_id: Any) -> ProcuratorialSuggestion:
    suggestion = suggestion_list(user=user).filter(pk=suggestion_id).first()
    if suggestion is None:
        raise NotFound("检察建议不存在", code="suggestion_not_found")
    return suggestion


# --------------------------------------------------------------------------- 案卷评查


def automatic_checks(*, case: Any) -> list[dict[str, Any]]:
    """What the system already knows about a case, pre-filled as evidence for the evaluator: recording gaps
    (音像记录事项清单), notices published late (7 working days), overdue time limits of the agency, and a
    general-procedure penalty decided without a passed review (行政处罚法 第五十八条)."""
    from backend.cases.models import CaseDeadline
    from backend.disclosures.models import Notice
    from backend.reviews.models import ReviewRound

    overdue = list(
        CaseDeadline.objects.filter(
            case=case, kind=CaseDeadline.Kind.DUTY, state=CaseDeadline.State.OVERDUE
        ).values_list("name", flat=True)
    )
    late = list(Notice.objects.filter(case=case, published_late=True).values_list("pk", flat=True))
    reviewed = ReviewRound.objects.filter(
        case=case, status=ReviewRound.Status.COMPLETED, outcome=ReviewRound.Outcome.APPROVED
    ).exists()
    needs_review = case.procedure == "general" and case.decision_outcome == "penalty"
    return [
        {"code": "recording_gaps", "label": "音像记录缺失", "item": "recording_complete",
         "found": bool(case.missing_recordings), "detail": list(case.missing_recordings or [])},
        {"code": "late_notices", "label": "公示超期", "item": "disclosure_timely", "found": bool(late),
         "detail": [str(n) for n in late]},
        {"code": "overdue_deadlines", "label": "办理期限逾期", "item": "procedure_lawful", "found": bool(overdue),
         "detail": overdue},
        {"code": "missing_review", "label": "未经审核即作出处罚决定", "item": "procedure_lawful",
         "found": needs_review and not reviewed, "detail": []},
    ]  # fmt: skip


def standard_list(*, user: User) -> QuerySet[Any]:
    from backend.supervision.models import EvaluationStandard

    return EvaluationStandard.objects.filter(issuing_agency_id__in=readable_agency_ids(user) | {user.agency_id})


def sample_list(*, user: User) -> QuerySet[Any]:
    from backend.supervision.models import CaseSample

    return CaseSample.objects.filter(agency_id__in=readable_agency_ids(user)).select_related("agency")


def sample_get(*, user: User, sample_id: Any) -> Any:
    sample = sample_list(user=user).filter(pk=sample_id).first()
    if sample is None:
        raise NotFound("抽样不存在", code="sample_not_found")
    return sample


# --------------------------------------------------------------------------- 评议考核


def indicator_agencies(*, user: User) -> QuerySet[Agency]:
    """The agencies whose indicators ``user`` reads: a supervisor those its body supervises, a head or auditor
    the agencies it reads (its own; an auditor of a supervising body its subtree)."""
    ids = supervised_agency_ids(user) if user.has_role(Role.SUPERVISOR) else readable_agency_ids(user)
    return Agency.objects.filter(pk__in=ids).order_by("name")


def indicator_agency_get(*, user: User, agency_id: int) -> Agency:
    agency = indicator_agencies(user=user).filter(pk=agency_id).first()
    if agency is None:
        raise NotFound("执法主体不存在", code="agency_not_found")
    return agency
