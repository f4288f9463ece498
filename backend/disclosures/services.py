"""Writes for 行政执法公示: notices (create, redact, edit, publish, withdraw, non-disclosure, expiry) and
citizens' correction requests. Every change writes an audit event with the case id in the same
transaction (CONTRACTS.md "Audit").
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend import redaction
from backend.accounts.models import Agency, Role, User
from backend.cases.models import PenaltyKind, penalty_kind_label
from backend.common import parties
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.common.inputs import is_ascii_int
from backend.common.remedies import remedies_clause
from backend.common.workdays import Assume, Deadline, WorkdayCalendar, workdays_of
from backend.disclosures import revision
from backend.disclosures.models import (
    AgencyDisclosureProfile,
    CorrectionRequest,
    NonDisclosureReason,
    Notice,
    NoticeEdit,
    PartyType,
    WithdrawalKind,
)
from backend.disclosures.search import index_tokens
from backend.ledger.services import AuditContext, audit_record
from backend.redaction import notice as redaction_notice

# 暂扣/吊销许可证件 and 降低资质等级 touch a licence (双公示 field 许可证件); 警告, 通报批评 and 罚款 are the light
# kinds that may take the short display period (市场监督管理行政处罚信息公示规定 第十三条).
_LICENCE_KINDS = frozenset({PenaltyKind.SUSPEND_LICENCE, PenaltyKind.REVOKE_LICENCE, PenaltyKind.DOWNGRADE})
_LIGHT_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.CRITICISM, PenaltyKind.FINE})


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _calendar() -> WorkdayCalendar:
    from backend.common.calendar import get_calendar

    return get_calendar()


def _add_workdays(start: datetime.date, n: int) -> Deadline:
    """Working-day arithmetic on the official calendar for the agency's disclosure duties (publish, withdraw,
    answer). A year without official holiday data yet is counted with its statutory holidays and the result
    is ``provisional``; being a duty, it falls due on the earliest plausible day (DOMAIN §1.5(d)). A decision
    or a correction is never refused because next year's State Council notice has not been entered; the date
    is recomputed once it is (:func:`notices_recompute_for_calendar`) and the coverage alert asks for it."""
    return _calendar().add_workdays(start, n, assume=Assume.MOST_WORKDAYS)


def withdraw_workdays() -> int:
    """行政处罚法 第四十八条第二款、第八十五条: withdraw within 3 working days (the DISCLOSE_WITHDRAW rule; the
    statute fixes it, so no agency setting overrides it)."""
    return workdays_of("DISCLOSE_WITHDRAW")


def profile_for(agency: Agency) -> AgencyDisclosureProfile:
    profile = getattr(agency, "_disclosure_profile_cache", None)
    if profile is None:
        profile, _ = AgencyDisclosureProfile.objects.get_or_create(agency=agency)
        agency._disclosure_profile_cache = profile  # type: ignore[attr-defined]
    return profile


def policy_for(agency: Agency) -> redaction.RedactionPolicy:
    return redaction.RedactionPolicy.from_dict(profile_for(agency).redaction_policy or {})


def _require_staff(actor: User | None, agency_id: int, *roles: str) -> None:
    if actor is None or not actor.is_authenticated:
        raise Forbidden()
    if actor.agency_id != agency_id:
        raise Forbidden("只能处理本机关的公示信息", code="other_agency")
    if roles and not actor.has_role(*roles):
        raise Forbidden("当前角色无权执行此操作", code="role_not_allowed")


def _lock(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().get(pk=notice.pk)


def _ensure_transition(notice: Notice, target: str) -> None:
    if target not in Notice.TRANSITIONS[notice.status]:
        raise PreconditionFailed(
            "notice_invalid_transition",
            f"公示信息当前状态为“{notice.get_status_display()}”，不能变为“{Notice.Status(target).label}”",
            extra={"status": notice.status, "target": target},
        )


def _audit(
    action: str,
    notice: Notice,
    context: AuditContext | None,
    data: dict[str, Any] | None = None,
    *,
    actor: User | None = None,
) -> None:
    audit_record(
        action=action,
        target=notice,
        context=context,
        actor=actor,
        agency_id=notice.agency_id,
        case_id=notice.case_id,
        data={"decision_number": notice.decision_number, "status": notice.status, **(data or {})},
    )


def due_date_for(*, decision_date: datetime.date, decision_kind: str, profile: AgencyDisclosureProfile) -> Deadline:
    """国办发〔2018〕118号 (六): penalty decisions within 7 working days, others within 20 (configurable)."""
    days = (
        profile.penalty_deadline_workdays
        if decision_kind == Notice.DecisionKind.PENALTY
        else profile.other_deadline_workdays
    )
    return _add_workdays(decision_date, days)


def display_until_for(
    *, notice: Notice, profile: AgencyDisclosureProfile, published_on: datetime.date
) -> datetime.date:
    """End of the display period (市场监督管理行政处罚信息公示规定 第十三条, per agency).

    Short period (default 3 months) for 通报批评 and low fines when nothing heavier was imposed; the long
    period (default 3 years) otherwise; a restriction lasting longer than that keeps it on display.
    """
    kinds = set(notice.penalty_kind_list)
    short_kinds = set(profile.short_display_kinds or [])
    heavy = bool(kinds - _LIGHT_KINDS)
    fine_is_low = (
        "fine" in kinds
        and profile.low_fine_threshold is not None
        and (notice.fine_amount or Decimal(0)) <= profile.low_fine_threshold
    )
    fine_is_high = "fine" in kinds and not fine_is_low
    short = not heavy and not fine_is_high and bool(kinds & short_kinds or fine_is_low)
    months = profile.display_months_short if short else profile.display_months_default
    calendar = _calendar()
    until = calendar.add_months(published_on, months, roll_forward=False).due
    if notice.penalty_valid_until and notice.penalty_valid_until > until:
        until = notice.penalty_valid_until
    return until


# --------------------------------------------------------------------------------------------------
# Snapshot and redaction
# --------------------------------------------------------------------------------------------------


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _legal_basis_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    parts = []
    for item in value or []:
        if isinstance(item, Mapping):
            law = str(item.get("law", "")).strip()
            if law and not law.startswith("《"):
                law = f"《{law}》"
            parts.append(f"{law}{item.get('article', '')}".strip())
        elif item:
            parts.append(str(item))
    return "；".join(p for p in parts if p)


def _penalty_content(measures: list[Mapping[str, Any]]) -> str:
    parts = []
    for m in measures:
        label = penalty_kind_label(str(m.get("kind", "")))
        detail = str(m.get("detail") or "").strip()
        amount = m.get("amount")
        text = label
        if amount not in (None, ""):
            text += f"人民币{Decimal(str(amount)):,.2f}元"
        if detail:
            text += f"（{detail}）"
        parts.append(text)
    return "；".join(parts)


def _penalty_valid_until(measures: list[Mapping[str, Any]], decided_on: datetime.date) -> str | None:
    """处罚有效期 (双公示): the end of the longest time-limited measure (``months``), counted from the decision.
    A 限制开展生产经营活动 or 限制从业 longer than the display period keeps the notice on display that long
    (市场监督管理行政处罚信息公示规定 第十三条; :func:`display_until_for`)."""
    months = [int(m["months"]) for m in measures if is_ascii_int(str(m.get("months") or ""))]
    if not months:
        return None
    return _calendar().add_months(decided_on, max(months), roll_forward=False).due.isoformat()


def _served_decision(case: Any) -> Mapping[str, Any]:
    """The content of the case's 行政处罚决定书 as served (its latest ``decision`` document), or — for a case
    recorded without one — the same fields taken from the case."""
    document = case.documents.filter(doc_type="decision").order_by("-created_at").first()
    if document is not None and isinstance(document.content, Mapping):
        return document.content
    return {"facts": case.facts, "legal_basis": case.legal_basis, "defence_adoption": case.defence_adoption}


def snapshot_from_case(case: Any) -> dict[str, Any]:
    """The decision as served, taken from a decided case (DOMAIN §9 fields; 行政处罚法 第五十九条)."""
    party_type = parties.parse_party_type(case.party_type)
    sole_trader = party_type == PartyType.SOLE_TRADER
    measures = [m for m in (case.decided_measures or []) if isinstance(m, Mapping)]
    kinds = list(dict.fromkeys(str(m.get("kind")) for m in measures if m.get("kind")))
    decided_on = case.decided_on or (timezone.localdate(case.decided_at) if case.decided_at else timezone.localdate())
    party = {
        "party_type": str(party_type),
        "name": case.party_name,
        "id_number": case.party_id_number,
        "phone": case.party_phone,
        "address": case.party_address,
        "uscc": case.party_uscc,
        # A 个体工商户's operator (经营者) is a natural person: the redaction masks the given name (DOMAIN §6.5).
        "operator_name" if sole_trader else "legal_representative": case.party_legal_rep,
        "legal_representative_id_number": case.party_legal_rep_id_number,
    }
    legal_basis = _legal_basis_text(case.legal_basis)
    content = _penalty_content(measures)
    licence = "；".join(str(m.get("detail") or "") for m in measures if m.get("kind") in _LICENCE_KINDS)
    served = _served_decision(case)
    agency_name = served.get("agency_name") or case.agency.name
    # The published text is the 决定书 as served, line for line (国办发〔2018〕118号 (六)); the redaction that
    # follows removes the personal data.
    full_text = "\n".join(
        line
        for line in (
            f"{agency_name}行政处罚决定书",
            case.decision_number,
            redaction_notice.party_line(party),
            f"违法事实：{served['facts']}" if served.get("facts") else "",
            "证据：" + "；".join(served["evidence"]) if served.get("evidence") else "",
            f"处罚依据：{_legal_basis_text(served.get('legal_basis'))}" if served.get("legal_basis") else "",
            f"陈述、申辩的采纳情况及理由：{served['defence_adoption']}" if served.get("defence_adoption") else "",
            # The case's current measures: after a 变更 the new notice states the changed penalty.
            f"处罚内容：{content}" if content else "",
            f"履行方式和期限：{served['performance']}" if served.get("performance") else "",
            (served.get("remedies") or remedies_clause()).rstrip("。") + "。",
            f"{agency_name}　{served.get('decided_on') or decided_on.isoformat()}",
        )
        if line
    )
    return {
        "decision_kind": Notice.DecisionKind.PENALTY if case.category == "penalty" else Notice.DecisionKind.OTHER,
        "decision_number": case.decision_number or f"（无文号）{case.case_number or case.pk}",
        "party": party,
        "party_is_minor": bool(case.party_is_minor),
        "violation_type": case.violation_type or case.title,
        "facts": case.facts,
        "legal_basis": legal_basis,
        "penalty_kinds": kinds,
        "penalty_content": content,
        "fine_amount": str(case.fine_amount) if case.fine_amount is not None else None,
        "confiscation_amount": str(case.confiscation_amount) if case.confiscation_amount is not None else None,
        "licence_info": licence,
        "decision_date": decided_on.isoformat(),
        "penalty_valid_until": _penalty_valid_until(measures, decided_on),
        "full_text": full_text,
        "remarks": "",
        # Officers are named in public (行政处罚法 第五十五条: 执法证件); their names are never masked.
        "officers": [u.full_name for u in case.handling_officers.all() if u.full_name],
    }


def redact_snapshot(
    snapshot: Mapping[str, Any], *, agency: Agency, policy: redaction.RedactionPolicy
) -> dict[str, Any]:
    """The public rendition of a snapshot plus the spans for the side-by-side review screen, the persons
    recognised (kept internally for the publish-time check) and the candidates the discloser resolves."""
    out = redaction_notice.redact_notice(
        snapshot,
        policy=policy,
        keep_phrases=[agency.name, agency.uscc],
        keep_persons=list(snapshot.get("officers") or []),
    )
    out["_blockers"] = list(
        redaction.publication_blockers(
            [snapshot["party"]], on=datetime.date.fromisoformat(snapshot["decision_date"]), policy=policy
        )
    )
    return out


def _original_party(notice: Notice) -> dict[str, Any]:
    return {k: v for k, v in dict(notice.original.get("party") or {}).items() if v not in (None, "")}


def redaction_check(notice: Notice, policy: redaction.RedactionPolicy | None = None) -> dict[str, Any]:
    """The publish-time check over every public field, whoever typed it: personal data still there
    (``findings``) and uncertain items not yet resolved (``candidates``), each with its resolution if any."""
    policy = policy or policy_for(notice.agency)
    report = notice.redaction or {}
    resolutions = {r["text"]: r for r in report.get("resolutions") or []}
    party = _original_party(notice)
    findings, candidates = redaction.check_fields(
        {name: getattr(notice, name) or "" for name in Notice.TEXT_FIELDS},
        parties=[party] if party else [],
        known_persons=report.get("persons") or [],
        keep_phrases=[notice.agency_name, notice.agency_uscc],
        keep_persons=(report.get("public_persons") or []) + list(notice.original.get("officers") or []),
        resolved={text: r["decision"] for text, r in resolutions.items()},
        policy=policy,
    )
    return {
        "findings": [f.to_dict() for f in findings],
        "candidates": [c.to_dict() for c in candidates],
        "resolutions": list(resolutions.values()),
    }


def _refresh_search(notice: Notice) -> None:
    notice.search_text = index_tokens(
        notice.decision_number,
        notice.party_name,
        notice.agency_name,
        notice.violation_type,
        notice.facts,
        notice.legal_basis,
        notice.penalty_content,
    )


# --------------------------------------------------------------------------------------------------
# Creating notices
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# Review, edit, publish
# --------------------------------------------------------------------------------------------------


@transaction.atomic
def notice_edit(
    *, notice: Notice, actor: User, changes: Mapping[str, str], note: str = "", context: AuditContext | None = None
) -> Notice:
    """The disclosure manager edits the redacted text; each changed field is recorded (before/after)."""
    _require_staff(actor, notice.agency_id, Role.DISCLOSURE_MANAGER)
    notice = _lock(notice)
    if notice.status not in (Notice.Status.DRAFT, Notice.Status.PUBLISHED):
        raise PreconditionFailed(
            "notice_not_editable", "只有待发布或已公示的信息可以修改", extra={"status": notice.status}
        )
    unknown = set(changes) - set(Notice.TEXT_FIELDS)
    if unknown:
        raise ApplicationError(
            "notice_field_not_editable", "只能修改公示文本字段", status=422, extra={"fields": sorted(unknown)}
        )
    if notice.status == Notice.Status.PUBLISHED and not note.strip():
        raise ApplicationError("notice_edit_note_required", "修改已公示信息须说明更正理由", status=422)
    edited = []
    for name, value in changes.items():
        value = "" if value is None else str(value)
        before = getattr(notice, name) or ""
        if before == value:
            continue
        NoticeEdit.objects.create(notice=notice, field=name, before=before, after=value, note=note, edited_by=actor)
        setattr(notice, name, value)
        edited.append(name)
    if not edited:
        return notice
    if notice.status == Notice.Status.PUBLISHED:
        _ensure_no_personal_data(notice, "修改后的公示文本仍含个人信息，请脱敏后再保存")
        revision.bump()
    _refresh_search(notice)
    notice.version += 1
    notice.full_clean(exclude=["case", "supersedes", "agency"])
    notice.save()
    _audit("notice.edited", notice, context, {"fields": edited, "note": note}, actor=actor)
    return notice


def _ensure_no_personal_data(notice: Notice, message: str) -> None:
    """Refuse (409) while any public field still holds personal data or an uncertain item is unresolved
    (行政处罚法 第五十条; 个人信息保护法 第二十八条)."""
    check = redaction_check(notice)
    if check["findings"]:
        raise PreconditionFailed(
            "notice_contains_personal_data", message, extra={"findings": check["findings"]}
        )
    if check["candidates"]:
        raise PreconditionFailed(
            "notice_redaction_candidates_unresolved",
            "公示文本中有待确认的疑似个人信息，请逐项确认脱敏或保留并说明理由后再发布",
            extra={"candidates": check["candidates"]},
        )


REDACTION_DECISIONS = ("mask", "keep")


@transaction.atomic
def notice_resolve_candidate(
    *, notice: Notice, actor: User, key: str, decision: str, reason: str, context: AuditContext | None = None
) -> Notice:
    """The discloser resolves one uncertain item: ``mask`` (the text is masked in every public field, each
    change recorded as an edit) or ``keep`` (left as it is); either way with a reason, recorded and audited."""
    _require_staff(actor, notice.agency_id, Role.DISCLOSURE_MANAGER)
    notice = _lock(notice)
    if notice.status not in (Notice.Status.DRAFT, Notice.Status.PUBLISHED):
        raise PreconditionFailed(
            "notice_not_editable", "只有待发布或已公示的信息可以修改", extra={"status": notice.status}
        )
    if decision not in REDACTION_DECISIONS:
        raise ApplicationError(
            "redaction_decision_invalid", "处理方式须为脱敏（mask）或保留（keep）", status=422,
            extra={"allowed": list(REDACTION_DECISIONS)},
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("redaction_reason_required", "请说明脱敏或保留的理由", status=422)
    candidate = next((c for c in redaction_check(notice)["candidates"] if c["key"] == key), None)
    if candidate is None:
        raise ApplicationError("redaction_candidate_not_found", "没有该待确认项（可能已处理）", status=404)
    report = dict(notice.redaction or {})
    resolution = {
        **candidate, "decision": decision, "reason": reason, "by": str(actor.pk),
        "at": timezone.now().isoformat(),
    }
    report["resolutions"] = [*(report.get("resolutions") or []), resolution]
    edited = []
    if decision == "mask":
        masked = redaction.mask_person_name(candidate["text"])
        for name in Notice.TEXT_FIELDS:
            before = getattr(notice, name) or ""
            after = before.replace(candidate["text"], masked)
            if after != before:
                NoticeEdit.objects.create(
                    notice=notice, field=name, before=before, after=after, note=f"脱敏：{reason}", edited_by=actor
                )
                setattr(notice, name, after)
                edited.append(name)
        report["persons"] = [*(report.get("persons") or []), candidate["text"]]
    notice.redaction = report
    if edited and notice.status == Notice.Status.PUBLISHED:
        revision.bump()
    _refresh_search(notice)
    notice.version += 1
    notice.save()
    _audit(
        "notice.redaction_candidate_resolved", notice, context,
        {"key": key, "category": candidate["category"], "decision": decision, "reason": reason, "fields": edited},
        actor=actor,
    )
    return notice


@transaction.atomic
def notice_publish(*, notice: Notice, actor: User, context: AuditContext | None = None) -> Notice:
    """Publish the reviewed redacted rendition (公示). Late publication is allowed and recorded."""
    _require_staff(actor, notice.agency_id, Role.DISCLOSURE_MANAGER)
    notice = _lock(notice)
    _ensure_transition(notice, Notice.Status.PUBLISHED)
    if notice.nd_reason:
        raise PreconditionFailed(
            "notice_non_disclosure_pending",
            "该信息已提出不予公开，须先审批或驳回",
            extra={"reason": notice.nd_reason},
        )
    _ensure_no_personal_data(notice, "公示文本仍含个人信息，请脱敏后再发布")
    profile = profile_for(notice.agency)
    today = timezone.localdate()
    now = timezone.now()
    notice.public_seq = revision.bump(allocate_seq=True)
    notice.status = Notice.Status.PUBLISHED
    notice.published_at = now
    notice.published_by = actor
    notice.published_late = today > notice.due_date
    notice.display_until = display_until_for(notice=notice, profile=profile, published_on=today)
    notice.listed = True
    notice.version += 1
    _refresh_search(notice)
    notice.save()
    _audit(
        "notice.published",
        notice,
        context,
        {"due_date": notice.due_date, "late": notice.published_late, "display_until": notice.display_until},
        actor=actor,
    )
    return notice


# --------------------------------------------------------------------------------------------------
# Withdrawal (撤回) and correction
# --------------------------------------------------------------------------------------------------


def _withdrawal_kind(kind: str) -> str:
    # Internal callers may name the kind by its Chinese label (变更, 撤销 …): the labels of the one enum, not a
    # second list of words.
    by_label = {str(label): value for value, label in WithdrawalKind.choices}
    kind = by_label.get(str(kind), str(kind))
    if kind not in WithdrawalKind.values:
        raise ApplicationError(
            "withdrawal_kind_invalid", "撤回类型无效", status=422, extra={"allowed": list(WithdrawalKind.values)}
        )
    return kind


@transaction.atomic
def notice_withdraw(
    *,
    notice: Notice,
    reason: str,
    kind: str,
    actor: User | None = None,
    triggered_on: datetime.date | None = None,
    context: AuditContext | None = None,
) -> Notice:
    """Withdraw a notice (行政处罚法 第四十八条第二款): due 3 working days after the decision was changed,
    revoked, or confirmed illegal or void; the public page stays, marked 撤回, with the (redacted) reason
    and without the decision's content."""
    if actor is not None:
        _require_staff(actor, notice.agency_id, Role.DISCLOSURE_MANAGER, Role.AGENCY_HEAD)
    kind = _withdrawal_kind(kind)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("withdrawal_reason_required", "撤回须公开说明理由", status=422)
    notice = _lock(notice)
    _ensure_transition(notice, Notice.Status.WITHDRAWN)
    today = timezone.localdate()
    triggered_on = triggered_on or today
    policy = policy_for(notice.agency)
    party = {k: v for k, v in dict(notice.original.get("party") or {}).items() if v not in (None, "")}
    public_reason = redaction.redact_text(
        reason, parties=[party] if party else [], keep_phrases=[notice.agency_name], policy=policy
    ).text
    was_public = notice.was_public
    notice.status = Notice.Status.WITHDRAWN
    notice.withdrawal_kind = kind
    notice.withdrawal_reason = public_reason
    notice.withdrawal_triggered_on = triggered_on
    withdrawal_due = _add_workdays(triggered_on, withdraw_workdays())
    notice.withdrawal_due, notice.withdrawal_due_provisional = withdrawal_due.due, withdrawal_due.provisional
    notice.withdrawn_at = timezone.now()
    notice.withdrawn_by = actor
    notice.withdrawn_late = was_public and today > notice.withdrawal_due
    notice.version += 1
    if was_public:
        revision.bump()
    notice.save()
    _audit(
        "notice.withdrawn",
        notice,
        context,
        {
            "kind": kind,
            "reason": public_reason,
            "triggered_on": triggered_on,
            "due": notice.withdrawal_due,
            "late": notice.withdrawn_late,
            "was_public": was_public,
        },
        actor=actor,
    )
    return notice


