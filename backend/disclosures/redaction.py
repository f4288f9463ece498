"""Privacy redaction of enforcement decisions before publication (DOMAIN.md §6).

Pure Python (no Django). There is no single national redaction standard for published administrative
penalty decisions, so the default policy is the strictest combination of:

* 行政处罚法 第五十条 — state secrets, commercial secrets and personal privacy are kept confidential.
* 政府信息公开条例 第十五条、第三十七条 — privacy that would harm third parties is not published;
  mixed content is split and redacted ("区分处理").
* 市场监督管理行政处罚信息公示规定 第六条、第七条 — personal information is processed as necessary; apart
  from that the published decision must be identical to the one served (hence every change is a span
  that a reviewer approves on the side-by-side screen).
* 内蒙古自治区三项制度办法 第十条第二款 — remove bank accounts, 动产/不动产权属证书编号, property status,
  and the party's 家庭住址, 身份证号 and 通讯方式.
* 最高人民法院关于人民法院在互联网公布裁判文书的规定 (法释〔2016〕19号) 第八、九、十条 [excerpt] — names
  anonymised as surname + "某" (ethnic-minority and transliterated foreign names keep their first
  character; English names keep their first letter); delete 家庭住址、通讯方式、身份证号码、银行账号、
  健康状况、车牌号码、动产或不动产权属证书编号. The 2013 technical rules keep only the county/district of
  a residence.
* DOMAIN.md §6.5 policy table (natural person / 个体工商户 / organisation), configurable per agency.

What this module cannot find by pattern — health details in prose, property status, commercial
secrets, third parties' names that nobody listed — is why a reviewer approves every redacted rendition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "COMPOUND_SURNAMES",
    "DEFAULT_POLICY",
    "Action",
    "Category",
    "FieldChange",
    "PartyField",
    "PartyRedaction",
    "PartyType",
    "RedactionPolicy",
    "RedactionResult",
    "RedactionSpan",
    "birth_date_from_id",
    "cut_address_to_district",
    "is_valid_id_number",
    "is_valid_uscc",
    "luhn_valid",
    "mask_person_name",
    "parse_party_type",
    "publication_blockers",
    "redact_party",
    "redact_text",
]


# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------


class PartyType(StrEnum):
    """行政相对人类别 (双公示): the three columns of the DOMAIN §6.5 table."""

    NATURAL_PERSON = "natural_person"  # 自然人
    SOLE_TRADER = "sole_trader"  # 个体工商户
    ORGANISATION = "organisation"  # 法人及非法人组织


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


_REASONS: dict[Category, str] = {
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
    Category.HEALTH: "健康状况不予公开（法释〔2016〕19号 第十条参照）",
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


# --------------------------------------------------------------------------------------------------
# Validators: USCC (GB 32100-2015), organisation code (GB 11714), resident ID (GB 11643), Luhn
# --------------------------------------------------------------------------------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (first two digits of an ID number); 71 台湾, 81 香港, 82 澳门.
# fmt: off
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
        "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    }
)
# fmt: on


def _digits(text: str) -> bool:
    """ASCII decimal digits only: ``"³".isdigit()`` is true and ``int("³")`` raises."""
    return text.isascii() and text.isdigit()


def _org_code_valid(body: str) -> bool:
    """GB 11714 check character of a 9-character organisation code (8 body characters + check)."""
    total = 0
    for char, weight in zip(body[:8], _ORG_CODE_WEIGHTS, strict=True):
        if _digits(char):
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            return False
        total += value * weight
    remainder = 11 - total % 11
    expected = "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)
    return body[8] == expected


def is_valid_uscc(code: str, *, check_org_code: bool = True) -> bool:
    """统一社会信用代码 check (GB 32100-2015): 18 symbols, check digit = 31 − Σ(value×3^i mod 31) mod 31.

    Positions 9–17 are the GB 11714 organisation code, whose own check character is verified too
    unless ``check_org_code`` is False (all codes issued under GB 32100 carry a valid one).
    """
    code = code.strip().upper()
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_CHARS[(31 - total % 31) % 31] != code[17]:
        return False
    return not check_org_code or _org_code_valid(code[8:17])


def birth_date_from_id(number: str) -> dt.date | None:
    """Birth date encoded in an 18- or 15-digit resident ID number (None if implausible)."""
    number = number.strip().upper()
    if len(number) == 18 and _digits(number[:17]):
        raw = number[6:14]
    elif len(number) == 15 and _digits(number):
        raw = "19" + number[6:12]
    else:
        return None
    try:
        born = dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        return None
    return born if 1900 <= born.year <= 2100 else None


def _id_plausible(number: str) -> bool:
    return number[:2] in _PROVINCE_CODES and birth_date_from_id(number) is not None


def is_valid_id_number(number: str, *, check_digit: bool = True) -> bool:
    """Resident ID number (GB 11643): province code, plausible birth date and (18-digit) ISO 7064 check."""
    number = number.strip().upper()
    if len(number) == 15:
        return _digits(number) and _id_plausible(number)
    if len(number) != 18 or not _digits(number[:17]) or number[17] not in "0123456789X":
        return False
    if not _id_plausible(number):
        return False
    if not check_digit:
        return True
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by bank card numbers."""
    digits = re.sub(r"[\s-]", "", digits)
    if not _digits(digits):
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------

