"""The 进展 sheet: the weekly trend (native line charts) and what changed since a week ago.

Pure: the snapshots (stored history plus the run being made) and the current analysis in,
a SheetModel out. Both writers render it like the other owned sheets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from automation import messages as m
from automation.history import Changes, Key, Snapshot, baseline, changes, merged, weekly
from automation.model import Area, Block, Chart, Series, SheetModel
from automation.summary import _header_note, _link, _title, shown_rate

WIDTH = 7
COUNT_SERIES = (("completed", "70AD47"), ("overdue", "E74C3C"))


def item_details(analysis, wanted: set[Key] | None = None) -> dict[Key, dict[str, Any]]:
    """{(id, section): the current row's fields} for the lists of the sheet and the bulletin
    (only the `wanted` keys, when given: a long ledger lists few of its rows)."""
    from automation.history import item_keys

    items = analysis.classified.items
    keys = item_keys(analysis)
    if wanted is not None:
        import numpy as np

        # a C-level membership pass over the 50,000 keys, then only the rows listed
        chosen = np.flatnonzero(np.fromiter(map(wanted.__contains__, keys), dtype=bool, count=len(keys)))
        keys = [keys[index] for index in chosen.tolist()]
    else:
        chosen = slice(None)
    columns = {name: items[name].to_numpy()[chosen].tolist() for name in (
        "id", "title", "section", "handler", "leader", "deadline_effective", "replied", "days_overdue",
        "excel_row", "on_time", "late")}
    details: dict[Key, dict[str, Any]] = {}
    for key, id_, title, section, handler, leader, deadline, replied, days, excel_row, on_time, late in zip(
            keys, *columns.values()):
        details.setdefault(key, {
            "id": str(id_), "title": title or "", "section": section or "", "handler": handler or "",
            "leader": leader or "", "deadline": deadline, "replied": replied,
            "days_overdue": int(days), "excel_row": int(excel_row),
            "on_time": bool(on_time), "late": bool(late),
        })
    return details


def _completion_word(detail: dict[str, Any]) -> str:
    if detail.get("on_time"):
        return m.PROGRESS_ON_TIME
    if detail.get("late"):
        return m.PROGRESS_LATE
    return m.PROGRESS_DONE


def overdue_rows(keys: list[Key], details: dict[Key, dict[str, Any]]) -> list[dict[str, Any]]:
    """The overdue items of `keys` as detail rows, longest overdue first."""
    rows = [details[key] for key in keys if key in details]
    return sorted(rows, key=lambda d: (-d["days_overdue"], d["excel_row"]))


def completed_rows(keys: list[Key], details: dict[Key, dict[str, Any]]) -> list[dict[str, Any]]:
    """The completed items of `keys` as detail rows, by section then ledger row."""
    rows = [details[key] for key in keys if key in details]
    return sorted(rows, key=lambda d: (d["section"], d["excel_row"]))


def section_changes(change: Changes, section_order: list[str]) -> list[list[Any]]:
    """One row per section that moved: 新办结, 其中按时, 其中超期, 新逾期, 仍逾期; then the total."""
    counts = change.by_section()
    order = [name for name in section_order if name in counts] + sorted(set(counts) - set(section_order))
    keys = ("newly_completed", "newly_on_time", "newly_late", "newly_overdue", "still_overdue")
    rows = [[name] + [counts[name][key] for key in keys] for name in order]
    rows.append([m.TOTAL_ROW] + [sum(counts[name][key] for name in order) for key in keys])
    return rows


def progress_sheet(history: list[Snapshot], current: Snapshot, analysis, refreshed: dt.datetime) -> SheetModel:
    """进展: the weekly trend of 已办结 / 已逾期 / 办结率 (table and two line charts), and the
    changes since the last snapshot a week or more before (by section, and the items)."""
    statistics = analysis.statistics
    sheet = SheetModel(m.SHEET_PROGRESS, tab_color="548235")
    _header_note(sheet, statistics, refreshed, WIDTH)
    _title(sheet, m.PROGRESS_TITLE, WIDTH)
    sheet.column_widths = {1: 14, 2: 36, 3: 14, 4: 10, 5: 10, 6: 12, 7: 10}
    # a refresh as of a past date shows the weeks up to that date only
    snapshots = merged([s for s in history if s.as_of <= current.as_of], current)
    points = weekly(snapshots)
    row = 4
    if len(points) < 2:
        sheet.blocks.append(Block(row, 1, [[m.PROGRESS_NO_HISTORY]], ["paragraph"]))
        sheet.merges.append(Area(sheet.name, row, 1, row, WIDTH))
        sheet.row_heights[row] = 45
        row += 2
    sheet.blocks.append(Block(row, 1, [[m.PROGRESS_TREND]], ["heading"]))
    sheet.blocks.append(Block(row + 1, 1, [m.PROGRESS_TREND_HEADER], ["header"] * len(m.PROGRESS_TREND_HEADER)))
    first = row + 2
    trend = [[p.as_of.isoformat(), p.figures.get("completed", 0), p.figures.get("overdue", 0),
              p.figures.get("in_progress", 0), shown_rate(p.figures.get("completion_rate")),
              m.HISTORY_RECONSTRUCTED if p.reconstructed else m.HISTORY_KEPT] for p in points]
    sheet.blocks.append(Block(first, 1, trend, ["text", "int", "int", "int", "percent", "text"]))
    last = first + len(trend) - 1
    if len(points) >= 2:
        categories = Area(sheet.name, first, 1, last, 1)
        counts = [Series(m.STAT_LABELS[key], Area(sheet.name, first, column, last, column), color)
                  for (key, color), column in zip(COUNT_SERIES, (2, 3))]
        sheet.charts.append(Chart("line", m.PROGRESS_CHART_COUNTS, categories, counts,
                                  anchor_row=4, anchor_column=9, width_columns=8, height_rows=15))
        sheet.charts.append(Chart("line_percent", m.PROGRESS_CHART_RATE, categories,
                                  [Series(m.STAT_LABELS["completion_rate"], Area(sheet.name, first, 5, last, 5),
                                          "5B9BD5")],
                                  anchor_row=20, anchor_column=9, width_columns=8, height_rows=15))
    row = last + 2

    base = baseline([s for s in snapshots if s.as_of < current.as_of], current.as_of)
    if base is None:
        sheet.blocks.append(Block(row, 1, [[m.PROGRESS_NO_BASELINE]], ["heading"]))
        return sheet
    change = changes(base, current)
    sheet.blocks.append(Block(row, 1, [[m.PROGRESS_CHANGES.format(
        then=base.as_of.isoformat(), days=(current.as_of - base.as_of).days)]], ["heading"]))
    row += 1
    header = m.PROGRESS_BY_SECTION_HEADER
    sheet.blocks.append(Block(row, 1, [header], ["header"] * len(header)))
    rows = section_changes(change, list(statistics.groups["section"]))
    sheet.blocks.append(Block(row + 1, 1, rows, ["label"] + ["int"] * 5,
                              row_fills=[None] * (len(rows) - 1) + ["total"]))
    row += len(rows) + 2

    details = item_details(analysis, set(change.newly_completed) | set(change.newly_overdue)
                           | set(change.still_overdue))
    ledger_sheet = statistics.sheet
    done = completed_rows(change.newly_completed, details)
    row = _item_list(sheet, row, m.PROGRESS_NEW_COMPLETED.format(count=len(change.newly_completed)),
                     m.PROGRESS_COMPLETED_HEADER,
                     [[d["id"], d["title"], d["section"], d["handler"], d["replied"], _completion_word(d)]
                      for d in done],
                     ["link", "wrap", "text", "text", "date", "text"],
                     [_link(ledger_sheet, d["excel_row"]) for d in done])
    for title, keys in ((m.PROGRESS_NEW_OVERDUE.format(count=len(change.newly_overdue)), change.newly_overdue),
                        (m.PROGRESS_STILL_OVERDUE.format(count=len(change.still_overdue)), change.still_overdue)):
        late = overdue_rows(keys, details)
        row = _item_list(sheet, row, title, m.PROGRESS_OVERDUE_HEADER,
                         [[d["id"], d["title"], d["section"], d["handler"], d["leader"], d["deadline"],
                           d["days_overdue"]] for d in late],
                         ["link", "wrap", "text", "text", "text", "date", "int"],
                         [_link(ledger_sheet, d["excel_row"]) for d in late])
    return sheet


def _item_list(sheet: SheetModel, row: int, title: str, header: list[str], rows: list[list[Any]],
               styles: list[str], links: list[str]) -> int:
    sheet.blocks.append(Block(row, 1, [[title]], ["heading"]))
    if not rows:
        sheet.blocks.append(Block(row + 1, 1, [[m.PROGRESS_NONE]], ["empty"]))
        return row + 3
    sheet.blocks.append(Block(row + 1, 1, [header], ["header"] * len(header)))
    sheet.blocks.append(Block(row + 2, 1, rows, styles, links=links))
    return row + 3 + len(rows)
