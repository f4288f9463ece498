"""Masking of parties' personal data in list payloads (DOMAIN.md §6 item 5; 个人信息保护法 第五十一条).

Lists show only what a reader needs to recognise a case; the full data is shown in the detail view and
each such read is audited.
"""

from __future__ import annotations

from backend.cases.models import PartyType

# One rule for a natural person's name wherever it is shown masked (compound surnames, minority and
# foreign names): the disclosure redaction engine's.
from backend.disclosures.redaction import mask_person_name


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def masked_party_name(*, party_type: str, name: str, operator: str = "") -> str:
    """A person's name is masked; a 个体工商户 shows its trade name, unless it has none and goes by its
    operator's name (DOMAIN.md §6.5: the operator's given name is masked); an organisation's name is public."""
    if party_type == PartyType.NATURAL_PERSON or (party_type == PartyType.SOLE_TRADER and name == operator):
        return mask_person_name(name)
    return name


PERSONAL_FIELDS = frozenset(
    {
        "party_name",
        "party_id_number",
        "party_phone",
        "party_address",
        "party_legal_rep",
        "party_legal_rep_id_number",
    }
)
