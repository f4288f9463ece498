"""The charts of the annual statistics (public page and console): the numbers of
:func:`~backend.disclosures.selectors.annual_statistics` and :func:`~backend.disclosures.selectors.annual_series`
as bar charts — never a figure computed here."""

from __future__ import annotations

from typing import Any

from backend.common.charts import BarChart, bar_chart


def statistics_charts(stats: dict[str, Any], series: dict[str, Any]) -> list[BarChart]:
    months = series["months"]
    disclosures = stats["disclosures"]
    timeliness = [
        ("按期公示", disclosures["published_on_time"]),
        ("逾期公示", disclosures["published_late"]),
        ("逾期未公示", disclosures["unpublished_overdue"]),
        ("依法不予公开", disclosures["not_disclosed"]),
    ]
    return [
        bar_chart("每月立案（件）", [(f"{m['month']}月", m["registered"]) for m in months], unit="件"),
        bar_chart("每月作出决定（件）", [(f"{m['month']}月", m["decided"]) for m in months], unit="件"),
        bar_chart("处罚种类（件）", [(k["label"], k["count"]) for k in series["penalty_kinds"]], unit="件"),
        bar_chart("公示及时性（件）", timeliness, unit="件"),
        bar_chart("法制审核结果（次）", [(r["label"], r["count"]) for r in stats["reviews"]["by_outcome"]], unit="次"),
    ]