# fmt: off
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐", "夏侯",
        "轩辕", "端木", "西门", "南宫", "独孤", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "仲孙",
        "钟离", "闻人", "万俟", "赫连", "呼延", "东郭", "百里", "司空", "司寇", "左丘", "子车", "亓官", "拓跋", "第五",
        "梁丘", "乐正", "巫马", "公西", "漆雕", "壤驷", "公良", "谷梁", "段干", "闾丘", "东门", "羊舌", "微生", "公羊",
        "鲜于", "乌孙", "完颜", "纳兰", "爱新", "叶赫", "达奚", "褚师", "夹谷", "宰父", "公晳", "颛孙", "太史", "仲长",
        "相里", "欧侯",
    }
)
# fmt: on
_NAME_DOTS = "·•・．."


def mask_person_name(name: str, mask: str = "某") -> str:
    """A natural person's name as published: surname + "某" (法释〔2016〕19号 第九条 analog).

    * Han names keep the surname, including compound surnames (欧阳娜娜 → 欧阳某, 诸葛亮 → 诸葛某).
    * Transliterated ethnic-minority or foreign names (with a middle dot) keep the first character
      (阿卜杜拉·艾力 → 阿某).
    * Names in Latin letters keep the first letter only (John Smith → J).
    * Already-masked names are returned unchanged (张某 → 张某).
    """
    name = re.sub(r"\s+", "", name or "")
    if not name:
        return ""
    if re.fullmatch(r"[A-Za-z][A-Za-z.\-' ]*", name):
        return name[0].upper()
    if name.endswith(mask) and len(name) <= 2 + len(mask):
        return name
    if any(dot in name for dot in _NAME_DOTS):
        return name[0] + mask
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2] + mask
    return name[0] + mask


# --------------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------------

# Anything from here on is below county level (street, village, building, shop ...).
_BELOW_COUNTY = re.compile(
    r"\d|[０-９]|街道|大街|大道|大路|路|街|巷|胡同|弄|号|村|屯|组|社区|小区|楼|栋|幢|单元|室|镇|乡|苏木|嘎查|"
    r"开发区|高新区|新区管委|园区|工业园|农场|林场|委会|广场|大厦|花园|公寓|宿舍|市场|超市|商场|商城|商店|"
    r"公司|厂|医院|学校|大学|中学|小学|酒店|宾馆|饭店|银行|中心|公园|院|所|站|局"
)
_NAME_CHARS = r"[^省市区县旗盟\s\d,，。;；:：()（）]"
_PROVINCE_RE = re.compile(
    r"(?:北京市|天津市|上海市|重庆市|内蒙古自治区|广西壮族自治区|西藏自治区|宁夏回族自治区|"
    r"新疆维吾尔自治区|香港特别行政区|澳门特别行政区|" + _NAME_CHARS + r"{2,3}省)"
)
_PREFECTURE_RE = re.compile(_NAME_CHARS + r"{2,8}?(?:自治州|地区|盟|市)")
_COUNTY_RE = re.compile(_NAME_CHARS + r"{1,8}?(?:自治县|自治旗|林区|特区|县|区|旗|市)")


