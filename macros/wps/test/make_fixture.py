"""Write the fixtures of the add-in's Node tests: the service's answer for a ledger, and the
cells the file writer puts into the workbook for the same ledger (from
`automation.model.iter_cells`), so that `node --test macros/wps/test/` can check, cell by
cell, what the add-in writes into a stand-in WPS workbook.

    python macros/wps/test/make_fixture.py            # into macros/wps/test/fixtures/
    python macros/wps/test/make_fixture.py --large    # also overdue_5000.json (not committed)
    python macros/wps/test/make_fixture.py DIR --large

Fixtures, each {"today", "refreshed", "request", "answer", "expected"}:
  sample.json        examples/sample_ledger.xlsx as WPS reads it (UsedRange.Value2: dates as
                     serial numbers, empty cells as null)
  overdue_10.json    a synthetic ledger with 10 overdue items
  overdue_5000.json  the same ledger with 5,000 overdue items (--large; a test of call counts)

The date and the refresh time are fixed, so the files only change when the layout does
(tests/test_wps_addin.py checks that the committed ones are current).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from automation.config import Config  # noqa: E402
from automation.model import iter_cells  # noqa: E402
from automation.service import (  # noqa: E402
    SummaryRequest,
    cell_json,
    effective_style,
    range_address,
    render_chart,
    style_json,
    summary_answer,
)

TODAY = dt.date(2026, 6, 28)
REFRESHED = dt.datetime(2026, 6, 28, 9, 30)
SAMPLE = ROOT / "examples" / "sample_ledger.xlsx"
SAMPLE_SHEET = "台账"
SMALL, LARGE = 10, 5000
_EPOCH = dt.date(1899, 12, 30)


def serial(value: dt.date) -> float | int:
    """What Range.Value2 gives for a date (time) cell: the serial number."""
    day = value.date() if isinstance(value, dt.datetime) else value
    number = (day - _EPOCH).days
    if number < 61:
        number -= 1
    if isinstance(value, dt.datetime):
        return number + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return number


def value2(value: Any) -> Any:
    """A cell as python-calamine reads it -> as WPS's UsedRange.Value2 gives it."""
    if isinstance(value, (dt.date, dt.datetime)):
        return serial(value)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if value == "":
        return None
    return value


