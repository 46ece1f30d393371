"""`ledger refresh`: put the summary sheets into the staff's own workbook, safely.

Order of things: take the run lock (one run per workbook); refuse to overwrite a workbook
open in Excel or WPS (unless writing a copy); read the bytes once; compute; transplant the
owned sheets into the package; write atomically with a backup.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from automation import messages
from automation.analysis import Analysis, analyse_file
from automation.config import Config
from automation.ledger import OLE_MAGIC
from automation.problems import LedgerError
from automation.summary import build_summary


@dataclass
class RefreshResult:
    analysis: Analysis
    written: Path
    backup: Path | None
    notes: list[str]


def side_file_for_legacy(path: Path) -> Path:
    """Where the summary of a legacy .xls ledger goes: a new .xlsx beside it."""
    return path.with_name(f"{path.stem}{messages.LEGACY_SUFFIX}.xlsx")


def empty_package(source_name: str) -> bytes:
    """A new workbook holding one explanatory sheet, for summaries of .xls ledgers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = messages.LEGACY_INFO_SHEET
    sheet["A1"] = messages.LEGACY_INFO.format(source=source_name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refresh_workbook(path: Path, config: Config, today: dt.date, now: dt.datetime,
                     output: Path | None = None) -> RefreshResult:
    """Refresh the owned sheets of the workbook at `path` (or write them into a copy at `output`)."""
    from automation.preload import import_in_background
    from automation.safe_write import run_lock, save_workbook

    if not path.exists():
        raise LedgerError(messages.FILE_NOT_FOUND.format(path=path))
    notes: list[str] = []
    with run_lock(path):
        data = path.read_bytes()
        import_in_background("automation.xlsx.package")  # the writer loads while the ledger is parsed
        analysis = analyse_file(data, config, today, display_name=str(path))
        legacy = data.startswith(OLE_MAGIC)
        if legacy and output is None:
            output = side_file_for_legacy(path)
            notes.append(messages.LEGACY_WRITTEN.format(source=path.name, target=output))
        model = build_summary(analysis.statistics, config, now)
        base = empty_package(path.name) if legacy else data
        from automation.xlsx import write_owned_sheets

        # The reader CRC-tested these bytes already (check_workbook_bytes).
        new_bytes = write_owned_sheets(base, model, members_verified=not legacy)
        # save_workbook refuses a target open in Excel/WPS (exit code 3, naming the user).
        backup = save_workbook(path, new_bytes, backups=config.backups, output=output)
        return RefreshResult(analysis, output or path, backup, notes)
