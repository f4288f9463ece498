"""Masking of parties' personal data in list payloads (DOMAIN.md §6 item 5; 个人信息保护法 第五十一条).

Lists show only what a reader needs to recognise a case; the full data is shown in the detail view and
each such read is audited.
"""

from __future__ import annotations

# One rule for a natural person's name and for the public party name wherever they are shown masked
# (compound surnames, minority and foreign names, a 个体工商户 without a trade name): the disclosure
# redaction engine's.
from backend.redaction import mask_person_name, public_party_name


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
    return public_party_name(party_type=party_type, name=name, operator=operator)


__all__ = ["PERSONAL_FIELDS", "mask_id_number", "mask_person_name", "mask_phone", "masked_party_name"]

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
