"""Review, edit, publish: edits of the public text, the redaction candidates resolved, publication (the check
first)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from backend import redaction
from backend.accounts.models import Role, User
from backend.common.errors import ApplicationError, PreconditionFailed
from backend.disclosures import revision
from backend.disclosures.models import (
    Notice,
    NoticeEdit,
)
from backend.disclosures.services.common import (
    _audit,
    _ensure_transition,
    _lock,
    _require_staff,
    display_until_for,
    profile_for,
)
from backend.disclosures.services.snapshot import _refresh_search, redaction_check
from backend.ledger.services import AuditContext


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
