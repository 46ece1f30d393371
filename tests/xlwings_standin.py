"""A stand-in for an Excel workbook driven through xlwings (Excel does not run on Linux).

It follows xlwings' real API for exactly the calls the live writer and automation.excel make
(`Book.sheets`, `Sheets.add(name, after=)`, `Sheet.range((r, c), (r, c))` / `range("A1:B2,C1:C2")`,
`Range.value` / `options(ndim=2)` / `number_format` / `color` / `font` / `wrap_text` /
`column_width` / `row_height` / `merge()` / `add_hyperlink()` / `left` / `top`,
`Sheet.charts.add(left, top, width, height)`, `Chart.chart_type` / `set_source_data` / `title`,
`Sheet.freeze_panes.freeze_at`, `App.screen_updating` / `status_bar` / `alert`), holds cell
contents like Excel would, and counts the calls so tests can check how many reach Excel.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def _split_address(address: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", address.upper())
    letters, row = match.group(1), int(match.group(2))
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return row, column


@dataclass
class CellState:
    value: Any = None
    number_format: str = "General"
    color: tuple[int, int, int] | None = None
    bold: bool = False
    italic: bool = False
    size: float = 11.0
    font_color: tuple[int, int, int] | None = None
    wrap: bool = False
    hyperlink: str | None = None


class Font:
    def __init__(self, range_: "Range"):
        self._range = range_

    def _set(self, attribute: str, value: Any) -> None:
        self._range.sheet.book.app.calls[f"font.{attribute}"] += 1
        for cell in self._range._cells():
            setattr(cell, attribute, value)

    bold = property(lambda self: self._range._first().bold, lambda self, v: self._set("bold", v))
    italic = property(lambda self: self._range._first().italic, lambda self, v: self._set("italic", v))
    size = property(lambda self: self._range._first().size, lambda self, v: self._set("size", v))
    color = property(lambda self: self._range._first().font_color, lambda self, v: self._set("font_color", v))


class Range:
    def __init__(self, sheet: "Sheet", areas: list[tuple[int, int, int, int]]):
        self.sheet = sheet
        self.areas = areas  # (first_row, first_column, last_row, last_column)
        self._ndim = None

    # --- geometry
    @property
    def row(self) -> int:
        return self.areas[0][0]

    @property
    def column(self) -> int:
        return self.areas[0][1]

    @property
    def left(self) -> float:
        return sum(self.sheet.widths.get(c, 8.43) * 7 for c in range(1, self.column))

    @property
    def top(self) -> float:
        return sum(self.sheet.heights.get(r, 15) for r in range(1, self.row))

    def _cells(self):
        for first_row, first_column, last_row, last_column in self.areas:
            for row in range(first_row, last_row + 1):
                for column in range(first_column, last_column + 1):
                    yield self.sheet.cell(row, column)

    def _first(self) -> CellState:
        return self.sheet.cell(self.row, self.column)

    def _count(self, name: str) -> None:
        self.sheet.book.app.calls[name] += 1

    # --- values
    def options(self, ndim: int | None = None, **_ignored) -> "Range":
        clone = Range(self.sheet, self.areas)
        clone._ndim = ndim
        return clone

    @property
    def value(self):
        self._count("value.get")
        first_row, first_column, last_row, last_column = self.areas[0]
        grid = [[self.sheet.cell(r, c).value for c in range(first_column, last_column + 1)]
                for r in range(first_row, last_row + 1)]
        if self._ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid

    @value.setter
    def value(self, data) -> None:
        self._count("value.set")
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        for row_offset, row in enumerate(rows):
            for column_offset, value in enumerate(row):
                self.sheet.cell(self.row + row_offset, self.column + column_offset).value = _as_excel(value)

    # --- formats
    def _set_all(self, attribute: str, value: Any, call: str) -> None:
        self._count(call)
        for cell in self._cells():
            setattr(cell, attribute, value)

    number_format = property(lambda self: self._first().number_format,
                             lambda self, v: self._set_all("number_format", v, "number_format"))
    color = property(lambda self: self._first().color, lambda self, v: self._set_all("color", v, "color"))
    wrap_text = property(lambda self: self._first().wrap, lambda self, v: self._set_all("wrap", v, "wrap_text"))

    @property
    def font(self) -> Font:
        return Font(self)

    @property
    def column_width(self):
        return self.sheet.widths.get(self.column)

    @column_width.setter
    def column_width(self, width: float) -> None:
        self._count("column_width")
        for _, first_column, _, last_column in self.areas:
            for column in range(first_column, last_column + 1):
                self.sheet.widths[column] = width

    @property
    def row_height(self):
        return self.sheet.heights.get(self.row)

    @row_height.setter
    def row_height(self, height: float) -> None:
        self._count("row_height")
        self.sheet.heights[self.row] = height

    def merge(self, across: bool = False) -> None:
        self._count("merge")
        self.sheet.merges.append(self.areas[0])

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        self._count("add_hyperlink")
        cell = self._first()
        cell.hyperlink = address
        cell.value = text_to_display if text_to_display is not None else address


class FreezePanes:
    def __init__(self, sheet: "Sheet"):
        self.sheet = sheet

    def freeze_at(self, frozen_range) -> None:
        self.sheet.book.app.calls["freeze_at"] += 1
        self.sheet.frozen_at = frozen_range if isinstance(frozen_range, str) else frozen_range.address


@dataclass
class Chart:
    left: float
    top: float
    width: float
    height: float
    chart_type: str = "column_clustered"
    title: str | None = None
    source: Range | None = None

    def set_source_data(self, source: Range, plot_by=None) -> None:
        self.source = source


class Charts:
    def __init__(self, sheet: "Sheet"):
        self.sheet = sheet
        self.items: list[Chart] = []

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211, **_kwargs) -> Chart:
        self.sheet.book.app.calls["charts.add"] += 1
        chart = Chart(left, top, width, height)
        self.items.append(chart)
        return chart

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


class Sheet:
    def __init__(self, book: "Book", name: str):
        self.book = book
        self.name = name
        self.cells: dict[tuple[int, int], CellState] = {}
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.frozen_at: str | None = None
        self.charts = Charts(self)
        self.freeze_panes = FreezePanes(self)
        self.active = False

    def cell(self, row: int, column: int) -> CellState:
        return self.cells.setdefault((row, column), CellState())

    def range(self, first, last=None) -> Range:
        if isinstance(first, str):
            areas = []
            for part in first.split(","):
                ends = part.split(":")
                top_left = _split_address(ends[0])
                bottom_right = _split_address(ends[-1])
                areas.append((*top_left, *bottom_right))
            return Range(self, areas)
        first_row, first_column = first
        last_row, last_column = last if last is not None else first
        return Range(self, [(first_row, first_column, last_row, last_column)])

    @property
    def used_range(self) -> Range:
        filled = [key for key, cell in self.cells.items() if cell.value is not None]
        if not filled:
            return self.range((1, 1))
        rows = [r for r, _ in filled]
        columns = [c for _, c in filled]
        return self.range((min(rows), min(columns)), (max(rows), max(columns)))

    def delete(self) -> None:
        self.book.app.calls["sheet.delete"] += 1
        self.book._sheets.remove(self)

    def activate(self) -> None:
        for sheet in self.book._sheets:
            sheet.active = False
        self.active = True


class Sheets:
    def __init__(self, book: "Book"):
        self.book = book

    def __iter__(self):
        return iter(list(self.book._sheets))

    def __len__(self) -> int:
        return len(self.book._sheets)

    def __getitem__(self, key) -> Sheet:
        if isinstance(key, int):
            return self.book._sheets[key]
        for sheet in self.book._sheets:
            if sheet.name == key:
                return sheet
        raise KeyError(key)

    def add(self, name: str | None = None, before: Sheet | None = None, after: Sheet | None = None) -> Sheet:
        self.book.app.calls["sheets.add"] += 1
        if any(sheet.name == name for sheet in self.book._sheets):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = Sheet(self.book, name or f"Sheet{len(self.book._sheets) + 1}")
        index = self.book._sheets.index(after) + 1 if after is not None else 0
        self.book._sheets.insert(index, sheet)
        return sheet


@dataclass
class App:
    screen_updating: bool = True
    status_bar: str | bool = False
    alerts: list[tuple[str, str | None]] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        self.alerts.append((prompt, title))
        return "ok"


class Book:
    def __init__(self, fullname: str = "Book1"):
        self.app = App()
        self.fullname = fullname
        self._sheets: list[Sheet] = []
        self.sheets = Sheets(self)

    def add_sheet_with_values(self, name: str, grid: list[list[Any]]) -> Sheet:
        sheet = Sheet(self, name)
        self._sheets.append(sheet)
        for row_offset, row in enumerate(grid):
            for column_offset, value in enumerate(row):
                if value not in (None, ""):
                    sheet.cell(row_offset + 1, column_offset + 1).value = value
        return sheet


@dataclass(frozen=True)
class Formula:
    """What Excel makes of a string beginning with '=' (or '+', '-', '@' followed by more)."""

    text: str


def _as_excel(value: Any) -> Any:
    """What Excel stores for a value xlwings sends: a leading apostrophe makes text; a string
    that looks like a formula becomes one (this is what the writer must avoid for titles)."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    if isinstance(value, str) and len(value) > 1 and value[0] in "=+-@":
        return Formula(value)
    return value
