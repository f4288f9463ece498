"""The one wording of the remedies clause (救济途径和期限) that every decision document and public notice states.

行政处罚法 第五十九条第一款第五项: a 行政处罚决定书 states "申请行政复议、提起行政诉讼的途径和期限"; 第三十九条 asks
the agency to publish its 救济渠道. The periods are not restated here: they are the ADMIN_REVIEW_WINDOW (行政复议法
第二十条, sixty days) and LITIGATION_WINDOW (行政诉讼法 第四十六条, six months) rows of
:data:`backend.common.workdays.DEADLINE_RULES`, so a change of the rule changes every document and notice.

Pure Python (no Django): the cases documents, the disclosure snapshot and the demo agency profile call it.
"""

from __future__ import annotations

from backend.common.workcalendar import PeriodUnit
from backend.common.workdays import DeadlineRule, get_rule

_DIGITS = "零一二三四五六七八九"
_UNIT_WORDS = {PeriodUnit.CALENDAR_DAYS: "日", PeriodUnit.MONTHS: "个月", PeriodUnit.YEARS: "年"}


def chinese_number(n: int) -> str:
    """0–99 in Chinese numerals as statutes write periods (十五日, 六十日, 六个月)."""
    if not 0 <= n < 100:
        raise ValueError("only 0–99 are written in words here")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def period_words(rule: DeadlineRule) -> str:
    """The rule's period as the statute says it (``六十日``, ``六个月``)."""
    try:
        unit = _UNIT_WORDS[rule.unit]
    except KeyError:
        raise ValueError(f"{rule.code} is not a period the remedies clause states") from None
    return f"{chinese_number(rule.length)}{unit}"


def remedies_clause(*, reconsideration_body: str = "", cite_articles: bool = False) -> str:
    """The remedies sentence of a decision: 行政复议 within the ADMIN_REVIEW_WINDOW, 行政诉讼 within the
    LITIGATION_WINDOW, both counted from receipt of the decision.

    ``reconsideration_body`` names the 复议机关 (行政复议法 第二十四条) when the agency states it;
    ``cite_articles`` adds the articles and the rule that a remedy does not stay execution (行政处罚法 第七十三条),
    as an agency's published 救济渠道 does.
    """
    review, litigation = get_rule("ADMIN_REVIEW_WINDOW"), get_rule("LITIGATION_WINDOW")
    to_body = f"向{reconsideration_body}" if reconsideration_body else ""
    review_cite = "（《中华人民共和国行政复议法》第二十条）" if cite_articles else ""
    litigation_cite = "（《中华人民共和国行政诉讼法》第四十六条）" if cite_articles else ""
    text = (
        f"如不服本决定，可以自收到本决定书之日起{period_words(review)}内依法{to_body}申请行政复议{review_cite}，"
        f"或者自收到本决定书之日起{period_words(litigation)}内依法向人民法院提起行政诉讼{litigation_cite}。"
    )
    if cite_articles:
        text += "复议、诉讼期间不停止决定的执行，法律另有规定的除外（《中华人民共和国行政处罚法》第七十三条）。"
    return text
