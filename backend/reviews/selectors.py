"""Reads of the reviews app: catalogs (also for public disclosure), queues, rounds, reviewer ratio."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from backend.accounts.models import Agency, Role, User
from backend.accounts.permissions import readable_agency_ids, scope_to_agency
from backend.cases.models import Case
from backend.cases.selectors import case_get_for_user as cases_get_for_user
from backend.common.errors import NotFound
from backend.reviews.models import (
    CatalogRule,
    ChecklistEntry,
    CollectiveDiscussion,
    Kind,
    MajorCatalog,
    MajorEvaluation,
    ReviewDispute,
    ReviewExtension,
    ReviewRound,
    ReviewSettings,
    SupplementRequest,
)

# --------------------------------------------------------------------------- catalog


def _agency_id(agency: Agency | int) -> int:
    return agency if isinstance(agency, int) else agency.pk


def catalog_for_date(*, agency_id: int, on: dt.date) -> MajorCatalog | None:
    """The published catalog version in force on ``on`` (latest ``effective_from`` not after it)."""
    return (
        MajorCatalog.objects.filter(agency_id=agency_id, status=MajorCatalog.Status.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .prefetch_related(Prefetch("rules", queryset=CatalogRule.objects.order_by("order", "id")))
        .first()
    )


def catalog_current(*, agency: Agency | int) -> MajorCatalog | None:
    """The catalog in force today, rules prefetched in order — what the public disclosure shows
    (国办发〔2018〕118号 (十二): 目录清单 向社会公布). None when the agency has not published one."""
    return catalog_for_date(agency_id=_agency_id(agency), on=timezone.localdate())


def catalog_list(*, user: User) -> QuerySet[MajorCatalog]:
    qs = scope_to_agency(MajorCatalog.objects.all(), user)
    return qs.prefetch_related(Prefetch("rules", queryset=CatalogRule.objects.order_by("order", "id"))).order_by(
        "agency_id", "-version"
    )


def catalog_get_for_user(*, user: User, catalog_id: int) -> MajorCatalog:
    catalog = catalog_list(user=user).filter(pk=catalog_id).first()
    if catalog is None:
        raise NotFound("目录清单不存在")
    return catalog


# --------------------------------------------------------------------------- cases and rounds


def case_get_for_user(*, user: User, case_id: UUID | str) -> Case:
    """The case, if ``user`` may read it (another agency's case answers 404)."""
    return cases_get_for_user(user=user, case_id=case_id)


def _round_qs() -> QuerySet[ReviewRound]:
    return ReviewRound.objects.select_related("case", "reviewer", "submitted_by", "completed_by", "agency", "catalog")


def round_detail_qs() -> QuerySet[ReviewRound]:
    return _round_qs().prefetch_related(
        Prefetch("checklist", queryset=ChecklistEntry.objects.order_by("order")),
        "assignments__reviewer",
        "assignments__assigned_by",
        "recusals__reviewer",
        Prefetch("supplements", queryset=SupplementRequest.objects.order_by("requested_at")),
        Prefetch("extensions", queryset=ReviewExtension.objects.order_by("requested_at")),
        Prefetch("disputes", queryset=ReviewDispute.objects.order_by("raised_at")),
    )


def review_round_get_for_user(*, user: User, round_id: UUID | str) -> ReviewRound:
    round_: ReviewRound | None = scope_to_agency(round_detail_qs(), user).filter(pk=round_id).first()
    if round_ is None:
        raise NotFound("审核记录不存在")
    return round_


def review_rounds_for_case(*, case: Case) -> QuerySet[ReviewRound]:
    return round_detail_qs().filter(case=case).order_by("submitted_at")


def review_queue(
    *, user: User, status: str | None = None, kind: str | None = None, mine: bool = False
) -> QuerySet[ReviewRound]:
    """Open rounds of the user's agency, soonest due first. ``mine``: assigned to the user."""
    qs = scope_to_agency(_round_qs(), user).filter(status__in=ReviewRound.OPEN_STATUSES)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if mine:
        qs = qs.filter(reviewer=user)
    return qs.order_by("due_on", "submitted_at")


def review_overdue(*, user: User, today: dt.date | None = None) -> QuerySet[ReviewRound]:
    """Open rounds past their due date. A round waiting for materials is paused and not overdue."""
    today = today or timezone.localdate()
    return (
        scope_to_agency(_round_qs(), user)
        .filter(status__in=[ReviewRound.Status.PENDING, ReviewRound.Status.IN_REVIEW], due_on__lt=today)
        .order_by("due_on")
    )


def major_evaluations_for_case(*, case: Case) -> QuerySet[MajorEvaluation]:
    return MajorEvaluation.objects.filter(case=case).select_related("catalog").order_by("-evaluated_at")


def collective_discussions_for_case(*, case: Case) -> QuerySet[CollectiveDiscussion]:
    return (
        CollectiveDiscussion.objects.filter(case=case)
        .select_related("chair", "recorded_by", "review_round")
        .prefetch_related("participants")
        .order_by("-held_on", "-recorded_at")
    )


def dispute_get_for_user(*, user: User, dispute_id: int) -> ReviewDispute:
    dispute = (
        ReviewDispute.objects.select_related("round", "round__case")
        .filter(pk=dispute_id, round__agency_id__in=readable_agency_ids(user))
        .first()
    )
    if dispute is None:
        raise NotFound("异议记录不存在")
    return dispute


def supplement_get_for_user(*, user: User, supplement_id: int) -> SupplementRequest:
    supplement = (
        SupplementRequest.objects.select_related("round", "round__case")
        .filter(pk=supplement_id, round__agency_id__in=readable_agency_ids(user))
        .first()
    )
    if supplement is None:
        raise NotFound("补充材料记录不存在")
    return supplement


def extension_get_for_user(*, user: User, extension_id: int) -> ReviewExtension:
    extension = (
        ReviewExtension.objects.select_related("round")
        .filter(pk=extension_id, round__agency_id__in=readable_agency_ids(user))
        .first()
    )
    if extension is None:
        raise NotFound("延期申请不存在")
    return extension


# --------------------------------------------------------------------------- reviewer ratio


def reviewer_ratio(*, agency: Agency | int) -> dict[str, Any]:
    """法制审核人员 against 执法人员 (国办发〔2018〕118号 (十一): 原则上不少于5%). Reported, never enforced."""
    agency_id = _agency_id(agency)
    active = User.objects.filter(agency_id=agency_id, is_active=True)
    reviewers = active.filter(roles__role=Role.LEGAL_REVIEWER).distinct()
    officers = active.filter(roles__role=Role.FIELD_OFFICER).distinct().count()
    reviewer_count = reviewers.count()
    qualified = reviewers.exclude(Q(legal_qualification_no="")).count()
    settings_row = ReviewSettings.objects.filter(agency_id=agency_id).first()
    guideline = settings_row.reviewer_ratio_guideline if settings_row else Decimal("0.05")
    ratio = (Decimal(reviewer_count) / Decimal(officers)).quantize(Decimal("0.0001")) if officers else None
    needed = int((Decimal(officers) * guideline).to_integral_value(rounding="ROUND_CEILING")) if officers else 0
    return {
        "agency_id": agency_id,
        "legal_reviewers": reviewer_count,
        "qualified_reviewers": qualified,
        "enforcement_officers": officers,
        "ratio": ratio,
        "guideline": guideline,
        "reviewers_needed": needed,
        "meets_guideline": ratio is not None and ratio >= guideline,
    }


def review_statistics(*, agency: Agency | int, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Opinions issued by the agency between ``start`` and ``end`` (inclusive), by outcome and by kind —
    for the disclosure statistics page (法制审核 次数与结果)."""
    rounds = ReviewRound.objects.filter(
        agency_id=_agency_id(agency), status=ReviewRound.Status.COMPLETED, completed_at__date__range=(start, end)
    )
    outcomes = dict(ReviewRound.Outcome.choices)
    kinds = dict(Kind.choices)  # ReviewRound.kind's choices
    by_outcome: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for outcome, kind in rounds.values_list("outcome", "kind"):
        by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return {
        "held": sum(by_outcome.values()),
        "by_outcome": [
            {"code": code, "label": str(outcomes.get(code, code)), "count": count}
            for code, count in sorted(by_outcome.items())
        ],
        "by_kind": [
            {"code": code, "label": str(kinds.get(code, code)), "count": count}
            for code, count in sorted(by_kind.items())
        ],
        "source": "reviews",
    }
