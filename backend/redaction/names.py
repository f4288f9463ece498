"""Natural persons' names: how they are published (surname + 某) and how they are found in running text.

In a public notice every natural person other than the officers is named by surname + 某 — the party,
relatives, witnesses, customers, employees, minors, the operator of a 个体工商户 (行政处罚法 第四十八条、
第五十条; 法释〔2016〕19号 第八条、第九条 as the model). Listed parties are not enough: decisions name
people in running text ("其妻刘桂芳", "顾客张晓燕、赵德柱", "证人高长林"). They are found by

* cues: a role or kinship word right before a name (其妻, 之子, 证人, 顾客, 员工, 消费者, 投诉人 …), then
  a surname from the list below and one or two given-name characters, and names enumerated after it
  ("、", "和", "及", a parenthesis in between);
* labels: 姓名：X, 经营者：X, "当事人X，男";
* the segmenter's person tags (taggers.py), kept when the word starts with a surname;
* the party's recorded names and their fragments (the given name alone).

Officers (执法人员 …) and an organisation's legal representative are public and kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from backend.redaction.taggers import JiebaTagger, Tagger, Token, default_tagger

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
# Single-character surnames: 百家姓 and the common surnames of the 2020 census.
SURNAMES: frozenset[str] = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁"
    "冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏"
    "宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储"
    "原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容"
    "敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭"
    "干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由贝"
)
# fmt: on
_NAME_DOTS = "·•・．."
_HAN = r"\u3400-\u9fff"

# Words before a name that say who the person is (kin, role, relation to the case). Longest first.
_CUES = (
    "患者家属", "家长代表", "前台服务员", "项目负责人", "质量负责人", "车间主任", "后厨帮工", "饭店经营者", "宠物主人",
    "会员消费者", "小区业主", "从业人员", "未成年人", "委托代理人", "法定监护人", "监护人", "供货人为", "供货人",
    "投诉人", "举报人", "申请人", "被投诉人", "证人", "目击者", "见证人", "顾客", "消费者", "购买者", "购房人", "患者",
    "家属", "家长", "员工", "雇员", "店员", "营业员", "收银员", "服务员", "厨师长", "厨师", "帮工", "工人", "工友",
    "驾驶员", "司机", "乘客", "旅客", "车主", "房东", "租户", "承租人", "出租人", "网管员", "加油员", "站长", "烘焙师",
    "负责人", "网格员", "行人", "听众", "村民", "居民", "邻居", "学生", "养殖户", "业主", "经营者", "会计", "出纳",
    "保安", "店长", "主播", "业务员", "销售员", "快递员", "受害人", "被害人", "主人",
    "其妻弟", "其妻妹", "其妻", "其夫", "之妻", "之夫", "妻子", "丈夫", "其子", "其女儿", "其女", "之子", "之女",
    "儿子",
    "女儿", "孙子", "孙女", "外孙", "其母", "其父", "之母", "之父", "母亲", "父亲", "女婿", "儿媳", "妻弟", "妻妹",
    "表哥", "表弟", "表姐", "表妹", "哥哥", "弟弟", "姐姐", "妹妹", "其兄", "其弟", "其姐", "其妹", "包括", "当事人",
)
# Officers are public (执法人员 name + 执法证号, 行政处罚法 第五十五条); names after these are kept.
_OFFICER_CUES = ("执法人员", "办案人员", "承办人", "执法证号", "检查人员", "记录人")
# An organisation's legal representative is registered public data (企业信息公示暂行条例 第六条).
_PUBLIC_CUES = (*_OFFICER_CUES, "法定代表人")
# Lookahead so that overlapping cues are all tried ("其女婿滕飞": 其女 fails, 女婿 succeeds).
_RE_CUE = re.compile("(?=(" + "|".join(sorted(_CUES + _PUBLIC_CUES, key=len, reverse=True)) + "))")
# Characters that end a name: a given-name character is never one of these.
_NAME_STOP = set(
    "称说证在于的等向从购负已持现到系患夫妇之和与及协帮反投核陪下驾未是也都为以将被曾所并均另因由经对把让给请自"
    "某、，。；：！？（）()“”\"'《》〈〉【】[] ,.;:!?\n\t0123456789"
)
_ENUM = re.compile(rf"(?:[（(][^）)]{{0,40}}[）)])?(?:、|和|及|与)(?=[{_HAN}])")
_RE_DOTTED = re.compile(rf"[{_HAN}]{{1,8}}[·•・][{_HAN}]{{1,8}}")
_RE_DOTTED_AT = re.compile(rf"[{_HAN}]{{1,6}}[·•・]")
_SEP = r"\s*[:：]?\s*"
_NAME_VALUE = rf"[{_HAN}]{{2,4}}(?:[·•・][{_HAN}]{{1,10}})?"
_RE_LABELLED_NAME = re.compile(
    r"(?<!执法人员)(?<!办案人员)(?<!承办人)(?<!执法)(?:姓名|经营者姓名|经营者|投资人)"
    + _SEP
    + rf"(?P<value>{_NAME_VALUE})(?=[,，;；。、\s(（]|$)"
    rf"|当事人{_SEP}(?P<value2>{_NAME_VALUE})\s*[,，]\s*(?:男|女|性别)"
)
# Words the taggers mark as names that are not (roles, places, common words starting with a surname).
_NOT_NAMES = frozenset(
    {"顾客", "当事人", "经营者", "消费者", "执法", "执法人员", "柏林", "高压", "高血压", "金额", "万元", "石油", "江山",
     "方便面", "白酒", "黄金", "文化", "安全", "常规", "华府", "康师傅", "周边", "向阳", "宁夏", "江西", "宋体"}
)


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


def is_masked(name: str, mask: str = "某") -> bool:
    return mask in name[1:3]


def looks_like_person_name(text: str) -> bool:
    """Whether ``text`` (a whole field) reads as a Han personal name: surname + one or two characters, or a
    compound surname + one or two, or a transliterated name with a middle dot. Used for a 个体工商户 that has
    no trade name and is registered under its operator's name (个体工商户登记管理办法 第八条)."""
    text = re.sub(r"\s+", "", text or "")
    if _RE_DOTTED.fullmatch(text):
        return True
    if not re.fullmatch(rf"[{_HAN}]{{2,4}}", text):
        return False
    if text[:2] in COMPOUND_SURNAMES:
        return len(text) in (3, 4)
    return text[0] in SURNAMES and len(text) in (2, 3)


