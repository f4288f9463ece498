"""Helpers shared by the review services, and the proposal the gate and the catalog look at."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import rfc8785
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from backend.accounts.models import User
from backend.cases.models import Case
from backend.cases.workflow import HEARING_PENDING_STATUSES as HEARING_PENDING_STATUSES
from backend.cases.workflow import REVIEW_SUBMITTABLE_STATUSES, is_handling_officer
from backend.common.errors import Forbidden, PreconditionFailed
from backend.reviews import major
from backend.reviews.models import (
    CaseReviewFlags,
    ReviewRound,
    ReviewSettings,
)

logger = logging.getLogger(__name__)

S = Case.Status
RS = ReviewRound.Status
OUT = ReviewRound.Outcome

# Where a package may be submitted, and who counts as a handling officer: the case workflow's own definitions.
SUBMITTABLE_STATUSES = REVIEW_SUBMITTABLE_STATUSES

MSG_ONLY_REVIEWERS = "只有法制审核人员可以审核案件"
MSG_NOT_ASSIGNED = "只有承办本轮审核的审核人员可以操作"


# --------------------------------------------------------------------------- small helpers


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _calendar() -> Any:
    from backend.common.calendar import get_calendar

    return get_calendar()


def jsonable(value: Any) -> Any:
    """Plain JSON types only (dates, UUIDs and Decimals become strings), as stored and as hashed."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_sha256(value: Any) -> str:
    """SHA-256 of the RFC 8785 canonical JSON of ``value`` (dates, UUIDs and Decimals as strings)."""
    return hashlib.sha256(rfc8785.dumps(jsonable(value))).hexdigest()


def review_settings_get(*, agency_id: int) -> ReviewSettings:
    settings_row, _ = ReviewSettings.objects.get_or_create(agency_id=agency_id)
    return settings_row


def _ensure_agency(actor: User, agency_id: int) -> None:
    if actor.agency_id != agency_id:
        raise Forbidden("只能办理本机关的事项", code="not_same_agency")


def _ensure_role(actor: User, *roles: str, message: str, code: str = "role_not_allowed") -> None:
    if not actor.has_role(*roles):
        raise Forbidden(message, code=code)


def _is_handler(case: Case, user: User) -> bool:
    return is_handling_officer(case=case, user=user)


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _lock_round(round_: ReviewRound) -> ReviewRound:
    return ReviewRound.objects.select_for_update().select_related("case", "agency").get(pk=round_.pk)


def _ensure_transition(round_: ReviewRound, target: str) -> None:
    if target not in ReviewRound.TRANSITIONS[round_.status]:
        raise PreconditionFailed(
            "review_round_state",
            f"本轮审核当前状态为“{round_.get_status_display()}”，不能执行此操作",
            extra={"status": round_.status, "target": target},
        )


# --------------------------------------------------------------------------- the proposal


def _measure_list(case: Case) -> tuple[list[Any], bool]:
    """The measures in force for the gate: the decision once the head has filled it, else the proposal."""
    if case.decided_measures:
        return list(case.decided_measures), True
    return list(case.proposed_measures or []), False


def _sum_amounts(measures: Iterable[Any], kinds: set[str]) -> Decimal | None:
    total: Decimal | None = None
    for entry in measures:
        if not isinstance(entry, dict):
            continue
        if major.normalise_measures([entry]) & kinds:
            amount = _money(entry.get("amount"))
            if amount is not None:
                total = (total or Decimal("0")) + amount
    return total


def _basis_strings(case: Case) -> tuple[str, ...]:
    result = []
    for entry in case.legal_basis or []:
        if isinstance(entry, dict):
            text = " ".join(str(entry.get(k, "")).strip() for k in ("law", "article") if entry.get(k))
            text = text or str(entry.get("text", "")).strip()
        else:
            text = str(entry).strip()
        if text:
            result.append(text)
    return tuple(result)


def proposal_from_case(case: Case) -> major.ProposedDecision:
    """The facts of the case's current proposal (or decision) that the major-decision test looks at."""
    measures, decided = _measure_list(case)
    explicit_fine = case.fine_amount if decided else case.proposed_fine_amount
    fine = _money(explicit_fine) if explicit_fine is not None else _sum_amounts(measures, {major.Measure.FINE})
    confiscation = _money(case.confiscation_amount)
    if confiscation is None:
        confiscation = _sum_amounts(measures, {major.Measure.CONFISCATE_GAINS, major.Measure.CONFISCATE_PROPERTY})
    codes = set(major.normalise_measures(measures))
    if fine:
        codes.add(major.Measure.FINE)
    flags_row = CaseReviewFlags.objects.filter(case_id=case.pk).first()
    flags = flags_row.as_flags() if flags_row else frozenset()
    notes: dict[str, str] = {major.Flag.LAW_REQUIRES: flags_row.law_requires_citation} if flags_row else {}
    return major.ProposedDecision(
        party_type=case.party_type,
        fine_amount=fine,
        confiscation_amount=confiscation,
        measures=frozenset(str(c) for c in codes),
        hearing_held=bool(case.hearing_held_on),
        flags=flags,
        legal_basis=_basis_strings(case),
        flag_notes=notes,
    )


def proposal_fingerprint_data(case: Case) -> dict[str, Any]:
    """What a passed review approves: outcome, penalty kinds, amounts and legal basis (not wording)."""
    proposal = proposal_from_case(case)
    return {
        "outcome": case.decision_outcome or "penalty",
        "measures": sorted(proposal.measures),
        "fine_amount": str(proposal.fine_amount) if proposal.fine_amount is not None else None,
        "confiscation_amount": str(proposal.confiscation_amount) if proposal.confiscation_amount is not None else None,
        "legal_basis": sorted(proposal.legal_basis),
    }


def proposal_fingerprint(case: Case) -> str:
    return canonical_sha256(proposal_fingerprint_data(case))