def notice_withdraw_for_case(
    *,
    case: Any,
    reason: str,
    kind: str,
    triggered_on: datetime.date | None = None,
    context: AuditContext | None = None,
) -> None:
    """Hook called by the cases service on 变更/撤销/确认违法/确认无效 (CONTRACTS.md): withdraw every live
    notice of the case at once, well inside the 3-working-day limit."""
    with transaction.atomic():
        live = Notice.objects.select_for_update().filter(
            case=case, status__in=[Notice.Status.DRAFT, Notice.Status.PUBLISHED, Notice.Status.EXPIRED]
        )
        withdrawn = [
            notice_withdraw(notice=notice, reason=reason, kind=kind, triggered_on=triggered_on, context=context)
            for notice in live
        ]
        # A changed decision (变更) stays in force with new content: publish it as a new notice that links
        # to the withdrawn one (国办发〔2018〕118号 (六)).
        if (
            _withdrawal_kind(kind) == WithdrawalKind.CHANGED
            and any(n.was_public for n in withdrawn)
            and (getattr(case, "decided_measures", None) or [])
        ):
            notice_create_for_decision(case=case, context=context)


# --------------------------------------------------------------------------------------------------
# Non-disclosure (不予公开)
# --------------------------------------------------------------------------------------------------


@transaction.atomic
def notice_request_non_disclosure(
    *, notice: Notice, actor: User, reason: str, note: str = "", context: AuditContext | None = None
) -> Notice:
    """Propose not publishing a decision for one of the statutory reasons (DOMAIN §2.9)."""
    _require_staff(actor, notice.agency_id, Role.DISCLOSURE_MANAGER)
    if reason not in NonDisclosureReason.values:
        raise ApplicationError(
            "non_disclosure_reason_invalid",
            "不予公开理由须为法定情形之一",
            status=422,
            extra={"allowed": list(NonDisclosureReason.values)},
        )
    notice = _lock(notice)
    if notice.status != Notice.Status.DRAFT:
        raise PreconditionFailed(
            "notice_not_draft", "只有待发布的信息可以申请不予公开", extra={"status": notice.status}
        )
    notice.nd_reason = reason
    notice.nd_note = note
    notice.nd_requested_by = actor
    notice.nd_requested_at = timezone.now()
    notice.version += 1
    notice.save()
    _audit("notice.non_disclosure_requested", notice, context, {"reason": reason, "note": note}, actor=actor)
    return notice