def cut_address_to_district(address: str) -> str:
    """Keep an address only down to the county/district level (吉林省辽源市龙山区…… → 吉林省辽源市龙山区).

    Parses province, prefecture and county-level units from the start of the address and stops at the
    first sign of a lower level (street, village, number, building, shop …). When in doubt it cuts
    more, never less: an unrecognised address yields "".
    """
    text = re.sub(r"\s+", "", address or "")
    below = _BELOW_COUNTY.search(text)
    head = text[: below.start()] if below else text
    parts: list[str] = []
    pos = 0
    for pattern in (_PROVINCE_RE, _PREFECTURE_RE, _COUNTY_RE):
        match = pattern.match(head, pos)
        if match:
            parts.append(match.group())
            pos = match.end()
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# Free-text redaction
# --------------------------------------------------------------------------------------------------


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
class RedactionResult:
    text: str
    spans: tuple[RedactionSpan, ...]

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
    replacement: str | None = None  # precomputed (addresses); None → derived from the action


# Full-width ASCII → half-width, same length, so regexes can stay ASCII and offsets are unchanged.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_NUM_BEFORE = r"(?<![0-9A-Za-z])"
_NUM_AFTER = r"(?![0-9A-Za-z])(?!\s*(?:元|万|亿|%|‰|千克|公斤|吨|平方|米|件|个|人|次|台|辆|份))"
_HAN = r"\u3400-\u9fff"

