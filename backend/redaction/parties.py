"""Redaction of structured parties (the DOMAIN §6.5 table) and the reasons a decision is not published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.redaction.addresses import cut_address_to_district
from backend.redaction.engine import redact_text
from backend.redaction.fields import (
    BIRTH_KEYS,
    FIELD_KEYS,
    TYPE_KEYS,
    effective_action,
    field_of,
    parse_party_type,
    party_type_of,
    sole_trader_has_trade_name,
)
from backend.redaction.names import mask_person_name
from backend.redaction.patterns import phone_category
from backend.redaction.policy import (
    DEFAULT_POLICY,
    REASONS,
    Action,
    Category,
    PartyField,
    PartyType,
    RedactionPolicy,
)
from backend.redaction.validators import birth_date_from_id


@dataclass(frozen=True, slots=True)
class FieldChange:
    key: str
    field: PartyField | None
    original: Any
    redacted: Any  # None when removed
    action: Action
    reason: str


@dataclass(frozen=True, slots=True)
class PartyRedaction:
    """Redacted copy of a party (``data``) and the list of changes for the review screen."""

    party_type: PartyType
    data: dict[str, Any]
    changes: tuple[FieldChange, ...]


_FIELD_REASON: dict[PartyField, str] = {
    PartyField.NAME: REASONS[Category.PERSON_NAME],
    PartyField.OPERATOR_NAME: REASONS[Category.PERSON_NAME],
    PartyField.LEGAL_REPRESENTATIVE: REASONS[Category.PERSON_NAME],
    PartyField.USCC: REASONS[Category.USCC],
    PartyField.ID_NUMBER: REASONS[Category.ID_NUMBER],
    PartyField.LEGAL_REPRESENTATIVE_ID: "法定代表人身份证件号码不予公开（DOMAIN §6.5、§6.6）",
    PartyField.HOME_ADDRESS: REASONS[Category.HOME_ADDRESS],
    PartyField.BUSINESS_ADDRESS: "经营场所/住所按本机关公示策略处理（DOMAIN §6.5）",
    PartyField.PHONE: REASONS[Category.MOBILE_PHONE],
    PartyField.EMAIL: REASONS[Category.EMAIL],
    PartyField.BANK_ACCOUNT: REASONS[Category.BANK_ACCOUNT],
    PartyField.PLATE: REASONS[Category.PLATE],
    PartyField.PROPERTY_CERT: REASONS[Category.PROPERTY_CERT],
    PartyField.HEALTH: REASONS[Category.HEALTH],
}


def redact_party(party: Mapping[str, Any], policy: RedactionPolicy | None = None) -> PartyRedaction:
    """Apply the DOMAIN §6.5 table to one structured party.

    Recognised keys (English canonical names or the Chinese labels in ``FIELD_KEYS``): ``party_type``,
    ``name``, ``operator_name``, ``legal_representative``, ``uscc``, ``id_number``,
    ``legal_representative_id_number``, ``address`` (= home address for a natural person, business or
    registered address otherwise), ``home_address``, ``business_address``/``registered_address``,
    ``phone``, ``email``, ``bank_account``, ``plate_number``, ``property_cert_number``, ``health``.
    Removed fields are dropped from ``data``. Any other string value is passed through
    :func:`redact_text` (with this party's names as known persons); other values are copied.
    """
    policy = policy or DEFAULT_POLICY
    party_type = party_type_of(party)
    data: dict[str, Any] = {}
    changes: list[FieldChange] = []
    for key, value in party.items():
        party_field = field_of(key, party_type)
        if party_field is None:
            if isinstance(value, str) and key not in TYPE_KEYS:
                result = redact_text(value, parties=[party], policy=policy)
                data[key] = result.text
                if result.masked:
                    changes.append(
                        FieldChange(
                            key,
                            None,
                            value,
                            result.text,
                            Action.REMOVE,
                            "；".join(dict.fromkeys(s.reason for s in result.masked)),
                        )
                    )
            else:
                data[key] = value
            continue
        action = effective_action(party, party_type, party_field, policy)
        if action is Action.KEEP or value in (None, ""):
            data[key] = value
            continue
        if action is Action.REMOVE:
            redacted = None
        elif action is Action.MASK_NAME:
            redacted = mask_person_name(str(value), policy.name_mask)
        else:  # CUT_TO_DISTRICT
            redacted = cut_address_to_district(str(value)) or None
        if redacted is not None:
            data[key] = redacted
        reason = _FIELD_REASON[party_field]
        if party_field is PartyField.PHONE:  # a landline is no 手机号码
            reason = REASONS[phone_category(str(value))]
        changes.append(FieldChange(key, party_field, value, redacted, action, reason))
    return PartyRedaction(party_type=party_type, data=data, changes=tuple(changes))


def publication_blockers(
    parties: Iterable[Mapping[str, Any]], *, on: dt.date, policy: RedactionPolicy | None = None
) -> tuple[str, ...]:
    """Reasons (``NonDisclosureReason`` codes, DOMAIN §2.9) why the decision must not be published at all.

    Currently: ``"minor"`` when a natural-person party is under 18 on ``on`` (the decision date), judged
    from ``birth_date`` or the ID number. Policy ``publish_minors`` switches the check off.
    """
    policy = policy or DEFAULT_POLICY
    reasons: list[str] = []
    if not policy.publish_minors:
        for party in parties:
            if party_type_of(party) is not PartyType.NATURAL_PERSON:
                continue
            born = _birth_date_of(party)
            if born is not None and _age_on(born, on) < 18:
                reasons.append("minor")
                break
    return tuple(reasons)


def _birth_date_of(party: Mapping[str, Any]) -> dt.date | None:
    for key in BIRTH_KEYS:
        value = party.get(key)
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and value:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
    for key in FIELD_KEYS[PartyField.ID_NUMBER]:
        value = party.get(key)
        if isinstance(value, str) and value:
            return birth_date_from_id(value)
    return None


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def public_party_name(*, party_type: str, name: str, operator: str = "") -> str:
    """The party's name as the public sees it — one rule for notices and the staff lists alike: a natural
    person's name masked; a 个体工商户's trade name, or its operator's masked name when it has none; an
    organisation's name in full."""
    kind = parse_party_type(party_type)
    if kind is PartyType.NATURAL_PERSON:
        return mask_person_name(name)
    if kind is PartyType.SOLE_TRADER and not sole_trader_has_trade_name({"name": name, "operator_name": operator}):
        return mask_person_name(name)
    return name
