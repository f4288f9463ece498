"""Server-rendered bar charts (pure geometry)."""

from __future__ import annotations

from backend.common.charts import bar_chart


def test_bars_scale_to_the_largest_value_and_keep_room_for_the_numbers():
    chart = bar_chart("每月立案", [("1月", 2), ("2月", 4), ("3月", 0)], unit="件", width=560, label_width=150)
    longest = 560 - 150 - 70
    assert [b.width for b in chart.bars] == [longest / 2, longest, 0]
    assert chart.bars[1].text_x == 150 + longest + 6 and chart.bars[0].y < chart.bars[1].y < chart.bars[2].y
    assert chart.summary == "每月立案：1月 2件，2月 4件，3月 0件" and chart.total == 6


def test_an_all_zero_or_empty_series_draws_no_bar_and_never_divides_by_zero():
    assert [b.width for b in bar_chart("x", [("a", 0), ("b", 0)]).bars] == [0, 0]
    empty = bar_chart("处罚种类", [])
    assert empty.bars == () and empty.height > 0 and empty.summary == "处罚种类：无数据"
    assert bar_chart("x", [("a", -3)]).bars[0].value == 0  # a negative count is not drawn backwards
