"""Addresses: cutting a residence to its county/district, and finding natural persons' addresses in running
text, labelled ("住址：…") or not ("在其位于福镇大街88号3单元502室的家中", "安家社区5组").

A person's home address is removed down to the county/district (法释〔2016〕19号 第十条 and the 2013
technical rules as the model; 内蒙古三项制度办法 第十条第二款: 家庭住址). An organisation's registered
address and a 个体工商户's business premises are registered public data and stay (企业信息公示暂行条例
第六条). A cut replaces the address span only: the words around it ("…内销售过期食品") are the violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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



# -- addresses in running text ----------------------------------------------------------------------

# A place-name character: Han, minus the function words that end or begin a phrase around an address
# (在其住所…, 居住于…, …的家中, …内销售 …).
_PLACE = r"[\u3400-\u9fff0-9A-Za-z]"
_NOT_PLACE = "的在内与及或等把被将是了着其并为对从住所位于址"
_PLACE_CH = rf"(?:(?![{_NOT_PLACE}]){_PLACE})"
_LEVEL = (
    r"(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|州|盟|地区|县|区|旗|街道|镇|乡|苏木|嘎查|"
    r"大街|大路|大道|路|街|道|巷|胡同|弄|里|社区|村|屯|小区|花园|家园|新村|公寓|大厦|广场|市场|工业园)"
)
_NUM = r"(?:[0-9]+|[一二三四五六七八九十百]+)"
_UNIT = rf"(?:{_NUM}(?:号楼|号院|栋|幢|单元|室|组|号|楼|层)|[A-Za-z]?-?[0-9]+(?:号楼|号|室))"
# Chinese-numeral units: only those that are addresses (三组, 七组); "三号" in prose is not.
_SEGMENT = rf"(?:{_PLACE_CH}{{1,10}}?{_LEVEL}|{_UNIT})"
_RE_ADDRESS = re.compile(rf"(?:{_SEGMENT})+")
_UNIT_RE = re.compile(_UNIT)
# What makes a span specific enough to be somebody's address: a number or a village-level unit.
_SPECIFIC = re.compile(rf"{_UNIT}|村|屯|社区|小区|花园|家园|新村|公寓")
# Dwelling-level detail: a flat, a building, a villagers' group.
_DWELLING = re.compile(rf"{_NUM}(?:号楼|栋|幢|单元|室)|[0-9]+-[0-9]+室|(?:村|社区|屯){_NUM}组|{_NUM}组$")
# Words just before a span that make it a residence. Labels (住址：) come from the policy.
_HOME_BEFORE = re.compile(
    r"(?:家住|家庭住址|家庭地址|现住址|现住所|现住于|现住在|现住|住址|住所地|住所|户籍地址|户籍所在地|户籍地|"
    r"经常居住地|现居住地|居住地址|居住地|居住于|居住在|居住|住在|住宅|住处|暂住于|暂住在|暂住|收货地址|"
    r"联系地址|通讯地址|送达地址|身份证地址|(?:^|(?<=[（(，,、；;：:\s]))住)\s*[:：为是]?\s*$"
)
# Words just after a span that make it a residence: "…的家中", "…其自家院内", "…的住宅内".
_HOME_AFTER = re.compile(r"^(?:内)?(?:的|其)?(?:自家|家中|家里|住宅|住处|住所|家|居所|租住房|出租屋)")


@dataclass(frozen=True, slots=True)
class AddressHit:
    start: int
    end: int
    text: str
    why: str  # "label" | "context" | "recorded" | "dwelling"


def address_fragments(address: str) -> list[str]:
    """The ways a recorded address shows up in text: whole, and without its leading province, prefecture
    and county (吉林省辽源市龙山区福镇大街88号3单元502室 → 辽源市龙山区福镇大街88号… → 福镇大街88号…)."""
    text = re.sub(r"\s+", "", address or "")
    out = [text] if text else []
    pos = 0
    for pattern in (_PROVINCE_RE, _PREFECTURE_RE, _COUNTY_RE):
        match = pattern.match(text, pos)
        if match:
            pos = match.end()
            if len(text) - pos >= 4:
                out.append(text[pos:])
    street = re.match(rf"{_PLACE_CH}{{1,10}}?(?:街道|镇|乡|苏木)", text[pos:])
    if street and len(text) - pos - street.end() >= 4:
        out.append(text[pos + street.end() :])
    return list(dict.fromkeys(out))


def _specific(fragment: str) -> bool:
    return bool(_SPECIFIC.search(fragment))


def find_addresses(
    text: str,
    *,
    personal_context: bool,
    recorded: Iterable[str] = (),
    labels: Iterable[str] = (),
) -> list[AddressHit]:
    """Residential addresses in ``text``.

    A span of place names and house units is a residence when a label or a word before it says so
    (住址：, 家住, 居住于, 收货地址 …), when what follows says so (的家中, 其自家院内), when it contains a
    specific part of a recorded home address, or — in a decision about a natural person or a
    个体工商户 (``personal_context``) — when it goes down to a flat, building or villagers' group.
    Registered addresses to keep are the caller's protected phrases: they veto these spans.
    """
    recorded_parts = [f for a in recorded for f in address_fragments(a) if _specific(f)]
    extra_labels = [re.escape(label) for label in labels if label]
    label_re = re.compile(rf"(?:{'|'.join(extra_labels)})\s*[:：]?\s*$") if extra_labels else None
    hits: list[AddressHit] = []
    for match in _RE_ADDRESS.finditer(text):
        span = match.group()
        if not _specific(span):
            continue  # "辽源市龙山区", "新兴路": a region or a street, not somebody's address
        before = text[max(0, match.start() - 8) : match.start()]
        after = text[match.end() : match.end() + 6]
        if _HOME_BEFORE.search(before) or (label_re is not None and label_re.search(before)):
            why = "label"
        elif _HOME_AFTER.match(after):
            why = "context"
        elif any(part in span or (span in part and _UNIT_RE.search(span)) for part in recorded_parts):
            why = "recorded"
        elif personal_context and _DWELLING.search(span):
            why = "dwelling"
        else:
            continue
        hits.append(AddressHit(match.start(), match.end(), span, why))
    # A recorded address also where the grammar above splits it (e.g. a house number after a shop sign).
    for part in sorted(set(recorded_parts), key=len, reverse=True):
        start = text.find(part)
        while start != -1:
            end = start + len(part)
            if not any(h.start <= start and end <= h.end for h in hits):
                hits.append(AddressHit(start, end, part, "recorded"))
            start = text.find(part, end)
    return sorted(hits, key=lambda h: (h.start, -h.end))
