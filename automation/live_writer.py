"""Render the summary model into a workbook open in Excel, through xlwings.

Every call to Excel costs about a millisecond, so the writer sends whole blocks: one
`Range.value` assignment per block, one number-format / fill / font call per column or per
run of equally filled rows. The number of calls does not grow with the number of rows
(hyperlinks aside: one per linked row, capped at LIVE_LINK_LIMIT).
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from automation.model import FILLS, STYLES, Area, Block, Chart, SheetModel, SummaryModel, area_address, resolve_style

#: Rows beyond this get no hyperlink in the live writer (each link is one call to Excel).
LIVE_LINK_LIMIT = 2000
FORMULA_STARTS = ("=", "+", "-", "@")
CHART_TYPES = {"bar_stacked": "bar_stacked", "column_stacked": "column_stacked", "pie": "pie",
               "line": "line_markers", "line_percent": "line_markers"}


def live_value(value: Any) -> Any:
    """A model value as Excel should receive it: text that looks like a formula gets Excel's
    text prefix (an apostrophe), so it stays text (DESIGN.md invariant 6)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


class LiveWriter:
    """Writes a SummaryModel into an xlwings Book (or anything with the same API)."""

    def __init__(self, book):
        self.book = book

    def write(self, model: SummaryModel, is_generated=lambda sheet: True) -> None:
        """Replace every owned sheet of the model in the open book."""
        existing = {sheet.name: sheet for sheet in self.book.sheets}
        for name in model.names:
            if name in existing and is_generated(existing[name]):
                existing[name].delete()
        written = []
        for sheet_model in model.sheets:
            after = self.book.sheets[len(self.book.sheets) - 1]
            sheet = self.book.sheets.add(sheet_model.name, after=after)
            self.write_sheet(sheet, sheet_model)
            written.append((sheet, sheet_model))
        # Charts last: their data may live on a sheet written after theirs.
        for sheet, sheet_model in written:
            for chart in sheet_model.charts:
                self.write_chart(sheet, chart)

    def write_sheet(self, sheet, model: SheetModel) -> None:
        for column, width in model.column_widths.items():
            sheet.range((1, column)).column_width = width
        for row, height in model.row_heights.items():
            sheet.range((row, 1)).row_height = height
        for block in model.blocks:
            self.write_block(sheet, block)
        for area in model.merges:
            sheet.range((area.first_row, area.first_column), (area.last_row, area.last_column)).merge()
        if model.freeze_row:
            sheet.freeze_panes.freeze_at(f"A{model.freeze_row + 1}")

    def write_block(self, sheet, block: Block) -> None:
        last_row = block.row + block.height - 1
        values = [[live_value(value) for value in row] for row in block.values]
        # Number formats first, so Excel does not re-type the values it receives.
        for offset, style_name in enumerate(block.styles):
            column = block.column + offset
            cells = sheet.range((block.row, column), (last_row, column))
            style = STYLES[style_name]
            if style.number_format != "General":
                cells.number_format = style.number_format
            self.apply_font(cells, style)
            if style.wrap:
                cells.wrap_text = True
            if style.fill:
                cells.color = hex_to_rgb(style.fill)
        sheet.range((block.row, block.column)).value = values
        if block.row_fills:
            self.apply_row_fills(sheet, block)
        if block.links:
            for offset, target in enumerate(block.links[:LIVE_LINK_LIMIT]):
                if target:
                    cell = sheet.range((block.row + offset, block.column))
                    cell.add_hyperlink("#" + target, str(block.values[offset][0]), target)

    @staticmethod
    def apply_font(cells, style) -> None:
        if style.bold:
            cells.font.bold = True
        if style.italic:
            cells.font.italic = True
        if style.font_size != STYLES["text"].font_size:
            cells.font.size = style.font_size
        if style.font_color:
            cells.font.color = hex_to_rgb(style.font_color)

    def apply_row_fills(self, sheet, block: Block) -> None:
        """One fill call per run of consecutive rows with the same fill."""
        last_column = block.column + block.width - 1
        offset = 0
        for fill, run in groupby(block.row_fills):
            length = len(list(run))
            if fill:
                cells = sheet.range((block.row + offset, block.column), (block.row + offset + length - 1, last_column))
                cells.color = hex_to_rgb(FILLS[fill])
                if resolve_style("text", fill).bold:
                    cells.font.bold = True
            offset += length

    def write_chart(self, sheet, chart: Chart) -> None:
        anchor = sheet.range((chart.anchor_row, chart.anchor_column))
        corner = sheet.range((chart.anchor_row + chart.height_rows, chart.anchor_column + chart.width_columns))
        excel_chart = sheet.charts.add(anchor.left, anchor.top, max(corner.left - anchor.left, 300),
                                       max(corner.top - anchor.top, 200))
        excel_chart.chart_type = CHART_TYPES[chart.kind]
        excel_chart.set_source_data(self.source_range(chart))
        excel_chart.title = chart.title

    def source_range(self, chart: Chart):
        """Categories and series with their header row, as one (multi-area) range."""
        source_sheet = self.book.sheets[chart.categories.sheet]
        areas = [chart.categories] + [series.values for series in chart.series]
        with_headers = [Area(a.sheet, max(a.first_row - 1, 1), a.first_column, a.last_row, a.last_column) for a in areas]
        return source_sheet.range(",".join(area_address(area) for area in with_headers))