@dataclass(frozen=True, slots=True)
class NameHit:
    start: int
    end: int
    name: str
    source: str  # "cue" | "enumeration" | "label" | "tagger" | "known"
    public: bool = False  # an officer named after 执法人员 …: kept
    certain: bool = True  # False: shown to the discloser as a candidate


def _surname_at(text: str, pos: int) -> int:
    if text[pos : pos + 2] in COMPOUND_SURNAMES:
        return 2
    return 1 if pos < len(text) and text[pos] in SURNAMES else 0


def _han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _name_at(text: str, pos: int, by_start: dict[int, Token], lexicon: JiebaTagger | None) -> int:
    """Length of the name starting at ``pos`` (right after a cue), 0 when there is none."""
    dotted = _RE_DOTTED_AT.match(text, pos)
    if dotted:  # 阿卜杜拉·买买提未取得…: the part after the dot ends where a name cannot go on
        end = dotted.end()
        while end < len(text) and end - dotted.end() < 6 and _han(text[end]) and text[end] not in _NAME_STOP:
            end += 1
        return end - pos if end > dotted.end() else 0
    surname = _surname_at(text, pos)
    if not surname:
        return 0
    after = pos + surname
    if text[after : after + 1] == "某":
        return 0  # already masked (王某, 王某某)
    if text[after : after + 1] in SURNAMES and text[after + 1 : after + 2] == "氏":
        return surname + 2  # 俞王氏: a married woman's traditional name
    given = 0
    for ch in text[after : after + 2]:
        if not _han(ch) or ch in _NAME_STOP:
            break
        given += 1
    if given == 0:
        return 0
    second = by_start.get(after + 1)
    if given == 2 and second is not None and len(second.word) >= 2 and not second.person:
        given = 1  # "司马超保管": the segmenter starts a word (保管) at the second given character
    length = surname + given
    token = by_start.get(pos)
    longer = token is not None and token.person and length < len(token.word) <= surname + 2
    if longer and token is not None and not any(ch in _NAME_STOP for ch in token.word[surname:]):
        length = len(token.word)
    # "当事人安排…", "当事人居住于…", "旅客信息": the segmenter read a common word there, not a name. (Words
    # jieba's dictionary itself tags as names, such as 柏林, are not "common" and pass.)
    if lexicon is not None and token is not None and not token.person:
        read_as_word = token.word in (text[pos : pos + length], text[pos : after + 1])
        if read_as_word and lexicon.is_common_word(token.word):
            return 0
    return length


