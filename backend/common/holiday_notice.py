"""Parse the State Council's yearly holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

Pure Python (no Django). The notice fixes, for each festival of 《全国年节及纪念日放假办法》第二条, the rest
days (放假、放假调休、补休) and the make-up working days (上班). Its wording has been stable since 2008::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、
    2月28日（周六）上班。
    三、清明节：4月5日放假，4月6日（星期一）补休。
    一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
    六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。

The parser reads each item, checks what the text itself states (the weekday in brackets, 共N天/放假N天, that a
make-up day is a weekend, that every statutory day of 第二条 rests) and refuses with a list of problems
rather than guess: an administrator confirms the parsed result before it is saved.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from backend.common.holidays import statutory_holidays
from backend.common.workcalendar import DayOverride

__all__ = ["NoticeEntry", "NoticeParseError", "ParsedNotice", "parse_notice"]

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_NUMERALS = "一二三四五六七八九十"

_ITEM = re.compile(
    rf"(?:^|[\s。；;])(?:[{_NUMERALS}]+[、.．]\s*)?((?:{'|'.join(FESTIVALS)})(?:[、和与](?:{'|'.join(FESTIVALS)}))*)\s*[:：]"
)
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年[^。\n]{0,12}节假日安排")
_DOC_NUMBER = re.compile(r"国办发(?:明电)?\s*[〔\[(（]\s*(\d{4})\s*[〕\])）]\s*(\d+)\s*号")
# A date: [YYYY年]M月D日 or, after 至, a bare D日 continuing the month before; then an optional bracket
# (the weekday and the lunar date, e.g. "(农历腊月二十八、周日)").
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\s*\(([^)]*)\))?")
_RANGE_SEP = re.compile(r"^\s*(?:至|到|-|—|–|~)\s*")
_COUNT = re.compile(r"(?:共|放假)\s*(\d+)\s*天")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_REST_WORDS = ("放假", "补休", "调休", "休息")


class NoticeParseError(ValueError):
    """The text could not be read as a holiday notice; ``problems`` lists why, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass(frozen=True, slots=True)
class NoticeEntry:
    """One item of the notice: a festival (or two announced together) with its rest and make-up days."""

    name: str
    rest: tuple[dt.date, ...]
    work: tuple[dt.date, ...]
    stated_days: int | None
    text: str


@dataclass(frozen=True, slots=True)
class ParsedNotice:
    year: int
    document_number: str
    entries: tuple[NoticeEntry, ...]
    warnings: tuple[str, ...] = field(default=())

    def days(self) -> dict[dt.date, DayOverride]:
        """Every day the notice names: rest days (``is_workday`` False) and make-up working days (True)."""
        result: dict[dt.date, DayOverride] = {}
        for entry in self.entries:
            for day in entry.rest:
                result[day] = DayOverride(is_workday=False, name=entry.name)
            for day in entry.work:
                result[day] = DayOverride(is_workday=True, name=f"{entry.name}调休上班")
        return result


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, colons, commas and brackets (１月１日（周四）→ 1月1日(周四)).
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[ \t\u3000]+", " ", text)


def _resolve_year(explicit: str | None, month: int, festival: str, year: int) -> int:
    if explicit:
        return int(explicit)
    # A 元旦 arrangement may begin in the December before (e.g. "12月31日至1月2日").
    return year - 1 if festival.startswith("元旦") and month == 12 else year


def _dates_in(clause: str, festival: str, year: int, problems: list[str]) -> list[dt.date]:
    """Dates named in one clause, with ``A至B`` ranges expanded (both ends included). A date inside brackets
    is a remark ("安排职工在除夕（2月9日）休息"), not an arrangement, and is skipped."""
    brackets = [(m.start(), m.end()) for m in re.finditer(r"\([^)]*\)", clause)]
    found: list[dt.date] = []
    range_from: dt.date | None = None
    previous: dt.date | None = None
    position = 0
    while (match := _DATE.search(clause, position)) is not None:
        position = match.end()
        if any(start < match.start() < end for start, end in brackets):
            continue
        explicit_year, month_text, day_text, bracket = match.groups()
        if month_text is None and previous is None:
            problems.append(f"“{festival}”中的“{match.group(0)}”缺少月份")
            continue
        month = int(month_text) if month_text else previous.month  # type: ignore[union-attr]
        if explicit_year:
            the_year = int(explicit_year)
        elif month_text is None:
            the_year = previous.year  # type: ignore[union-attr]
        else:
            the_year = _resolve_year(None, month, festival, year)
        try:
            day = dt.date(the_year, month, int(day_text))
            if range_from is not None and day < range_from and not explicit_year:
                # "4月30日至2日" continues into the next month; "12月31日至1月2日" into the next year.
                day = _next_month(day) if month_text is None else day.replace(year=day.year + 1)
        except ValueError:
            problems.append(f"“{festival}”中的日期“{match.group(0)}”不存在")
            continue
        if bracket:
            weekday = _WEEKDAY.search(bracket)
            if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
                problems.append(f"“{festival}”：{day.isoformat()}不是{weekday.group(0)}（请核对年份和日期）")
        if range_from is not None:
            if day < range_from or (day - range_from).days > 31:
                problems.append(f"“{festival}”：日期范围{range_from.isoformat()}至{day.isoformat()}无效")
            else:
                found.extend(range_from + dt.timedelta(days=i) for i in range(1, (day - range_from).days + 1))
            range_from = None
        else:
            found.append(day)
        previous = day
        separator = _RANGE_SEP.match(clause[position:])
        if separator:
            range_from = day
            position += separator.end()
    return found


