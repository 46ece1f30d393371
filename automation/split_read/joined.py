"""The grid joined from a big sheet's two halves, as the reader sees it (see
automation/split_read)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from automation.split_read.helper import Block


class HalfBook:
    """calamine's workbook of the first half-book, standing for the whole workbook (its
    shared strings are then read once): every other sheet is the file's own; the cut sheet,
    if ever asked for by name rather than through `early_read.take`, is parsed whole from the
    file's bytes, never from the half."""

    def __init__(self, book, data: bytes, sheet: str):
        self._book = book
        self._data = data
        self._sheet = sheet

    def __getattr__(self, name: str) -> Any:
        return getattr(self._book, name)

    def get_sheet_by_name(self, name: str) -> Any:
        if name == self._sheet:
            import python_calamine

            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self._data)).get_sheet_by_name(name)
        return self._book.get_sheet_by_name(name)

    def get_sheet_by_index(self, index: int) -> Any:
        return self.get_sheet_by_name(self._book.sheet_names[index])


@dataclass
class Prepared:
    """The first half's data rows as columns, and the first pass of the factorization of each
    column the reader will factorize (`distinct.first_rows_of`), made while the helper works."""

    start: int  # the first data row (below the header found)
    height: int
    columns: list[Any]
    firsts: dict[int, tuple]


def prepare(head: list[list[Any]], config) -> Prepared | None:
    """What the reader of the rows would do first with the first half, if the header is
    where `find_header` finds it with `config`: every column's first pass (a column the
    reader does not factorize costs a few milliseconds here); None when there is no header."""
    from automation.distinct import first_rows_of
    from automation.ledger import _columns_of, find_header

    header = find_header(head, config)
    if header is None:
        return None
    start = header[0][-1] + 1
    data_rows = head[start:]
    grid_columns = _columns_of(data_rows, len(head[0]) if head else 0)
    firsts = {}
    for index, column in enumerate(grid_columns):
        found = first_rows_of(column)
        if found is not None:
            firsts[index] = found
    return Prepared(start, len(data_rows), grid_columns, firsts)


class SplitGrid(list):
    """A grid whose first rows are lists (the first half, padded to the grid's width) and
    whose remaining rows are the helper's `Block` of columns (`rest`). Only the reader of the
    rows (`ledger._RowReader`) knows it; `materialize` gives plain rows to anything else."""

    rest: Block
    prepared: Prepared | None = None

    def prepared_for(self, start: int) -> Prepared | None:
        """The columns and first passes made for data rows from `start` (used once), if the
        reader's header is the one they were made for."""
        prepared, self.prepared = self.prepared, None
        if prepared is None or prepared.start != start or prepared.height != len(self) - start:
            return None
        return prepared

    def materialize(self) -> list[list[Any]]:
        import numpy as np

        rows = [list(row) for row in self]
        block = self.rest
        width = len(rows[0]) if rows else block.first_column + block.width
        columns = [block.values(index) for index in range(width)]
        if block.height:
            matrix = np.empty((block.height, width), dtype=object)
            for index, column in enumerate(columns):
                matrix[:, index] = column
            rows.extend(matrix.tolist())
        return rows


class SplitSheet:
    """Stands for calamine's sheet of the whole ledger: the first half parsed here and the
    second half from the helper, joined into the grid a whole parse gives."""

    def __init__(self, head: list[list[Any]], answer: tuple):
        """`head`: the first half's grid (calamine's to_python), made longer and wider here."""
        _, self.name, _, block, merged = answer
        self.merged_cell_ranges = merged
        width = max(len(head[0]) if head else 0, block.first_column + block.width if block.height else 0)
        if block.height and len(head) < block.first_row:
            head.extend([""] * width for _ in range(block.first_row - len(head)))
        if head and len(head[0]) < width:
            for row in head:
                row.extend([""] * (width - len(row)))
        self._grid = SplitGrid(head)
        self._grid.rest = block

    def to_python(self, skip_empty_area: bool = False, nrows: int | None = None):
        if skip_empty_area:
            raise ValueError("skip_empty_area")  # the reader never asks for it
        if nrows is None:
            return self._grid
        if nrows > len(self._grid) and self._grid.rest.height:
            return self._grid.materialize()[:nrows]
        return [list(row) for row in self._grid[:nrows]]