_RE_ID18 = re.compile(_NUM_BEFORE + r"\d{17}[\dXx]" + _NUM_AFTER)
_RE_ID15 = re.compile(_NUM_BEFORE + r"\d{15}" + _NUM_AFTER)
_RE_USCC = re.compile(_NUM_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{18}" + _NUM_AFTER)
_RE_BANK = re.compile(_NUM_BEFORE + r"(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)" + _NUM_AFTER)
_RE_MOBILE = re.compile(_NUM_BEFORE + r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}" + _NUM_AFTER)
_RE_MOBILE_FULL = re.compile(r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}")
_RE_LANDLINE = re.compile(
    _NUM_BEFORE + r"(?:\(0\d{2,3}\)[ -]?|0\d{2,3}[ -—]?)[2-9]\d{6,7}(?:(?:转|-|分机)\d{1,6})?" + _NUM_AFTER
)
_RE_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_RE_PLATE = re.compile(
    rf"[{_PLATE_PROVINCES}][A-HJ-NP-Z][ ·•・.-]?"
    r"(?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领试超])"
    r"(?![0-9A-Za-z])"
)
_RE_PROPERTY = re.compile(
    # 不动产权证书: 吉（2020）辽源市不动产权第0001234号 (brackets already half-width here)
    rf"[{_PLATE_PROVINCES}]\s*\(\s*\d{{4}}\s*\)\s*[{_HAN}]{{0,12}}?不动产(?:权|证明)\s*第\s*\d{{4,10}}\s*号"
    # 房屋所有权证: 辽房权证龙山字第123456号 / 房权证…字第…号
    rf"|[{_HAN}]{{0,6}}房(?:权|产)证[{_HAN}]{{0,8}}?字?\s*第\s*[A-Za-z0-9-]{{3,20}}\s*号"
    # 土地使用证: 辽源国用（2010）第123号
    rf"|[{_HAN}]{{1,6}}(?:国用|集用|集建|集有)\s*\(\s*\d{{4}}\s*\)\s*(?:第\s*)?[A-Za-z0-9-]{{1,12}}\s*号"
)

_SEP = r"\s*[:：]?\s*"
_LABELLED: tuple[tuple[Category, str, str], ...] = (
    (
        Category.ID_NUMBER,
        r"(?:公民身份号码|身份证件号码|身份证号码|身份证号|身份证|证件号码|证件号|护照号码|护照号|"
        r"通行证号码|居住证号码)",
        r"[A-Za-z0-9-]{6,24}(?:\([A-Za-z0-9]\))?",
    ),
    (
        Category.BANK_ACCOUNT,
        r"(?:银行账号|银行账户|银行卡号|银行卡|开户账号|收款账号|账号|账户|卡号)",
        r"\d[\d -]{6,38}\d",
    ),
    (
        Category.MOBILE_PHONE,
        r"(?:联系电话|联系方式|电话号码|手机号码|手机号|手机|电话|传真)",
        r"\+?[\d()\- ]{6,24}\d(?:(?:转|-)\d{1,6})?",
    ),
    (
        Category.OTHER_CONTACT,
        r"(?:微信号|微信|QQ号码|QQ号|QQ|qq)",
        r"[A-Za-z0-9_-]{5,30}",
    ),
    (
        Category.PROPERTY_CERT,
        r"(?:不动产权证书编号|不动产权证书号|不动产权证号|不动产登记证明号|房屋所有权证号|房产证号|产权证号|"
        r"土地使用证号|土地证号|权属证书编号|权属证书号|权属证号|机动车登记证书编号|登记证书编号|船舶登记号)",
        rf"[A-Za-z0-9{_HAN}()\[\]〔〕-]{{4,40}}?(?=[,.;。、\s]|$)",
    ),
    (
        Category.PLATE,  # vehicle identifiers other than the plate itself
        r"(?:车辆识别代号|车辆识别代码|车架号|发动机号码|发动机号|号牌号码|车牌号码|车牌号)",
        r"[A-Za-z0-9·-]{5,20}",
    ),
    (
        Category.HEALTH,
        r"(?:健康状况|病情|病史|诊断结果)",
        r"[^,;。\n]{1,80}",
    ),
)
_LABELLED_RES = tuple(
    (category, re.compile(label + _SEP + rf"(?P<value>{value})")) for category, label, value in _LABELLED
)
_NAME_VALUE = rf"[{_HAN}]{{1,4}}(?:[·•・][{_HAN}]{{1,10}})?"
_RE_LABELLED_NAME = re.compile(
    # Officers' names are public (执法人员 name + 执法证号), so "执法人员姓名" is not a party label.
    r"(?<!执法人员)(?<!办案人员)(?<!承办人)(?<!执法)(?:姓名|经营者姓名|经营者|投资人)"
    + _SEP
    + rf"(?P<value>{_NAME_VALUE})(?=[,;。、\s(]|$)"
    rf"|当事人{_SEP}(?P<value2>{_NAME_VALUE})\s*,\s*(?:男|女|性别)"
)
_ADDRESS_STOP = r"(?=[,;。\n\r)\]]|联系电话|电话|手机|身份证|邮箱|电子邮件|$)"
# "张三，男，……，住吉林省辽源市……" (court style) and "家住/居住在 ……": only taken as an address when the
# text after the verb starts with a recognisable province/prefecture/county.
_RE_SOFT_ADDRESS = re.compile(
    rf"(?:(?:(?<=[,;:。\s])|^)住|家住|居住在|居住于|现住在|住在)(?P<value>[^,;。\n\r]{{2,80}}?){_ADDRESS_STOP}"
)
_RE_REG_NO_LABEL = re.compile(r"(?:注册号|营业执照号|许可证号|许可证编号|登记号)\s*[:：]?\s*$")


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


def _name_pattern(name: str) -> re.Pattern[str] | None:
    name = re.sub(r"\s+", "", name or "")
    if len(name) < 2:  # a single character would mask every occurrence of it
        return None
    # Printed forms often space out two-character names ("张  三").
    return re.compile(r"\s{0,3}".join(re.escape(ch) for ch in name))


def redact_text(
    text: str,
    *,
    known_persons: Iterable[str] = (),
    known_addresses: Iterable[str] = (),
    keep_phrases: Iterable[str] = (),
    parties: Iterable[Mapping[str, Any]] = (),
    policy: RedactionPolicy | None = None,
) -> RedactionResult:
    """Redact personal data in free text according to ``policy`` (default: :data:`DEFAULT_POLICY`).

    :param known_persons: natural persons whose names are masked wherever they occur (the parties,
        the operator of a 个体工商户, witnesses ...). Names after 姓名/经营者 labels and "当事人：X，男"
        are found automatically.
    :param known_addresses: personal addresses to cut to district level wherever they occur.
    :param keep_phrases: text that must stay verbatim (organisation names, registered addresses, the
        agency's own contact details); nothing inside them is masked.
    :param parties: structured parties (see :func:`redact_party`); their names, addresses and
        identifiers are added to the three lists above according to the policy.
    :returns: the redacted text and every recognised span with its reason.
    """
    policy = policy or DEFAULT_POLICY
    persons = [p for p in known_persons if p]
    addresses: list[tuple[str, Action]] = [(a, policy.text_action(Category.HOME_ADDRESS)) for a in known_addresses if a]
    keep = [k for k in keep_phrases if k]
    exact_values: list[tuple[str, Category]] = []
    for party in parties:
        hints = _party_hints(party, policy)
        persons += hints.persons
        addresses += hints.addresses
        keep += hints.keep
        exact_values += hints.values

    norm = text.translate(_HALF_WIDTH)
    candidates: list[_Candidate] = []
    protected: list[tuple[int, int]] = []
    kept: list[tuple[int, int, Category]] = []

    def add(start: int, end: int, category: Category, priority: int, replacement: str | None = None) -> None:
        if policy.text_action(category) is not Action.KEEP:
            candidates.append(_Candidate(start, end, category, priority, replacement))

    # -- protected phrases and USCCs -------------------------------------------------------------
    for phrase in sorted(set(keep), key=len, reverse=True):
        for start, end in _find_all(norm, phrase.translate(_HALF_WIDTH)):
            protected.append((start, end))
            kept.append((start, end, Category.PROTECTED))
    for match in _RE_USCC.finditer(norm):
        token = match.group()
        if is_valid_uscc(token) and not is_valid_id_number(token):
            protected.append(match.span())
            kept.append((*match.span(), Category.USCC))

    # -- labelled values ---------------------------------------------------------------------------
    for category, regex in _LABELLED_RES:
        for match in regex.finditer(norm):
            value = match.group("value").rstrip()
            start = match.start("value")
            end = start + len(value)
            digits = sum(ch.isdigit() for ch in value)  # counting only: any digit counts (redact more, not less)
            if category in (Category.MOBILE_PHONE, Category.BANK_ACCOUNT) and digits < 7:
                continue  # e.g. 举报电话：12315 stays
            if category is Category.MOBILE_PHONE and not _RE_MOBILE_FULL.fullmatch(value):
                category_here = Category.LANDLINE_PHONE
            else:
                category_here = category
            add(start, end, category_here, 5)
    for match in _RE_LABELLED_NAME.finditer(norm):
        group = "value" if match.group("value") else "value2"
        persons.append(match.group(group))

    # -- addresses ----------------------------------------------------------------------------------
    if policy.text_action(Category.HOME_ADDRESS) is not Action.KEEP:
        labels = "|".join(re.escape(label) for label in sorted(policy.address_labels, key=len, reverse=True))
        if labels:
            address_re = re.compile(rf"(?:{labels}){_SEP}(?P<value>[^,;。\n\r]{{2,120}}?){_ADDRESS_STOP}")
            for match in address_re.finditer(norm):
                start, end = match.span("value")
                add(start, end, Category.HOME_ADDRESS, 4, _address_replacement(text[start:end], policy))
        for match in _RE_SOFT_ADDRESS.finditer(norm):
            value = match.group("value")
            if cut_address_to_district(value):  # only when it really reads as an address
                start, end = match.span("value")
                add(start, end, Category.HOME_ADDRESS, 4, _address_replacement(text[start:end], policy))
    for address, action in sorted(set(addresses), key=lambda a: len(a[0]), reverse=True):
        if action is Action.KEEP:
            continue
        for start, end in _find_all(norm, address.translate(_HALF_WIDTH)):
            replacement = _address_replacement(text[start:end], policy, action)
            candidates.append(_Candidate(start, end, Category.HOME_ADDRESS, 3, replacement))

    # -- exact identifiers from structured party data -------------------------------------------------
    for value, category in exact_values:
        for start, end in _find_all(norm, value.translate(_HALF_WIDTH)):
            add(start, end, category, 1)

    # -- patterns -----------------------------------------------------------------------------------
    for match in _RE_ID18.finditer(norm):
        token = match.group().upper()
        if is_valid_id_number(token):
            add(*match.span(), Category.ID_NUMBER, 2)
        elif is_valid_uscc(token):
            continue  # protected above
        elif token.endswith("X") or _id_plausible(token):
            add(*match.span(), Category.ID_NUMBER, 2)  # a mistyped ID is still an ID
    # Unlabelled 16–19 digit runs are bank cards only when Luhn-valid (order or transaction numbers
    # are not); labelled accounts (账号：…) are removed whatever their check digit.
    for match in _RE_ID15.finditer(norm):
        before = norm[max(0, match.start() - 12) : match.start()]
        if is_valid_id_number(match.group()) and not _RE_REG_NO_LABEL.search(before):
            add(*match.span(), Category.ID_NUMBER, 2)
    for match in _RE_BANK.finditer(norm):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) == 18 and (is_valid_uscc(digits) or _id_plausible(digits)):
            continue  # handled by the ID/USCC rules
        if luhn_valid(digits):
            add(*match.span(), Category.BANK_ACCOUNT, 6)
    for match in _RE_MOBILE.finditer(norm):
        add(*match.span(), Category.MOBILE_PHONE, 7)
    for match in _RE_LANDLINE.finditer(norm):
        add(*match.span(), Category.LANDLINE_PHONE, 7)
    for match in _RE_EMAIL.finditer(norm):
        add(*match.span(), Category.EMAIL, 7)
    for match in _RE_PLATE.finditer(norm):
        add(*match.span(), Category.PLATE, 8)
    for match in _RE_PROPERTY.finditer(norm):
        add(*match.span(), Category.PROPERTY_CERT, 8)

    # -- names (last, lowest priority: a name inside an address or ID span is covered by that span) ---
    for name in sorted({re.sub(r"\s+", "", p) for p in persons}, key=len, reverse=True):
        pattern = _name_pattern(name)
        if pattern is None:
            continue
        for match in pattern.finditer(norm):
            add(*match.span(), Category.PERSON_NAME, 9, _name_replacement(name, policy))

    chosen = _resolve(candidates, protected)
    return _assemble(text, chosen, kept, policy)


