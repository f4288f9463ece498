"""Cut a text into plain and masked segments from the redaction report, for side-by-side highlighting.

Pure: no Django. The spans come from ``backend.redaction.RedactionSpan.to_dict``: ``start``/``end``
locate the item in the original, ``out_start``/``out_end`` its replacement in the public text. A span is
used only where the text still holds exactly what the span says (an edit after redaction moves the public
text; such spans are listed, not drawn at a wrong place).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FIELD_LABELS = {
    "party_name": "当事人名称",
    "party_address": "住所",
    "legal_representative": "法定代表人",
    "violation_type": "违法行为类型",
    "facts": "违法事实",
    "legal_basis": "处罚依据",
    "penalty_content": "处罚内容",
    "licence_info": "证照信息",
    "full_text": "决定书全文",
    "remarks": "备注",
}


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    masked: bool = False
    reason: str = ""
    category: str = ""
    number: int = 0  # 1-based position among the field's masks (links a mark to its reason)


def segments(text: str, spans: Iterable[Mapping[str, Any]], *, side: str) -> list[Segment]:
    """``text`` as segments; ``side`` is ``"original"`` or ``"public"``. Kept items are not masks."""
    start_key, end_key, expect_key = (
        ("start", "end", "original") if side == "original" else ("out_start", "out_end", "replacement")
    )
    marks = []
    number = 0
    for span in spans:
        if span.get("original") == span.get("replacement"):
            continue
        number += 1
        start, end = span.get(start_key), span.get(end_key)
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(text):
            continue
        if text[start:end] != span.get(expect_key):
            continue
        marks.append((start, end, span, number))
    marks.sort(key=lambda m: m[0])
    out: list[Segment] = []
    pos = 0
    for start, end, span, n in marks:
        if start < pos:
            continue  # overlapping spans: the first one wins
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], True, str(span.get("reason", "")), str(span.get("category", "")), n))
        pos = end
    if pos < len(text) or not out:
        out.append(Segment(text[pos:]))
    return out
