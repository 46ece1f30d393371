"""The functions the Excel ribbon calls through xlwings' RunPython.

    RunPython "import automation.excel; automation.excel.refresh()"

They read the ledger from the open workbook (what is on screen, saved or not), compute, and
write the summary sheets into the open workbook with the live writer; the file on disk is
not touched. Errors reach the user as a Chinese message box; details go to a log file.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from automation import messages
from automation.config import Config, find_config_file, load_config
from automation.live_writer import LiveWriter, activate_sheet
from automation.problems import LedgerError
from automation.summary import OWNED_SHEETS, build_summary

ALERT_TITLE = "台账助手"
NOTE_PREFIX = messages.GENERATED_NOTE.split("，")[0]


def _book_path(book) -> Path | None:
    try:
        full = book.fullname
        return Path(full) if full and Path(full).parent != Path("") else None
    except Exception:  # an unsaved book has no folder
        return None


def log_path_for(book) -> Path:
    """The log file next to the config (or in the user's folder when there is no config)."""
    config_file = find_config_file(None, _book_path(book))
    folder = config_file.parent if config_file else Path.home() / ".ledger-assistant"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "ledger-assistant-excel.log"


@contextmanager
def logging_to_file(book):
    """While a button runs, the package's log (automation.*) goes to the log file next to
    the config (yields its path). The file is only created when something is logged."""
    log = log_path_for(book)
    logger = logging.getLogger("automation")
    handler = logging.FileHandler(log, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield log
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def read_open_ledger(book, config: Config, today: dt.date):
    """Analyse the ledger sheet of an open book from its cell values."""
    from automation.analysis import analyse
    from automation.excel_merges import read_merged_down
    from automation.ledger import HEADER_SEARCH_ROWS, choose_sheet, find_header, parse_grid

    sheets = [sheet for sheet in book.sheets if sheet.name not in OWNED_SHEETS]
    by_name = {sheet.name: sheet for sheet in sheets}

    read: dict[str, tuple[list[list[Any]], int, int]] = {}

    def used(name: str) -> tuple[list[list[Any]], int, int]:
        # Each read is one round trip to Excel for the whole used range: once per sheet.
        if name not in read:
            used_range = by_name[name].used_range
            read[name] = (used_range.options(ndim=2).value, used_range.row, used_range.column)
        return read[name]

    def head(name: str) -> list[list[Any]]:
        return used(name)[0][:HEADER_SEARCH_ROWS]

    def merged_down(name: str, values: list[list[Any]], first_row: int, first_column: int):
        # Excel gives a merged area's value to its upper-left cell only: ask for the areas
        # merged down, as the file path reads them from the file.
        header = find_header(values, config)
        if header is None:
            return ()
        return read_merged_down(by_name[name], values, first_row, first_column, header[0][-1] + 1)

    if config.sheets:  # several sheets counted as one (config.ini [ledger] sheets)
        from automation.sheets import ledger_of_sheets

        def parse(sheet_name: str):
            values, first_row, first_column = used(sheet_name)
            return parse_grid(values, sheet_name, config, today, first_row, first_column,
                              merged_down(sheet_name, values, first_row, first_column))

        return analyse(ledger_of_sheets(list(by_name), config, head, parse), config, today)
    name, automatic = choose_sheet(list(by_name), config, head)
    values, first_row, first_column = used(name)
    ledger = parse_grid(values, name, config, today, first_row, first_column,
                        merged_down(name, values, first_row, first_column))
    if automatic:  # name the other matching sheets and the setting, as the file path does
        from automation.sheets import other_matching_sheets

        ledger.other_sheets = other_matching_sheets(list(by_name), name, config, head)
    return analyse(ledger, config, today)


def is_generated(sheet) -> bool:
    """Whether an existing sheet was written by the assistant (its first cell holds our note)."""
    value = sheet.range("A1").value
    return isinstance(value, str) and value.startswith(NOTE_PREFIX)


def run_refresh(book, today: dt.date, now: dt.datetime, config: Config | None = None, select: str = ""):
    """Refresh the summary sheets of an open book; returns the analysis."""
    config = config or load_config(None, _book_path(book))
    # Logging from the start: a part Excel refuses is logged with its traceback.
    with logging_to_file(book) as log:
        return _refresh(book, today, now, config, select, log)


def _refresh(book, today: dt.date, now: dt.datetime, config: Config, select: str, log: Path):
    """run_refresh's work, with the log file's path for the message."""
    analysis = read_open_ledger(book, config, today)
    path = _book_path(book)
    extra = []
    if path is not None and path.parent.is_dir():  # 进展 needs the history beside the workbook (issue 16)
        from automation.history import record_snapshot
        from automation.refresh import progress_for

        extra.append(progress_for(path, analysis, now))
        record_snapshot(path, analysis, now.date(), now, "excel")
    model = build_summary(analysis.statistics, config, now, extra)
    app = book.app
    if book.api.ProtectStructure:
        # Excel would refuse to add or delete sheets half-way through; say so before writing.
        raise LedgerError(messages.EXCEL_BOOK_PROTECTED)
    app.screen_updating = False
    try:
        for name in model.names:
            if name in [sheet.name for sheet in book.sheets] and not is_generated(book.sheets[name]):
                raise LedgerError(messages.OWNED_NAME_TAKEN.format(sheet=name))
        skipped = LiveWriter(book).write(model)
    finally:
        app.screen_updating = True
    activate_sheet(book.sheets[select or messages.SHEET_SUMMARY])
    totals = analysis.statistics.totals
    app.status_bar = messages.EXCEL_STATUS.format(overdue=totals["overdue"], due_soon=totals["due_soon"],
                                                  total=totals["total"])
    if skipped:
        names = {"chart": messages.EXCEL_CHART_NAME, "freeze": messages.EXCEL_FREEZE_NAME,
                 "tab": messages.EXCEL_TAB_NAME, "page": messages.EXCEL_PAGE_NAME}
        parts = "、".join(names[p.kind].format(sheet=p.sheet, title=p.title) for p in skipped)
        app.alert(messages.EXCEL_PARTS_SKIPPED.format(parts=parts, log=log), title=ALERT_TITLE, mode="info")
    return analysis


def _guarded(action) -> None:
    """Run an action on the calling book; every failure becomes a message box."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        action(book)
    except LedgerError as error:
        book.app.alert(error.message, title=ALERT_TITLE, mode="critical")
    except Exception as error:  # noqa: BLE001 - the user sees a message box, the log the details
        with logging_to_file(book) as log:
            logging.getLogger("automation.excel").exception("action failed")
        book.app.alert(messages.UNEXPECTED.format(error=error, log=log), title=ALERT_TITLE, mode="critical")


def refresh() -> None:
    """Ribbon button 一键统计: refresh every summary sheet and show 统计汇总."""
    _guarded(lambda book: run_refresh(book, dt.date.today(), dt.datetime.now()))


def check() -> None:
    """Ribbon button 逾期清单: refresh, then show the overdue list."""
    _guarded(lambda book: run_refresh(book, dt.date.today(), dt.datetime.now(), select=messages.SHEET_OVERDUE))


def write_report_for(book, today: dt.date, now: dt.datetime) -> Path:
    """Refresh, then write the report draft (.docx) beside the workbook; returns its path."""
    from automation.report import write_report

    config = load_config(None, _book_path(book))
    analysis = run_refresh(book, today, now, config)
    folder = _book_path(book).parent if _book_path(book) else Path.home()
    target = folder / messages.REPORT_FILE_NAME.format(date=today.strftime("%Y%m%d"))
    write_report(analysis.statistics, config, target)
    book.app.alert(messages.EXCEL_REPORT_WRITTEN.format(path=target), title=ALERT_TITLE)
    return target


def report() -> None:
    """Ribbon button 生成汇报: refresh, then write the report draft next to the workbook."""
    _guarded(lambda book: write_report_for(book, dt.date.today(), dt.datetime.now()))
