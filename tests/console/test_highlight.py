"""The side-by-side highlighting of the redaction report (pure; no database)."""

from __future__ import annotations

from backend.console.highlight import Segment, segments

TEXT = "当事人王小明，电话13912345678。"
PUBLIC = "当事人王某，电话×××。"
SPANS = [
    {"start": 3, "end": 6, "original": "王小明", "replacement": "王某", "out_start": 3, "out_end": 5,
     "reason": "自然人姓名", "category": "person_name"},
    {"start": 9, "end": 20, "original": "13912345678", "replacement": "×××", "out_start": 8, "out_end": 11,
     "reason": "手机号码", "category": "phone"},
]  # fmt: skip


def test_it_marks_each_mask_at_its_place_on_both_sides():
    original = segments(TEXT, SPANS, side="original")
    public = segments(PUBLIC, SPANS, side="public")
    assert "".join(s.text for s in original) == TEXT and "".join(s.text for s in public) == PUBLIC
    assert [(s.text, s.number) for s in original if s.masked] == [("王小明", 1), ("13912345678", 2)]
    assert [(s.text, s.reason) for s in public if s.masked] == [("王某", "自然人姓名"), ("×××", "手机号码")]


def test_a_kept_item_is_not_a_mask():
    kept = [{"start": 0, "end": 3, "original": "当事人", "replacement": "当事人", "out_start": 0, "out_end": 3}]
    assert segments(TEXT, kept, side="original") == [Segment(TEXT)]


def test_a_span_that_no_longer_matches_the_text_is_not_drawn_at_a_wrong_place():
    edited = "经查，当事人王某，电话×××。"  # edited after redaction: the offsets moved
    out = segments(edited, SPANS, side="public")
    assert "".join(s.text for s in out) == edited
    assert [s.text for s in out if s.masked] == []


def test_spans_at_the_edges_and_beyond_them():
    at_end = [{"start": 17, "end": 20, "original": "678", "replacement": "x", "out_start": 0, "out_end": 0}]
    assert [s.text for s in segments("0123456789abcdef678", at_end, side="original") if s.masked] == []  # end > len
    exact = [{"start": 16, "end": 19, "original": "678", "replacement": "x", "out_start": 0, "out_end": 0}]
    assert [s.text for s in segments("0123456789abcdef678", exact, side="original") if s.masked] == ["678"]
    removed = [{"start": 0, "end": 1, "original": "a", "replacement": "", "out_start": 0, "out_end": 0}]
    public = segments("bc", removed, side="public")
    assert public[0] == Segment("", True, "", "", 1) and public[1].text == "bc"


def test_an_empty_text_is_one_empty_segment():
    assert segments("", SPANS, side="public") == [Segment("")]
