"""The district summary workbook: the five summary sheets over all units, plus 单位统计 and
单位问题. Pure layout (a SummaryModel) from the combined statistics; the file writer renders it
like any summary, into a new workbook (the units' files are only read).

The summary sheets are those of `build_summary` (one code path), with two changes a workbook
without the units' sheets needs: no links into ledger sheets (they are in other files), and
逾期清单 / 即将到期 naming each item's unit, one row per proposal when the same 编号 is handled
by several units (主办 and 协办 of one proposal).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from automation import messages as m
from automation.config import Config
from automation.items import FlaggedItem
from automation.model import Area, Block, Chart, Series, SheetModel, SummaryModel
from automation.summary import LONG_OVERDUE_DAYS, SECTION_COLUMNS, _header_note, _title, build_summary, shown_rate

RANKED = ("completion_rate", "on_time_rate", "satisfaction_rate")
#: Columns of 单位统计: unit, file, every figure of 科室统计, then the ranks.
UNIT_FIRST_FIGURE_COLUMN = 3


def ranks(values: dict[str, float | None]) -> dict[str, int | None]:
    """Competition ranks, highest first (0.9, 0.8, 0.8, 0.5 -> 1, 2, 2, 4); None has no rank."""
    ordered = sorted((value for value in values.values() if value is not None), reverse=True)
    first = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {label: (first[value] if value is not None else None) for label, value in values.items()}


def unit_rows(statistics, unit_files: dict[str, str]) -> list[list[Any]]:
    """One row per unit: unit, file(s), every figure, and its three ranks."""
    units = statistics.groups["unit"]
    rank_of = {key: ranks({unit: figures[key] for unit, figures in units.items()}) for key in RANKED}
    rows = []
    for unit, figures in units.items():
        cells = [shown_rate(figures[key]) if style == "percent" else figures[key] for key, style in SECTION_COLUMNS]
        rank_cells = [rank_of[key][unit] if rank_of[key][unit] is not None else m.NO_RATE for key in RANKED]
        rows.append([unit, unit_files.get(unit, "")] + cells + rank_cells)
    return rows


def units_sheet(statistics, unit_files: dict[str, str], refreshed: dt.datetime) -> SheetModel:
    """单位统计: one row per unit with every figure and its ranks, a total row, and a chart of
    each unit's progress (已办结 / 办理中 / 已逾期)."""
    sheet = SheetModel(m.SHEET_UNITS, freeze_row=4, tab_color="375623")
    header = ([m.UNITS_HEADER_UNIT, m.UNITS_HEADER_FILE] + [m.STAT_LABELS[key] for key, _ in SECTION_COLUMNS]
              + [m.UNITS_RANK_HEADERS[key] for key in RANKED])
    width = len(header)
    _header_note(sheet, statistics, refreshed, width)
    _title(sheet, m.UNITS_TITLE, width)
    sheet.blocks.append(Block(4, 1, [header], ["header"] * width))
    rows = unit_rows(statistics, unit_files)
    totals = statistics.totals
    total = [m.TOTAL_ROW, ""] + [shown_rate(totals[key]) if style == "percent" else totals[key]
                                 for key, style in SECTION_COLUMNS] + ["", "", ""]
    styles = ["label", "text"] + [style for _, style in SECTION_COLUMNS] + ["int", "int", "int"]
    sheet.blocks.append(Block(5, 1, rows + [total], styles, row_fills=[None] * len(rows) + ["total"]))
    sheet.column_widths = {1: 18, 2: 18, **{column: 9 for column in range(3, width + 1)}}
    if rows:
        column_of = {key: UNIT_FIRST_FIGURE_COLUMN + index for index, (key, _) in enumerate(SECTION_COLUMNS)}
        categories = Area(sheet.name, 5, 1, 4 + len(rows), 1)
        series = [Series(m.STAT_LABELS[key], Area(sheet.name, 5, column_of[key], 4 + len(rows), column_of[key]), color)
                  for key, color in (("completed", "70AD47"), ("in_progress", "5B9BD5"), ("overdue", "E74C3C"))]
        sheet.charts.append(Chart("bar_stacked", m.CHART_UNITS_PROGRESS, categories, series,
                                  anchor_row=len(rows) + 7, anchor_column=1, width_columns=10,
                                  height_rows=max(14, len(rows) + 6)))
    return sheet


