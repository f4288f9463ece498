"""Bar charts as server-rendered SVG geometry (pure: no Django). Templates draw the rectangles; no script, no
external library, nothing for a CSP to refuse, and the same numbers are always given as a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    x: float  # left edge of the bar (after the label column)
    y: float
    width: float
    height: float
    text_x: float  # where the value is written
    text_y: float


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    unit: str

    @property
    def total(self) -> float:
        return sum(b.value for b in self.bars)

    @property
    def summary(self) -> str:
        """A text equivalent of the chart (its aria-label)."""
        parts = "，".join(f"{b.label} {_number(b.value)}{self.unit}" for b in self.bars)
        return f"{self.title}：{parts or '无数据'}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def bar_chart(title: str, items: Sequence[tuple[str, float]], *, unit: str = "", width: int = 560,
              bar_height: int = 22, gap: int = 8, label_width: int = 150) -> BarChart:  # fmt: skip
    """Horizontal bars scaled to the largest value; a zero or empty series draws no bar (never divides by 0)."""
    values = [max(float(v), 0.0) for _, v in items]
    top = max(values, default=0.0)
    value_room = 70  # room right of the longest bar for its number
    span = max(width - label_width - value_room, 1)
    bars = []
    for i, ((label, _), value) in enumerate(zip(items, values, strict=True)):
        length = span * value / top if top else 0.0
        y = gap + i * (bar_height + gap)
        bars.append(Bar(label=str(label), value=value, x=label_width, y=y, width=round(length, 2), height=bar_height,
                        text_x=round(label_width + length + 6, 2), text_y=y + bar_height * 0.72))  # fmt: skip
    height = gap + len(bars) * (bar_height + gap)
    return BarChart(title=title, bars=tuple(bars), width=width, height=max(height, bar_height + 2 * gap),
                    label_width=label_width, unit=unit)  # fmt: skip
