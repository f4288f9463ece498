"""检察监督: the procuratorate's time-boxed, logged, revocable read grants and its 检察建议 with the agency's answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.supervision.models import (
    ProcuratorGrant,
    ProcuratorialSuggestion,
)
from backend.supervision.services.common import (
    ensure_head_of,
    ensure_transition,
    now_and_today,
)

# --------------------------------------------------------------------------- 检察监督


@transaction.atomic
def grant_create(
    *,
    actor: User,
    context: AuditContext,
    grantee: User,
    procuratorate: str,
    purpose: str,
    case_ids: list[Any],
    days: int,
    reference: str = "",
    now: dt.datetime | None = None,
) -> ProcuratorGrant:
    """The agency's head grants a procurator read access to named cases of the agency for ``days`` days."""
    from backend.cases.models import Case

    now, _ = now_and_today(now)
    if not actor.has_role(Role.AGENCY_HEAD) or actor.agency_id is None:
        raise Forbidden("仅机关负责人可以授权检察调阅", code="agency_head_required")
    max_days = settings.SUPERVISION_GRANT_MAX_DAYS
    if not 1 <= days <= max_days:
        raise ApplicationError(
            "invalid_grant_days",
            f"调阅期限须在 1 至 {max_days} 天之间",
            status=422,
            fields={"days": [f"1 至 {max_days}"]},
        )
    if not grantee.is_active or not grantee.has_role(Role.PROCURATOR):
        raise ApplicationError(
            "grantee_not_procurator", "被授权人须为检察机关人员", status=422, fields={"grantee": ["须为检察机关人员"]}
        )
    cases = list(Case.objects.filter(pk__in=case_ids, agency_id=actor.agency_id))
    if len(cases) != len(set(case_ids)):
        raise NotFound("案件不存在", code="case_not_found")
    grant = ProcuratorGrant.objects.create(
        agency_id=actor.agency_id,
        grantee=grantee,
        procuratorate=procuratorate,
        purpose=purpose,
        reference=reference,
        granted_by=actor,
        expires_at=now + dt.timedelta(days=days),
    )
    grant.cases.set(cases)
    audit_record(
        action="supervision.grant.created",
        target=grant,
        context=context,
        actor=actor,
        data={
            "grantee": str(grantee.pk),
            "grantee_name": str(grantee),
            "procuratorate": procuratorate,
            "purpose": purpose,
            "reference": reference,
            "cases": sorted(str(c.pk) for c in cases),
            "expires_at": grant.expires_at,
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, grant: ProcuratorGrant, actor: User, context: AuditContext, reason: str) -> ProcuratorGrant:
    grant = ProcuratorGrant.objects.select_for_update().get(pk=grant.pk)
    ensure_head_of(actor, grant.agency_id)
    if grant.revoked_at is not None:
        raise PreconditionFailed("grant_revoked", "该授权已撤销")
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), actor, reason
    grant.save()
    audit_record(
        action="supervision.grant.revoked", target=grant, context=context, actor=actor, data={"reason": reason}
    )
    return grant


def grant_record_read(*, grant: ProcuratorGrant, case: Any, context: AuditContext, what: str) -> None:
    """Every read under a grant is logged (监督全程留痕), in its own transaction before the answer is sent."""
    with transaction.atomic():
        audit_record(
            action="supervision.grant.read",
            target=grant,
            context=context,
            case_id=case.pk,
            agency_id=grant.agency_id,
            data={"what": what, "procuratorate": grant.procuratorate},
        )


@transaction.atomic
def suggestion_file(
    *,
    actor: User,
    context: AuditContext,
    grant: ProcuratorGrant,
    case: Any,
    number: str,
    content: str,
    now: dt.datetime | None = None,
) -> ProcuratorialSuggestion:
    """A procurator files a 检察建议 about a case it was granted; the agency must answer within the period
    (人民检察院检察建议工作规定 第十九条: 两个月)."""
    now, today = now_and_today(now)
    suggestion = ProcuratorialSuggestion.objects.create(
        agency_id=grant.agency_id,
        grant=grant,
        case=case,
        procuratorate=grant.procuratorate,
        number=number,
        content=content,
        filed_by=actor,
        filed_at=now,
        answer_due=today + dt.timedelta(days=settings.SUPERVISION_SUGGESTION_DAYS),
    )
    audit_record(
        action="supervision.suggestion.filed",
        target=suggestion,
        context=context,
        actor=actor,
        case_id=case.pk,
        data={
            "number": number,
            "content": content,
            "answer_due": suggestion.answer_due,
            "procuratorate": grant.procuratorate,
        },
    )
    return suggestion


@transaction.atomic
def suggestion_answer(
    *,
    suggestion: ProcuratorialSuggestion,
    actor: User,
    context: AuditContext,
    answer: str,
    now: dt.datetime | None = None,
) -> ProcuratorialSuggestion:
    now, today = now_and_today(now)
    suggestion = ProcuratorialSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    ensure_head_of(actor, suggestion.agency_id)
    ensure_transition(
        ProcuratorialSuggestion, suggestion.status, ProcuratorialSuggestion.Status.ANSWERED, "该检察建议"
    )
    suggestion.status = ProcuratorialSuggestion.Status.ANSWERED
    suggestion.answer, suggestion.answered_by, suggestion.answered_at = answer, actor, now
    suggestion.answered_late = today > suggestion.answer_due
    suggestion.save()
    audit_record(
        action="supervision.suggestion.answered",
        target=suggestion,
        context=context,
        actor=actor,
        case_id=suggestion.case_id,
        data={"answer": answer, "late": suggestion.answered_late},
    )
    return suggestion
