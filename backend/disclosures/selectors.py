"""Reads for 行政执法公示: what the public may see, the staff queues, and the annual statistics.

The public never sees a draft, a not-disclosed decision, or the internal snapshot: every public read
starts from :func:`public_notices`, which selects only the published (and withdrawn-after-publication)
rows and only the redacted columns.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from backend.accounts.models import Agency, OfficerCredential, User
from backend.accounts.permissions import readable_agency_ids
from backend.common.errors import NotFound
from backend.common.inputs import is_ascii_int
from backend.disclosures.models import (
    CorrectionRequest,
    DiscretionStandard,
    EnforcementItem,
    Notice,
)
from backend.disclosures.search import apply_public_search
from backend.reviews.selectors import catalog_current, review_statistics

# The redacted columns the public API and pages read; nothing else leaves the table.
PUBLIC_LIST_FIELDS: tuple[str, ...] = (
    "id",
    "public_seq",
    "status",
    "decision_number",
    "party_type",
    "party_name",
    "party_uscc",
    "violation_type",
    "penalty_kinds",
    "fine_amount",
    "decision_date",
    "agency_id",
    "agency_name",
    "region_code",
    "published_at",
    "withdrawn_at",
)
PUBLIC_DETAIL_FIELDS: tuple[str, ...] = (
    *PUBLIC_LIST_FIELDS,
    "agency_uscc",
    "legal_representative",
    "party_address",
    "facts",
    "legal_basis",
    "penalty_content",
    "confiscation_amount",
    "licence_info",
    "penalty_valid_until",
    "display_until",
    "full_text",
    "remarks",
    "decision_kind",
    "withdrawal_kind",
    "withdrawal_reason",
    "supersedes_id",
    "updated_at",
)
PUBLIC_STATUSES = (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN)


def public_notices() -> QuerySet[Notice]:
    """Notices on public display: published or withdrawn after publication, display period not over."""
    return Notice.objects.filter(listed=True)


def public_notice_list(
    *,
    agency: str = "",
    region: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    penalty_kind: str = "",
    status: str = "",
    party_type: str = "",
    q: str = "",
) -> QuerySet[Notice]:
    qs = public_notices()
    if agency:
        qs = qs.filter(agency__uscc=agency) if not is_ascii_int(agency) else qs.filter(agency_id=int(agency))
    if region:
        qs = qs.filter(region_code__startswith=region)
    if date_from:
        qs = qs.filter(decision_date__gte=date_from)
    if date_to:
        qs = qs.filter(decision_date__lte=date_to)
    if penalty_kind:
        qs = qs.filter(penalty_kinds__contains=f",{penalty_kind},")
    if status:
        qs = qs.filter(status=status)
    if party_type:
        qs = qs.filter(party_type=party_type)
    if q:
        qs = apply_public_search(qs, q)
    return qs


def public_notice_get(*, notice_id: Any) -> Notice:
    """A notice that is or was public. Expired ones are returned too (the caller answers 410)."""
    notice = (
        Notice.objects.filter(pk=notice_id, published_at__isnull=False)
        .only(*PUBLIC_DETAIL_FIELDS, "listed", "published_late")
        .select_related(None)
        .first()
    )
    if notice is None:
        raise NotFound("公示信息不存在", code="notice_not_found")
    return notice


def notice_superseded_by(notice: Notice) -> Notice | None:
    return Notice.objects.filter(supersedes=notice, published_at__isnull=False).only("id", "decision_number").first()


# --------------------------------------------------------------------------------------------------
# 事前公开 / 事中公示
# --------------------------------------------------------------------------------------------------


def agency_public_list() -> QuerySet[Agency]:
    return Agency.objects.order_by("name")


def agency_public_get(*, key: str) -> Agency:
    agency = Agency.objects.filter(uscc=key).first()
    if agency is None and is_ascii_int(key):
        agency = Agency.objects.filter(pk=int(key)).first()
    if agency is None:
        raise NotFound("执法主体不存在", code="agency_not_found")
    return agency


def officer_roster(*, agency: Agency, on: datetime.date | None = None) -> list[dict[str, Any]]:
    """Officers holding a valid credential today: name, number, category, scope, validity — nothing else."""
    on = on or timezone.localdate()
    rows = (
        OfficerCredential.objects.valid_on(on)
        .filter(user__agency=agency, user__is_active=True)
        .select_related("user")
        .order_by("number")
    )
    return [
        {
            "name": c.user.full_name or c.user.get_username(),
            "credential_number": c.number,
            "category": c.category,
            "scope": c.scope,
            "valid_until": c.valid_until,
        }
        for c in rows
    ]


CREDENTIAL_STATE_TEXT = {
    "valid": "有效",
    "expired": "已过期",
    "not_yet_valid": "尚未生效",
    "suspended": "已暂扣",
    "revoked": "已注销/吊销",
}


def credential_verification(*, number: str, on: datetime.date | None = None) -> dict[str, Any]:
    """Public check of an 执法证 (事中公示): whether it is valid today, stated plainly."""
    on = on or timezone.localdate()
    credential = OfficerCredential.objects.select_related("user", "user__agency").filter(number=number).first()
    if credential is None:
        raise NotFound("未找到该执法证号", code="credential_not_found")
    state = credential.state_on(on)
    user: User = credential.user
    if state == "valid" and not user.is_active:
        state = "revoked"
    return {
        "credential_number": credential.number,
        "name": user.full_name or user.get_username(),
        "agency_name": user.agency.name if user.agency else "",
        "agency_uscc": user.agency.uscc if user.agency else "",
        "category": credential.category,
        "scope": credential.scope,
        "issuer": credential.issuer,
        "issued_on": credential.issued_on,
        "valid_until": credential.valid_until,
        "state": state,
        "state_text": CREDENTIAL_STATE_TEXT.get(state, state),
        "is_valid": state == "valid",
        "checked_on": on,
    }


def enforcement_items(*, agency: Agency) -> QuerySet[EnforcementItem]:
    return EnforcementItem.objects.filter(agency=agency, active=True)


def discretion_standards(*, agency: Agency) -> QuerySet[DiscretionStandard]:
    return DiscretionStandard.objects.filter(agency=agency, active=True)


def major_decision_catalog(*, agency: Agency) -> Any:
    """The agency's 重大执法决定法制审核目录清单 (the reviews app's current catalog; None: none published)."""
    return catalog_current(agency=agency)


def catalog_as_dict(catalog: Any) -> dict[str, Any] | None:
    """Public rendering of the ``MajorCatalog`` returned by ``catalog_current`` (or a plain dict)."""
    if catalog is None:
        return None
    if isinstance(catalog, dict):
        return catalog
    out: dict[str, Any] = {}
    for name in ("title", "version", "document_number", "basis", "note", "effective_from"):
        value = getattr(catalog, name, None)
        if value not in (None, ""):
            out[name] = value
    rules = getattr(catalog, "rules", None)
    if rules is not None and hasattr(rules, "all"):
        out["rules"] = [
            {"code": getattr(r, "code", ""), "description": getattr(r, "description", "") or str(r)}
            for r in rules.all()
        ]
    return out


# --------------------------------------------------------------------------------------------------
# Staff queues
# --------------------------------------------------------------------------------------------------


def staff_notices(*, user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(agency_id__in=readable_agency_ids(user))


def staff_notice_get(*, user: User, notice_id: Any) -> Notice:
    notice = staff_notices(user=user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("公示信息不存在", code="notice_not_found")
    return notice


def notice_deadline_lists(*, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """Overdue and due-soon unpublished notices for the user's agency (and, for an auditor, the agencies
    it supervises), plus withdrawals that were late."""
    from backend.disclosures.services.common import _calendar, profile_for

    today = today or timezone.localdate()
    base = staff_notices(user=user).filter(status=Notice.Status.DRAFT)
    horizon_days = 2
    if user.agency is not None:
        horizon_days = profile_for(user.agency).due_soon_workdays
    horizon = _calendar().add_workdays(today, horizon_days).due
    return {
        "today": today,
        "due_soon_until": horizon,
        "overdue": base.filter(due_date__lt=today).order_by("due_date"),
        "due_soon": base.filter(due_date__gte=today, due_date__lte=horizon).order_by("due_date"),
        "late_withdrawals": staff_notices(user=user).filter(withdrawn_late=True).order_by("-withdrawn_at"),
    }


def correction_requests_for(*, user: User) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(notice__agency_id__in=readable_agency_ids(user)).select_related("notice")


def correction_public_get(*, tracking_code: str) -> CorrectionRequest:
    item = CorrectionRequest.objects.select_related("notice").filter(tracking_code=tracking_code.upper()).first()
    if item is None:
        raise NotFound("未找到该更正申请", code="correction_not_found")
    return item


# --------------------------------------------------------------------------------------------------
# Annual statistics (每年1月31日前公开上年度行政执法总体情况; 国办发〔2018〕118号 (六))
# --------------------------------------------------------------------------------------------------


def _label_counts(rows: Any, key: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"code": r[key] or "", "label": labels.get(r[key] or "", r[key] or "未填写"), "count": r["n"]} for r in rows
    ]


def annual_statistics(*, agency: Agency, year: int) -> dict[str, Any]:
    """Computed from the records, never hand-entered: cases, fines, reviews, hearings, disclosure timeliness,
    withdrawals, for one agency and calendar year."""
    from backend.cases.models import Case

    start = datetime.date(year, 1, 1)
    end = datetime.date(year, 12, 31)
    cases = Case.objects.filter(agency=agency)
    registered = cases.filter(
        Q(registered_on__range=(start, end)) | Q(registered_on__isnull=True, created_at__year=year)
    )
    decided = cases.filter(decided_on__range=(start, end))
    category_labels = dict(Case._meta.get_field("category").choices)
    procedure_labels = dict(Case._meta.get_field("procedure").choices)
    outcome_labels = dict(Case._meta.get_field("decision_outcome").choices)
    state_labels = dict(Case._meta.get_field("decision_state").choices)
    fines = decided.filter(decision_outcome="penalty").aggregate(
        fines=Sum("fine_amount"), confiscations=Sum("confiscation_amount")
    )
    notices = Notice.objects.filter(agency=agency, decision_date__range=(start, end))
    published = notices.filter(published_at__isnull=False)
    stats: dict[str, Any] = {
        "agency": {"id": agency.pk, "name": agency.name, "uscc": agency.uscc},
        "year": year,
        "generated_at": timezone.now(),
        "complete": timezone.localdate() > end,
        "cases": {
            "registered": registered.count(),
            "by_category": _label_counts(
                registered.values("category").annotate(n=Count("pk")).order_by("category"), "category", category_labels
            ),
            "by_procedure": _label_counts(
                registered.values("procedure").annotate(n=Count("pk")).order_by("procedure"),
                "procedure",
                procedure_labels,
            ),
            "decided": decided.count(),
            "by_outcome": _label_counts(
                decided.values("decision_outcome").annotate(n=Count("pk")).order_by("decision_outcome"),
                "decision_outcome",
                outcome_labels,
            ),
            "decisions_changed_or_revoked": _label_counts(
                decided.exclude(decision_state__in=["", "effective"])
                .values("decision_state")
                .annotate(n=Count("pk"))
                .order_by("decision_state"),
                "decision_state",
                state_labels,
            ),
            "major_decisions": decided.filter(is_major=True).count(),
        },
        "fines": {
            "total_yuan": f"{fines['fines'] or Decimal(0):.2f}",
            "confiscation_total_yuan": f"{fines['confiscations'] or Decimal(0):.2f}",
        },
        "hearings": {
            "requested": cases.filter(hearing_requested_on__range=(start, end)).count(),
            "held": cases.filter(hearing_held_on__range=(start, end)).count(),
        },
        "reviews": _review_statistics(agency=agency, start=start, end=end),
        "disclosures": {
            "notices": notices.count(),
            "published": published.count(),
            "published_on_time": published.filter(published_late=False).count(),
            "published_late": published.filter(published_late=True).count(),
            "unpublished_overdue": notices.filter(
                status=Notice.Status.DRAFT, due_date__lt=timezone.localdate()
            ).count(),
            "not_disclosed": notices.filter(status=Notice.Status.NOT_DISCLOSED).count(),
            "withdrawn": notices.filter(status=Notice.Status.WITHDRAWN, published_at__isnull=False).count(),
            "withdrawn_late": notices.filter(withdrawn_late=True).count(),
            "correction_requests": CorrectionRequest.objects.filter(
                notice__agency=agency, created_at__year=year
            ).count(),
        },
    }
    return stats


def _review_statistics(*, agency: Agency, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Legal reviews held and their outcomes (the reviews app's own count)."""
    return dict(review_statistics(agency=agency, start=start, end=end))


