"""Structured party data: the keys a party may carry, its type, and what its data tells the text
recognisers (names to mask, addresses to cut, phrases to keep, identifiers to remove verbatim)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.common.parties import party_type_from_text
from backend.redaction.addresses import address_fragments
from backend.redaction.names import given_name, looks_like_person_name
from backend.redaction.policy import Action, Category, PartyField, PartyType, RedactionPolicy

# Accepted keys for each field (canonical English key first, then common synonyms and Chinese labels).
FIELD_KEYS: dict[PartyField, tuple[str, ...]] = {
    PartyField.NAME: ("name", "名称", "姓名", "当事人"),
    PartyField.OPERATOR_NAME: ("operator_name", "operator", "经营者", "经营者姓名"),
    PartyField.LEGAL_REPRESENTATIVE: ("legal_representative", "法定代表人", "负责人", "法定代表人（负责人）"),
    PartyField.USCC: ("uscc", "credit_code", "unified_social_credit_code", "统一社会信用代码"),
    PartyField.ID_NUMBER: ("id_number", "id_no", "id_card", "身份证号", "身份证号码", "证件号码"),
    PartyField.LEGAL_REPRESENTATIVE_ID: (
        "legal_representative_id_number",
        "legal_representative_id",
        "法定代表人身份证号",
        "法定代表人证件号码",
    ),
    PartyField.HOME_ADDRESS: ("home_address", "家庭住址", "住址", "户籍地址"),
    PartyField.BUSINESS_ADDRESS: (
        "business_address",
        "registered_address",
        "经营场所",
        "经营地址",
        "住所",
        "注册地址",
    ),
    PartyField.PHONE: ("phone", "mobile", "telephone", "tel", "联系电话", "电话", "手机", "手机号码"),
    PartyField.EMAIL: ("email", "e_mail", "电子邮箱", "邮箱"),
    PartyField.BANK_ACCOUNT: ("bank_account", "bank_card", "银行账号", "银行卡号", "开户账号"),
    PartyField.PLATE: ("plate_number", "plate", "license_plate", "车牌号", "车牌号码"),
    PartyField.PROPERTY_CERT: (
        "property_cert_number",
        "property_certificate",
        "不动产权证号",
        "房产证号",
        "权属证书编号",
    ),
    PartyField.HEALTH: ("health", "health_status", "健康状况"),
}
TYPE_KEYS = ("party_type", "type", "category", "行政相对人类别", "当事人类型")
BIRTH_KEYS = ("birth_date", "date_of_birth", "出生日期")

FIELD_CATEGORY: dict[PartyField, Category] = {
    PartyField.ID_NUMBER: Category.ID_NUMBER,
    PartyField.LEGAL_REPRESENTATIVE_ID: Category.ID_NUMBER,
    PartyField.PHONE: Category.MOBILE_PHONE,
    PartyField.EMAIL: Category.EMAIL,
    PartyField.BANK_ACCOUNT: Category.BANK_ACCOUNT,
    PartyField.PLATE: Category.PLATE,
    PartyField.PROPERTY_CERT: Category.PROPERTY_CERT,
    PartyField.HEALTH: Category.HEALTH,
}


def parse_party_type(value: Any) -> PartyType:
    """Map ``natural_person`` / 自然人 / 个体工商户 / 法人及非法人组织 / ... to :class:`PartyType` (the words of the
    one vocabulary, :func:`backend.common.parties.party_type_from_text`)."""
    return party_type_from_text(value)


def field_of(key: str, party_type: PartyType) -> PartyField | None:
    if key == "address":  # a natural person's address is their residence; otherwise the business one
        return PartyField.HOME_ADDRESS if party_type is PartyType.NATURAL_PERSON else PartyField.BUSINESS_ADDRESS
    for party_field, keys in FIELD_KEYS.items():
        if key in keys:
            return party_field
    return None


def party_type_of(party: Mapping[str, Any]) -> PartyType:
    for key in TYPE_KEYS:
        if party.get(key):
            return parse_party_type(party[key])
    raise ValueError("party has no party_type (natural_person / sole_trader / organisation)")


@dataclass(slots=True)
class PartyHints:
    persons: list[str] = field(default_factory=list)
    given_names: list[tuple[str, str]] = field(default_factory=list)  # (given name, full name)
    addresses: list[tuple[str, Action]] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    keep_persons: list[str] = field(default_factory=list)
    values: list[tuple[str, Category]] = field(default_factory=list)


def sole_trader_has_trade_name(party: Mapping[str, Any]) -> bool:
    """A 个体工商户 may have no name of its own (个体工商户登记管理办法 第八条); it then goes by its operator's
    name, which is a natural person's name and is masked like one."""
    name = str(party.get("name") or "").strip()
    operator = str(party.get("operator_name") or party.get("legal_representative") or "").strip()
    return bool(name) and name != operator and not looks_like_person_name(name)


def effective_action(
    party: Mapping[str, Any], party_type: PartyType, party_field: PartyField, policy: RedactionPolicy
) -> Action:
    """The policy's action, with the 个体工商户 rule: without a trade name it goes by its operator's name,
    so that name is masked as a person's and its premises are cut like a residence (法释〔2016〕19号 第十条
    参照); with one, the trade name and the registered premises stay."""
    action = policy.party_action(party_type, party_field)
    if party_type is PartyType.SOLE_TRADER and party_field in (PartyField.NAME, PartyField.BUSINESS_ADDRESS):
        if sole_trader_has_trade_name(party):
            return action  # the agency's policy (default: both shown)
        return Action.MASK_NAME if party_field is PartyField.NAME else Action.CUT_TO_DISTRICT
    return action


def party_hints(party: Mapping[str, Any], policy: RedactionPolicy) -> PartyHints:
    """What a party's structured data tells free-text redaction: names to mask (and the given name alone),
    addresses to cut, phrases to keep (with the shorter forms a registered address takes in text) and
    identifiers to remove verbatim."""
    party_type = party_type_of(party)
    hints = PartyHints()
    for key, value in party.items():
        party_field = field_of(key, party_type)
        if party_field is None or not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        action = effective_action(party, party_type, party_field, policy)
        if party_field in (PartyField.NAME, PartyField.OPERATOR_NAME, PartyField.LEGAL_REPRESENTATIVE):
            if action is Action.KEEP:
                person_field = party_field is not PartyField.NAME
                (hints.keep_persons if person_field else hints.keep).append(value)
            else:
                hints.persons.append(value)
                if given_name(value):
                    hints.given_names.append((given_name(value), value))
        elif party_field in (PartyField.HOME_ADDRESS, PartyField.BUSINESS_ADDRESS):
            if action is Action.KEEP:
                hints.keep += address_fragments(value)
            else:
                hints.addresses.append((value, action))
        elif party_field is PartyField.USCC:
            if action is Action.KEEP:
                hints.keep.append(value)
        elif action is not Action.KEEP and len(value) >= 5:
            hints.values.append((value, FIELD_CATEGORY[party_field]))
    return hints
