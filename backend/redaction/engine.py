"""Free-text redaction: every recogniser over a text, overlaps resolved, the text rebuilt with each change
and its reason (the spans of the side-by-side review screen).

Pure Python on text plus the known parties (no Django), so the publish-time check and the draft use the
same code and the corpus benchmark can time it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.redaction.addresses import address_fragments, cut_address_to_district, find_addresses
from backend.redaction.fields import PartyHints, party_hints, party_type_of
from backend.redaction.names import find_person_names, mask_person_name, name_pattern
from backend.redaction.patterns import _RE_USCC, HALF_WIDTH, find_contextual, find_shaped
from backend.redaction.policy import DEFAULT_POLICY, REASONS, Action, Category, PartyType, RedactionPolicy
from backend.redaction.taggers import Tagger, default_tagger
from backend.redaction.validators import is_valid_id_number, is_valid_uscc


@dataclass(frozen=True, slots=True)
class RedactionSpan:
    """One recognised item: where it was (``start``/``end`` in the original), what replaced it and why.

    ``out_start``/``out_end`` locate the replacement in the redacted text, for side-by-side highlighting.
    Kept items (USCC, protected phrases) are reported too, with ``action == KEEP``.
    """

    start: int
    end: int
    original: str
    replacement: str
    category: Category
    action: Action
    reason: str
    out_start: int
    out_end: int

    @property
    def changed(self) -> bool:
        return self.original != self.replacement

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "replacement": self.replacement,
            "category": str(self.category),
            "action": str(self.action),
            "reason": self.reason,
            "out_start": self.out_start,
            "out_end": self.out_end,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something that may be personal data but is not certain (a word a segmenter took for a name without a
    known surname): the discloser resolves it — mask or keep, with a reason — before publication."""

    text: str
    category: Category
    reason: str

    @property
    def key(self) -> str:
        return hashlib.sha1(f"{self.category}:{self.text}".encode(), usedforsecurity=False).hexdigest()[:12]

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "text": self.text, "category": str(self.category), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class RedactionResult:
    text: str
    spans: tuple[RedactionSpan, ...]
    candidates: tuple[Candidate, ...] = ()

    @property
    def masked(self) -> tuple[RedactionSpan, ...]:
        """Only the spans that changed the text."""
        return tuple(s for s in self.spans if s.changed)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": [s.to_dict() for s in self.spans]}


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    category: Category
    priority: int  # lower wins among equal extents
    replacement: str | None = None  # precomputed (addresses, names); None → derived from the action


_UNCERTAIN_NAME = "分词器识别为人名但姓氏不在姓氏表中，请确认是否为自然人姓名（脱敏或保留，并说明理由）"


@dataclass(slots=True)
class Persons:
    """Who a text names: natural persons to mask, public persons to keep, and the uncertain ones."""

    masked: list[str] = field(default_factory=list)
    public: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


def recognise_persons(
    texts: Iterable[str],
    *,
    hints: PartyHints | None = None,
    keep_persons: Iterable[str] = (),
    resolved: Mapping[str, str] | None = None,
    tagger: Tagger | None = None,
) -> Persons:
    """Natural persons named anywhere in ``texts`` (a notice's fields together, so that a name found after a
    cue in one place is masked in every other). ``resolved`` maps a candidate's text to "mask" or "keep"."""
    tagger = tagger or default_tagger()
    resolved = resolved or {}
    out = Persons()
    public = set(keep_persons) | set(hints.keep_persons if hints else ())
    masked = list(hints.persons if hints else ())
    texts = list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
    for text in texts:
        if any(text != other and text in other for other in texts):
            continue  # the facts inside the full text: tagging costs ~30 ms per 1,000 characters, once is enough
        norm = text.translate(HALF_WIDTH)
        for hit in find_person_names(norm, tagger=tagger):
            if hit.public or hit.name in public:
                public.add(hit.name)
            elif hit.certain or resolved.get(hit.name) == "mask":
                masked.append(hit.name)
            elif resolved.get(hit.name) != "keep":
                out.candidates.append(Candidate(hit.name, Category.PERSON_NAME, _UNCERTAIN_NAME))
    out.public = sorted(public)
    out.masked = [n for n in dict.fromkeys(masked) if n not in public]
    out.candidates = list({c.key: c for c in out.candidates if c.text not in out.masked}.values())
    return out