def _address_replacement(original: str, policy: RedactionPolicy, action: Action | None = None) -> str:
    if (action or policy.text_action(Category.HOME_ADDRESS)) is Action.REMOVE:
        return policy.placeholder_for(Category.HOME_ADDRESS)
    cut = cut_address_to_district(original.translate(_HALF_WIDTH))
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
                reason=_REASONS[category],
                out_start=out_len,
                out_end=out_len + len(replacement),
            )
        )
        out_len += len(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return RedactionResult(text="".join(pieces), spans=tuple(spans))


# --------------------------------------------------------------------------------------------------
# Structured parties
# --------------------------------------------------------------------------------------------------

_PARTY_TYPE_ALIASES: dict[str, PartyType] = {
    "natural_person": PartyType.NATURAL_PERSON,
    "person": PartyType.NATURAL_PERSON,
    "individual": PartyType.NATURAL_PERSON,
    "自然人": PartyType.NATURAL_PERSON,
    "公民": PartyType.NATURAL_PERSON,
    "sole_trader": PartyType.SOLE_TRADER,
    "individual_business": PartyType.SOLE_TRADER,
    "个体工商户": PartyType.SOLE_TRADER,
    "organisation": PartyType.ORGANISATION,
    "organization": PartyType.ORGANISATION,
    "legal_person": PartyType.ORGANISATION,
    "org": PartyType.ORGANISATION,
    "法人": PartyType.ORGANISATION,
    "法人及非法人组织": PartyType.ORGANISATION,
    "法人或其他组织": PartyType.ORGANISATION,
    "其他组织": PartyType.ORGANISATION,
}

# Accepted keys for each field (canonical English key first, then common synonyms and Chinese labels).
_FIELD_KEYS: dict[PartyField, tuple[str, ...]] = {
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
_TYPE_KEYS = ("party_type", "type", "category", "行政相对人类别", "当事人类型")
_BIRTH_KEYS = ("birth_date", "date_of_birth", "出生日期")

_FIELD_CATEGORY: dict[PartyField, Category] = {
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
    """Map ``natural_person`` / 自然人 / 个体工商户 / 法人及非法人组织 / ... to :class:`PartyType`."""
    if isinstance(value, PartyType):
        return value
    key = str(value or "").strip()
    try:
        return _PARTY_TYPE_ALIASES.get(key) or _PARTY_TYPE_ALIASES[key.lower()]
    except KeyError:
        raise ValueError(f"unknown party type: {value!r}") from None


def _field_of(key: str, party_type: PartyType) -> PartyField | None:
    if key == "address":  # a natural person's address is their residence; otherwise the business one
        return PartyField.HOME_ADDRESS if party_type is PartyType.NATURAL_PERSON else PartyField.BUSINESS_ADDRESS
    for party_field, keys in _FIELD_KEYS.items():
        if key in keys:
            return party_field
    return None


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
    PartyField.NAME: _REASONS[Category.PERSON_NAME],
    PartyField.OPERATOR_NAME: _REASONS[Category.PERSON_NAME],
    PartyField.LEGAL_REPRESENTATIVE: _REASONS[Category.PERSON_NAME],
    PartyField.USCC: _REASONS[Category.USCC],
    PartyField.ID_NUMBER: _REASONS[Category.ID_NUMBER],
    PartyField.LEGAL_REPRESENTATIVE_ID: "法定代表人身份证件号码不予公开（DOMAIN §6.5、§6.6）",
    PartyField.HOME_ADDRESS: _REASONS[Category.HOME_ADDRESS],
    PartyField.BUSINESS_ADDRESS: "经营场所/住所按本机关公示策略处理（DOMAIN §6.5）",
    PartyField.PHONE: _REASONS[Category.MOBILE_PHONE],
    PartyField.EMAIL: _REASONS[Category.EMAIL],
    PartyField.BANK_ACCOUNT: _REASONS[Category.BANK_ACCOUNT],
    PartyField.PLATE: _REASONS[Category.PLATE],
    PartyField.PROPERTY_CERT: _REASONS[Category.PROPERTY_CERT],
    PartyField.HEALTH: _REASONS[Category.HEALTH],
}


def _party_type_of(party: Mapping[str, Any]) -> PartyType:
    for key in _TYPE_KEYS:
        if party.get(key):
            return parse_party_type(party[key])
    raise ValueError("party has no party_type (natural_person / sole_trader / organisation)")


def redact_party(party: Mapping[str, Any], policy: RedactionPolicy | None = None) -> PartyRedaction:
    """Apply the DOMAIN §6.5 table to one structured party.

    Recognised keys (English canonical names or the Chinese labels in ``_FIELD_KEYS``): ``party_type``,
    ``name``, ``operator_name``, ``legal_representative``, ``uscc``, ``id_number``,
    ``legal_representative_id_number``, ``address`` (= home address for a natural person, business or
    registered address otherwise), ``home_address``, ``business_address``/``registered_address``,
    ``phone``, ``email``, ``bank_account``, ``plate_number``, ``property_cert_number``, ``health``.
    Removed fields are dropped from ``data``. Any other string value is passed through
    :func:`redact_text` (with this party's names as known persons); other values are copied.
    """
    policy = policy or DEFAULT_POLICY
    party_type = _party_type_of(party)
    data: dict[str, Any] = {}
    changes: list[FieldChange] = []
    for key, value in party.items():
        party_field = _field_of(key, party_type)
        if party_field is None:
            if isinstance(value, str) and key not in _TYPE_KEYS:
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
        action = policy.party_action(party_type, party_field)
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
        changes.append(FieldChange(key, party_field, value, redacted, action, _FIELD_REASON[party_field]))
    return PartyRedaction(party_type=party_type, data=data, changes=tuple(changes))


@dataclass(slots=True)
class _PartyHints:
    persons: list[str] = field(default_factory=list)
    addresses: list[tuple[str, Action]] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    values: list[tuple[str, Category]] = field(default_factory=list)


def _party_hints(party: Mapping[str, Any], policy: RedactionPolicy) -> _PartyHints:
    """What a party's structured data tells free-text redaction: names to mask, addresses to cut,
    phrases to keep and identifiers to remove verbatim."""
    party_type = _party_type_of(party)
    hints = _PartyHints()
    for key, value in party.items():
        party_field = _field_of(key, party_type)
        if party_field is None or not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        action = policy.party_action(party_type, party_field)
        if party_field in (PartyField.NAME, PartyField.OPERATOR_NAME, PartyField.LEGAL_REPRESENTATIVE):
            (hints.persons if action is not Action.KEEP else hints.keep).append(value)
        elif party_field in (PartyField.HOME_ADDRESS, PartyField.BUSINESS_ADDRESS):
            if action is Action.KEEP:
                hints.keep.append(value)
            else:
                hints.addresses.append((value, action))
        elif party_field is PartyField.USCC:
            if action is Action.KEEP:
                hints.keep.append(value)
        elif action is not Action.KEEP and len(value) >= 5:
            hints.values.append((value, _FIELD_CATEGORY[party_field]))
    return hints


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
            if _party_type_of(party) is not PartyType.NATURAL_PERSON:
                continue
            born = _birth_date_of(party)
            if born is not None and _age_on(born, on) < 18:
                reasons.append("minor")
                break
    return tuple(reasons)


def _birth_date_of(party: Mapping[str, Any]) -> dt.date | None:
    for key in _BIRTH_KEYS:
        value = party.get(key)
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and value:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
    for key in _FIELD_KEYS[PartyField.ID_NUMBER]:
        value = party.get(key)
        if isinstance(value, str) and value:
            return birth_date_from_id(value)
    return None


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