def _next_month(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)


def _parse_item(name: str, body: str, year: int, problems: list[str]) -> NoticeEntry:
    rest: list[dt.date] = []
    work: list[dt.date] = []
    stated: int | None = None
    # Clauses end at 。；， — but not at the 、 that lists dates, nor inside brackets.
    for clause in re.split(r"[。;；,，](?![^()]*\))", body):
        clause = clause.strip()
        if not clause:
            continue
        count = _COUNT.search(clause)
        if count:
            stated = int(count.group(1))
        dates = _dates_in(clause, name, year, problems)
        if not dates:
            continue
        without_brackets = re.sub(r"\([^)]*\)", "", clause)
        if "上班" in without_brackets:
            work.extend(dates)
        elif any(word in without_brackets for word in _REST_WORDS):
            rest.extend(dates)
        else:
            problems.append(f"“{name}”：无法判断“{clause}”中的日期是放假还是上班")
    if stated is not None and stated != len(set(rest)):
        problems.append(f"“{name}”：通知写明共{stated}天，解析出放假{len(set(rest))}天")
    for day in work:
        if day.weekday() < 5:
            problems.append(f"“{name}”：调休上班日{day.isoformat()}不是周末")
    both = sorted(set(rest) & set(work))
    if both:
        problems.append(f"“{name}”：{'、'.join(d.isoformat() for d in both)}既放假又上班")
    return NoticeEntry(
        name=name, rest=tuple(sorted(set(rest))), work=tuple(sorted(set(work))), stated_days=stated, text=body.strip()
    )


def parse_notice(text: str, *, year: int | None = None) -> ParsedNotice:
    """Read the notice's text; ``year`` is taken from the title when not given.

    Raises :class:`NoticeParseError` with every problem found (nothing is half-parsed).
    """
    text = _normalise(text or "")
    problems: list[str] = []
    title_year = _TITLE_YEAR.search(text)
    if year is None:
        if title_year is None:
            raise NoticeParseError(["未能从标题中识别年份（“国务院办公厅关于YYYY年部分节假日安排的通知”），请填写年份"])
        year = int(title_year.group(1))
    elif title_year is not None and int(title_year.group(1)) != year:
        problems.append(f"标题中的年份为{title_year.group(1)}年，与填写的{year}年不一致")
    number = _DOC_NUMBER.search(text)
    document_number = f"国办发明电〔{number.group(1)}〕{number.group(2)}号" if number else ""
    items = list(_ITEM.finditer(text))
    if not items:
        raise NoticeParseError(["未找到“一、元旦：……”形式的放假安排条目"])
    entries: list[NoticeEntry] = []
    for index, item in enumerate(items):
        end = items[index + 1].start() if index + 1 < len(items) else len(text)
        body = text[item.end() : end]
        # The last item ends where the closing paragraph or the signature begins.
        body = re.split(r"\n\s*\n|节假日期间|国务院办公厅", body)[0]
        entries.append(_parse_item(item.group(1), body.replace("\n", ""), year, problems))
    names = [e.name for e in entries]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        problems.append(f"条目重复：{'、'.join(sorted(duplicates))}")
    all_rest = {d for e in entries for d in e.rest}
    all_work = {d for e in entries for d in e.work}
    clash = sorted(all_rest & all_work)
    if clash:
        problems.append(f"{'、'.join(d.isoformat() for d in clash)}在不同条目中既放假又上班")
    outside = sorted(d for d in all_rest | all_work if not (dt.date(year - 1, 12, 1) <= d <= dt.date(year, 12, 31)))
    if outside:
        problems.append(f"日期不在{year}年的安排范围内：{'、'.join(d.isoformat() for d in outside)}")
    if problems:
        raise NoticeParseError(problems)
    warnings = [
        f"法定节假日{day.isoformat()}（{festival}，放假办法第二条）未列为放假日"
        for day, festival in statutory_holidays(year).items()
        if day not in all_rest
    ]
    return ParsedNotice(year=year, document_number=document_number, entries=tuple(entries), warnings=tuple(warnings))