def _personal_context(parties: list[Mapping[str, Any]]) -> bool:
    if not parties:
        return True
    return any(party_type_of(p) is not PartyType.ORGANISATION for p in parties)


def redact_text(
    text: str,
    *,
    known_persons: Iterable[str] = (),
    known_addresses: Iterable[str] = (),
    keep_phrases: Iterable[str] = (),
    keep_persons: Iterable[str] = (),
    parties: Iterable[Mapping[str, Any]] = (),
    policy: RedactionPolicy | None = None,
    persons: Persons | None = None,
    personal_context: bool | None = None,
    tagger: Tagger | None = None,
) -> RedactionResult:
    """Redact personal data in free text according to ``policy`` (default: :data:`DEFAULT_POLICY`).

    :param known_persons: natural persons whose names are masked wherever they occur; names in running text
        (after 其妻, 证人, 顾客 …, after labels, or tagged by the segmenter) are found as well.
    :param known_addresses: personal addresses to cut to district level wherever they occur.
    :param keep_phrases: text that must stay verbatim (organisation names, registered addresses, the
        agency's own contact details); nothing inside them is masked.
    :param keep_persons: public persons (officers, an organisation's legal representative).
    :param parties: structured parties (see :func:`redact_party`); their names, addresses and identifiers
        are added to the lists above according to the policy.
    :param persons: the persons recognised over the whole notice (:func:`recognise_persons`); recognised
        from ``text`` alone when omitted.
    :param personal_context: the decision concerns a natural person or a 个体工商户 (default: from
        ``parties``); dwelling-level addresses are then a person's.
    :returns: the redacted text, every recognised span with its reason, and the uncertain candidates.
    """
    policy = policy or DEFAULT_POLICY
    parties = list(parties)
    hints = PartyHints()
    for party in parties:
        h = party_hints(party, policy)
        for name in ("persons", "given_names", "addresses", "keep", "keep_persons", "values"):
            getattr(hints, name).extend(getattr(h, name))
    hints.persons += [p for p in known_persons if p]
    hints.keep_persons += [p for p in keep_persons if p]
    if persons is None:
        persons = recognise_persons([text], hints=hints, tagger=tagger)
    if personal_context is None:
        personal_context = _personal_context(parties)
    addresses = [(a, policy.text_action(Category.HOME_ADDRESS)) for a in known_addresses if a] + hints.addresses
    keep = [k for k in keep_phrases if k] + hints.keep

    norm = text.translate(HALF_WIDTH)
    candidates: list[_Candidate] = []
    protected: list[tuple[int, int]] = []
    kept: list[tuple[int, int, Category]] = []

    def add(start: int, end: int, category: Category, priority: int, replacement: str | None = None) -> None:
        if policy.text_action(category) is not Action.KEEP and end > start:
            candidates.append(_Candidate(start, end, category, priority, replacement))

    # -- protected phrases, public persons and USCCs -------------------------------------------------
    for phrase in sorted(set(keep) | set(persons.public), key=len, reverse=True):
        for start, end in _find_all(norm, phrase.translate(HALF_WIDTH)):
            protected.append((start, end))
            kept.append((start, end, Category.PROTECTED))
    for match in _RE_USCC.finditer(norm):
        token = match.group()
        if is_valid_uscc(token) and not is_valid_id_number(token):
            protected.append(match.span())
            kept.append((*match.span(), Category.USCC))

    # -- shaped and contextual data ----------------------------------------------------------------------
    for start, end, category, priority in find_shaped(norm) + find_contextual(norm):
        add(start, end, category, priority)
    for value, category in hints.values:
        for start, end in _find_all(norm, value.translate(HALF_WIDTH)):
            add(start, end, category, 1)

    # -- addresses --------------------------------------------------------------------------------------
    address_action = policy.text_action(Category.HOME_ADDRESS)
    if address_action is not Action.KEEP:
        recorded = [a for a, action in addresses if action is not Action.KEEP]
        removed = [f for a, action in addresses if action is Action.REMOVE for f in address_fragments(a)]
        for hit in find_addresses(
            norm, personal_context=personal_context, recorded=recorded, labels=policy.address_labels
        ):
            # The party table may remove an address outright (a 个体工商户's home) rather than cut it.
            remove = any(f in hit.text or hit.text in f for f in removed)
            replacement = (
                policy.placeholder_for(Category.HOME_ADDRESS)
                if remove
                else _address_replacement(text[hit.start : hit.end], policy)
            )
            add(hit.start, hit.end, Category.HOME_ADDRESS, 4, replacement)

    # -- names (lowest priority: a name inside an address or ID span is covered by that span) ---------------
    for name in sorted({re.sub(r"\s+", "", p) for p in persons.masked + hints.persons}, key=len, reverse=True):
        pattern = name_pattern(name)
        if pattern is None:
            continue
        for match in pattern.finditer(norm):
            add(*match.span(), Category.PERSON_NAME, 9, _name_replacement(name, policy))
    for given, full in hints.given_names:
        for start, end in _find_all(norm, given):
            add(start, end, Category.PERSON_NAME, 10, _name_replacement(full, policy))

    chosen = _resolve(candidates, protected)
    result = _assemble(text, chosen, kept, policy)
    return RedactionResult(result.text, result.spans, tuple(persons.candidates))


