"""Counting: rates, breakdowns that add up, key items, and blank values that stay blank."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from automation.analysis import analyse_file
from automation.config import Config
from automation.stats import rate
from tests.ledger_factory import STANDARD_KEYS, STANDARD_TODAY, headers_of, standard_rows, write_items, write_ledger

D = dt.date
T = D(2024, 6, 28)


def test_rate_rounds_to_four_places_and_is_none_without_denominator():
    assert rate(34, 46) == 0.7391
    assert rate(2, 3) == 0.6667
    assert rate(0, 5) == 0.0
    assert rate(0, 0) is None and rate(3, 0) is None


def test_breakdowns_add_up_to_the_totals(tmp_path: Path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows())
    statistics = analyse_file(path, Config(), STANDARD_TODAY).statistics
    totals = statistics.totals
    assert totals["completed"] + totals["overdue"] + totals["in_progress"] == totals["total"]
    for dimension in ("section", "role", "kind", "topic"):
        groups = statistics.groups[dimension]
        for key in ("total", "lead", "assisting", "completed", "overdue", "due_soon", "in_progress", "on_time", "late",
                    "rated", "completed_lead"):
            assert sum(g[key] for g in groups.values()) == totals[key], (dimension, key)
    # the STANDARD items have no 领域 column: one blank group holding everything
    assert list(statistics.groups["topic"]) == ["（未填写）"]
    assert statistics.groups["topic"]["（未填写）"]["on_time_rate"] == totals["on_time_rate"] == 0.5


def test_key_items_and_blank_values_stay_blank(tmp_path: Path):
    # Blank kind / status / role cells must come out as empty, never as NaN ("nan" in a sheet).
    path = tmp_path / "ledger.xlsx"
    write_items(path, [
        # key, completed by its reply date with a blank status: shown as 已办结
        {"id": "K1", "title": "一", "role": "主办", "section": "甲科", "key_item": "是", "assigned": D(2024, 1, 2),
         "replied": D(2024, 3, 1)},
        # key, overdue (deadline 04-02), blank kind
        {"id": "K2", "title": "二", "role": "主办", "section": "甲科", "key_item": "是", "assigned": D(2024, 1, 2)},
        # key, due soon (typed deadline 07-01), blank role
        {"id": "K3", "title": "三", "section": "乙科", "key_item": "是", "deadline": D(2024, 7, 1)},
        # key, open, blank status: 办理中
        {"id": "K4", "title": "四", "role": "协办", "section": "乙科", "key_item": "是", "assigned": D(2024, 6, 20),
         "kind": "人大建议"},
        {"id": "N1", "title": "五", "role": "主办", "section": "乙科", "key_item": "否", "assigned": D(2024, 6, 20)},
    ])
    analysis = analyse_file(path, Config(), T)
    statistics = analysis.statistics
    assert statistics.totals["key_items"] == 4
    assert [(k["id"], k["status"]) for k in statistics.key_items] == [
        ("K1", "已办结"), ("K2", "已逾期"), ("K3", "即将到期"), ("K4", "办理中")]
    flagged = statistics.overdue_items + statistics.due_soon_items
    assert [(i.id, i.kind, i.role) for i in flagged] == [("K2", "", "主办"), ("K3", "", "")]
    items = analysis.ledger.items
    for key in ("kind", "status", "role", "satisfaction", "reply_class"):
        values = list(items[key])
        assert not any(isinstance(v, float) and math.isnan(v) for v in values), key
    assert list(items["kind"]) == [None, None, None, "人大建议", None]
    assert list(items["status"]) == [None] * 5