@transaction.atomic
def notice_decide_non_disclosure(
    *, notice: Notice, actor: User, approve: bool, comment: str = "", context: AuditContext | None = None
) -> Notice:
    """The agency head (or a legal reviewer) approves or rejects; never the person who asked."""
    _require_staff(actor, notice.agency_id, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER)
    notice = _lock(notice)
    if notice.status != Notice.Status.DRAFT or not notice.nd_reason:
        raise PreconditionFailed("non_disclosure_not_requested", "该信息没有待审批的不予公开申请")
    if notice.nd_requested_by_id and notice.nd_requested_by_id == actor.pk:
        raise Forbidden("申请人不能审批自己的不予公开申请", code="approver_is_requester")
    reason = notice.nd_reason
    if approve:
        notice.status = Notice.Status.NOT_DISCLOSED
        notice.nd_approved_by = actor
        notice.nd_approved_at = timezone.now()
    else:
        notice.nd_reason = ""
        notice.nd_requested_by = None
        notice.nd_requested_at = None
    notice.nd_note = "\n".join(x for x in (notice.nd_note, comment) if x)
    notice.version += 1
    notice.save()
    _audit(
        "notice.non_disclosure_approved" if approve else "notice.non_disclosure_rejected",
        notice,
        context,
        {"reason": reason, "comment": comment},
        actor=actor,
    )
    return notice