def _resolve(candidates: list[_Candidate], protected: list[tuple[int, int]]) -> list[_Candidate]:
    """Choose non-overlapping candidates: protected phrases veto what lies inside or across them;
    among the rest the widest span wins, then the lower priority number, then the earlier start."""

    def blocked(c: _Candidate) -> bool:
        for p_start, p_end in protected:
            if c.start < p_end and p_start < c.end:  # overlap
                contains = c.start <= p_start and p_end <= c.end and (c.end - c.start) > (p_end - p_start)
                if not contains:
                    return True
        return False

    chosen: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: (-(c.end - c.start), c.priority, c.start)):
        if cand.end <= cand.start or blocked(cand):
            continue
        if any(cand.start < other.end and other.start < cand.end for other in chosen):
            continue
        chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


def _find_all(haystack: str, needle: str) -> Iterable[tuple[int, int]]:
    if not needle:
        return
    start = haystack.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = haystack.find(needle, start + len(needle))


def _address_replacement(original: str, policy: RedactionPolicy) -> str:
    if policy.text_action(Category.HOME_ADDRESS) is Action.REMOVE:
        return policy.placeholder_for(Category.HOME_ADDRESS)
    cut = cut_address_to_district(original.translate(HALF_WIDTH))
    return cut or policy.placeholder_for(Category.HOME_ADDRESS)


def _name_replacement(name: str, policy: RedactionPolicy) -> str:
    if policy.text_action(Category.PERSON_NAME) is Action.REMOVE:
        return policy.placeholder_for(Category.PERSON_NAME)
    return mask_person_name(name, policy.name_mask)


def _assemble(
    text: str, chosen: list[_Candidate], kept: list[tuple[int, int, Category]], policy: RedactionPolicy
) -> RedactionResult:
    pieces: list[str] = []
    spans: list[RedactionSpan] = []
    cursor = 0
    out_len = 0
    events: list[tuple[int, int, Category, str | None, Action]] = [
        (c.start, c.end, c.category, c.replacement, policy.text_action(c.category)) for c in chosen
    ]
    covered = [(c.start, c.end) for c in chosen]
    for start, end, category in kept:
        if not any(s <= start and end <= e for s, e in covered):
            events.append((start, end, category, text[start:end], Action.KEEP))
    # kept items are reported but never overlap a replacement (protected spans veto replacements),
    # except when a wider replacement swallowed them, in which case they were dropped just above.
    for start, end, category, replacement, action in sorted(set(events), key=lambda e: (e[0], -e[1])):
        if start < cursor:
            continue  # nested kept span inside another kept span
        original = text[start:end]
        if replacement is None:
            replacement = policy.placeholder_for(category)
        pieces.append(text[cursor:start])
        out_len += start - cursor
        pieces.append(replacement)
        spans.append(
            RedactionSpan(
                start=start,
                end=end,
                original=original,
                replacement=replacement,
                category=category,
                action=action,
                reason=REASONS[category],
                out_start=out_len,
                out_end=out_len + len(replacement),
            )
        )
        out_len += len(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return RedactionResult(text="".join(pieces), spans=tuple(spans))
