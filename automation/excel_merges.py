"""The cells merged down in the open ledger, asked from Excel in few calls.

Excel hands the values of a merged area to the upper-left cell only: in a ledger where one
承办科室 is written once and merged down over a group of items, the other rows arrive empty.
The file path fills them from the file's merge list (``ledger.fill_merged_down``); here the
same areas are asked from Excel, so both paths give the same figures.

Each call to Excel costs about a millisecond, so only what can be a merge is asked:
* only below the header, and only in a column where an empty cell sits under a filled one
  (the only shape a merged-down value leaves in the values): usually a few columns;
* one ``MergeCells`` call per such column (False, the common case, ends it there);
* in a column that does hold merges, one ``MergeArea`` and one ``Address`` call per run of
  empty cells under a filled one.
Everything goes through xlwings members its Windows backend implements (``merge_cells``,
``merge_area``, ``address``).
"""

from __future__ import annotations

import re
from typing import Any, Callable

CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")

Area = tuple[tuple[int, int], tuple[int, int]]


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def merge_candidates(values: list[list[Any]], first_data_row: int) -> dict[int, list[int]]:
    """{column index: [row index of each filled cell with an empty cell right below it]},
    0-based in the grid, from `first_data_row` down: the only places a merged-down area can
    start."""
    candidates: dict[int, list[int]] = {}
    width = max((len(row) for row in values), default=0)
    for column in range(width):
        tops = []
        for index in range(first_data_row, len(values) - 1):
            row, below = values[index], values[index + 1]
            here = row[column] if column < len(row) else None
            under = below[column] if column < len(below) else None
            if not _empty(here) and _empty(under):
                tops.append(index)
        if tops:
            candidates[column] = tops
    return candidates


def parse_area(address: str) -> tuple[int, int, int, int]:
    """'$E$5:$E$7' (or '$E$5') → (first row, first column, last row, last column), 1-based."""
    cells = []
    for match in CELL.finditer(address.split(",")[0]):
        column = 0
        for letter in match.group(1):
            column = column * 26 + ord(letter) - 64
        cells.append((int(match.group(2)), column))
    (first_row, first_column), (last_row, last_column) = cells[0], cells[-1]
    return first_row, first_column, last_row, last_column


def read_merged_down(sheet, values: list[list[Any]], first_row: int, first_column: int,
                     first_data_row: int) -> list[Area]:
    """The areas merged down one column below the header of an open sheet (an xlwings Sheet
    whose used range starts at Excel row `first_row`, column `first_column` and holds
    `values`), as ((top, left), (bottom, right)) 0-based in `values`, the shape
    ``ledger.parse_grid`` takes."""
    return find_merged_down(
        values, first_data_row,
        column_has_merges=lambda column: sheet.range(
            (first_row + first_data_row, first_column + column),
            (first_row + len(values) - 1, first_column + column)).merge_cells is not False,
        merge_area_of=lambda row, column: sheet.range((first_row + row, first_column + column)).merge_area.address,
        offset=(first_row, first_column),
    )


def find_merged_down(values: list[list[Any]], first_data_row: int, column_has_merges: Callable[[int], bool],
                     merge_area_of: Callable[[int, int], str], offset: tuple[int, int]) -> list[Area]:
    """The search of read_merged_down with Excel's two questions passed in: whether a column
    (below the header) holds merged cells, and the address of the merged area of a cell."""
    areas: list[Area] = []
    if len(values) - first_data_row < 2:
        return areas
    for column, tops in merge_candidates(values, first_data_row).items():
        if not column_has_merges(column):
            continue
        for row in tops:
            top, left, bottom, right = parse_area(merge_area_of(row, column))
            if bottom > top and left == right:
                areas.append(((top - offset[0], left - offset[1]), (bottom - offset[0], right - offset[1])))
    return areas
