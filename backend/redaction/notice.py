"""The public rendition of a whole notice: the party (DOMAIN §6.5 table) and every text field, with the
persons recognised over all fields at once, so a name found after a cue in the facts is masked in the full
text, the remarks and the violation type alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backend.redaction.engine import recognise_persons, redact_text
from backend.redaction.fields import party_hints
from backend.redaction.parties import redact_party
from backend.redaction.policy import PartyType, RedactionPolicy

TEXT_FIELDS = ("violation_type", "facts", "legal_basis", "penalty_content", "licence_info", "full_text", "remarks")


def party_line(party: Mapping[str, Any]) -> str:
    """The 当事人 paragraph of a 决定书 from the structured party."""
    bits = [f"当事人：{party.get('name', '')}"]
    if party.get("uscc"):
        bits.append(f"统一社会信用代码：{party['uscc']}")
    if party.get("legal_representative"):
        bits.append(f"法定代表人：{party['legal_representative']}")
    if party.get("operator_name"):
        bits.append(f"经营者：{party['operator_name']}")
    if party.get("id_number"):
        bits.append(f"身份证号码：{party['id_number']}")
    if party.get("address"):
        label = "住址" if party.get("party_type") == PartyType.NATURAL_PERSON else "住所"
        bits.append(f"{label}：{party['address']}")
    if party.get("phone"):
        bits.append(f"联系电话：{party['phone']}")
    return "，".join(bits) + "。"


def redact_notice(
    snapshot: Mapping[str, Any],
    *,
    policy: RedactionPolicy,
    keep_phrases: Iterable[str] = (),
    keep_persons: Iterable[str] = (),
) -> dict[str, Any]:
    """Public fields of a notice from its snapshot, plus ``_spans`` (per field, for the review screen),
    ``_persons`` (natural persons recognised, kept internally for the publish-time check) and
    ``_candidates`` (uncertain items the discloser must resolve)."""
    party = {k: v for k, v in dict(snapshot["party"]).items() if v not in (None, "")}
    party_result = redact_party(party, policy)
    public_party = party_result.data
    party_type = party_result.party_type
    keep = [k for k in keep_phrases if k]
    officers = [k for k in keep_persons if k]
    out: dict[str, Any] = {
        "party_type": str(party_type),
        "party_name": public_party.get("name", "") or "",
        "party_uscc": public_party.get("uscc", "") if party_type is not PartyType.NATURAL_PERSON else "",
        # 双公示's 法定代表人 field carries a 个体工商户's operator (name masked by the policy).
        "legal_representative": public_party.get("legal_representative") or public_party.get("operator_name") or "",
        "party_address": public_party.get("address", "") or "",
    }
    spans: dict[str, Any] = {
        "party": [
            {
                "field": c.key,
                "original": c.original,
                "redacted": c.redacted,
                "action": str(c.action),
                "reason": c.reason,
            }
            for c in party_result.changes
        ]
    }
    texts = {name: str(snapshot.get(name) or "") for name in TEXT_FIELDS}
    persons = recognise_persons(texts.values(), hints=party_hints(party, policy), keep_persons=officers)
    for name, text in texts.items():
        result = redact_text(
            text, parties=[party], keep_phrases=keep, keep_persons=officers, persons=persons, policy=policy
        )
        out[name] = result.text
        spans[name] = [s.to_dict() for s in result.masked]
    out["_spans"] = spans
    out["_persons"] = persons.masked
    out["_public_persons"] = persons.public
    out["_candidates"] = [c.to_dict() for c in persons.candidates]
    return out
