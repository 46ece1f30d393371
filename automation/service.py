"""The local HTTP service behind the WPS add-in: ledger values in, the summary model out.

A WPS add-in (JavaScript in WPS's embedded Chromium) cannot start Python, so it posts the
ledger sheet's cell values (`UsedRange.Value2`: dates as serial numbers) to this service and
writes the answer into the open workbook itself. This module is the third writer of the
summary model (besides the file writer and the xlwings live writer): it renders the same
`build_summary` layout as JSON, and never writes a file.

    POST /v1/summary   {"sheet": "台账", "values": [[...]], "today": "2026-06-28",
                        "first_row": 1, "first_column": 1,
                        "merges": [[3, 4, 5, 4], ...]}           header X-Ledger-Token
    POST /v1/summary   {"sheets": [{"sheet": "提案台账", "values": ..., "first_row": ...,
                        "merges": ...}, ...], "today": ...}   every sheet the add-in does not own,
                       chosen (`sheets =` / `sheet =`) and counted as the file path does
                       -> {"stats": <ledger stats --json>, "sheets": [...], ...}
    GET  /v1/health    -> {"version": "0.1.0"}                  (no token)

Security: bound to 127.0.0.1 only; every summary request must carry the per-installation
token (`ledger wps-setup` writes it, readable by the user only); requests whose Host is not
the loopback address (DNS rebinding) or whose Origin is a web origin are refused with 403.
The only Origin allowed besides none is "null", the opaque origin of a page loaded from a
local file, which is what an offline WPS add-in (a folder under jsaddons) is. A web page can
produce "null" too (a sandboxed iframe), so the Origin check is a second fence; the token is
the lock.

Everything but `LedgerService` is pure: `summary_answer` and `render_sheets` take the date
and the refresh time as arguments, which is how the add-in's test fixtures are made.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from automation import __version__
from automation import messages as m
from automation.cell_text import needs_text_prefix
from automation.config import Config
from automation.model import (
    FILLS,
    STYLES,
    Area,
    Block,
    Chart,
    SheetModel,
    Style,
    SummaryModel,
    column_letter,
    range_address,
    resolve_style,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 28190
DEFAULT_MAX_BODY_MB = 64
TOKEN_HEADER = "X-Ledger-Token"
TOKEN_ENV = "LEDGER_TOKEN"
#: Origins allowed besides a request without Origin: the opaque origin of a page loaded from a
#: local file, as an offline WPS add-in is (see the module docstring and docs/wps.md).
ALLOWED_ORIGINS = frozenset({"null"})
#: The hidden sheet-level name the file writer uses to mark the sheets it owns; the add-in
#: sets the same name on the sheets it adds, so either writer recognises the other's sheets.
MARKER_NAME = "_ledger_generated"
MARKER_VALUE = "ledger-assistant"
#: Border colour of the file writer's thin borders (RGB).
BORDER_COLOR = "A6A6A6"
#: Prefix of the note in A1 of every generated sheet (how a generated sheet is recognised).
NOTE_PREFIX = m.GENERATED_NOTE.split("，")[0]
#: Excel's XlChartType values for the model's chart kinds.
CHART_TYPES = {"bar_stacked": 58, "column_stacked": 52, "pie": 5, "line": 65, "line_percent": 65}  # xlLineMarkers = 65
MAX_CELL_TEXT = 32767
MAX_ROWS = 1048576
MAX_COLUMNS = 16384
#: An oversized body up to this size is read and dropped before the 413 answer (the token was
#: checked before), so that the client reads the answer instead of a reset connection; a
#: larger one is not read at all and the connection is closed.
DRAIN_LIMIT = 1024 * 1024 * 1024
REQUEST_KEYS = frozenset({"sheet", "values", "today", "first_row", "first_column", "merges", "sheets"})
#: The keys of one sheet in "sheets" (several sheets counted as one, as the file path does).
SHEET_KEYS = frozenset({"sheet", "values", "first_row", "first_column", "merges"})
#: At most this many sheets in one request (the add-in sends every sheet it does not own).
MAX_SHEETS = 255
#: At most this many merged areas in a request (the add-in sends at most 5,000).
MAX_MERGES = 100_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH_1900 = dt.date(1899, 12, 30)


# -- settings ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceSettings:
    """The [service] section of config.ini."""

    port: int = DEFAULT_PORT
    max_body_bytes: int = DEFAULT_MAX_BODY_MB * 1024 * 1024
    #: Origins allowed besides "null" (a WPS build whose offline add-ins send another opaque
    #: origin); never a web (http/https) origin.
    extra_origins: tuple[str, ...] = ()


def service_settings(config: Config) -> ServiceSettings:
    """[service] port and max_body_mb from the config (defaults when absent)."""
    parser = config.parser
    if not parser.has_section("service"):
        return ServiceSettings()
    section = parser["service"]

    def number(key: str, default: int, low: int, high: int, expected: str) -> int:
        text = section.get(key, "").strip()
        if not text:
            return default
        try:
            value = int(text)
        except ValueError:
            value = -1
        if not low <= value <= high:
            raise ValueError(m.SERVICE_BAD_SETTING.format(key=key, value=text, expected=expected))
        return value

    port = number("port", DEFAULT_PORT, 1, 65535, m.SERVICE_EXPECT_PORT)
    max_mb = number("max_body_mb", DEFAULT_MAX_BODY_MB, 1, 4096, m.SERVICE_EXPECT_MB)
    extra = tuple(part.strip() for part in re.split(r"[,，、\s]+", section.get("extra_origins", "")) if part.strip())
    for origin in extra:
        if origin.lower().startswith(("http:", "https:")) or origin == "*":
            raise ValueError(m.SERVICE_BAD_SETTING.format(key="extra_origins", value=origin,
                                                         expected=m.SERVICE_EXPECT_ORIGIN))
    return ServiceSettings(port=port, max_body_bytes=max_mb * 1024 * 1024, extra_origins=extra)


# -- the request --------------------------------------------------------------------------
class RequestError(Exception):
    """A request that cannot be answered: an HTTP status, a short code and a Chinese message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class SummaryRequest:
    sheet: str
    values: list[list[Any]]
    today: dt.date | None = None
    first_row: int = 1
    first_column: int = 1
    #: The sheet's merged areas as [first row, first column, last row, last column], 1-based
    #: sheet numbers (what the add-in reads with Range.MergeArea); optional, older add-ins
    #: send none.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: Several sheets of the open workbook, each a SummaryRequest of its own ("sheets", sent by
    #: add-ins since issue 15): counted as the file path counts a workbook's sheets. Empty for
    #: an older add-in's one sheet (sheet, values ...).
    sheets: list["SummaryRequest"] = field(default_factory=list)

    def merged_ranges(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The merges in the grid's 0-based coordinates, as `parse_grid` takes them (the
        file path's `merged_cell_ranges`); areas starting above or left of the grid are
        left out, like a merge outside the file path's grid."""
        result = []
        for first_row, first_column, last_row, last_column in self.merges:
            top, left = first_row - self.first_row, first_column - self.first_column
            if top < 0 or left < 0:
                continue
            result.append(((top, left), (last_row - self.first_row, last_column - self.first_column)))
        return result


def _bad(message: str, code: str = "bad_request") -> RequestError:
    return RequestError(HTTPStatus.BAD_REQUEST, code, message)


def parse_request(body: bytes) -> SummaryRequest:
    """Decode and check the body of POST /v1/summary (RequestError 400 when malformed)."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise _bad(m.REQUEST_NOT_JSON.format(error=m.REQUEST_NOT_UTF8.format(reason=error.reason)), "bad_json") from None
    except (ValueError, RecursionError) as error:
        raise _bad(m.REQUEST_NOT_JSON.format(error=error), "bad_json") from None
    if not isinstance(data, dict):
        raise _bad(m.REQUEST_NOT_OBJECT, "bad_json")
    unknown = sorted(set(data) - REQUEST_KEYS)
    if unknown:
        raise _bad(m.REQUEST_UNKNOWN_KEYS.format(keys="、".join(unknown)))
    today = data.get("today")
    if today is not None:
        if not isinstance(today, str) or not _ISO_DATE.fullmatch(today):
            raise _bad(m.REQUEST_BAD_TODAY.format(value=today))
        try:
            today = dt.date.fromisoformat(today)
        except ValueError:
            raise _bad(m.REQUEST_BAD_TODAY.format(value=data["today"])) from None
    if "sheets" not in data:  # one sheet, as every add-in before issue 15 sends it
        request = parse_sheet(data)
        request.today = today
        return request
    parts = data["sheets"]
    if set(data) & SHEET_KEYS or not isinstance(parts, list) or not 1 <= len(parts) <= MAX_SHEETS:
        raise _bad(m.REQUEST_BAD_SHEETS.format(limit=MAX_SHEETS))
    sheets = []
    for index, part in enumerate(parts, start=1):
        if not isinstance(part, dict) or set(part) - SHEET_KEYS:
            raise _bad(m.REQUEST_BAD_SHEET_PART.format(index=index, keys="、".join(sorted(SHEET_KEYS))))
        sheets.append(parse_sheet(part))
    if len({part.sheet for part in sheets}) != len(sheets):
        raise _bad(m.REQUEST_SHEETS_TWICE)
    return SummaryRequest("、".join(part.sheet for part in sheets), [], today, sheets=sheets)


def parse_sheet(data: dict[str, Any]) -> SummaryRequest:
    """One sheet of a request: its name, values, position and merged areas (checked)."""
    sheet = data.get("sheet")
    if not isinstance(sheet, str) or not sheet.strip() or len(sheet) > 255:
        raise _bad(m.REQUEST_BAD_SHEET)
    values = data.get("values")
    if not isinstance(values, list):
        raise _bad(m.REQUEST_BAD_VALUES)
    for row_index, row in enumerate(values):
        if not isinstance(row, list):
            raise _bad(m.REQUEST_BAD_ROW.format(row=row_index + 1))
        for column_index, cell in enumerate(row):
            if cell is not None and not isinstance(cell, (str, int, float)):  # bool is an int
                raise _bad(m.REQUEST_BAD_CELL.format(row=row_index + 1, column=column_index + 1))
    positions = {}
    for key, limit in (("first_row", MAX_ROWS), ("first_column", MAX_COLUMNS)):
        value = data.get(key, 1)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            raise _bad(m.REQUEST_BAD_POSITION.format(key=key))
        positions[key] = value
    merges = parse_merges(data.get("merges", []))
    return SummaryRequest(sheet, values, None, positions["first_row"], positions["first_column"], merges)


def parse_merges(merges: Any) -> list[tuple[int, int, int, int]]:
    """The request's "merges": [[first row, first column, last row, last column], ...]."""
    if not isinstance(merges, list):
        raise _bad(m.REQUEST_BAD_MERGES.format(index=0))
    if len(merges) > MAX_MERGES:
        raise _bad(m.REQUEST_TOO_MANY_MERGES.format(count=len(merges), limit=MAX_MERGES))
    result = []
    for index, area in enumerate(merges, start=1):
        numbers = []
        if isinstance(area, list) and len(area) == 4:
            for value, limit in zip(area, (MAX_ROWS, MAX_COLUMNS, MAX_ROWS, MAX_COLUMNS)):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
                    break
                numbers.append(value)
        if len(numbers) != 4 or numbers[0] > numbers[2] or numbers[1] > numbers[3]:
            raise _bad(m.REQUEST_BAD_MERGES.format(index=index))
        result.append((numbers[0], numbers[1], numbers[2], numbers[3]))
    return result


# -- the answer: the summary model as JSON ------------------------------------------------------
def summary_answer(request: SummaryRequest, config: Config, today: dt.date, refreshed: dt.datetime) -> dict[str, Any]:
    """Compute everything for a ledger grid and render the owned sheets (pure).

    Raises LedgerError (no header row, missing columns) like the file commands do.
    """
    from automation.analysis import analyse, analyse_grid
    from automation.summary import OWNED_SHEETS, build_summary

    if request.sheets:  # the open workbook's sheets: chosen and counted as the file path does
        from automation.sheets import ledger_of_grids

        grids = {part.sheet: (part.values, part.first_row, part.first_column, part.merged_ranges())
                 for part in request.sheets}
        analysis = analyse(ledger_of_grids(grids, config, today), config, today)
    else:
        analysis = analyse_grid(request.values, request.sheet, config, today, request.first_row,
                                request.first_column, merged_ranges=request.merged_ranges())
    statistics = analysis.statistics
    model = build_summary(statistics, config, refreshed)
    totals = statistics.totals
    anchor = report_anchor(model)
    return {
        "version": __version__,
        "stats": statistics.to_json(),
        "sheets": render_sheets(model),
        "owned_sheets": list(OWNED_SHEETS),
        "sheet_names": {"summary": m.SHEET_SUMMARY, "sections": m.SHEET_SECTIONS, "overdue": m.SHEET_OVERDUE,
                        "due_soon": m.SHEET_DUE_SOON, "problems": m.SHEET_PROBLEMS},
        "note_prefix": NOTE_PREFIX,
        "marker": {"name": MARKER_NAME, "refers_to": '="' + MARKER_VALUE + '"'},
        "report_anchor": anchor,
        "messages": {
            "status": m.SERVICE_STATUS.format(total=totals["total"], overdue=totals["overdue"],
                                              due_soon=totals["due_soon"], as_of=statistics.as_of.isoformat()),
            "report": m.SERVICE_REPORT_HINT.format(sheet=anchor["sheet"], cell=anchor["cell"]),
        },
    }


def report_anchor(model: SummaryModel) -> dict[str, str]:
    """Where the report sentences start (the 生成汇报 button selects it)."""
    for sheet in model.sheets:
        for block in sheet.blocks:
            if block.values and block.values[0] and block.values[0][0] == m.SUMMARY_SENTENCES:
                return {"sheet": sheet.name, "cell": f"{column_letter(block.column)}{block.row}"}
    return {"sheet": m.SHEET_SUMMARY, "cell": "A1"}


def render_sheets(model: SummaryModel) -> list[dict[str, Any]]:
    """Every owned sheet as JSON, ready for the add-in to write with few calls."""
    return [render_sheet(sheet) for sheet in model.sheets]


def render_sheet(sheet: SheetModel) -> dict[str, Any]:
    return {
        "name": sheet.name,
        "tab_color": sheet.tab_color,
        "freeze_row": sheet.freeze_row,
        "landscape": sheet.landscape,
        "fit_to_width": sheet.fit_to_width,
        "column_widths": [[column, float(width)] for column, width in sorted(sheet.column_widths.items())],
        "row_heights": [[row, float(height)] for row, height in sorted(sheet.row_heights.items())],
        "merges": [range_address(area.first_row, area.first_column, area.last_row, area.last_column)
                   for area in sheet.merges
                   if (area.first_row, area.first_column) != (area.last_row, area.last_column)],
        "blocks": [render_block(block) for block in sheet.blocks if block.values],
        "charts": [render_chart(chart) for chart in sheet.charts],
    }


def style_json(style: Style) -> dict[str, Any]:
    """A cell style as the add-in applies it (colours RGB hex; the add-in converts to BGR)."""
    return {
        "number_format": style.number_format,
        "bold": style.bold,
        "italic": style.italic,
        "underline": style.underline,
        "font_size": style.font_size,
        "font_color": style.font_color,
        "fill": style.fill,
        "wrap": style.wrap,
        "horizontal": style.horizontal,
        "vertical": style.vertical,
        "border": style.border,
        "border_color": BORDER_COLOR if style.border else None,
    }


def is_date_format(code: str) -> bool:
    lowered = code.lower()
    return lowered != "general" and any(letter in lowered for letter in "ymdh")


def effective_style(style: Style, value: Any) -> Style:
    """The style a value is written with: a date in a column without a date format gets
    yyyy-mm-dd (hh:mm for a datetime), as the file writer does."""
    if isinstance(value, dt.date) and not is_date_format(style.number_format):
        with_time = isinstance(value, dt.datetime)
        return Style(**{**style.__dict__, "number_format": "yyyy-mm-dd hh:mm" if with_time else "yyyy-mm-dd"})
    return style


def cell_json(value: Any) -> Any:
    """A model value as the add-in writes it to Range.Value2: dates as serial numbers."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, str):
        return value[:MAX_CELL_TEXT]
    if isinstance(value, dt.date):
        serial = date_serial(value)
        return value.isoformat() if serial is None else serial
    return str(value)[:MAX_CELL_TEXT]


def date_serial(value: dt.date) -> int | float | None:
    """The Excel (1900 system) serial number of a date or datetime; None before 1900."""
    day = value.date() if isinstance(value, dt.datetime) else value
    serial = (day - _EPOCH_1900).days
    if serial < 2:
        return None
    if serial < 61:  # Excel's phantom 29 February 1900
        serial -= 1
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return serial + seconds / 86400
    return serial


def render_block(block: Block) -> dict[str, Any]:
    """One block: its values in one rectangle, one style per column, fills per row."""
    width = max([block.width, *(len(row) for row in block.values)])
    names = list(block.styles) + ["text"] * (width - len(block.styles))
    values = [[cell_json(value) for value in row] + [None] * (width - len(row)) for row in block.values]
    first_dates: dict[int, Any] = {}
    for row in block.values:
        for index, value in enumerate(row):
            if isinstance(value, dt.date) and index not in first_dates:
                first_dates[index] = value
    formats = [style_json(effective_style(STYLES[name], first_dates.get(index))) for index, name in enumerate(names)]
    fills = {key for key in (block.row_fills or []) if key}
    return {
        "row": block.row,
        "column": block.column,
        "range": range_address(block.row, block.column, block.row + len(block.values) - 1, block.column + width - 1),
        "values": values,
        "styles": names,
        "formats": formats,
        "row_fills": list(block.row_fills) if block.row_fills else None,
        "fills": {key: {"color": FILLS[key], "bold": resolve_style("text", key).bold and not STYLES["text"].bold}
                  for key in sorted(fills)},
        "links": list(block.links) if block.links else None,
        # Cells whose text WPS would re-type (as a number, date, truth value, error or formula),
        # [row offset, column offset] in the block, by cell_text's rule (the Excel writer's);
        # the add-in writes them with the text prefix. Optional: an add-in meeting an older
        # service without it falls back to its own rule; an older add-in ignores it.
        "text_cells": [[row_offset, column_offset] for row_offset, row in enumerate(values)
                       for column_offset, value in enumerate(row) if needs_text_prefix(value)],
    }


def area_json(area: Area) -> dict[str, str]:
    return {"sheet": area.sheet,
            "range": range_address(area.first_row, area.first_column, area.last_row, area.last_column, True)}


def render_chart(chart: Chart) -> dict[str, Any]:
    return {
        "kind": chart.kind,
        "chart_type": CHART_TYPES[chart.kind],
        "title": chart.title,
        "categories": area_json(chart.categories),
        "series": [{"name": series.name, "values": area_json(series.values), "color": series.color}
                   for series in chart.series],
        "anchor_row": chart.anchor_row,
        "anchor_column": chart.anchor_column,
        "width_columns": chart.width_columns,
        "height_rows": chart.height_rows,
    }


# -- the HTTP service ----------------------------------------------------------------------
# The sockets, limits and checks live in automation.service_http (imported lazily: it imports
# this module); `from automation.service import LedgerService` keeps working.
def __getattr__(name: str) -> Any:
    if name in ("LedgerService", "probe_health", "json_bytes"):
        from automation import service_http

        return getattr(service_http, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
