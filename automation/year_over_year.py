"""Year over year: the report's comparison with the same date of the previous year.

`ledger report LEDGER --previous 去年台账.xlsx`: the previous ledger is counted by the same
rules as of the same date one year earlier, and one sentence says how 件数 and the rates moved
(rates in percentage points, from the rates as printed: one decimal of a percent). Pure.
"""

from __future__ import annotations

import datetime as dt

from automation import messages as m
from automation.stats import Statistics, format_rate

RATES = ("completion_rate", "on_time_rate", "satisfaction_rate")


def previous_date(today: dt.date) -> dt.date:
    """The same date a year earlier (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def _points(value: float) -> float:
    return round(value * 100, 1)


def comparison_parts(current: Statistics, previous: Statistics) -> list[str]:
    """One clause per figure: 件数 增减, then 办结率、按时办结率、满意率 较上年 ± 个百分点."""
    now, before = current.totals, previous.totals
    diff = now["total"] - before["total"]
    if diff > 0:
        parts = [m.YOY_COUNT_UP.format(diff=diff, before=before["total"])]
    elif diff < 0:
        parts = [m.YOY_COUNT_DOWN.format(diff=-diff, before=before["total"])]
    else:
        parts = [m.YOY_COUNT_SAME.format(before=before["total"])]
    for key in RATES:
        label = m.STAT_LABELS[key]
        if now[key] is None or before[key] is None:
            parts.append(m.YOY_RATE_NONE.format(label=label))
            continue
        points = round(_points(now[key]) - _points(before[key]), 1)
        shown = format_rate(before[key])
        if points > 0:
            parts.append(m.YOY_RATE_UP.format(label=label, diff=f"{points:.1f}", before=shown))
        elif points < 0:
            parts.append(m.YOY_RATE_DOWN.format(label=label, diff=f"{-points:.1f}", before=shown))
        else:
            parts.append(m.YOY_RATE_SAME.format(label=label, before=shown))
    return parts


def comparison_sentence(current: Statistics, previous: Statistics) -> str:
    """与上年同期（2025年6月28日）相比：承办件数增加2件（上年6件）；办结率提高12.5个百分点（上年37.5%）；……。"""
    as_of = previous.as_of
    intro = m.YOY_INTRO.format(previous=f"{as_of.year}年{as_of.month}月{as_of.day}日")
    return intro + "；".join(comparison_parts(current, previous)) + "。"