# What ends an organisation, a place, a law or a product rather than a name.
_NOT_NAME_END = set("镇乡村县区市省路街局厂店牌法证费款品馆园院所站部社司业会团记家柜工")


def _plausible_tagged_name(text: str, token: Token, lexicon: JiebaTagger) -> bool:
    """A segmenter's person token that reads as a Han name: a known surname, two to four characters, not a
    dictionary word (许可, 安全法 …), not a brand in quotes, not the start of an organisation's name."""
    word = token.word
    if word in _NOT_NAMES or "某" in word[1:]:
        return False
    if _RE_DOTTED.fullmatch(word):
        return True
    surname = _surname_at(word, 0)
    if not surname or not surname + 1 <= len(word) <= surname + 2 or word[-1] in _NOT_NAME_END:
        return False
    # Personal names are rarely dictionary words; jieba's dictionary tags many words nr (许可, 孙子, 常青).
    if lexicon.in_dictionary(word) or lexicon.in_dictionary(word[:2], 50):
        return False
    before, after = text[token.start - 1 : token.start], text[token.end : token.end + 2]
    return not (before in "“\"「《" or after[:1] in "”\"」》牌" or after in ("公司", "集团", "商贸", "超市"))


def find_person_names(
    text: str,
    *,
    tagger: Tagger | None = None,
    tokens: list[Token] | None = None,
    use_cues: bool = True,
    use_tagger: bool = True,
) -> list[NameHit]:
    """Person names in ``text``: cue and label rules, then the tagger's person tokens. ``tokens`` may be
    passed when the caller already tagged the text."""
    if tokens is None and tagger is not None:
        tokens = tagger.tokens(text)
    tokens = tokens or []
    by_start = {t.start: t for t in tokens}
    lexicon = default_tagger()  # jieba's dictionary tells words from names, whichever tagger tags
    hits: list[NameHit] = []
    taken: set[int] = set()

    def add(start: int, end: int, source: str, public: bool, certain: bool = True) -> None:
        name = text[start:end]
        if any(i in taken for i in range(start, end)):
            return
        taken.update(range(start, end))
        hits.append(NameHit(start, end, name, source, public, certain))

    if use_cues:
        for match in _RE_CUE.finditer(text):
            public = match.group(1) in _PUBLIC_CUES
            pos = match.end(1)
            source = "cue"
            while True:
                length = _name_at(text, pos, by_start, lexicon)
                if not length:
                    break
                add(pos, pos + length, source, public)
                enum = _ENUM.match(text, pos + length)
                if not enum:
                    break
                pos, source = enum.end(), "enumeration"
        for match in _RE_LABELLED_NAME.finditer(text):
            group = "value" if match.group("value") else "value2"
            add(*match.span(group), "label", False)
    if use_tagger:
        for token in tokens:
            if not token.person or not _plausible_tagged_name(text, token, lexicon):
                continue
            # A name only the segmenter saw (no cue, no label, not a party): the discloser decides.
            add(token.start, token.end, "tagger", False, certain=False)
    hits.sort(key=lambda h: h.start)
    return hits


def given_name(name: str) -> str:
    """The given name of a Han name (小明 of 王小明), '' when it would be too short to search for safely."""
    name = re.sub(r"\s+", "", name or "")
    if _RE_DOTTED.fullmatch(name) or not re.fullmatch(rf"[{_HAN}]{{3,5}}", name):
        return ""
    rest = name[2:] if name[:2] in COMPOUND_SURNAMES else name[1:]
    return rest if len(rest) >= 2 else ""


def name_pattern(name: str) -> re.Pattern[str] | None:
    """A name as printed, allowing the spaces that typesetting puts into two-character names ("张  三")."""
    name = re.sub(r"\s+", "", name or "")
    if len(name) < 2:  # a single character would mask every occurrence of it
        return None
    return re.compile(r"\s{0,3}".join(re.escape(ch) for ch in name))


def unique_names(hits: Iterable[NameHit]) -> list[str]:
    return list(dict.fromkeys(h.name for h in hits))