def unit_problems_sheet(statistics, refreshed: dt.datetime) -> SheetModel:
    """单位问题: each unit's data problems, naming the file, sheet, row and column (plain text:
    the cells are in other files, so nothing links outside this workbook)."""
    sheet = SheetModel(m.SHEET_UNIT_PROBLEMS, freeze_row=4, tab_color="7F7F7F")
    headers = m.HEADERS_UNIT_PROBLEMS
    _header_note(sheet, statistics, refreshed, len(headers))
    _title(sheet, m.UNIT_PROBLEMS_TITLE, len(headers))
    sheet.column_widths = {1: 16, 2: 18, 3: 10, 4: 7, 5: 8, 6: 14, 7: 18, 8: 44, 9: 7}
    if not statistics.problems:
        sheet.blocks.append(Block(4, 1, [[m.UNIT_PROBLEMS_EMPTY]], ["empty"]))
        sheet.freeze_row = 0
        return sheet
    sheet.blocks.append(Block(4, 1, [headers], ["header"] * len(headers)))
    rows = [[p.unit, p.file, p.sheet, p.row, p.cell, p.column, p.value, p.message, p.severity]
            for p in statistics.problems]
    sheet.blocks.append(Block(5, 1, rows, ["text", "text", "text", "int", "text", "text", "text", "wrap", "text"]))
    return sheet


def merge_by_id(items: list[FlaggedItem]) -> list[tuple[FlaggedItem, str]]:
    """Items of several units with the same 编号 (主办 and 协办 of one proposal) as one row:
    the first item (the most urgent, as the list is sorted) and all its units with their roles."""
    rows: list[tuple[FlaggedItem, list[FlaggedItem]]] = []
    by_id: dict[str, list[FlaggedItem]] = {}
    for item in items:
        if item.id and item.id in by_id:
            by_id[item.id].append(item)
            continue
        group = [item]
        if item.id:
            by_id[item.id] = group
        rows.append((item, group))
    result = []
    for first, group in rows:
        if len({member.unit for member in group}) > 1:
            units = "、".join(dict.fromkeys(
                m.DISTRICT_ROLE_JOINED.format(unit=member.unit, role=member.role) if member.role else member.unit
                for member in group))
        else:
            units = first.unit
        result.append((first, units))
    return result


def district_item_sheet(name: str, title: str, items: list[FlaggedItem], days_header: str, empty: str,
                        statistics, refreshed: dt.datetime, fill_of, tab_color: str) -> SheetModel:
    """逾期清单 / 即将到期 over all units: each row names its unit(s)."""
    sheet = SheetModel(name, freeze_row=4, tab_color=tab_color)
    headers = m.HEADERS_DISTRICT_ITEMS + [days_header]
    _header_note(sheet, statistics, refreshed, len(headers))
    _title(sheet, title, len(headers))
    sheet.column_widths = {1: 14, 2: 40, 3: 24, 4: 14, 5: 10, 6: 10, 7: 12, 8: 10}
    if not items:
        sheet.blocks.append(Block(4, 1, [[empty]], ["empty"]))
        sheet.freeze_row = 0
        return sheet
    merged = merge_by_id(items)
    sheet.blocks.append(Block(4, 1, [headers], ["header"] * len(headers)))
    rows = [[item.id, item.title, units, item.section, item.handler, item.leader, item.deadline, item.days]
            for item, units in merged]
    sheet.blocks.append(Block(5, 1, rows, ["text", "wrap", "wrap", "text", "text", "text", "date", "int"],
                              row_fills=[fill_of(item.days) for item, _ in merged]))
    return sheet


def district_problems_sheet(statistics, left_out: list[tuple[str, str]], refreshed: dt.datetime) -> SheetModel:
    """数据问题 of the district: the files left out (and why), and where the units' problems are."""
    sheet = SheetModel(m.SHEET_PROBLEMS, tab_color="7F7F7F")
    headers = m.DISTRICT_PROBLEMS_HEADERS
    _header_note(sheet, statistics, refreshed, 4)
    _title(sheet, m.DISTRICT_PROBLEMS_TITLE, 4)
    sheet.column_widths = {1: 30, 2: 80}
    row = 4
    if left_out:
        sheet.blocks.append(Block(row, 1, [headers], ["header", "header"]))
        sheet.blocks.append(Block(row + 1, 1, [list(pair) for pair in left_out], ["text", "wrap"]))
        row += 2 + len(left_out)
    else:
        sheet.blocks.append(Block(row, 1, [[m.DISTRICT_PROBLEMS_NONE_LEFT_OUT]], ["empty"]))
        row += 2
    sheet.blocks.append(Block(row, 1, [[m.DISTRICT_PROBLEMS_POINTER.format(count=len(statistics.problems))]],
                              ["empty"]))
    return sheet


