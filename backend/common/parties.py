"""The one vocabulary of party types (行政相对人类别), for cases, legal review catalogs and public notices.

Pure Python (no Django): the review catalog (``reviews/major.py``) and the redaction rules
(``backend/redaction/``) use :class:`PartyType` directly; the models use the Django choices built
from it (``backend.cases.models.PartyType``). The three categories are those of the 双公示 data standard
(DOMAIN.md §9, field 3) and of the redaction policy table (DOMAIN.md §6.5).

``person`` was the cases API's word for a natural person until API 1.1; it is still accepted on input
(:func:`parse_party_type`) until :data:`LEGACY_ACCEPTED_UNTIL` and never answered.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class PartyType(StrEnum):
    NATURAL_PERSON = "natural_person"  # 自然人
    # 个体工商户: on a case ``party_name`` is the trade name (字号, or the operator's name when it has none),
    # ``party_legal_rep`` the operator (经营者) and ``party_uscc`` its credit code.
    SOLE_TRADER = "sole_trader"  # 个体工商户
    ORGANISATION = "organisation"  # 法人及非法人组织 (民法典 第五十七条、第一百零二条)


LABELS: dict[PartyType, str] = {
    PartyType.NATURAL_PERSON: "自然人",
    PartyType.SOLE_TRADER: "个体工商户",
    PartyType.ORGANISATION: "法人及非法人组织",
}

# The statute's words for the same types (行政处罚法 says 公民、法人或者其他组织), used in the reasons a review
# catalog rule gives (backend/reviews/major.py).
STATUTE_WORDS: dict[PartyType, str] = {
    PartyType.NATURAL_PERSON: "公民",
    PartyType.SOLE_TRADER: "个体工商户",
    PartyType.ORGANISATION: "法人或者其他组织",
}

# Old words still accepted on input during the transition (api_docs/guides/cases.md "Party types").
LEGACY_VALUES: dict[str, PartyType] = {"person": PartyType.NATURAL_PERSON}
LEGACY_ACCEPTED_UNTIL = dt.date(2027, 6, 30)

# Words a party record may carry in a served document or an imported snapshot (the redaction engine reads them):
# the values, both label sets, the legacy value and common English/Chinese synonyms. The API accepts only the
# values (and, until LEGACY_ACCEPTED_UNTIL, the legacy value).
_TEXT_WORDS: dict[str, PartyType] = {
    **{member.value: member for member in PartyType},
    **{label: member for member, label in LABELS.items()},
    **{word: member for member, word in STATUTE_WORDS.items()},
    **LEGACY_VALUES,
    "individual": PartyType.NATURAL_PERSON,
    "individual_business": PartyType.SOLE_TRADER,
    "organization": PartyType.ORGANISATION,
    "legal_person": PartyType.ORGANISATION,
    "org": PartyType.ORGANISATION,
    "法人": PartyType.ORGANISATION,
    "法人或其他组织": PartyType.ORGANISATION,
    "其他组织": PartyType.ORGANISATION,
}


def parse_party_type(value: str) -> PartyType:
    """``value`` as a :class:`PartyType`, old words included; ``ValueError`` for anything else."""
    if value in LEGACY_VALUES:
        return LEGACY_VALUES[value]
    return PartyType(value)


def party_type_from_text(value: object) -> PartyType:
    """A party type written in a document (``natural_person`` / 自然人 / 公民 / 个体工商户 / 法人及非法人组织 …);
    ``ValueError`` naming the word for anything else."""
    if isinstance(value, PartyType):
        return value
    key = str(value or "").strip()
    try:
        return _TEXT_WORDS.get(key) or _TEXT_WORDS[key.lower()]
    except KeyError:
        raise ValueError(f"unknown party type: {value!r}") from None