# --------------------------------------------------------------------------------------------------
# Display period expiry (periodic task)
# --------------------------------------------------------------------------------------------------


def notice_expire_display_periods(*, today: datetime.date | None = None) -> int:
    """End display periods that are over: published → expired and off the public list (the record stays).
    Withdrawn notices leave the list at the same moment. Returns how many notices changed."""
    today = today or timezone.localdate()
    changed = 0
    ids = list(Notice.objects.filter(listed=True, display_until__lt=today).values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            notice = Notice.objects.select_for_update().filter(pk=pk, listed=True, display_until__lt=today).first()
            if notice is None:
                continue  # replay or concurrent run
            notice.listed = False
            if notice.status == Notice.Status.PUBLISHED:
                notice.status = Notice.Status.EXPIRED
                notice.expired_at = timezone.now()
            notice.version += 1
            notice.save()
            revision.bump()
            _audit("notice.expired", notice, None, {"display_until": notice.display_until})
            changed += 1
    return changed


def notices_recompute_for_calendar(
    *, spans: Iterable[tuple[datetime.date, datetime.date]], today: datetime.date, context: AuditContext | None
) -> list[dict[str, Any]]:
    """Recompute publication and withdrawal deadlines that are provisional or span a changed day (``spans``),
    now that the year's official holidays are entered or corrected. Lateness already recorded is judged again
    against the corrected date. Each change is audited (``notice.deadlines_recomputed``); a due date that
    moved earlier is also recorded as a reminder to the agency's disclosure managers
    (``notice.deadline_moved_earlier``). Runs inside the caller's transaction."""
    touched = Q(due_provisional=True) | Q(withdrawal_due_provisional=True)
    for first, last in spans:
        touched |= Q(decision_date__lte=last, due_date__gte=first, published_at__isnull=True)
        touched |= Q(withdrawal_triggered_on__lte=last, withdrawal_due__gte=first, withdrawn_at__isnull=True)
    changes: list[dict[str, Any]] = []
    notices = Notice.objects.select_for_update(of=("self",)).filter(touched).select_related("agency")
    for notice in notices.order_by("pk"):
        before = {"due_date": notice.due_date, "withdrawal_due": notice.withdrawal_due,
                  "due_provisional": notice.due_provisional,
                  "withdrawal_due_provisional": notice.withdrawal_due_provisional}
        due = due_date_for(
            decision_date=notice.decision_date, decision_kind=notice.decision_kind, profile=profile_for(notice.agency)
        )
        notice.due_date, notice.due_provisional = due.due, due.provisional
        if notice.published_at is not None:
            notice.published_late = timezone.localdate(notice.published_at) > notice.due_date
        if notice.withdrawal_triggered_on:
            withdrawal = _add_workdays(notice.withdrawal_triggered_on, withdraw_workdays())
            notice.withdrawal_due, notice.withdrawal_due_provisional = withdrawal.due, withdrawal.provisional
            if notice.withdrawn_at is not None:
                notice.withdrawn_late = notice.was_public and timezone.localdate(notice.withdrawn_at) > withdrawal.due
        after = {"due_date": notice.due_date, "withdrawal_due": notice.withdrawal_due,
                 "due_provisional": notice.due_provisional,
                 "withdrawal_due_provisional": notice.withdrawal_due_provisional}
        if after == before:
            continue  # still not computable, or unchanged
        notice.save()
        change = {"type": "notice", "id": str(notice.pk), **{f"{k}_was": v for k, v in before.items()}, **after,
                  "published_late": notice.published_late, "withdrawn_late": notice.withdrawn_late}
        _audit("notice.deadlines_recomputed", notice, context, change)
        earlier = [k for k in ("due_date", "withdrawal_due")
                   if before[k] is not None and after[k] is not None and after[k] < before[k]]
        if earlier:
            managers = User.objects.filter(agency_id=notice.agency_id, is_active=True,
                                           roles__role=Role.DISCLOSURE_MANAGER).distinct()
            _audit("notice.deadline_moved_earlier", notice, context, {
                "moved": earlier, **{k: after[k] for k in earlier}, "issued_on": today,
                "recipients": [str(u.pk) for u in managers],
            })
        changes.append(change)
    return changes


def notice_refresh_provisional_dates() -> int:
    """Recompute the still-provisional deadlines (the part of :func:`notices_recompute_for_calendar` that needs
    no changed span). Returns how many notices changed."""
    with transaction.atomic():
        return len(notices_recompute_for_calendar(spans=(), today=timezone.localdate(), context=None))


# --------------------------------------------------------------------------------------------------
# Citizens' correction requests (更正)
# --------------------------------------------------------------------------------------------------


def _tracking_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@transaction.atomic
def correction_request_submit(
    *, notice: Notice, requester_name: str, requester_contact: str, content: str, context: AuditContext | None = None
) -> CorrectionRequest:
    """Anyone may ask for a published notice to be corrected; answered within the agency's limit."""
    if notice.status not in (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN) or not notice.was_public:
        raise ApplicationError("notice_not_public", "该公示信息不存在或未公开", status=404)
    fields = {}
    if not (requester_name or "").strip():
        fields["requester_name"] = ["请填写申请人姓名或名称"]
    if not (requester_contact or "").strip():
        fields["requester_contact"] = ["请填写联系方式，以便答复"]
    if len((content or "").strip()) < 5:
        fields["content"] = ["请说明需要更正的内容及理由"]
    if fields:
        raise ApplicationError("invalid", "请求数据无效", status=400, fields=fields)
    profile = profile_for(notice.agency)
    due = _add_workdays(timezone.localdate(), profile.correction_answer_workdays).due
    request = CorrectionRequest.objects.create(
        notice=notice,
        tracking_code=_tracking_code(),
        requester_name=requester_name.strip()[:100],
        requester_contact=requester_contact.strip()[:200],
        content=content.strip()[:5000],
        due_date=due,
    )
    audit_record(
        action="notice.correction_requested",
        target=request,
        context=context,
        agency_id=notice.agency_id,
        case_id=notice.case_id,
        data={"notice": str(notice.pk), "tracking_code": request.tracking_code, "due_date": due},
    )
    return request


@transaction.atomic
def correction_request_answer(
    *, request: CorrectionRequest, actor: User, accept: bool, answer: str, context: AuditContext | None = None
) -> CorrectionRequest:
    _require_staff(actor, request.notice.agency_id, Role.DISCLOSURE_MANAGER)
    request = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != CorrectionRequest.Status.SUBMITTED:
        raise PreconditionFailed("correction_already_answered", "该更正申请已答复")
    if not (answer or "").strip():
        raise ApplicationError("correction_answer_required", "请填写答复内容", status=422)
    request.status = CorrectionRequest.Status.ACCEPTED if accept else CorrectionRequest.Status.REJECTED
    request.answer = answer.strip()
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save()
    audit_record(
        action="notice.correction_answered",
        target=request,
        context=context,
        actor=actor,
        agency_id=request.notice.agency_id,
        case_id=request.notice.case_id,
        data={"status": request.status, "late": timezone.localdate() > request.due_date},
    )
    return request
