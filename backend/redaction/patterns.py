"""Recognisers for personal data that has a shape: identity, account, card and certificate numbers,
phones, e-mail, plates, property certificates; and for what has a context: health details, birth dates,
what identifies a minor (school, grade, class), online shop nicknames and accounts.

Each recogniser returns ``(start, end, category, priority)`` on the half-width text; the engine resolves
overlaps. Organisation data (统一社会信用代码, licence and report numbers) is recognised elsewhere and kept.
"""

from __future__ import annotations

import re

from backend.redaction.policy import Category
from backend.redaction.validators import id_plausible, is_valid_id_number, is_valid_uscc, luhn_valid

# Full-width ASCII → half-width, same length, so regexes can stay ASCII and offsets are unchanged.
HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_NUM_BEFORE = r"(?<![0-9A-Za-z])"
_NUM_AFTER = r"(?![0-9A-Za-z])(?!\s*(?:元|万|亿|%|‰|千克|公斤|吨|平方|米|件|个|人|次|台|辆|份))"
_HAN = r"\u3400-\u9fff"

_RE_ID18 = re.compile(_NUM_BEFORE + r"\d{17}[\dXx]" + _NUM_AFTER)
_RE_ID15 = re.compile(_NUM_BEFORE + r"\d{15}" + _NUM_AFTER)
_RE_USCC = re.compile(_NUM_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{18}" + _NUM_AFTER)
_RE_BANK = re.compile(_NUM_BEFORE + r"(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)" + _NUM_AFTER)
_RE_MOBILE = re.compile(_NUM_BEFORE + r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}" + _NUM_AFTER)
_RE_MOBILE_FULL = re.compile(r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}")


def phone_category(value: str) -> Category:
    """A phone number as what it is: a mobile number (11 digits, 1[3-9]…, optionally +86) or a landline."""
    return Category.MOBILE_PHONE if _RE_MOBILE_FULL.fullmatch(value.strip()) else Category.LANDLINE_PHONE


_RE_LANDLINE = re.compile(
    _NUM_BEFORE + r"(?:\(0\d{2,3}\)[ -]?|0\d{2,3}[ -—]?)[2-9]\d{6,7}(?:(?:转|-|分机)\d{1,6})?" + _NUM_AFTER
)
_RE_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
# 梯11吉D00123(18) is a lift's 使用登记证编号 and 吉AA4370123 a licence number, not plates.
_RE_PLATE = re.compile(
    r"(?<!梯)(?<!梯\d)(?<!梯\d\d)(?<![A-Za-z0-9])"
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
        r"(?:银行账号|银行账户|银行卡号|银行卡|开户账号|收款账号|工资卡号|账号|账户|(?<!会员)(?<!储值)卡号)",
        r"\d[\d -]{6,38}\d",
    ),
    (
        Category.MOBILE_PHONE,
        r"(?:联系电话|联系方式|电话号码|手机号码|手机号|手机|电话|传真)",
        r"\+?[\d()\- ]{6,24}\d(?:(?:转|-)\d{1,6})?",
    ),
    (
        Category.OTHER_CONTACT,
        r"(?:微信号|微信|QQ号码|QQ号|QQ|qq|抖音号|快手号|淘宝账号|支付宝账号)",
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

# -- context recognisers -------------------------------------------------------------------------------

# Health (个人信息保护法 第二十八条: 医疗健康 is sensitive): what a person "has" or was diagnosed with. The
# statute's words (有碍食品安全的疾病), a product's claims (可治愈高血压) and 健康证明 are not anybody's health.
_RE_HEALTH = re.compile(
    r"(?:患有|罹患|身患|诊断为|确诊为|确诊患有|检出患有|查出患有)(?P<value>[^,;。，；：:)）\n]{1,24}?)"
    r"(?=[,;。，；)）\n]|的(?:员工|人员|老年人|从业人员|患者)|$)"
    r"|(?P<vision>视力(?:仅|为|只有|下降至)?\s*\d\.\d+)"
    r"|(?P<injury>[左右]?(?:小腿|大腿|腿部|腿|脚踝|脚|手臂|手腕|手部|手指|胳膊|头部|面部|眼部|腰部|胸部|肋骨)"
    r"(?:被咬伤|被抓伤|被烫伤|骨折|受伤|烫伤|烧伤|擦伤|划伤|咬伤|挫伤))"
)
_RE_STATUTE_DISEASE = re.compile(r"(?:有碍|国务院|法定|规定|传染病|相关|上述|该类|此类|前款)")
# Birth dates: "1987年5月6日出生", "（2011年4月出生", "1952年11月3日生", "出生于1990年…".
_RE_BIRTH = re.compile(
    r"(?P<value>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)(?=\s*(?:出生|生[,，)）;；。]|生人|生$))"
    r"|(?:出生于|生于|出生日期[:：]?\s*)(?P<value2>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|"
    r"(?:19|20)\d{2}-\d{1,2}-\d{1,2})"
)
# What identifies a minor (未成年人保护法 第七十二条): school + grade + class, or a grade/class alone.
_SCHOOL = r"[\u3400-\u9fff]{2,14}?(?:小学|中学|初中|高中|幼儿园|实验学校|学校|职业中学|职业高中)"
_GRADE = r"(?:[一二三四五六七八九]年级|初[一二三]|高[一二三]|[大中小]班)"
_CLASS = r"(?:[（(]?[一二三四五六七八九十0-9]{1,2}[)）]?班)"
_RE_MINOR = re.compile(
    rf"(?:(?<=就读于)|(?<=就读)|(?<=在读于)|(?<=原系)|(?<=系)|(?<=是))?(?P<school>{_SCHOOL})"
    rf"(?P<tail>{_GRADE}?{_CLASS}?)(?=学生|学员|幼儿|[,，;；。)）]|$)"
    rf"|(?P<grade>(?:{_GRADE}{_CLASS}?|[大中小][一二三四五六七八九十]班))(?=学生|幼儿|家长|[,，;；。)）]|$)"
)
_RE_SCHOOL_LEAD = re.compile(r"^(?:.*?(?:就读于|就读|在读于|原系|系|是|于|在))(?=[\u3400-\u9fff]{2})")
# Cards of a person: 会员卡号 / 储值卡号 (any symbols), online accounts and nicknames.
_RE_CARD = re.compile(
    r"(?:会员卡号|会员卡|储值卡号|会员号|会员编号|积分卡号)\s*[:：为是]?\s*(?P<value>[A-Za-z0-9-]{4,30})"
)
_RE_ONLINE = re.compile(
    r"(?:网店昵称|店铺昵称|账号昵称|账户昵称|网络昵称|直播昵称|昵称|网名|用户名|直播间名称|网店名称|店铺名称)"
    r"\s*[:：为是]?\s*(?P<value>“[^”]{1,30}”|\"[^\"]{1,30}\"|「[^」]{1,30}」|[A-Za-z0-9_\-.]{3,30})"
)
# A natural person's qualification or licence number (执业药师注册证, 建造师证书, 驾驶证档案编号 …); an
# organisation's 许可证 numbers are public and are not matched.
_RE_PERSONAL_CERT = re.compile(
    r"(?:建造师|药师|医师|护士|教师|导游|律师|会计师|评估师|驾驶证|驾驶员|资格|从业|执业|职业)"
    r"[\u3400-\u9fff]{0,6}?(?:证书编号|证书号|注册证编号|注册证号|证编号|证号|档案编号|编号)\s*[:：为是]?\s*"
    r"(?P<value>[A-Za-z\u3400-\u9fff]{0,2}[A-Za-z0-9-]{6,24})"
)


def find_shaped(norm: str) -> list[tuple[int, int, Category, int]]:
    """Numbers and contacts in ``norm`` (half-width text)."""
    out: list[tuple[int, int, Category, int]] = []
    for category, regex in _LABELLED_RES:
        for match in regex.finditer(norm):
            value = match.group("value").rstrip()
            start = match.start("value")
            end = start + len(value)
            digits = sum(ch.isdigit() for ch in value)  # counting only: any digit counts (redact more, not less)
            if category in (Category.MOBILE_PHONE, Category.BANK_ACCOUNT) and digits < 7:
                continue  # e.g. 举报电话：12315 stays
            here = category
            if category is Category.MOBILE_PHONE and not _RE_MOBILE_FULL.fullmatch(value):
                here = Category.LANDLINE_PHONE
            out.append((start, end, here, 5))
    for match in _RE_ID18.finditer(norm):
        token = match.group().upper()
        if is_valid_id_number(token):
            out.append((*match.span(), Category.ID_NUMBER, 2))
        elif is_valid_uscc(token):
            continue  # kept
        elif token.endswith("X") or id_plausible(token):
            out.append((*match.span(), Category.ID_NUMBER, 2))  # a mistyped ID is still an ID
    for match in _RE_ID15.finditer(norm):
        before = norm[max(0, match.start() - 12) : match.start()]
        if is_valid_id_number(match.group()) and not _RE_REG_NO_LABEL.search(before):
            out.append((*match.span(), Category.ID_NUMBER, 2))
    # Unlabelled 16–19 digit runs are bank cards only when Luhn-valid (order or transaction numbers are
    # not); labelled accounts (账号：…) are removed whatever their check digit.
    for match in _RE_BANK.finditer(norm):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) == 18 and (is_valid_uscc(digits) or id_plausible(digits)):
            continue
        if luhn_valid(digits):
            out.append((*match.span(), Category.BANK_ACCOUNT, 6))
    for regex, category, priority in (
        (_RE_MOBILE, Category.MOBILE_PHONE, 7),
        (_RE_LANDLINE, Category.LANDLINE_PHONE, 7),
        (_RE_EMAIL, Category.EMAIL, 7),
        (_RE_PLATE, Category.PLATE, 8),
        (_RE_PROPERTY, Category.PROPERTY_CERT, 8),
    ):
        out.extend((*m.span(), category, priority) for m in regex.finditer(norm))
    for regex, category in ((_RE_CARD, Category.CARD_NUMBER), (_RE_ONLINE, Category.ONLINE_ACCOUNT),
                            (_RE_PERSONAL_CERT, Category.PERSONAL_CERT)):
        out.extend((*m.span("value"), category, 5) for m in regex.finditer(norm))
    return out


def find_contextual(norm: str) -> list[tuple[int, int, Category, int]]:
    """Health details, birth dates and what identifies a minor."""
    out: list[tuple[int, int, Category, int]] = []
    for match in _RE_HEALTH.finditer(norm):
        group = next(g for g in ("value", "vision", "injury") if match.group(g))
        if group == "value" and _RE_STATUTE_DISEASE.match(match.group(group)):
            continue  # 食品安全法 第一百二十六条's own words ("患有有碍食品安全疾病的人员") are nobody's health
        out.append((*match.span(group), Category.HEALTH, 6))
    for match in _RE_BIRTH.finditer(norm):
        group = "value" if match.group("value") else "value2"
        out.append((*match.span(group), Category.BIRTH_DATE, 6))
    for match in _RE_MINOR.finditer(norm):
        if match.group("school"):
            lead = _RE_SCHOOL_LEAD.match(match.group("school"))
            before = norm[max(0, match.start() - 4) : match.start()] + (lead.group() if lead else "")
            after = norm[match.end() : match.end() + 2]
            # A school as a customer or a place ("为辽源市第三中学生产的校服") is not a minor's data: only a
            # school someone attends (就读于, 系…学生, a grade or class after it).
            if not (match.group("tail") or after.startswith(("学生", "学员", "幼儿"))
                    or re.search(r"(?:就读于?|在读于?|原系|系|是)$", before)):
                continue
            lead = _RE_SCHOOL_LEAD.match(match.group("school"))
            out.append((match.start("school") + (lead.end() if lead else 0), match.end(), Category.MINOR, 6))
        else:
            out.append((*match.span("grade"), Category.MINOR, 6))
    return out


_RE_REG_NO_LABEL = re.compile(r"(?:注册号|营业执照号|许可证号|许可证编号|登记号)\s*[:：]?\s*$")