def workbook_grid(path: Path, sheet: str) -> list[list[Any]]:
    """A sheet's values from A1 as WPS would post them (python-calamine, skip_empty_area=False)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [[value2(cell) for cell in row] for row in rows]


def workbook_merges(path: Path, sheet: str) -> list[list[int]]:
    """A sheet's merged areas as the add-in posts them: [first row, first column, last row,
    last column], 1-based (python-calamine gives them 0-based)."""
    from python_calamine import CalamineWorkbook

    areas = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).merged_cell_ranges or []
    return sorted([top + 1, left + 1, bottom + 1, right + 1] for (top, left), (bottom, right) in areas)


HEADERS = ["编号", "类别", "案由", "提案人", "办理类型", "承办科室", "承办人", "分管领导", "交办日期", "办理时限",
           "办理状态", "答复日期", "满意度"]
SECTIONS = [("产业发展科", "刘洋", "王建国"), ("企业服务科", "陈静", "李红梅"), ("技术改造科", "孙涛", "王建国")]


def synthetic_grid(overdue: int) -> list[list[Any]]:
    """A ledger with `overdue` overdue items (half of them more than 30 days late) and a fixed
    number of completed, due-soon and faulty rows, so two sizes differ only in the overdue list."""
    rows: list[list[Any]] = [["合成台账（测试用）"] + [None] * (len(HEADERS) - 1), HEADERS]
    number = 0

    def add(role: str, deadline: dt.date, status: str, replied: dt.date | None = None, satisfaction: str = "",
            title: str | None = None) -> None:
        nonlocal number
        number += 1
        section, handler, leader = SECTIONS[number % len(SECTIONS)]
        rows.append([f"T{number:05d}", "政协提案" if number % 2 else "人大建议", title or f"关于第{number}项工作的建议",
                     f"委员{number % 17}", role, section, handler, leader, serial(deadline - dt.timedelta(days=90)),
                     serial(deadline), status, serial(replied) if replied else None, satisfaction or None])

    for index in range(overdue):  # days overdue from 1 to 60, most overdue first in the list
        add("主办", TODAY - dt.timedelta(days=1 + index * 59 // max(overdue - 1, 1)), "办理中")
    for index in range(6):
        add("主办", TODAY - dt.timedelta(days=20), "已办结", TODAY - dt.timedelta(days=25 + index),
            ["满意", "基本满意", "不满意"][index % 3])
    for index in range(4):
        add("协办", TODAY + dt.timedelta(days=1 + index), "办理中")
    add("主办", TODAY + dt.timedelta(days=40), "办理中", title="=HYPERLINK(\"http://example.com\")")
    add("协办", TODAY + dt.timedelta(days=50), "未办理", title="001")
    rows.append(["T99999", "政协提案", "关于日期无法识别的建议", "委员1", "主办", "产业发展科", "刘洋", "王建国",
                 "2026年13月45日", None, "办理中", None, None])
    return rows


def expected_sheets(model_sheets) -> list[dict[str, Any]]:
    """What the file writer puts into the workbook, cell by cell (from iter_cells)."""
    styles: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    result = []
    for sheet in model_sheets:
        cells = []
        for row, column, value, style, link in iter_cells(sheet):
            shown = style_json(effective_style(style, value))
            key = json.dumps(shown, sort_keys=True)
            if key not in index_of:
                index_of[key] = len(styles)
                styles.append(shown)
            cells.append([row, column, cell_json(value), index_of[key], link])
        result.append({
            "name": sheet.name,
            "cells": cells,
            "merges": sorted(range_address(a.first_row, a.first_column, a.last_row, a.last_column)
                             for a in sheet.merges
                             if (a.first_row, a.first_column) != (a.last_row, a.last_column)),
            "column_widths": sorted([c, float(w)] for c, w in sheet.column_widths.items()),
            "row_heights": sorted([r, float(h)] for r, h in sheet.row_heights.items()),
            "freeze_row": sheet.freeze_row,
            "tab_color": sheet.tab_color,
            "landscape": sheet.landscape,
            "fit_to_width": sheet.fit_to_width,
            "charts": [render_chart(chart) for chart in sheet.charts],
        })
    return {"styles": styles, "sheets": result}


def fixture(grid: list[list[Any]], sheet: str, merges: list[list[int]] | None = None) -> dict[str, Any]:
    from automation.analysis import analyse_grid
    from automation.summary import build_summary

    config = Config()  # the built-in defaults (config.ini says the same)
    merges = merges or []
    request = SummaryRequest(sheet, grid, TODAY, 1, 1, [tuple(area) for area in merges])
    answer = summary_answer(request, config, TODAY, REFRESHED)
    statistics = analyse_grid(grid, sheet, config, TODAY, merged_ranges=request.merged_ranges()).statistics
    model = build_summary(statistics, config, REFRESHED)
    return {
        "today": TODAY.isoformat(),
        "refreshed": REFRESHED.isoformat(timespec="minutes"),
        "request": {"sheet": sheet, "values": grid, "first_row": 1, "first_column": 1, "merges": merges},
        "answer": answer,
        "expected": expected_sheets(model.sheets),
    }


def write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def make(folder: Path, large: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    jobs = [("sample.json", lambda: fixture(workbook_grid(SAMPLE, SAMPLE_SHEET), SAMPLE_SHEET,
                                            workbook_merges(SAMPLE, SAMPLE_SHEET))),
            (f"overdue_{SMALL}.json", lambda: fixture(synthetic_grid(SMALL), "合成台账"))]
    if large:
        jobs.append((f"overdue_{LARGE}.json", lambda: fixture(synthetic_grid(LARGE), "合成台账")))
    for name, build in jobs:
        write(folder / name, build())
        written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=HERE / "fixtures")
    parser.add_argument("--large", action="store_true", help=f"also write overdue_{LARGE}.json")
    args = parser.parse_args(argv)
    for path in make(args.folder, args.large):
        print(path)


if __name__ == "__main__":
    main()
