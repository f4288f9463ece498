"""The written opinion (审核意见书 / 案件审核意见书) as HTML (Django template) and PDF (reportlab).

Fonts for the PDF, first that loads wins:

1. ``settings.REVIEW_PDF_FONT`` (a TrueType ``.ttf``/``.ttc`` path; ``REVIEW_PDF_FONT_INDEX`` for a
   collection), embedded as a subset;
2. TrueType CJK fonts Debian ships (WenQuanYi, AR PL, Droid fallback), embedded as a subset;
3. reportlab's built-in Adobe CID font ``STSong-Light`` (Adobe-GB1, ``UniGB-UCS2-H``), which every PDF
   reader with the Adobe Asian font pack or poppler-data renders, and whose text layer maps back to
   Unicode.

Debian's ``fonts-noto-cjk`` files are CFF-flavoured OpenType, which reportlab cannot embed ("postscript
outlines are not supported"), so on a stock image the CID font is what is used. Either way the PDF's text
layer holds the Chinese text (the tests extract it with pypdf).
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from backend.common import parties
from backend.reviews import major
from backend.reviews.checklist import ITEM_RESULT_LABELS, REVIEW_KIND_LABELS, ItemResult
from backend.reviews.models import ReviewRound

logger = logging.getLogger(__name__)

TITLES = {
    "legal_review": "重大执法决定法制审核意见书",
    "case_review": "案件审核意见书",
}
OUTCOME_PROPOSAL_LABELS = {
    "penalty": "给予行政处罚",
    "no_penalty": "不予行政处罚",
    "transfer_judicial": "移送司法机关",
    "transfer_other": "移送其他部门",
}

TRUETYPE_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
)
CID_FALLBACK = "STSong-Light"


def _fmt_dt(value: Any) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%Y年%m月%d日 %H:%M}"


def _fmt_date(value: Any) -> str:
    return f"{value:%Y年%m月%d日}" if value else "—"


def _measures_text(measures: list[Any]) -> str:
    parts = []
    for entry in measures or []:
        if isinstance(entry, dict):
            code = next(iter(major.normalise_measures([entry])), "")
            label = major.MEASURE_LABELS.get(code, code)
            amount = entry.get("amount")
            detail = entry.get("detail") or ""
            text = label + (f" {amount} 元" if amount not in (None, "") else "") + (f"（{detail}）" if detail else "")
        else:
            code = next(iter(major.normalise_measures([entry])), str(entry))
            text = major.MEASURE_LABELS.get(code, code)
        parts.append(text)
    return "；".join(parts)


def _basis_text(basis: list[Any]) -> str:
    parts = []
    for entry in basis or []:
        if isinstance(entry, dict):
            law = str(entry.get("law", "")).strip()
            law = f"《{law.strip('《》')}》" if law else ""
            parts.append(f"{law}{entry.get('article', '')}".strip() or str(entry.get("text", "")))
        else:
            parts.append(str(entry))
    return "；".join(p for p in parts if p)


def opinion_document(round_: ReviewRound) -> dict[str, Any]:
    """Everything the opinion shows, from the round's frozen package and its recorded outcome."""
    package = round_.package or {}
    proposal = package.get("proposal") or {}
    party = package.get("party") or {}
    case_info = package.get("case") or {}
    reviewer = round_.completed_by or round_.reviewer
    party_type = party.get("type", "")
    try:  # packages frozen before API 1.1 say "person"
        party_label = parties.LABELS[parties.parse_party_type(party_type)]
    except ValueError:
        party_label = party_type
    items = [
        {
            "code": e.code,
            "title": e.title,
            "result": e.result,
            "result_label": ITEM_RESULT_LABELS.get(ItemResult(e.result), "") if e.result else "未填写",
            "note": e.note,
        }
        for e in round_.checklist.all()
    ]
    from backend.reviews.services import CORRECTION_ASPECTS

    return {
        "title": TITLES.get(round_.kind, "审核意见书"),
        "kind_label": REVIEW_KIND_LABELS.get(round_.kind, round_.kind),
        "agency_name": round_.agency.name,
        "opinion_number": round_.opinion_number or "（未出具）",
        "case_title": case_info.get("title") or round_.case.title,
        "case_number": case_info.get("case_number") or round_.case.case_number,
        "round_number": round_.number,
        "post_hearing": round_.post_hearing,
        "party_name": party.get("name", ""),
        "party_type_label": party_label,
        "handlers": "、".join(h.get("name", "") for h in package.get("handling_officers", [])),
        "submitted_by": str(round_.submitted_by),
        "submitted_at": _fmt_dt(round_.submitted_at),
        # A provisional limit says so on the page (issue 13 §1: the date, that it is provisional, and why).
        "due_on": _fmt_date(round_.due_on)
        + ("（暂定：所涉年度国务院节假日安排尚未录入，按最早的可能日期计算）" if round_.due_provisional else ""),
        "proposal_outcome": OUTCOME_PROPOSAL_LABELS.get(proposal.get("outcome", "penalty"), proposal.get("outcome")),
        "measures": _measures_text(proposal.get("measures") or []),
        "fine_amount": proposal.get("fine_amount"),
        "confiscation_amount": proposal.get("confiscation_amount"),
        "legal_basis": _basis_text(package.get("legal_basis") or []),
        "major_reasons": [
            r.get("text", "") + (f"（{r['source']}）" if r.get("source") else "") for r in round_.major_reasons or []
        ],
        "items": items,
        "outcome": round_.outcome,
        "outcome_label": round_.get_outcome_display() if round_.outcome else "尚未出具审核意见",
        "opinion_text": round_.opinion_text,
        "correction_points": [
            {
                "aspect_label": CORRECTION_ASPECTS.get(p.get("aspect", ""), p.get("aspect", "")),
                "text": p.get("text", ""),
            }
            for p in round_.correction_points or []
        ],
        "reviewer": str(reviewer) if reviewer else "—",
        "reviewer_qualification": getattr(reviewer, "legal_qualification_no", "") if reviewer else "",
        "completed_on": _fmt_date(timezone.localtime(round_.completed_at) if round_.completed_at else None),
        "package_sha256": round_.package_sha256,
        "evidence_count": len(round_.evidence_manifest or []),
        "opinion_sha256": round_.opinion_sha256 or "—",
    }


