"""What a notice shows: the snapshot taken from the served decision, its redaction, the publish-time check, the
search tokens."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from backend import redaction
from backend.accounts.models import Agency
from backend.cases.models import penalty_kind_label
from backend.common import parties
from backend.common.inputs import is_ascii_int
from backend.common.remedies import remedies_clause
from backend.disclosures.models import (
    Notice,
    PartyType,
)
from backend.disclosures.search import index_tokens
from backend.disclosures.services.common import _LICENCE_KINDS, _calendar, policy_for
from backend.redaction import notice as redaction_notice


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
