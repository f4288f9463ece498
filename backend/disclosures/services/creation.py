"""Creating notices: by hand, and the draft for a decision (on ``DecisionMade``), due on the profile's period."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Agency
from backend.disclosures.models import (
    NonDisclosureReason,
    Notice,
)
from backend.disclosures.services.common import _audit, due_date_for, policy_for, profile_for
from backend.disclosures.services.snapshot import _money, _refresh_search, redact_snapshot, snapshot_from_case
from backend.ledger.services import AuditContext


@transaction.atomic
def notice_create(
    *,
    agency: Agency,
    snapshot: Mapping[str, Any],
    case: Any = None,
    context: AuditContext | None = None,
    supersedes: Notice | None = None,
) -> Notice:
    """Create the draft notice for a decision: snapshot, redacted rendition, due date, automatic rules."""
    profile = profile_for(agency)
    policy = policy_for(agency)
    snapshot = dict(snapshot)
    decision_date = datetime.date.fromisoformat(str(snapshot["decision_date"]))
    decision_kind = snapshot.get("decision_kind") or Notice.DecisionKind.PENALTY
    public = redact_snapshot(snapshot, agency=agency, policy=policy)
    kinds = [str(k) for k in snapshot.get("penalty_kinds") or []]
    due = due_date_for(decision_date=decision_date, decision_kind=decision_kind, profile=profile)
    notice = Notice(
        agency=agency,
        case=case,
        decision_kind=decision_kind,
        original=snapshot,
        redaction={
            "spans": public.pop("_spans"),
            "policy": policy.to_dict(),
            "persons": public.pop("_persons"),
            "public_persons": public.pop("_public_persons"),
            "candidates": public.pop("_candidates"),
            "resolutions": [],
        },
        decision_number=snapshot["decision_number"],
        penalty_kinds="," + ",".join(kinds) + "," if kinds else "",
        fine_amount=_money(snapshot.get("fine_amount")),
        confiscation_amount=_money(snapshot.get("confiscation_amount")),
        decision_date=decision_date,
        penalty_valid_until=(
            datetime.date.fromisoformat(snapshot["penalty_valid_until"])
            if snapshot.get("penalty_valid_until")
            else None
        ),
        agency_name=agency.name,
        agency_uscc=agency.uscc,
        region_code=agency.region_code,
        due_date=due.due,
        due_provisional=due.provisional,
        supersedes=supersedes,
    )
    blockers = public.pop("_blockers")
    for name, value in public.items():
        setattr(notice, name, value)
    if snapshot.get("party_is_minor") and "minor" not in blockers:
        blockers.append("minor")
    if blockers:
        # DOMAIN §2.9 / §6.5: decisions about minors are not published; the choice still needs approval.
        notice.nd_reason = NonDisclosureReason.MINOR
        notice.nd_note = "系统识别：当事人为未成年人，建议不予公开（待审批）"
        notice.nd_requested_at = timezone.now()
    elif set(kinds) == {"warning"} and not profile.publish_warning_only:
        # 市场监督管理行政处罚信息公示规定: 仅受到警告的行政处罚不予公示 — the agency's rule, no approval needed.
        notice.status = Notice.Status.NOT_DISCLOSED
        notice.nd_rule = "warning_only"
        notice.nd_note = "本机关规则：仅给予警告的行政处罚不予公示"
    _refresh_search(notice)
    notice.full_clean(exclude=["case", "supersedes", "agency"])
    notice.save()
    _audit(
        "notice.created",
        notice,
        context,
        {
            "due_date": notice.due_date,
            "blockers": blockers,
            "rule": notice.nd_rule,
            "supersedes": supersedes and str(supersedes.pk),
        },
    )
    return notice


def notice_create_for_decision(*, case: Any, context: AuditContext | None = None) -> None:
    """Hook called by the cases service after 决定 (CONTRACTS.md): create the draft notice.

    Idempotent: a replay for the same case and decision number creates nothing. A decision that
    replaces a withdrawn one (变更、重新作出) links the new notice to the old (``supersedes``).
    No notice is created for 不予处罚 or 移送其他部门 decisions; 移送司法机关 gets a draft flagged for
    non-disclosure (DOMAIN §2.9: 涉嫌犯罪移送), which still needs approval.
    """
    outcome = getattr(case, "decision_outcome", "") or "penalty"
    if outcome in ("no_penalty", "transfer_other"):
        return
    if getattr(case, "procedure", "general") == "summary":
        # DOMAIN §2.4 default: publish 一般程序 decisions (市场监督管理行政处罚信息公示规定 第二条 covers
        # 普通程序 only); on-the-spot 简易程序 decisions are filed, not published.
        return
    snapshot = snapshot_from_case(case)
    with transaction.atomic():
        existing = (
            Notice.objects.select_for_update()
            .filter(case=case)
            .exclude(status=Notice.Status.WITHDRAWN)
            .filter(decision_number=snapshot["decision_number"])
            .first()
        )
        if existing is not None:
            return
        previous = (
            Notice.objects.filter(case=case, status=Notice.Status.WITHDRAWN, superseded_by__isnull=True)
            .exclude(published_at__isnull=True)
            .order_by("-withdrawn_at")
            .first()
        )
        notice = notice_create(agency=case.agency, snapshot=snapshot, case=case, context=context, supersedes=previous)
        if outcome == "transfer_judicial" and not notice.nd_reason:
            notice.nd_reason = NonDisclosureReason.CRIMINAL_TRANSFER
            notice.nd_note = "系统识别：案件已移送司法机关，建议不予公开（待审批）"
            notice.nd_requested_at = timezone.now()
            notice.save(update_fields=["nd_reason", "nd_note", "nd_requested_at", "updated_at"])
