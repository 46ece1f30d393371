"""The summary model: a plain description of the sheets the assistant owns.

`summary.py` lays the statistics out into this model once; three writers render it:
the file writer (`automation.xlsx`), the live xlwings writer (`automation.excel`) and the
JSON of the local service used by the WPS add-in. None of them decides layout.

Coordinates are 1-based like Excel's (row 1, column 1 is A1).
Values are str, int, float, datetime.date or None. A str is always written as text,
never as a formula, even when it begins with "=" (DESIGN.md invariant 6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

CellValue = str | int | float | dt.date | None


@dataclass(frozen=True)
class Style:
    """How a cell looks. Colours are RGB hex strings without '#', e.g. 'FFC7CE'."""

    bold: bool = False
    italic: bool = False
    font_size: float = 11.0
    font_color: str | None = None
    fill: str | None = None
    number_format: str = "General"
    wrap: bool = False
    horizontal: Literal["general", "left", "center", "right"] = "general"
    vertical: Literal["top", "center", "bottom"] = "center"
    border: bool = False
    underline: bool = False


#: Every style a generated sheet may use, by name. Writers look styles up here only.
STYLES: dict[str, Style] = {
    "title": Style(bold=True, font_size=16, horizontal="left"),
    "note": Style(italic=True, font_size=9, font_color="666666", horizontal="left"),
    "heading": Style(bold=True, font_size=12, font_color="1F4E79"),
    "header": Style(bold=True, fill="DDEBF7", horizontal="center", wrap=True, border=True),
    "text": Style(border=True),
    "wrap": Style(border=True, wrap=True),
    "paragraph": Style(wrap=True, vertical="top"),
    "int": Style(number_format="0", border=True, horizontal="right"),
    "percent": Style(number_format="0.0%", border=True, horizontal="right"),
    "date": Style(number_format="yyyy-mm-dd", border=True, horizontal="center"),
    "link": Style(font_color="0563C1", underline=True, border=True),
    "label": Style(bold=True, border=True),
    "empty": Style(italic=True, font_color="666666"),
}

#: Row fills by urgency; combined with a row's column styles.
FILLS: dict[str, str] = {
    "overdue": "FFC7CE",  # red
    "overdue_light": "FCE4D6",
    "due_soon": "FFEB9C",  # amber
    "total": "F2F2F2",
}


def resolve_style(name: str, fill: str | None = None) -> Style:
    """The Style for a style name, with a row fill (a key of FILLS) laid over it."""
    style = STYLES[name]
    if fill is None:
        return style
    return Style(**{**style.__dict__, "fill": FILLS[fill], "bold": style.bold or fill == "total"})


@dataclass
class Block:
    """A rectangle of values starting at (row, column).

    `styles` is one style name per column (applied to every row of the block).
    `row_fills`, when given, has one entry per row: a key of FILLS or None.
    `links`, when given, has one entry per row: a target such as "'台账'!A12" for a
    hyperlink on the block's first column, or None.
    """

    row: int
    column: int
    values: list[list[CellValue]]
    styles: list[str]
    row_fills: list[str | None] | None = None
    links: list[str | None] | None = None

    @property
    def height(self) -> int:
        return len(self.values)

    @property
    def width(self) -> int:
        return len(self.styles)


@dataclass(frozen=True)
class Area:
    """A rectangular reference on a sheet, 1-based and inclusive."""

    sheet: str
    first_row: int
    first_column: int
    last_row: int
    last_column: int


@dataclass(frozen=True)
class Series:
    name: str
    values: Area
    color: str | None = None


@dataclass
class Chart:
    """A native chart. kind 'bar_stacked' is a stacked horizontal bar; 'pie' a pie; 'line' lines
    with markers over the categories ('line_percent': the same, its value axis in percent)."""

    kind: Literal["bar_stacked", "column_stacked", "pie", "line", "line_percent"]
    title: str
    categories: Area
    series: list[Series]
    anchor_row: int
    anchor_column: int
    width_columns: int = 8
    height_rows: int = 16


@dataclass
class SheetModel:
    """One owned sheet."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    column_widths: dict[int, float] = field(default_factory=dict)
    merges: list[Area] = field(default_factory=list)
    freeze_row: int = 0  # rows above this row + 1 stay visible; 0 means no freeze
    charts: list[Chart] = field(default_factory=list)
    landscape: bool = True
    fit_to_width: bool = True
    tab_color: str | None = None
    row_heights: dict[int, float] = field(default_factory=dict)


@dataclass
class SummaryModel:
    """All owned sheets, in the order they are placed in the workbook."""

    sheets: list[SheetModel]

    @property
    def names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]


def column_letter(column: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_reference(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"


def quote_sheet(name: str) -> str:
    """A sheet name as it stands in a formula or link target: always quoted."""
    return "'" + name.replace("'", "''") + "'"


def range_address(first_row: int, first_column: int, last_row: int, last_column: int, absolute: bool = False) -> str:
    """'A1:C3' (or '$A$1:$C$3'); a single cell as 'A1'."""
    dollar = "$" if absolute else ""
    first = f"{dollar}{column_letter(first_column)}{dollar}{first_row}"
    if (first_row, first_column) == (last_row, last_column):
        return first
    return f"{first}:{dollar}{column_letter(last_column)}{dollar}{last_row}"


def area_address(area: Area, absolute: bool = False) -> str:
    """An Area without its sheet: 'A5:A9'."""
    return range_address(area.first_row, area.first_column, area.last_row, area.last_column, absolute)


def area_reference(area: Area, absolute: bool = True) -> str:
    """An Area as a formula reference with its sheet: "'科室统计'!$A$5:$A$9"."""
    return f"{quote_sheet(area.sheet)}!{area_address(area, absolute)}"


def iter_cells(sheet: SheetModel):
    """Yield (row, column, value, Style, link) for every cell of a sheet, in row order."""
    for block in sheet.blocks:
        for row_offset, row_values in enumerate(block.values):
            fill = block.row_fills[row_offset] if block.row_fills else None
            link = block.links[row_offset] if block.links else None
            for column_offset, value in enumerate(row_values):
                style = resolve_style(block.styles[column_offset], fill)
                yield (
                    block.row + row_offset,
                    block.column + column_offset,
                    value,
                    style,
                    link if column_offset == 0 else None,
                )


def to_jsonable(model: SummaryModel) -> list[dict[str, Any]]:
    """The model as JSON-ready dicts (dates as ISO strings), for the local service."""
    from dataclasses import asdict

    def convert(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return [convert(asdict(sheet)) for sheet in model.sheets]
