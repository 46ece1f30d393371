"""The cells merged down in the open ledger, asked from Excel in few calls.

Excel hands the value of a merged area to its upper-left cell only: in a ledger where one
承办科室 is written once and merged down over a group of items, the other rows arrive empty.
The file path fills them from the file's merge list (``ledger.fill_merged_down``); here the
same areas are asked from Excel, so both paths give the same figures.

Each call to Excel costs about a millisecond, so the search asks Excel's own summary first:
``Range.MergeCells`` of a column below the header is False (no merged cell: one call, the
common case), True (all merged) or Null (some). A Null range is halved until each part is
False or True; in a True part each merged area is read once (``MergeArea``, ``Address``).
A column without merges costs one call, a merged note row at the bottom about 2·log2(rows),
and each merged area two: no loop over the rows in Python, none per empty cell in Excel.
Everything goes through xlwings members its Windows backend implements (``merge_cells``,
``merge_area``, ``address``).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from automation.model import range_address

CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")

Area = tuple[tuple[int, int], tuple[int, int]]
Box = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


def parse_area(address: str) -> Box:
    """'$E$5:$E$7' (or '$E$5') → (5, 5, 7, 5)."""
    cells = []
    for match in CELL.finditer(address.split(",")[0]):
        column = 0
        for letter in match.group(1):
            column = column * 26 + ord(letter) - 64
        cells.append((int(match.group(2)), column))
    (first_row, first_column), (last_row, last_column) = cells[0], cells[-1]
    return first_row, first_column, last_row, last_column


def merged_areas_in_column(first: int, last: int, merge_cells: Callable[[int, int], bool | None],
                           merge_area: Callable[[int], Box]) -> list[Box]:
    """The merged areas that touch rows `first`..`last` of one column, found by halving.

    `merge_cells(top, bottom)` is Excel's MergeCells of those rows of the column (True,
    False, or None for some); `merge_area(row)` the merged area holding that row's cell."""
    found: dict[Box, None] = {}
    pending = [(first, last)]
    while pending:
        top, bottom = pending.pop()
        state = merge_cells(top, bottom)
        if state is False:
            continue
        if state is None and top < bottom:
            middle = (top + bottom) // 2
            pending += [(middle + 1, bottom), (top, middle)]
            continue
        row = top
        while row <= bottom:
            area = merge_area(row)
            found[area] = None
            row = max(area[2], row) + 1
    return list(found)


def read_merged_down(sheet, values: list[list[Any]], first_row: int, first_column: int,
                     first_data_row: int) -> list[Area]:
    """The areas merged down one column below the header of an open sheet (an xlwings Sheet
    whose used range starts at Excel row `first_row`, column `first_column` and holds
    `values`), as ((top, left), (bottom, right)) 0-based in `values`: the shape
    ``ledger.parse_grid`` takes."""
    top, last = first_row + first_data_row, first_row + len(values) - 1
    if last <= top:
        return []
    width = max((len(row) for row in values), default=0)
    areas: list[Area] = []
    for column in range(first_column, first_column + width):
        # An address ("E4:E10") is one call to Excel's Worksheet.Range; a pair of cells three.
        boxes = merged_areas_in_column(
            top, last,
            lambda a, b: sheet.range(range_address(a, column, b, column)).merge_cells,  # noqa: B023 - this iteration
            lambda row: parse_area(sheet.range(range_address(row, column, row, column)).merge_area.address),  # noqa: B023
        )
        for first_r, first_c, last_r, last_c in boxes:
            if first_c == last_c and last_r > first_r:
                areas.append(((first_r - first_row, first_c - first_column), (last_r - first_row, last_c - first_column)))
    return areas
