"""Vocabulary and the configurable policy of the redaction engine (DOMAIN.md §6.5 table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from backend.common.parties import PartyType  # the one vocabulary (DOMAIN §6.5 columns)

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------


class Action(StrEnum):
    KEEP = "keep"
    MASK_NAME = "mask_name"  # surname + 某
    REMOVE = "remove"  # replaced by the placeholder (or dropped from structured data)
    CUT_TO_DISTRICT = "cut_to_district"  # address cut to county/district level


class Category(StrEnum):
    """What a span of free text was recognised as."""

    PERSON_NAME = "person_name"
    ID_NUMBER = "id_number"
    MOBILE_PHONE = "mobile_phone"
    LANDLINE_PHONE = "landline_phone"
    EMAIL = "email"
    OTHER_CONTACT = "other_contact"  # QQ, 微信
    BANK_ACCOUNT = "bank_account"
    PLATE = "plate"
    PROPERTY_CERT = "property_cert"
    HOME_ADDRESS = "home_address"
    HEALTH = "health"
    BIRTH_DATE = "birth_date"
    MINOR = "minor"  # what identifies a minor: school, grade, class
    CARD_NUMBER = "card_number"  # member / stored-value card numbers
    ONLINE_ACCOUNT = "online_account"  # shop nicknames, live-stream accounts, user names
    PERSONAL_CERT = "personal_cert"  # a person's qualification / driving licence numbers
    USCC = "uscc"  # recognised and kept
    PROTECTED = "protected"  # caller-supplied phrase kept verbatim (organisation names, ...)


class PartyField(StrEnum):
    """Rows of the DOMAIN §6.5 table, as structured party fields."""

    NAME = "name"
    OPERATOR_NAME = "operator_name"  # 个体工商户经营者
    LEGAL_REPRESENTATIVE = "legal_representative"
    USCC = "uscc"
    ID_NUMBER = "id_number"
    LEGAL_REPRESENTATIVE_ID = "legal_representative_id_number"
    HOME_ADDRESS = "home_address"
    BUSINESS_ADDRESS = "business_address"  # 经营场所 / 住所 (registered address)
    PHONE = "phone"
    EMAIL = "email"
    BANK_ACCOUNT = "bank_account"
    PLATE = "plate_number"
    PROPERTY_CERT = "property_cert_number"
    HEALTH = "health"


REASONS: dict[Category, str] = {
    Category.PERSON_NAME: "自然人姓名：保留姓氏，名以“某”代替（法释〔2016〕19号 第八、九条参照）",
    Category.ID_NUMBER: "身份证件号码不予公开（内蒙古三项制度办法 第十条；法释〔2016〕19号 第十条参照）",
    Category.MOBILE_PHONE: "手机号码属通讯方式，不予公开（内蒙古三项制度办法 第十条）",
    Category.LANDLINE_PHONE: "固定电话属通讯方式，不予公开（内蒙古三项制度办法 第十条）",
    Category.EMAIL: "电子邮箱属通讯方式，不予公开（内蒙古三项制度办法 第十条）",
    Category.OTHER_CONTACT: "即时通讯账号属通讯方式，不予公开（内蒙古三项制度办法 第十条）",
    Category.BANK_ACCOUNT: "银行账号不予公开（内蒙古三项制度办法 第十条）",
    Category.PLATE: "车牌号码不予公开（法释〔2016〕19号 第十条参照）",
    Category.PROPERTY_CERT: "动产、不动产权属证书编号不予公开（内蒙古三项制度办法 第十条）",
    Category.HOME_ADDRESS: "家庭住址仅保留至县（区）级（裁判文书技术处理规范参照）",
    Category.HEALTH: "健康状况属敏感个人信息，不予公开（个人信息保护法 第二十八条；法释〔2016〕19号 第十条参照）",
    Category.BIRTH_DATE: "出生日期属个人信息，不予公开（个人信息保护法 第四条、第二十八条）",
    Category.MINOR: (
        "可识别未成年人的信息（学校、年级、班级）不予公开（未成年人保护法 第七十二条；个人信息保护法 第二十八条）"
    ),
    Category.CARD_NUMBER: "会员卡、储值卡号码属个人信息，不予公开（个人信息保护法 第四条）",
    Category.ONLINE_ACCOUNT: "自然人的网店昵称、网络账号可识别个人，不予公开（个人信息保护法 第四条）",
    Category.PERSONAL_CERT: "自然人的资格证书、驾驶证等证件号码不予公开（法释〔2016〕19号 第十条参照）",
    Category.USCC: "统一社会信用代码依法公示，予以保留（GB 32100-2015 校验通过）",
    Category.PROTECTED: "依法公示的名称等信息，予以保留",
}

_TEXT_ACTIONS: dict[Category, frozenset[Action]] = {
    Category.PERSON_NAME: frozenset({Action.KEEP, Action.MASK_NAME, Action.REMOVE}),
    Category.HOME_ADDRESS: frozenset({Action.KEEP, Action.CUT_TO_DISTRICT, Action.REMOVE}),
}
_FIELD_ACTIONS: dict[PartyField, frozenset[Action]] = {
    PartyField.NAME: frozenset({Action.KEEP, Action.MASK_NAME, Action.REMOVE}),
    PartyField.OPERATOR_NAME: frozenset({Action.KEEP, Action.MASK_NAME, Action.REMOVE}),
    PartyField.LEGAL_REPRESENTATIVE: frozenset({Action.KEEP, Action.MASK_NAME, Action.REMOVE}),
    PartyField.HOME_ADDRESS: frozenset({Action.KEEP, Action.CUT_TO_DISTRICT, Action.REMOVE}),
    PartyField.BUSINESS_ADDRESS: frozenset({Action.KEEP, Action.CUT_TO_DISTRICT, Action.REMOVE}),
}
_KEEP_OR_REMOVE = frozenset({Action.KEEP, Action.REMOVE})


# --------------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------------

_DEFAULT_TEXT_ACTIONS: dict[Category, Action] = {
    Category.PERSON_NAME: Action.MASK_NAME,
    Category.ID_NUMBER: Action.REMOVE,
    Category.MOBILE_PHONE: Action.REMOVE,
    Category.LANDLINE_PHONE: Action.REMOVE,
    Category.EMAIL: Action.REMOVE,
    Category.OTHER_CONTACT: Action.REMOVE,
    Category.BANK_ACCOUNT: Action.REMOVE,
    Category.PLATE: Action.REMOVE,
    Category.PROPERTY_CERT: Action.REMOVE,
    Category.HOME_ADDRESS: Action.CUT_TO_DISTRICT,
    Category.HEALTH: Action.REMOVE,
    Category.BIRTH_DATE: Action.REMOVE,
    Category.MINOR: Action.REMOVE,
    Category.CARD_NUMBER: Action.REMOVE,
    Category.ONLINE_ACCOUNT: Action.REMOVE,
    Category.PERSONAL_CERT: Action.REMOVE,
}

_R, _K, _M, _C = Action.REMOVE, Action.KEEP, Action.MASK_NAME, Action.CUT_TO_DISTRICT
_COMMON_REMOVED = {
    PartyField.ID_NUMBER: _R,
    PartyField.LEGAL_REPRESENTATIVE_ID: _R,
    PartyField.PHONE: _R,
    PartyField.EMAIL: _R,
    PartyField.BANK_ACCOUNT: _R,
    PartyField.PLATE: _R,
    PartyField.PROPERTY_CERT: _R,
    PartyField.HEALTH: _R,
}
# DOMAIN §6.5. The organisation column lists only bank/plate/certificate numbers as removed; phone and
# e-mail are removed here as well because 内蒙古三项制度办法 第十条第二款 removes the party's 通讯方式 and
# §6 asks for the strictest combination. Agencies can relax it.
_DEFAULT_PARTY_ACTIONS: dict[PartyType, dict[PartyField, Action]] = {
    PartyType.NATURAL_PERSON: {
        **_COMMON_REMOVED,
        PartyField.NAME: _M,
        PartyField.OPERATOR_NAME: _M,
        PartyField.LEGAL_REPRESENTATIVE: _M,
        PartyField.USCC: _K,
        PartyField.HOME_ADDRESS: _C,
        PartyField.BUSINESS_ADDRESS: _C,
    },
    PartyType.SOLE_TRADER: {
        **_COMMON_REMOVED,
        PartyField.NAME: _K,  # trade name shown [unconfirmed]
        PartyField.OPERATOR_NAME: _M,  # operator's given name masked [unconfirmed]
        PartyField.LEGAL_REPRESENTATIVE: _M,
        PartyField.USCC: _K,
        PartyField.HOME_ADDRESS: _R,  # home address removed
        PartyField.BUSINESS_ADDRESS: _K,  # business address shown [unconfirmed]
    },
    PartyType.ORGANISATION: {
        **_COMMON_REMOVED,
        PartyField.NAME: _K,
        PartyField.OPERATOR_NAME: _K,
        PartyField.LEGAL_REPRESENTATIVE: _K,  # DOMAIN §9 field 6: shown [unconfirmed for display]
        PartyField.USCC: _K,
        PartyField.HOME_ADDRESS: _R,
        PartyField.BUSINESS_ADDRESS: _K,  # registered address shown [unconfirmed]
    },
}

_DEFAULT_ADDRESS_LABELS: tuple[str, ...] = (
    "家庭住址",
    "家庭地址",
    "现住址",
    "现住所",
    "住址",
    "住所地",
    "住所",
    "户籍地址",
    "户籍所在地",
    "户籍地",
    "经常居住地",
    "现居住地",
    "居住地址",
    "居住地",
    "身份证地址",
    "联系地址",
    "通讯地址",
    "送达地址",
    "收货地址",
    "家住",
    "居住于",
    "居住在",
    "现住于",
    "现住在",
    "现住",
    "住在",
    "住宅",
    "暂住",
)


@dataclass(frozen=True)
class RedactionPolicy:
    """Configurable masking policy (stored per agency as JSON via :meth:`to_dict` / :meth:`from_dict`).

    :ivar text_actions: action per :class:`Category` for free text (decision body, facts).
    :ivar party_actions: the DOMAIN §6.5 table: action per (:class:`PartyType`, :class:`PartyField`).
    :ivar placeholder: text that replaces a removed item; ``placeholders`` overrides it per category.
    :ivar name_mask: what replaces the given name ("某"; some agencies use "某某").
    :ivar address_labels: labels after which free text holds a personal address.
    :ivar publish_minors: DOMAIN §2.9 / §6.5: decisions about minors are not published (default False).
    """

    text_actions: Mapping[Category, Action] = field(default_factory=lambda: dict(_DEFAULT_TEXT_ACTIONS))
    party_actions: Mapping[PartyType, Mapping[PartyField, Action]] = field(
        default_factory=lambda: {k: dict(v) for k, v in _DEFAULT_PARTY_ACTIONS.items()}
    )
    placeholder: str = "×××"
    placeholders: Mapping[Category, str] = field(default_factory=dict)
    name_mask: str = "某"
    address_labels: tuple[str, ...] = _DEFAULT_ADDRESS_LABELS
    publish_minors: bool = False

    def __post_init__(self) -> None:
        for category, action in self.text_actions.items():
            allowed = _TEXT_ACTIONS.get(Category(category), _KEEP_OR_REMOVE)
            if Action(action) not in allowed:
                raise ValueError(f"action {action!r} is not allowed for text category {category!r}")
        for party_type, actions in self.party_actions.items():
            PartyType(party_type)
            for party_field, action in actions.items():
                allowed = _FIELD_ACTIONS.get(PartyField(party_field), _KEEP_OR_REMOVE)
                if Action(action) not in allowed:
                    raise ValueError(f"action {action!r} is not allowed for {party_type}.{party_field}")
        if not self.name_mask:
            raise ValueError("name_mask must not be empty")

    def text_action(self, category: Category) -> Action:
        return Action(self.text_actions.get(category, _DEFAULT_TEXT_ACTIONS.get(category, Action.KEEP)))

    def party_action(self, party_type: PartyType, party_field: PartyField) -> Action:
        actions = self.party_actions.get(party_type) or _DEFAULT_PARTY_ACTIONS[party_type]
        return Action(actions.get(party_field, _DEFAULT_PARTY_ACTIONS[party_type][party_field]))

    def placeholder_for(self, category: Category) -> str:
        return self.placeholders.get(category, self.placeholder)

    # -- JSON round trip -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "text_actions": {str(k): str(v) for k, v in self.text_actions.items()},
            "party_actions": {
                str(pt): {str(f): str(a) for f, a in actions.items()} for pt, actions in self.party_actions.items()
            },
            "placeholder": self.placeholder,
            "placeholders": {str(k): v for k, v in self.placeholders.items()},
            "name_mask": self.name_mask,
            "address_labels": list(self.address_labels),
            "publish_minors": self.publish_minors,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, *, base: RedactionPolicy | None = None) -> RedactionPolicy:
        """Build a policy from (partial) JSON overrides on top of ``base`` (default: :data:`DEFAULT_POLICY`).

        Unknown keys, categories, fields or actions raise ``ValueError`` so a typo in an agency's
        settings cannot silently publish personal data.
        """
        base = base or DEFAULT_POLICY
        data = dict(data or {})
        known = {
            "text_actions",
            "party_actions",
            "placeholder",
            "placeholders",
            "name_mask",
            "address_labels",
            "publish_minors",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown redaction policy keys: {sorted(unknown)}")
        try:
            text_actions = dict(base.text_actions)
            text_actions.update({Category(k): Action(v) for k, v in (data.get("text_actions") or {}).items()})
            party_actions = {pt: dict(actions) for pt, actions in base.party_actions.items()}
            for pt, actions in (data.get("party_actions") or {}).items():
                party_actions.setdefault(PartyType(pt), {}).update(
                    {PartyField(f): Action(a) for f, a in actions.items()}
                )
            placeholders = dict(base.placeholders)
            placeholders.update({Category(k): v for k, v in (data.get("placeholders") or {}).items()})
        except ValueError as exc:
            raise ValueError(f"invalid redaction policy: {exc}") from None
        return replace(
            base,
            text_actions=text_actions,
            party_actions=party_actions,
            placeholders=placeholders,
            placeholder=str(data.get("placeholder", base.placeholder)),
            name_mask=str(data.get("name_mask", base.name_mask)),
            address_labels=tuple(data.get("address_labels", base.address_labels)),
            publish_minors=bool(data.get("publish_minors", base.publish_minors)),
        )


DEFAULT_POLICY = RedactionPolicy()
