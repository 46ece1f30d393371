"""The local HTTP service behind the WPS add-in: ledger values in, the summary model out.

A WPS add-in (JavaScript in WPS's embedded Chromium) cannot start Python, so it posts the
ledger sheet's cell values (`UsedRange.Value2`: dates as serial numbers) to this service and
writes the answer into the open workbook itself. This module is the third writer of the
summary model (besides the file writer and the xlwings live writer): it renders the same
`build_summary` layout as JSON, and never writes a file.

    POST /v1/summary   {"sheet": "台账", "values": [[...]], "today": "2026-06-28",
                        "first_row": 1, "first_column": 1,
                        "merges": [[3, 4, 5, 4], ...]}           header X-Ledger-Token
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
import hmac
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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

log = logging.getLogger("automation.service")

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
REQUEST_KEYS = frozenset({"sheet", "values", "today", "first_row", "first_column", "merges"})
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
    today = data.get("today")
    if today is not None:
        if not isinstance(today, str) or not _ISO_DATE.fullmatch(today):
            raise _bad(m.REQUEST_BAD_TODAY.format(value=today))
        try:
            today = dt.date.fromisoformat(today)
        except ValueError:
            raise _bad(m.REQUEST_BAD_TODAY.format(value=data["today"])) from None
    positions = {}
    for key, limit in (("first_row", MAX_ROWS), ("first_column", MAX_COLUMNS)):
        value = data.get(key, 1)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            raise _bad(m.REQUEST_BAD_POSITION.format(key=key))
        positions[key] = value
    merges = parse_merges(data.get("merges", []))
    return SummaryRequest(sheet, values, today, positions["first_row"], positions["first_column"], merges)


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
    from automation.analysis import analyse_grid
    from automation.summary import OWNED_SHEETS, build_summary

    analysis = analyse_grid(request.values, request.sheet, config, today, request.first_row, request.first_column,
                            merged_ranges=request.merged_ranges())
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
class LedgerService:
    """The service, bound to the loopback address. Runs in the foreground (`serve_forever`)
    or in a thread (`serve_in_thread`), so another long-running process could embed it.

    `port=0` picks a free port (see `.port`). `clock` returns the current datetime (the
    default date of a request without "today", and the refresh time on the sheets).
    """

    def __init__(self, config: Config, token: str, port: int | None = None, *, max_body_bytes: int | None = None,
                 clock: Callable[[], dt.datetime] = dt.datetime.now, log_path: str | None = None):
        if not token:
            raise ValueError(m.SERVICE_NO_TOKEN.format(path=TOKEN_ENV))
        settings = service_settings(config)
        self.config = config
        self.token = token
        self.max_body_bytes = max_body_bytes if max_body_bytes is not None else settings.max_body_bytes
        self.allowed_origins = ALLOWED_ORIGINS | frozenset(settings.extra_origins)
        self.clock = clock
        self.log_path = log_path
        self._compute_lock = threading.Lock()  # one summary at a time: bounded memory
        self._thread: threading.Thread | None = None
        self.server = _Server((DEFAULT_HOST, settings.port if port is None else port), _Handler)  # loopback only
        self.server.service = self

    @property
    def host(self) -> str:
        return self.server.server_address[0]

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self.server.server_close()

    def serve_in_thread(self) -> threading.Thread:
        """Start serving in a daemon thread and return it; stop with `shutdown()`."""
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="ledger-service", daemon=True)
        self._thread.start()
        return self._thread

    def shutdown(self) -> None:
        """Stop serving and release the port (from another thread than the serving one)."""
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    # -- request checks, in order: host, origin, token --------------------------------
    def allowed_host(self, host: str | None) -> bool:
        if not host:
            return False
        name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not name:  # no port given
            name, port = host, ""
        if port and port != str(self.port):
            return False
        return name.lower() in ("127.0.0.1", "localhost", "[::1]")

    def allowed_origin(self, origin: str | None) -> bool:
        return origin is None or origin in self.allowed_origins

    def token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def answer(self, body: bytes) -> dict[str, Any]:
        """The answer to a POST /v1/summary body (RequestError on a bad request)."""
        from automation.problems import LedgerError

        request = parse_request(body)
        now = self.clock()
        today = request.today or now.date()
        started = time.perf_counter()
        with self._compute_lock:
            try:
                answer = summary_answer(request, self.config, today, now)
            except LedgerError as error:
                raise RequestError(HTTPStatus.UNPROCESSABLE_ENTITY, "bad_ledger",
                                   m.REQUEST_BAD_LEDGER.format(message=error.message)) from None
        log.info("summary of sheet %r: %d rows in %.2f s", request.sheet, len(request.values),
                 time.perf_counter() - started)
        return answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a second service on the same port fails instead of sharing it
    service: LedgerService


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "ledger-assistant/" + __version__
    timeout = 60  # seconds of socket silence before a connection is dropped

    @property
    def service(self) -> LedgerService:
        return self.server.service

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        log.debug("%s " + format, self.address_string(), *args)

    # -- answers -----------------------------------------------------------------------
    def _send(self, status: int, payload: dict[str, Any] | None, extra: dict[str, str] | None = None) -> None:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        origin = self.headers.get("Origin")
        if origin is not None and self.service.allowed_origin(origin):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, error: RequestError) -> None:
        self._send(error.status, {"error": error.code, "message": error.message})

    def _guard(self, need_token: bool) -> bool:
        """Host, Origin and (when needed) token; answers 403 and returns False on a refusal."""
        host = self.headers.get("Host")
        origin = self.headers.get("Origin")
        if not self.service.allowed_host(host):
            self._refuse(RequestError(HTTPStatus.FORBIDDEN, "forbidden_host", m.REQUEST_FORBIDDEN_HOST.format(host=host)))
            return False
        if not self.service.allowed_origin(origin):
            self._refuse(RequestError(HTTPStatus.FORBIDDEN, "forbidden_origin",
                                      m.REQUEST_FORBIDDEN_ORIGIN.format(origin=origin)))
            return False
        if need_token and not self.service.token_ok(self.headers.get(TOKEN_HEADER)):
            self._refuse(RequestError(HTTPStatus.FORBIDDEN, "forbidden_token", m.REQUEST_FORBIDDEN_TOKEN))
            return False
        return True

    def _refuse(self, error: RequestError) -> None:
        """A refusal: the body (if any) is not read, so the connection is closed after it.

        Refusals are logged with the Origin and Host seen: a browser hides a refused answer
        from the page (the add-in only sees a failed request), so the log is where to look."""
        if error.status == HTTPStatus.FORBIDDEN:
            log.warning("refused %s %s (%s): Origin %r, Host %r", self.command, self.path, error.code,
                        self.headers.get("Origin"), self.headers.get("Host"))
        self.close_connection = True
        self._error(error)

    # -- methods -----------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path.split("?")[0] != "/v1/health":
            if self._guard(need_token=False):
                self._error(RequestError(HTTPStatus.NOT_FOUND, "not_found", m.REQUEST_NOT_FOUND.format(path=self.path)))
            return
        if self._guard(need_token=False):
            self._send(HTTPStatus.OK, {"version": __version__})

    def do_POST(self) -> None:  # noqa: N802
        if self.path.split("?")[0] != "/v1/summary":
            if self._guard(need_token=False):
                self._refuse(RequestError(HTTPStatus.NOT_FOUND, "not_found", m.REQUEST_NOT_FOUND.format(path=self.path)))
            return
        if not self._guard(need_token=True):
            return
        try:
            body = self._read_body()
            payload = self.service.answer(body)
        except RequestError as error:
            self._error(error)
            return
        except Exception as error:  # noqa: BLE001 - the service keeps running; the log has details
            log.exception("summary request failed")
            where = f"（{self.service.log_path}）" if self.service.log_path else ""
            self._error(RequestError(HTTPStatus.INTERNAL_SERVER_ERROR, "internal",
                                     m.REQUEST_FAILED.format(error=error, log=where)))
            return
        self._send(HTTPStatus.OK, payload)

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight, answered for allowed origins only
        if not self._guard(need_token=False):
            return
        extra = {"Allow": "GET, POST, OPTIONS"}
        if self.headers.get("Origin") is not None:
            extra.update({
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": f"Content-Type, {TOKEN_HEADER}",
                "Access-Control-Max-Age": "600",
            })
            if (self.headers.get("Access-Control-Request-Private-Network") or "").lower() == "true":
                extra["Access-Control-Allow-Private-Network"] = "true"
        self._send(HTTPStatus.NO_CONTENT, None, extra)

    def _method_not_allowed(self) -> None:
        if self._guard(need_token=False):
            self._refuse(RequestError(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                                      m.REQUEST_METHOD_NOT_ALLOWED.format(path=self.path, method=self.command)))

    do_PUT = do_DELETE = do_PATCH = do_HEAD = _method_not_allowed

    def _read_body(self) -> bytes:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") or length_text is None:
            self.close_connection = True
            raise RequestError(HTTPStatus.LENGTH_REQUIRED, "length_required", m.REQUEST_LENGTH_REQUIRED)
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise RequestError(HTTPStatus.BAD_REQUEST, "bad_length", m.REQUEST_LENGTH_REQUIRED) from None
        limit = self.service.max_body_bytes
        if length > limit:
            self.close_connection = True
            if length <= DRAIN_LIMIT:
                self._drain(length)
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large",
                               m.REQUEST_TOO_LARGE.format(size=length, limit=limit))
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            raise RequestError(HTTPStatus.BAD_REQUEST, "incomplete",
                               m.REQUEST_INCOMPLETE.format(expected=length, received=len(body)))
        return body

    def _drain(self, length: int) -> None:
        remaining = length
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    return
                remaining -= len(chunk)
        except OSError:
            return
