"""Lay the statistics out as the owned sheets (the summary model). Pure: no I/O, no clock.

This is the only place the generated sheets are laid out; the file writer, the live xlwings
writer and the WPS service all render what `build_summary` returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from automation import messages as m
from automation.config import Config
from automation.model import Area, Block, Chart, Series, SheetModel, SummaryModel, quote_sheet
from automation.report_text import report_sentences
from automation.stats import Statistics

OWNED_SHEETS = (m.SHEET_SUMMARY, m.SHEET_SECTIONS, m.SHEET_OVERDUE, m.SHEET_DUE_SOON, m.SHEET_PROBLEMS)
#: Owned sheets a run adds when it has them (进展 needs the ledger's history).
OWNED_SHEETS += (m.SHEET_PROGRESS,)
LONG_OVERDUE_DAYS = 30

SECTION_COLUMNS = [
    ("total", "int"), ("lead", "int"), ("assisting", "int"), ("completed", "int"), ("in_progress", "int"),
    ("overdue", "int"), ("due_soon", "int"), ("on_time", "int"), ("late", "int"),
    ("completion_rate", "percent"), ("on_time_rate", "percent"), ("rated", "int"), ("satisfied", "int"),
    ("basically_satisfied", "int"), ("unsatisfied", "int"), ("satisfaction_rate", "percent"),
    ("face_to_face_rate", "percent"), ("adoption_rate", "percent"),
]
GROUP_COLUMNS = [
    ("total", "int"), ("completed", "int"), ("in_progress", "int"), ("overdue", "int"), ("due_soon", "int"),
    ("completion_rate", "percent"), ("on_time_rate", "percent"), ("satisfaction_rate", "percent"),
]
HEADLINE_COUNTS = ["total", "lead", "assisting", "key_items", "completed", "in_progress", "overdue", "due_soon",
                   "on_time", "late", "unsatisfied"]
HEADLINE_RATES = ["completion_rate", "on_time_rate", "satisfaction_rate", "satisfied_share", "face_to_face_rate",
                  "adoption_rate"]


def shown_rate(value: float | None) -> float | str:
    """A rate cell: the fraction (formatted as 0.0%), or '—' when the denominator is zero."""
    return m.NO_RATE if value is None else value


def _header_note(sheet: SheetModel, statistics: Statistics, refreshed: dt.datetime, width: int) -> None:
    note = m.GENERATED_NOTE.format(refreshed=refreshed.strftime("%Y-%m-%d %H:%M"),
                                   as_of=statistics.as_of.isoformat(), sheet=statistics.sheet)
    sheet.blocks.append(Block(1, 1, [[note]], ["note"]))
    sheet.merges.append(Area(sheet.name, 1, 1, 1, width))


def _title(sheet: SheetModel, text: str, width: int) -> None:
    sheet.blocks.append(Block(2, 1, [[text]], ["title"]))
    sheet.merges.append(Area(sheet.name, 2, 1, 2, width))
    sheet.row_heights[2] = 26


def _group_rows(groups: dict[str, dict[str, Any]], columns) -> list[list[Any]]:
    return [[label] + [shown_rate(f[key]) if style == "percent" else f[key] for key, style in columns]
            for label, f in groups.items()]


def _link(ledger_sheet: str, row: int, column: str = "A") -> str:
    return f"{quote_sheet(ledger_sheet)}!{column}{row}"


def summary_sheet(statistics: Statistics, config: Config, refreshed: dt.datetime, section_rows: int) -> SheetModel:
    """统计汇总: headline figures, tables by role and kind, key proposals, report sentences, charts."""
    sheet = SheetModel(m.SHEET_SUMMARY, tab_color="1F4E79")
    width = 9
    _header_note(sheet, statistics, refreshed, width)
    _title(sheet, m.SUMMARY_TITLE, width)
    totals = statistics.totals
    labels = m.STAT_LABELS
    row = 4
    sheet.blocks.append(Block(row, 1, [[m.SUMMARY_HEADLINE]], ["heading"]))
    row += 1
    sheet.blocks.append(Block(row, 1, [[m.INDICATOR, m.VALUE]], ["header", "header"]))
    counts = [[labels[key], totals[key]] for key in HEADLINE_COUNTS]
    counts += [[f"{letter}类", count] for letter, count in totals["reply_classes"].items()]
    sheet.blocks.append(Block(row + 1, 1, counts, ["label", "int"]))
    row += 1 + len(counts)
    rates = [[labels[key], shown_rate(totals[key])] for key in HEADLINE_RATES]
    sheet.blocks.append(Block(row, 1, rates, ["label", "percent"]))
    row += len(rates) + 1

    # Satisfaction split, the pie chart's source.
    sheet.blocks.append(Block(row, 1, [[m.SUMMARY_SATISFACTION, m.VALUE]], ["header", "header"]))
    split = [[labels[key], totals[key]] for key in ("satisfied", "basically_satisfied", "unsatisfied")]
    sheet.blocks.append(Block(row + 1, 1, split, ["label", "int"]))
    pie_area = (row + 1, row + 3)
    row += 5

    for title, dimension, header in ((m.SUMMARY_BY_ROLE, "role", "办理类型"), (m.SUMMARY_BY_KIND, "kind", "类别")):
        sheet.blocks.append(Block(row, 1, [[title]], ["heading"]))
        sheet.blocks.append(Block(row + 1, 1, [[header] + [labels[key] for key, _ in GROUP_COLUMNS]],
                                  ["header"] * (len(GROUP_COLUMNS) + 1)))
        group_rows = _group_rows(statistics.groups[dimension], GROUP_COLUMNS)
        sheet.blocks.append(Block(row + 2, 1, group_rows, ["label"] + [s for _, s in GROUP_COLUMNS]))
        row += 3 + len(group_rows)

    sheet.blocks.append(Block(row, 1, [[m.SUMMARY_KEY_ITEMS]], ["heading"]))
    row += 1
    if statistics.key_items:
        sheet.blocks.append(Block(row, 1, [m.HEADERS_KEY_ITEMS], ["header"] * len(m.HEADERS_KEY_ITEMS)))
        key_rows = [[item["id"], item["title"], item["proposer"], item["section"], item["handler"],
                     item["deadline"], item["status"]] for item in statistics.key_items]
        sheet.blocks.append(Block(row + 1, 1, key_rows, ["link", "wrap", "text", "text", "text", "date", "text"],
                                  links=[_link(item.get("sheet") or statistics.sheet, item["row"])
                                         for item in statistics.key_items]))
        row += 2 + len(key_rows)
    else:
        sheet.blocks.append(Block(row, 1, [[m.SUMMARY_NO_KEY_ITEMS]], ["empty"]))
        row += 2

    sheet.blocks.append(Block(row, 1, [[m.SUMMARY_SENTENCES]], ["heading"]))
    row += 1
    for label, sentence in report_sentences(statistics, config).as_list():
        sheet.blocks.append(Block(row, 1, [[label, sentence]], ["label", "paragraph"]))
        sheet.merges.append(Area(sheet.name, row, 2, row, width))
        sheet.row_heights[row] = 15 * max(2, len(sentence) // 60 + 1)
        row += 1

    sheet.column_widths = {1: 16, 2: 12, 3: 12, 4: 12, 5: 12, 6: 12, 7: 12, 8: 12, 9: 12}
    sections = Area(m.SHEET_SECTIONS, 5, 1, 4 + section_rows, 1)
    series = [
        Series(m.STAT_LABELS[key], Area(m.SHEET_SECTIONS, 5, column, 4 + section_rows, column), color)
        for key, column, color in (("completed", 5, "70AD47"), ("in_progress", 6, "5B9BD5"), ("overdue", 7, "E74C3C"))
    ]
    if section_rows:
        sheet.charts.append(Chart("bar_stacked", m.CHART_PROGRESS, sections, series, anchor_row=4, anchor_column=11,
                                  width_columns=9, height_rows=max(14, section_rows + 6)))
    sheet.charts.append(Chart(
        "pie", m.CHART_SATISFACTION, Area(sheet.name, pie_area[0], 1, pie_area[1], 1),
        [Series(m.SUMMARY_SATISFACTION, Area(sheet.name, pie_area[0], 2, pie_area[1], 2))],
        anchor_row=max(20, section_rows + 12), anchor_column=11, width_columns=7, height_rows=14))
    return sheet


def sections_sheet(statistics: Statistics, refreshed: dt.datetime) -> SheetModel:
    """科室统计: one row per section with every figure, and a total row."""
    sheet = SheetModel(m.SHEET_SECTIONS, freeze_row=4, tab_color="2E75B6")
    width = len(SECTION_COLUMNS) + 1
    _header_note(sheet, statistics, refreshed, width)
    _title(sheet, m.SECTIONS_TITLE, width)
    header = ["承办科室"] + [m.STAT_LABELS[key] for key, _ in SECTION_COLUMNS]
    sheet.blocks.append(Block(4, 1, [header], ["header"] * width))
    styles = ["label"] + [style for _, style in SECTION_COLUMNS]
    rows = _group_rows(statistics.groups["section"], SECTION_COLUMNS)
    total = _group_rows({m.TOTAL_ROW: statistics.totals}, SECTION_COLUMNS)
    sheet.blocks.append(Block(5, 1, rows + total, styles, row_fills=[None] * len(rows) + ["total"]))
    sheet.column_widths = {1: 16, **{column: 9 for column in range(2, width + 1)}}
    return sheet


def _item_sheet(name: str, title: str, items, days_header: str, empty: str, statistics: Statistics,
                refreshed: dt.datetime, fill_of, tab_color: str) -> SheetModel:
    sheet = SheetModel(name, freeze_row=4, tab_color=tab_color)
    headers = m.HEADERS_ITEM_LIST + [days_header]
    _header_note(sheet, statistics, refreshed, len(headers))
    _title(sheet, title, len(headers))
    sheet.column_widths = {1: 14, 2: 44, 3: 14, 4: 10, 5: 10, 6: 12, 7: 10}
    if not items:
        sheet.blocks.append(Block(4, 1, [[empty]], ["empty"]))
        sheet.freeze_row = 0
        return sheet
    sheet.blocks.append(Block(4, 1, [headers], ["header"] * len(headers)))
    rows = [[item.id, item.title, item.section, item.handler, item.leader, item.deadline, item.days] for item in items]
    sheet.blocks.append(Block(
        5, 1, rows, ["link", "wrap", "text", "text", "text", "date", "int"],
        row_fills=[fill_of(item.days) for item in items],
        links=[_link(item.sheet, item.excel_row) for item in items],
    ))
    return sheet


def problems_sheet(statistics: Statistics, refreshed: dt.datetime) -> SheetModel:
    """数据问题: every problem record, linked to its cell in the ledger."""
    sheet = SheetModel(m.SHEET_PROBLEMS, freeze_row=4, tab_color="7F7F7F")
    headers = m.HEADERS_PROBLEMS
    _header_note(sheet, statistics, refreshed, len(headers))
    _title(sheet, m.PROBLEMS_TITLE, len(headers))
    sheet.column_widths = {1: 10, 2: 10, 3: 7, 4: 14, 5: 20, 6: 48, 7: 7}
    problems = statistics.problems
    if not problems:
        sheet.blocks.append(Block(4, 1, [[m.PROBLEMS_EMPTY]], ["empty"]))
        sheet.freeze_row = 0
        return sheet
    sheet.blocks.append(Block(4, 1, [headers], ["header"] * len(headers)))
    rows = [[p.cell or f"第{p.row}行", p.sheet, p.row, p.column, p.value, p.message, p.severity] for p in problems]
    quoted = {name: quote_sheet(name) for name in {p.sheet for p in problems}}  # a sheet or a few
    sheet.blocks.append(Block(
        5, 1, rows, ["link", "text", "int", "text", "text", "wrap", "text"],
        links=[f"{quoted[p.sheet]}!{_column_of(p.cell)}{p.row}" for p in problems],
    ))
    return sheet


def _column_of(cell: str) -> str:
    """The column letters of a cell reference ('Q12' -> 'Q'); 'A' when there are none."""
    return cell.rstrip("0123456789").lstrip("$").replace("$", "") or "A"


def build_summary(statistics: Statistics, config: Config, refreshed: dt.datetime,
                  extra_sheets: tuple[SheetModel, ...] | list[SheetModel] = ()) -> SummaryModel:
    """The five owned sheets for a set of statistics, as of `statistics.as_of`, then
    `extra_sheets` (e.g. 进展, laid out by automation.progress)."""
    section_rows = len(statistics.groups["section"])
    return SummaryModel([
        summary_sheet(statistics, config, refreshed, section_rows),
        sections_sheet(statistics, refreshed),
        _item_sheet(m.SHEET_OVERDUE, m.OVERDUE_TITLE, statistics.overdue_items, m.HEADER_DAYS_OVERDUE,
                    m.OVERDUE_EMPTY, statistics, refreshed,
                    lambda days: "overdue" if days > LONG_OVERDUE_DAYS else "overdue_light", "C00000"),
        _item_sheet(m.SHEET_DUE_SOON, m.DUE_SOON_TITLE.format(warn_days=config.warn_days), statistics.due_soon_items,
                    m.HEADER_DAYS_LEFT, m.DUE_SOON_EMPTY.format(warn_days=config.warn_days), statistics, refreshed,
                    lambda days: "due_soon", "FFC000"),
        problems_sheet(statistics, refreshed),
        *extra_sheets,
    ])
