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


def progress_for(path: Path, analysis: Analysis, now: dt.datetime, history=None):
    """The 进展 sheet: the ledger's stored history plus this run (issue 16). `history`: the
    stored snapshots when loaded already (`load_history(path)`)."""
    from automation.history import load_history, snapshot_of
    from automation.progress import progress_sheet

    current = snapshot_of(analysis, reconstructed=analysis.statistics.as_of != now.date())
    return progress_sheet(load_history(path) if history is None else history, current, analysis, now)


def refresh_workbook(path: Path, config: Config, today: dt.date, now: dt.datetime,
                     output: Path | None = None) -> RefreshResult:
    """Refresh the owned sheets of the workbook at `path` (or write them into a copy at `output`)."""
    from automation.gcpause import collector_paused
    from automation.preload import import_in_background, run_in_background
    from automation.safe_write import run_lock, save_workbook

    from automation.targets import check_writable_workbook, refuse_directory

    if not path.exists():
        raise LedgerError(messages.FILE_NOT_FOUND.format(path=path))
    refuse_directory(path)
    notes: list[str] = []
    legacy = _starts_with(path, OLE_MAGIC)
    if legacy and output is None:
        output = side_file_for_legacy(path)
        notes.append(messages.LEGACY_WRITTEN.format(source=path.name, target=output))
    if output is not None:
        refuse_directory(output)
    target = output or path
    # A read-only ledger is refused (Excel respects the flag); a copy may go anywhere writable.
    check_writable_workbook(target, is_output=output is not None)
    # The lock (and the backups) go beside what is written, so a ledger in a read-only folder
    # can still be refreshed into a copy elsewhere.
    with run_lock(target), collector_paused():
        data = path.read_bytes()
        # while calamine parses the ledger (Python's lock released), the writer and the
        # history's code load and the stored history is read
        import_in_background("automation.xlsx.package", "automation.progress")
        history = run_in_background(lambda: _stored_history(path))
        analysis = analyse_file(data, config, today, display_name=str(path), plain_columns=True)
        model = build_summary(analysis.statistics, config, now, [progress_for(path, analysis, now, history())])
        base = empty_package(path.name) if legacy else data
        from automation.xlsx import write_owned_sheets

        # The reader CRC-tested these bytes already (check_workbook_bytes).
        new_bytes = write_owned_sheets(base, model, members_verified=not legacy)
        # save_workbook refuses a target open in Excel/WPS (exit code 3, naming the user).
        backup = save_workbook(path, new_bytes, backups=config.backups, output=output)
        return RefreshResult(analysis, output or path, backup, notes)


def _stored_history(path: Path):
    from automation.history import load_history

    return load_history(path)


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(magic)) == magic
