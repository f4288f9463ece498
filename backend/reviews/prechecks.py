"""Automatic pre-checks: hints per checklist item, computed from the case record.

The reviewer still decides every item; the hints point at what the record shows (and at what it lacks).
Each hint is ``{"check", "status", "message", "data"}`` with ``status`` one of:

* ``ok`` — the record shows the requirement is met;
* ``problem`` — the record shows it is not met (the reviewer should look closely);
* ``pending`` — not yet due or not yet done (e.g. 告知 before the review that precedes it);
* ``info`` — context for the reviewer.

Checks and their legal sources:

* ``officer_count`` — 行政处罚法 第四十二条: 执法人员不得少于两人 (per-agency ``CaseRules.min_officers``);
* ``credentials`` — 第四十二条: every officer holds a valid 执法证 on the day of each act (documents, evidence
  captures and workflow steps they performed);
* ``deadlines`` — every case time limit met (``CaseDeadline``: overdue or met late is a problem);
* ``recordings`` — 全程音像记录 required by law and the agency's 音像记录事项清单 for the acts performed, against
  the acts with a received audio/video recording (the cases app's rule); 国办发〔2018〕118号 (八),
  市场监管程序规定 第四十四条;
* ``evidence_integrity`` — every evidence item received with a verified SHA-256 and no integrity flag;
* ``notice`` / ``statement_window`` / ``hearing`` — 告知 served (第四十四条) and the statement and hearing
  windows respected (第四十五条、第六十四条), the review of a hearing case after the hearing (第五十八条);
* ``documents`` — the 执法文书 the steps so far require.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from backend.accounts.models import Role, User
from backend.accounts.services import CREDENTIAL_MESSAGES, credential_state
from backend.cases.models import (
    Case,
    CaseDeadline,
    CaseRules,
    DocumentType,
    EnforcementDocument,
    RecordingRequirement,
)
from backend.evidence.models import EvidenceItem

Hint = dict[str, Any]

# Where a hint goes when the round's checklist lacks its first-choice item (案件审核 is shorter).
FALLBACK_ITEMS: dict[str, tuple[str, ...]] = {
    "officer_qualified": ("officer_qualified", "procedure_lawful"),
    "procedure_lawful": ("procedure_lawful",),
    "facts_evidence": ("facts_evidence",),
    "party_rights": ("party_rights", "procedure_lawful"),
    "documents_complete": ("documents_complete", "procedure_lawful"),
    "subject_lawful": ("subject_lawful", "jurisdiction"),
    "discretion": ("discretion", "outcome_appropriate"),
}

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_INTEGRITY_WORDS = ("hash", "sha", "tamper", "integrity", "mismatch", "corrupt")


def _hint(check: str, status: str, message: str, **data: Any) -> Hint:
    return {"check": check, "status": status, "message": message, "data": data}


def _local(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def case_evidence(case: Case) -> list[EvidenceItem]:
    """Received evidence items of the case."""
    return list(
        EvidenceItem.objects.filter(case_id=case.pk, status=EvidenceItem.Status.RECEIVED).order_by("captured_at", "id")
    )


def evidence_manifest(case: Case) -> list[dict[str, Any]]:
    """The frozen evidence list of a submission: ids and SHA-256 at this moment."""
    return [
        {
            "id": str(item.pk),
            "sha256": item.sha256,
            "kind": item.kind,
            "activity": item.activity,
            "size": item.size,
            "captured_at": item.captured_at.isoformat() if item.captured_at else None,
        }
        for item in case_evidence(case)
    ]


def _activity_name(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("activity") or entry.get("name") or entry.get("kind") or "")
    return str(entry or "")


def performed_activities(case: Case, documents: Iterable[EnforcementDocument]) -> set[str]:
    acts = {_activity_name(entry) for entry in (case.performed_activities or [])}
    acts.update(doc.activity for doc in documents if doc.activity)
    return {a for a in acts if a}


def missing_recordings(case: Case) -> list[dict[str, str]]:
    """The cases app's rule (:func:`backend.cases.services.common.missing_recordings`: 全程音像记录 required by
    law, and the agency's 音像记录事项清单), with each line's level and basis for the reviewer."""
    from backend.cases.services.common import missing_recordings as acts_without_recording

    acts = acts_without_recording(case=case)
    listed = {r.activity: r for r in RecordingRequirement.objects.filter(agency_id=case.agency_id, activity__in=acts)}
    return [
        {"activity": act, "level": listed[act].level, "basis": listed[act].basis}
        if act in listed
        else {"activity": act, "level": RecordingRequirement.Level.FULL, "basis": "国办发〔2018〕118号（八）"}
        for act in acts
    ]


# --------------------------------------------------------------------------- the checks


def _check_officers(case: Case, rules: CaseRules, acts: list[tuple[User, dt.date, str]]) -> list[Hint]:
    hints: list[Hint] = []
    officers = list(case.handling_officers.all())
    if len(officers) < rules.min_officers:
        hints.append(
            _hint(
                "officer_count",
                "problem",
                f"承办人员仅 {len(officers)} 人，执法人员不得少于 {rules.min_officers} 人（行政处罚法第四十二条）",
                assigned=len(officers),
                required=rules.min_officers,
            )
        )
    else:
        hints.append(
            _hint(
                "officer_count",
                "ok",
                f"承办人员 {len(officers)} 人：" + "、".join(map(str, officers)),
                assigned=len(officers),
                required=rules.min_officers,
            )
        )

    problems: list[dict[str, str]] = []
    checked = 0
    seen: set[tuple[str, dt.date]] = set()
    for user, on, what in acts:
        key = (str(user.pk), on)
        if key in seen:
            continue
        seen.add(key)
        checked += 1
        state = credential_state(user=user, on=on)
        if state != "valid":
            problems.append(
                {"officer": str(user.pk), "name": str(user), "date": on.isoformat(), "act": what, "state": state}
            )
    if problems:
        lines = "；".join(
            f"{p['name']} 于 {p['date']}（{p['act']}）{CREDENTIAL_MESSAGES.get(p['state'], '执法证无效')}"
            for p in problems
        )
        hints.append(_hint("credentials", "problem", f"执法资格问题：{lines}", problems=problems, checked=checked))
    else:
        hints.append(_hint("credentials", "ok", f"已核对 {checked} 项执法行为的执法证，均在有效期内", checked=checked))
    return hints


def _acts(case: Case, documents: list[EnforcementDocument], evidence: list[Any]) -> list[tuple[User, dt.date, str]]:
    """(officer, day, act) for every enforcement act in the record that a field officer performed."""
    officers = {str(u.pk): u for u in case.handling_officers.prefetch_related("credentials", "roles")}
    doc_officer_ids = {str(i) for doc in documents for i in (doc.officer_ids or [])}
    extra_ids = doc_officer_ids - set(officers)
    if extra_ids:
        for user in User.objects.filter(pk__in=extra_ids).prefetch_related("credentials", "roles"):
            officers[str(user.pk)] = user
    field_officers = {pk: u for pk, u in officers.items() if u.has_role(Role.FIELD_OFFICER)}
    acts: list[tuple[User, dt.date, str]] = []
    for doc in documents:
        day = _local(doc.occurred_at)
        for officer_id in doc.officer_ids or []:
            user = field_officers.get(str(officer_id))
            if user is not None and day is not None:
                acts.append((user, day, doc.get_doc_type_display()))
    for item in evidence:
        user = field_officers.get(str(item.uploaded_by_id))
        day = _local(item.captured_at)
        if user is not None and day is not None:
            acts.append((user, day, f"取证（{item.activity or item.get_kind_display()}）"))
    for transition in case.transitions.all():
        user = field_officers.get(str(transition.actor_id))
        day = _local(transition.occurred_at)
        if user is not None and day is not None:
            acts.append((user, day, transition.name))
    if not acts:
        # Nothing recorded yet: check every handling officer on the registration day and today.
        days = [d for d in (case.registered_on, timezone.localdate()) if d]
        acts = [(u, d, "承办") for u in field_officers.values() for d in days]
    acts.sort(key=lambda a: (a[1], str(a[0].pk)))
    return acts


def _check_deadlines(case: Case) -> list[Hint]:
    rows = list(CaseDeadline.objects.filter(case=case, kind=CaseDeadline.Kind.DUTY))
    late = [d for d in rows if d.state == CaseDeadline.State.OVERDUE or d.met_late]
    if late:
        text = "；".join(
            f"{d.name}（期限 {d.due_on:%Y-%m-%d}{'，已逾期' if d.state == 'overdue' else '，逾期完成'}）" for d in late
        )
        return [
            _hint(
                "deadlines",
                "problem",
                f"办案期限问题：{text}",
                deadlines=[
                    {"rule": d.rule_code, "due_on": d.due_on.isoformat(), "state": d.state, "met_late": d.met_late}
                    for d in late
                ],
            )
        ]
    if rows:
        return [_hint("deadlines", "ok", f"{len(rows)} 项办案期限均未逾期", checked=len(rows))]
    return [_hint("deadlines", "info", "本案尚无办案期限记录")]


def _check_recordings(case: Case, documents: list[EnforcementDocument]) -> list[Hint]:
    missing = missing_recordings(case)
    if missing:
        acts = "、".join(m["activity"] for m in missing)
        return [_hint("recordings", "problem", f"缺少应当进行的音像记录：{acts}（音像记录事项清单）", missing=missing)]
    performed = performed_activities(case, documents)
    return [_hint("recordings", "ok", "音像记录事项清单要求的执法行为均有音像记录", performed=sorted(performed))]


def _check_evidence(evidence: list[Any]) -> list[Hint]:
    if not evidence:
        return [_hint("evidence_integrity", "problem", "本案尚无已接收的证据")]
    bad: list[dict[str, str]] = []
    for item in evidence:
        problems = []
        if not _SHA256.match(item.sha256 or ""):
            problems.append("缺少有效的 SHA-256 摘要")
        for flag in item.flags or []:
            code = str(flag.get("code", "") if isinstance(flag, dict) else flag).lower()
            if any(word in code for word in _INTEGRITY_WORDS):
                problems.append(f"完整性标记：{code}")
        if getattr(item, "signature_status", "") == "invalid":
            problems.append("终端签名无效")
        if problems:
            bad.append({"id": str(item.pk), "problems": "；".join(problems)})
    if bad:
        return [_hint("evidence_integrity", "problem", f"{len(bad)} 件证据完整性存疑", items=bad)]
    return [
        _hint("evidence_integrity", "ok", f"{len(evidence)} 件证据均已接收并通过 SHA-256 校验", count=len(evidence))
    ]


def _check_upload_deadline(evidence: list[Any]) -> list[Hint]:
    """音像记录 uploaded within 24 hours (内蒙古…办法 第二十条; the evidence app flags ``late_upload``)."""
    late = [
        str(item.pk)
        for item in evidence
        if any(isinstance(f, dict) and f.get("code") == "late_upload" for f in (item.flags or []))
    ]
    if late:
        return [_hint("upload_deadline", "problem", f"{len(late)} 件音像记录超过 24 小时才上传", items=late)]
    return []


def _check_notice(case: Case, rules: CaseRules, today: dt.date, calendar: Any) -> list[Hint]:
    hints: list[Hint] = []
    if case.notified_on is None:
        hints.append(
            _hint(
                "notice",
                "pending",
                "尚未送达行政处罚告知书：决定前须告知拟处罚内容及理由、依据，并告知陈述、"
                "申辩、听证权利（行政处罚法第四十四条）",
            )
        )
    else:
        hints.append(
            _hint(
                "notice",
                "ok",
                f"行政处罚告知书已于 {case.notified_on:%Y-%m-%d} 送达",
                notified_on=case.notified_on.isoformat(),
            )
        )
        # The rule's own computation, so a provisional year gives the same latest plausible end as the case.
        window_end = calendar.compute("STATEMENT_DEFENCE", case.notified_on, length=rules.statement_window_workdays).due
        if case.statement_waived:
            hints.append(_hint("statement_window", "ok", "当事人明确放弃陈述、申辩"))
        elif today <= window_end:
            hints.append(
                _hint(
                    "statement_window",
                    "pending",
                    f"陈述、申辩期限至 {window_end:%Y-%m-%d} 届满，期满前不得作出决定（行政处罚法第六十二条）",
                    window_end=window_end.isoformat(),
                )
            )
        else:
            hints.append(
                _hint(
                    "statement_window",
                    "ok",
                    f"陈述、申辩期限已于 {window_end:%Y-%m-%d} 届满",
                    window_end=window_end.isoformat(),
                )
            )
    if case.hearing_requested_on and not case.hearing_held_on:
        hints.append(
            _hint(
                "hearing",
                "problem",
                "当事人已申请听证但听证尚未举行：经听证的案件应在听证结束后进行法制审核（行政处罚法第五十八条）",
            )
        )
    elif case.hearing_held_on:
        hints.append(
            _hint(
                "hearing",
                "ok",
                f"已于 {case.hearing_held_on:%Y-%m-%d} 举行听证",
                hearing_held_on=case.hearing_held_on.isoformat(),
            )
        )
    elif case.hearing_eligible and case.notified_on and not case.hearing_waived:
        request_end = calendar.compute(
            "HEARING_REQUEST", case.notified_on, length=rules.hearing_request_window_workdays
        ).due
        status = "pending" if today <= request_end else "ok"
        hints.append(
            _hint(
                "hearing",
                status,
                f"听证申请期限至 {request_end:%Y-%m-%d}（行政处罚法第六十四条）",
                request_end=request_end.isoformat(),
            )
        )
    return hints


REQUIRED_DOCUMENTS: tuple[tuple[str, str], ...] = (
    (DocumentType.FILING_APPROVAL, "registered_on"),
    (DocumentType.INVESTIGATION_REPORT, "investigation_concluded_on"),
    (DocumentType.PENALTY_NOTICE, "notified_on"),
    (DocumentType.HEARING_RECORD, "hearing_held_on"),
)


def _check_documents(case: Case, documents: list[EnforcementDocument]) -> list[Hint]:
    present = {doc.doc_type for doc in documents}
    missing = [
        str(DocumentType(doc_type).label)
        for doc_type, date_field in REQUIRED_DOCUMENTS
        if getattr(case, date_field) and doc_type not in present
    ]
    if missing:
        return [_hint("documents", "problem", "缺少执法文书：" + "、".join(missing), missing=missing)]
    return [_hint("documents", "ok", f"已归集执法文书 {len(documents)} 份", count=len(documents))]


def run_prechecks(
    *, case: Case, flags: frozenset[str] = frozenset(), today: dt.date | None = None
) -> dict[str, list[Hint]]:
    """Hints per (first-choice) checklist item code; see :data:`FALLBACK_ITEMS` to place them."""
    from backend.common.calendar import get_calendar

    today = today or timezone.localdate()
    calendar = get_calendar()
    rules, _ = CaseRules.objects.get_or_create(agency_id=case.agency_id)
    documents = list(case.documents.all())
    evidence = case_evidence(case)
    hints: dict[str, list[Hint]] = defaultdict(list)
    hints["subject_lawful"].append(_hint("agency", "info", f"执法主体：{case.agency.name}（{case.agency.uscc}）"))
    hints["officer_qualified"].extend(_check_officers(case, rules, _acts(case, documents, evidence)))
    hints["procedure_lawful"].extend(_check_deadlines(case))
    hints["procedure_lawful"].extend(_check_recordings(case, documents))
    hints["procedure_lawful"].extend(_check_upload_deadline(evidence))
    hints["facts_evidence"].extend(_check_evidence(evidence))
    hints["party_rights"].extend(_check_notice(case, rules, today, calendar))
    hints["documents_complete"].extend(_check_documents(case, documents))
    if "discretion_deviation" in flags:
        hints["discretion"].append(
            _hint("discretion_flag", "problem", "承办人员标记：减轻或从重处罚超出裁量基准，应重点审核理由")
        )
    return dict(hints)


def place_hints(hints: dict[str, list[Hint]], codes: Iterable[str]) -> dict[str, list[Hint]]:
    """Map hints onto the item codes a round actually has (案件审核 folds several into 程序)."""
    available = set(codes)
    placed: dict[str, list[Hint]] = defaultdict(list)
    for code, items in hints.items():
        for candidate in FALLBACK_ITEMS.get(code, (code,)):
            if candidate in available:
                placed[candidate].extend(items)
                break
        else:
            if "other" in available:
                placed["other"].extend(items)
    return dict(placed)