def annual_series(*, agency: Agency, year: int) -> dict[str, Any]:
    """Month by month: cases registered and decisions made; and the penalties decided that year by kind
    (行政处罚法 第九条) — the series behind the statistics charts (public page and console)."""
    from django.db.models.functions import ExtractMonth

    from backend.cases.models import Case, PenaltyKind

    cases = Case.objects.filter(agency=agency)
    registered = dict(
        cases.filter(registered_on__year=year).annotate(m=ExtractMonth("registered_on")).values("m")
        .annotate(n=Count("pk")).values_list("m", "n")
    )  # fmt: skip
    decided_qs = cases.filter(decided_on__year=year)
    decided = dict(
        decided_qs.annotate(m=ExtractMonth("decided_on")).values("m").annotate(n=Count("pk")).values_list("m", "n")
    )
    kinds: dict[str, int] = {}
    for measures in decided_qs.filter(decision_outcome="penalty").values_list("decided_measures", flat=True):
        for kind in {str(m.get("kind", "")) for m in measures or [] if isinstance(m, dict)}:
            kinds[kind] = kinds.get(kind, 0) + 1
    labels = dict(PenaltyKind.choices)
    by_count = sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    return {
        "months": [
            {"month": m, "registered": registered.get(m, 0), "decided": decided.get(m, 0)} for m in range(1, 13)
        ],
        "penalty_kinds": [{"code": k, "label": str(labels.get(k, k)), "count": n} for k, n in by_count],
    }