def _without_links(sheet: SheetModel) -> SheetModel:
    """The sheet with no hyperlinks (their targets are ledger sheets of other files)."""
    blocks = [dataclasses.replace(block, links=None) for block in sheet.blocks]
    return dataclasses.replace(sheet, blocks=blocks)


def build_district_summary(district, config: Config, refreshed: dt.datetime) -> SummaryModel:
    """The sheets of the district workbook, in order: the five summary sheets over all units,
    then 单位统计 and 单位问题."""
    statistics = district.statistics
    base = build_summary(statistics, config, refreshed)
    unit_files: dict[str, list[str]] = {}
    for part in district.counted:
        for unit in part.counts.get("unit", {}):
            unit_files.setdefault(unit, []).append(part.file)
    files = {unit: "、".join(names) for unit, names in unit_files.items()}
    replaced = {
        m.SHEET_OVERDUE: district_item_sheet(
            m.SHEET_OVERDUE, m.OVERDUE_TITLE, statistics.overdue_items, m.HEADER_DAYS_OVERDUE, m.OVERDUE_EMPTY,
            statistics, refreshed, lambda days: "overdue" if days > LONG_OVERDUE_DAYS else "overdue_light",
            "C00000"),
        m.SHEET_DUE_SOON: district_item_sheet(
            m.SHEET_DUE_SOON, m.DUE_SOON_TITLE.format(warn_days=config.warn_days), statistics.due_soon_items,
            m.HEADER_DAYS_LEFT, m.DUE_SOON_EMPTY.format(warn_days=config.warn_days), statistics, refreshed,
            lambda days: "due_soon", "FFC000"),
        m.SHEET_PROBLEMS: district_problems_sheet(
            statistics, [(part.path, part.error) for part in district.left_out], refreshed),
    }
    sheets = [replaced.get(sheet.name) or _without_links(sheet) for sheet in base.sheets]
    sheets += [units_sheet(statistics, files, refreshed), unit_problems_sheet(statistics, refreshed)]
    return SummaryModel(sheets)


# --- writing the new workbook (I/O at the edge) ------------------------------------------------


def info_package(district) -> bytes:
    """A new workbook holding 汇总说明: which files were counted (unit, sheets, items) and which
    were left out and why. The summary sheets are then written into it by the file writer."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = m.SHEET_DISTRICT_INFO
    sheet.append([m.DISTRICT_INFO_TITLE])
    sheet.append([])
    sheet.append(m.DISTRICT_INFO_HEADERS)
    for part in district.parts:
        note = m.DISTRICT_INFO_COUNTED if part.error is None else part.error
        sheet.append([part.unit, part.path, part.sheets, part.items if part.error is None else None, note])
    for cell in sheet[1] + sheet[3]:
        cell.data_type = "s"
    for column, width in zip("ABCDE", (18, 40, 18, 8, 60)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check_output(output, sources) -> None:
    """Refuse an output that is one of the units' files, is not .xlsx, or is an existing file
    this assistant did not write (a user's workbook is never replaced)."""
    from pathlib import Path

    from automation.problems import LedgerError
    from automation.units import _is_generated_summary

    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise LedgerError(m.DISTRICT_OUTPUT_SUFFIX.format(path=output))
    if output.is_file() and _is_generated_summary(output.read_bytes()):
        return  # a previous summary (even inside the folder: it is not read as a unit)
    if any(output.resolve() == Path(source).resolve() for source in sources):
        raise LedgerError(m.DISTRICT_OUTPUT_IS_SOURCE.format(path=output))
    if output.exists():
        raise LedgerError(m.DISTRICT_OUTPUT_NOT_SUMMARY.format(path=output))


def write_district_workbook(district, config: Config, output, now: dt.datetime):
    """Write the district summary into a new workbook at `output` (atomically; a previous
    summary there is backed up). Returns the backup path or None."""
    from pathlib import Path

    from automation.safe_write import save_workbook
    from automation.xlsx import write_owned_sheets

    Path(output).parent.mkdir(parents=True, exist_ok=True)
    model = build_district_summary(district, config, now)
    data = write_owned_sheets(info_package(district), model)
    return save_workbook(output, data, backups=config.backups)
