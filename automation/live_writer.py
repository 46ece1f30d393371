"""Render the summary model into a workbook open in Excel, through xlwings.

Every call to Excel costs about a millisecond, so the writer sends whole blocks: one
`Range.value` assignment per block, one number-format / fill / font call per column or per
run of equally filled rows. The number of calls does not grow with the number of rows
(hyperlinks aside: one per linked row, capped at LIVE_LINK_LIMIT).

Only xlwings members that xlwings' Windows backend implements are used (its base classes
raise NotImplementedError for the rest, e.g. ``Sheet.freeze_panes``, which xlwings 0.37 has for
Office.js only). What xlwings does not offer goes through ``.api`` to Excel's own object model.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from automation.cell_text import needs_text_prefix, with_text_prefix
from automation.model import FILLS, STYLES, Area, Block, Chart, SheetModel, SummaryModel, area_address, resolve_style

#: Rows beyond this get no hyperlink in the live writer (each link is one call to Excel).
LIVE_LINK_LIMIT = 2000
#: XlPageOrientation.xlLandscape.
XL_LANDSCAPE = 2
CHART_TYPES = {"bar_stacked": "bar_stacked", "column_stacked": "column_stacked", "pie": "pie",
               "line": "line_markers", "line_percent": "line_markers"}
LOG = logging.getLogger("automation.live_writer")


@dataclass(frozen=True)
class Skipped:
    """A part the live writer could not make (kind "chart": a chart, with its title;
    "freeze": the frozen header rows; "tab": the tab colour; "page": the page setup). Its
    sheet's cells were written in full all the same."""

    sheet: str
    kind: str
    title: str
    error: str