def render_opinion_html(round_: ReviewRound) -> str:
    return render_to_string("reviews/opinion.html", {"doc": opinion_document(round_)})


# --------------------------------------------------------------------------- PDF


@lru_cache(maxsize=1)
def pdf_font() -> str:
    """Register and return the font name used for the PDF (see the module docstring)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    candidates: list[tuple[str, int]] = []
    configured = getattr(settings, "REVIEW_PDF_FONT", "")
    if configured:
        candidates.append((str(configured), int(getattr(settings, "REVIEW_PDF_FONT_INDEX", 0))))
    candidates.extend(TRUETYPE_CANDIDATES)
    for path, index in candidates:
        try:
            pdfmetrics.registerFont(TTFont("ReviewCJK", path, subfontIndex=index))
        except (TTFError, OSError, KeyError, ValueError) as exc:
            logger.debug("font %s not usable for PDF: %s", path, exc)
            continue
        return "ReviewCJK"
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK


def render_opinion_pdf(round_: ReviewRound) -> bytes:
    """The opinion as an A4 PDF with a Chinese text layer."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    doc = opinion_document(round_)
    font = pdf_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444"))
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4)
    agency = ParagraphStyle("agency", parent=base, fontSize=14, leading=20, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    section = ParagraphStyle("section", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)

    def p(text: Any, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(str(text if text not in (None, "") else "—")).replace("\n", "<br/>"), style)

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ]
    )
    width = A4[0] - 4.4 * cm
    story: list[Any] = [
        p(doc["agency_name"], agency),
        p(doc["title"], title),
        p(doc["opinion_number"], right),
        Spacer(1, 6),
    ]
    head = [
        [p("案件名称"), p(doc["case_title"])],
        [p("案号"), p(doc["case_number"])],
        [
            p("审核类别"),
            p(f"{doc['kind_label']}（第{doc['round_number']}轮{'，听证后审核' if doc['post_hearing'] else ''}）"),
        ],
        [p("当事人"), p(f"{doc['party_name']}（{doc['party_type_label']}）")],
        [p("承办人员"), p(doc["handlers"])],
        [p("送审时间"), p(f"{doc['submitted_at']}（送审人：{doc['submitted_by']}）")],
        [p("审核期限"), p(doc["due_on"])],
    ]
    story.append(Table(head, colWidths=[3 * cm, width - 3 * cm], style=grid))
    story.append(p("一、拟作出的决定", section))
    proposal_rows = [
        [p("处理结果"), p(doc["proposal_outcome"])],
        [p("处罚内容"), p(doc["measures"])],
        [p("罚款金额"), p(f"{doc['fine_amount']} 元" if doc["fine_amount"] else "—")],
        [p("没收金额"), p(f"{doc['confiscation_amount']} 元" if doc["confiscation_amount"] else "—")],
        [p("法律依据"), p(doc["legal_basis"])],
    ]
    story.append(Table(proposal_rows, colWidths=[3 * cm, width - 3 * cm], style=grid))
    n = 2
    numerals = "一二三四五"
    if doc["major_reasons"]:
        story.append(p(f"{numerals[n - 1]}、重大执法决定认定理由", section))
        for i, reason in enumerate(doc["major_reasons"], start=1):
            story.append(p(f"{i}. {reason}"))
        n += 1
    story.append(p(f"{numerals[n - 1]}、审核内容", section))
    rows = [[p("序号"), p("审核事项"), p("结论"), p("说明")]]
    for i, item in enumerate(doc["items"], start=1):
        rows.append([p(i), p(item["title"]), p(item["result_label"]), p(item["note"] or "")])
    checklist = Table(rows, colWidths=[1.2 * cm, 6.3 * cm, 1.8 * cm, width - 9.3 * cm], repeatRows=1)
    checklist.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
            ]
        )
    )
    story.append(checklist)
    n += 1
    story.append(p(f"{numerals[n - 1]}、审核意见", section))
    story.append(p(f"审核结论：{doc['outcome_label']}"))
    story.append(p(doc["opinion_text"]))
    if doc["correction_points"]:
        story.append(p("需纠正的事项："))
        for i, point in enumerate(doc["correction_points"], start=1):
            story.append(p(f"{i}. {point['aspect_label']}：{point['text']}"))
    story.append(Spacer(1, 18))
    qualification = f"（法律职业资格证书编号 {doc['reviewer_qualification']}）" if doc["reviewer_qualification"] else ""
    story.append(p(f"审核人员：{doc['reviewer']}{qualification}", right))
    story.append(p(doc["agency_name"], right))
    story.append(p(doc["completed_on"], right))
    story.append(Spacer(1, 18))
    story.append(p(f"送审材料摘要（SHA-256）：{doc['package_sha256']}；证据 {doc['evidence_count']} 件", small))
    story.append(p(f"意见书内容摘要（SHA-256）：{doc['opinion_sha256']}", small))

    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2.5 * cm,
        bottomMargin=2.2 * cm,
        title=f"{doc['title']} {doc['opinion_number']}",
        author=doc["agency_name"],
        subject=doc["case_title"],
        invariant=1,
    )
    pdf.build(story)
    return buffer.getvalue()
