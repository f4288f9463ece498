"""The publish-time check: the same full recognition over every public field of a notice, whoever typed it.

A notice is published only when redacting its public fields again would change nothing (no *finding*) and
every uncertain *candidate* has been resolved by the discloser (mask or keep, with a reason). The draft
rendition passes by construction; a discloser's edit that types a person's name, an address, a number or a
health detail back in does not (行政处罚法 第五十条; 个人信息保护法 第二十八条).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.redaction.engine import Candidate, recognise_persons, redact_text
from backend.redaction.fields import PartyHints, party_hints
from backend.redaction.policy import DEFAULT_POLICY, RedactionPolicy
from backend.redaction.taggers import Tagger


@dataclass(frozen=True, slots=True)
class Finding:
    field: str
    category: str
    text: str  # what is still in the public field
    replacement: str  # what the redaction would put there
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "category": self.category,
            "text": self.text,
            "replacement": self.replacement,
            "reason": self.reason,
        }


def check_fields(
    fields: Mapping[str, str],
    *,
    parties: Iterable[Mapping[str, Any]] = (),
    known_persons: Iterable[str] = (),
    keep_phrases: Iterable[str] = (),
    keep_persons: Iterable[str] = (),
    resolved: Mapping[str, str] | None = None,
    personal_context: bool | None = None,
    policy: RedactionPolicy | None = None,
    tagger: Tagger | None = None,
) -> tuple[list[Finding], list[Candidate]]:
    """Findings (personal data still in a public field) and unresolved candidates over ``fields``.

    :param known_persons: natural persons recognised in the decision as served (stored with the draft), so
        that a witness's name typed back without its cue is still found.
    :param resolved: the discloser's decisions on candidates: candidate text → "mask" | "keep".
    """
    policy = policy or DEFAULT_POLICY
    parties = list(parties)
    hints = PartyHints()
    for party in parties:
        h = party_hints(party, policy)
        hints.persons += h.persons
        hints.keep_persons += h.keep_persons
    hints.persons += [p for p in known_persons if p]
    persons = recognise_persons(
        list(fields.values()), hints=hints, keep_persons=keep_persons, resolved=resolved, tagger=tagger
    )
    findings: list[Finding] = []
    for name, value in fields.items():
        if not value:
            continue
        result = redact_text(
            value,
            parties=parties,
            known_persons=known_persons,
            keep_phrases=keep_phrases,
            keep_persons=keep_persons,
            persons=persons,
            personal_context=personal_context,
            policy=policy,
        )
        findings += [
            Finding(name, str(s.category), s.original, s.replacement, s.reason) for s in result.masked
        ]
    return findings, persons.candidates
