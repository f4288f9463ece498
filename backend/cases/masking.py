"""Masking of parties' personal data in list payloads (DOMAIN.md §6 item 5; 个人信息保护法 第五十一条).

Lists show only what a reader needs to recognise a case; the full data is shown in the detail view and
each such read is audited.
"""

from __future__ import annotations

from backend.cases.models import PartyType


def mask_person_name(name: str) -> str:
    """Keep the surname, replace the given name with "某" (法释〔2016〕19号 第八条 analog)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "某"


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


def masked_party_name(*, party_type: str, name: str) -> str:
    if party_type == PartyType.PERSON:
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
