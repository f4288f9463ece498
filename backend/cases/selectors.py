"""Case reads. Every read is scoped to the agencies the user may read (own agency; an auditor also the
agencies it supervises); anything else answers 404, never 403."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.permissions import readable_agency_ids, scope_to_agency
from backend.cases.models import Case, CaseDeadline, CaseTransition, EnforcementDocument, RecordingRequirement
from backend.common.calendar import get_calendar
from backend.common.errors import NotFound
from backend.ledger.models import AuditEvent

ST = CaseDeadline.State
DUE_SOON_WORKDAYS = 3


def case_queryset_for_user(*, user: User) -> QuerySet[Case]:
    return scope_to_agency(Case.objects.all(), user)


def case_list_for_user(
    *,
    user: User,
    updated_since: dt.datetime | None = None,
    status: str | None = None,
    procedure: str | None = None,
    mine: bool = False,
    search: str = "",
) -> QuerySet[Case]:
    """The compact list (and the mobile delta feed when ``updated_since`` is given)."""
    qs = case_queryset_for_user(user=user)
    if updated_since is not None:
        qs = qs.filter(updated_at__gt=updated_since)
    if status:
        qs = qs.filter(status__in=status.split(","))
    if procedure:
        qs = qs.filter(procedure=procedure)
    if mine:
        qs = qs.filter(handling_officers=user)
    if search:
        qs = qs.filter(Q(case_number__icontains=search) | Q(title__icontains=search))
    return qs.prefetch_related("handling_officers")


def case_get_for_user(*, user: User, case_id: uuid.UUID | str) -> Case:
    """The case if ``user`` may read it; 404 ``case_not_found`` otherwise (also for other agencies)."""
    try:
        pk = uuid.UUID(str(case_id))
    except ValueError:
        raise NotFound("案件不存在", code="case_not_found") from None
    case = (
        case_queryset_for_user(user=user)
        .select_related("agency", "created_by", "decided_by")
        .prefetch_related("handling_officers")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound("案件不存在", code="case_not_found")
    return case


def document_get_for_user(*, user: User, case: Case, document_id: uuid.UUID | str) -> EnforcementDocument:
    document = EnforcementDocument.objects.filter(case=case, pk=document_id).first()
    if document is None:
        raise NotFound("文书不存在", code="document_not_found")
    return document


def case_timeline_events(*, case: Case) -> QuerySet[AuditEvent]:
    """Everything on record for the case: every audit event with this ``case_id`` (creation, changes,
    transitions, documents, evidence, reviews, notices, reads of personal data). The API pages through it in
    recording order (``RecordedOrderPagination``); events the sequencer has not chained yet have a null
    ``seq`` and ``hash``."""
    return AuditEvent.objects.filter(case_id=case.id)


def case_timeline_entries(*, case: Case, events: Sequence[AuditEvent]) -> list[dict[str, Any]]:
    """``events`` (one page of :func:`case_timeline_events`), each transition and document joined to the
    event that recorded it."""
    event_ids = [event.id for event in events]
    transitions = {t.audit_event_id: t for t in CaseTransition.objects.filter(case=case, audit_event_id__in=event_ids)}
    documents = {
        d.audit_event_id: d for d in EnforcementDocument.objects.filter(case=case, audit_event_id__in=event_ids)
    }
    entries: list[dict[str, Any]] = []
    for event in events:
        entry: dict[str, Any] = {
            "seq": event.seq,
            "pending": event.seq is None,
            "at": event.occurred_at,
            "action": event.action,
            "actor": event.actor_name,
            "actor_roles": event.actor_roles,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "device_id": event.device_id,
            "data": event.data,
            "hash": event.hash,
            "transition": None,
            "document": None,
        }
        transition = transitions.get(event.id)
        if transition is not None:
            entry["transition"] = {
                "name": transition.name,
                "from_status": transition.from_status,
                "to_status": transition.to_status,
                "performed_at": transition.occurred_at,
                "latitude": transition.latitude,
                "longitude": transition.longitude,
                "comment": transition.comment,
            }
        document = documents.get(event.id)
        if document is not None:
            entry["document"] = {
                "id": document.id,
                "doc_type": document.doc_type,
                "title": document.title,
                "number": document.number,
                "occurred_at": document.occurred_at,
            }
        entries.append(entry)
    return entries


def deadline_list_for_user(
    *,
    user: User,
    bucket: str = "open",
    agency_id: int | None = None,
    case: Case | None = None,
    today: dt.date | None = None,
) -> QuerySet[CaseDeadline]:
    """Deadlines of readable cases. ``bucket``: ``due_soon`` (agency duties due within 3 working days),
    ``overdue`` (past due and not met, computed at read time so it never waits for the sweep), ``open``
    or ``all``."""
    today = today or timezone.localdate()
    agencies = readable_agency_ids(user)
    if agency_id is not None:
        agencies = agencies & {agency_id}
    qs = CaseDeadline.objects.filter(case__agency_id__in=agencies).select_related("case")
    if case is not None:
        qs = qs.filter(case=case)
    if bucket == "due_soon":
        horizon = get_calendar().add_workdays(today, DUE_SOON_WORKDAYS).due
        qs = qs.filter(kind=CaseDeadline.Kind.DUTY, state=ST.DUE, due_on__gte=today, due_on__lte=horizon)
    elif bucket == "overdue":
        qs = qs.exclude(kind=CaseDeadline.Kind.WINDOW).filter(
            Q(state=ST.OVERDUE) | Q(state=ST.DUE, due_on__lt=today)
        )
    elif bucket == "open":
        qs = qs.filter(state__in=(ST.DUE, ST.OVERDUE, ST.PAUSED))
    return qs.order_by("due_on", "pk")


def deadline_summary_for_user(*, user: User, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per readable agency: open, due-soon and overdue counts (the supervision dashboard)."""
    today = today or timezone.localdate()
    horizon = get_calendar().add_workdays(today, DUE_SOON_WORKDAYS).due
    duty = Q(kind=CaseDeadline.Kind.DUTY)
    rows = (
        CaseDeadline.objects.filter(case__agency_id__in=readable_agency_ids(user))
        .values("case__agency_id", "case__agency__name")
        .annotate(
            open=Count("pk", filter=Q(state__in=(ST.DUE, ST.OVERDUE, ST.PAUSED))),
            due_soon=Count("pk", filter=duty & Q(state=ST.DUE, due_on__gte=today, due_on__lte=horizon)),
            overdue=Count(
                "pk",
                filter=~Q(kind=CaseDeadline.Kind.WINDOW) & (Q(state=ST.OVERDUE) | Q(state=ST.DUE, due_on__lt=today)),
            ),
            met_late=Count("pk", filter=Q(state=ST.MET, met_late=True)),
        )
        .order_by("case__agency__name")
    )
    return [
        {
            "agency_id": row["case__agency_id"],
            "agency_name": row["case__agency__name"],
            "open": row["open"],
            "due_soon": row["due_soon"],
            "overdue": row["overdue"],
            "met_late": row["met_late"],
        }
        for row in rows
    ]


def recording_requirement_list(*, user: User) -> QuerySet[RecordingRequirement]:
    qs = RecordingRequirement.objects.filter(agency_id__in=readable_agency_ids(user))
    return qs.order_by("agency_id", "activity")