def live_value(value: Any) -> Any:
    """A model value as Excel should receive it. Text that Excel would turn into a formula
    (DESIGN.md invariant 6) or into a number, date, truth value or error gets Excel's text
    prefix (cell_text: the rule the WPS add-in follows too), so text stays text."""
    if isinstance(value, str):
        return with_text_prefix(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def activate_sheet(sheet) -> None:
    """Show a sheet in its workbook's window: the worksheet's own Activate. (xlwings'
    Sheet.activate first brings the whole Excel application forward, comparing it with the
    running Excel instances: a window-manager round trip the button, already in Excel, does
    not need.)"""
    sheet.api.Activate()


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


class LiveWriter:
    """Writes a SummaryModel into an xlwings Book (or anything with the same API)."""

    def __init__(self, book):
        self.book = book
        self.skipped: list[Skipped] = []

    def write(self, model: SummaryModel, is_generated=lambda sheet: True) -> list[Skipped]:
        """Replace every owned sheet of the model in the open book; returns the parts Excel
        refused (charts, frozen header rows): every sheet's cells are complete regardless,
        and every sheet is written before any chart is tried."""
        self.skipped = []
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
        # Charts last: their data may live on a sheet written after theirs. A chart Excel
        # refuses costs only that chart, never the sheets (already complete) or the other charts.
        for sheet, sheet_model in written:
            for chart in sheet_model.charts:
                self.optional(sheet_model.name, "chart", chart.title, lambda: self.write_chart(sheet, chart))  # noqa: B023
        return self.skipped

    def optional(self, sheet_name: str, kind: str, title: str, action) -> None:
        """Run a part that is not cell content; if Excel refuses it, note it and go on."""
        try:
            action()
        except Exception as error:  # noqa: BLE001 - any COM failure: report, go on
            LOG.warning("%s %r on %r skipped", kind, title, sheet_name, exc_info=True)
            self.skipped.append(Skipped(sheet_name, kind, title, str(error)))

    def write_sheet(self, sheet, model: SheetModel) -> None:
        for column, width in model.column_widths.items():
            sheet.range((1, column)).column_width = width
        for row, height in model.row_heights.items():
            sheet.range((row, 1)).row_height = height
        for block in model.blocks:
            self.write_block(sheet, block)
        for area in model.merges:
            sheet.range((area.first_row, area.first_column), (area.last_row, area.last_column)).merge()
        if model.tab_color:
            self.optional(model.name, "tab", "", lambda: self.color_tab(sheet, model.tab_color))
        if model.freeze_row:
            self.optional(model.name, "freeze", "", lambda: self.freeze_rows(sheet, model.freeze_row))
        if model.landscape or model.fit_to_width:
            # Excel reaches the printer driver for PageSetup: with no printer installed it can
            # refuse, which must not cost the sheet.
            self.optional(model.name, "page", "",
                          lambda: self.set_up_page(sheet, model.landscape, model.fit_to_width))

    @staticmethod
    def set_up_page(sheet, landscape: bool, fit_to_width: bool) -> None:
        """Print the sheet as the file writer's pageSetup says: landscape, and one page wide by
        as many tall as needed. xlwings has no member for it: the worksheet's PageSetup (Excel
        VBA reference: Orientation xlLandscape; Zoom False so that the FitToPages* apply;
        FitToPagesTall False: no limit)."""
        page = sheet.api.PageSetup
        if landscape:
            page.Orientation = XL_LANDSCAPE
        if fit_to_width:
            page.Zoom = False
            page.FitToPagesWide = 1
            page.FitToPagesTall = False

    @staticmethod
    def color_tab(sheet, color: str) -> None:
        """xlwings has no member for it: the worksheet's Tab object (Excel colours are BGR)."""
        red, green, blue = hex_to_rgb(color)
        sheet.api.Tab.Color = red + green * 256 + blue * 65536

    @staticmethod
    def freeze_rows(sheet, rows: int) -> None:
        """Keep the top `rows` rows of the sheet in view.

        In Excel the panes belong to the workbook's window and apply to the sheet it shows, so
        the sheet is activated first; SplitRow counts from the window's top row, hence the
        scroll to A1 (Excel VBA reference: Window.FreezePanes, Window.SplitRow).
        """
        activate_sheet(sheet)
        window = sheet.book.api.Windows(1)
        window.FreezePanes = False
        window.ScrollRow = 1
        window.ScrollColumn = 1
        window.SplitColumn = 0
        window.SplitRow = rows
        window.FreezePanes = True

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
                    self.add_link(sheet.range((block.row + offset, block.column)).api, target,
                                  block.values[offset][0])

    @staticmethod
    def add_link(cell, target: str, value: Any) -> None:
        """A link to a place in the workbook, the way Excel's reference documents it
        (Hyperlinks.Add with an empty Address and the place as SubAddress). xlwings'
        add_hyperlink has no SubAddress. The text is set after Add, as xlwings does (pywin32
        does not always pass it through Add). Excel takes TextToDisplay as if typed: a text
        it would re-type (编号 007 → 7, needs_text_prefix) or a number is not given as the text
        (the cell already holds its value, which Add without TextToDisplay keeps), as the WPS
        add-in does."""
        link = cell.Hyperlinks.Add(Anchor=cell, Address="", SubAddress=target)
        if isinstance(value, str) and value and not needs_text_prefix(value):
            link.TextToDisplay = value
        link.ScreenTip = target

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
        source = self.source_range(chart)
        excel_chart = sheet.charts.add(anchor.left, anchor.top, max(corner.left - anchor.left, 300),
                                       max(corner.top - anchor.top, 200))
        try:
            excel_chart.set_source_data(source)
            excel_chart.chart_type = CHART_TYPES[chart.kind]
            excel_chart.title = chart.title
        except Exception:
            # No half-made (empty) chart is left on the sheet.
            excel_chart.delete()
            raise

    def source_range(self, chart: Chart):
        """Categories and series with their header row, as one (multi-area) range."""
        source_sheet = self.book.sheets[chart.categories.sheet]
        areas = [chart.categories] + [series.values for series in chart.series]
        with_headers = [Area(a.sheet, max(a.first_row - 1, 1), a.first_column, a.last_row, a.last_column) for a in areas]
        return source_sheet.range(",".join(area_address(area) for area in with_headers))
