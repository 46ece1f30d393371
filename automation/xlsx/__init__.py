"""The file writer: owned sheets written into a workbook package, everything else kept.

Public API:
    write_owned_sheets(source, model, *, generated_marker="ledger-assistant") -> bytes
    WorkbookError (and WorkbookInUseError, RunLockedError)
    MARKER_NAME: the hidden sheet-local defined name that marks a generated sheet
"""

from automation.xlsx.errors import RunLockedError, WorkbookError, WorkbookInUseError
from automation.xlsx.package import MARKER_NAME, open_package, write_owned_sheets
from automation.xlsx.sheetxml import date_serial, render_sheet

__all__ = [
    "MARKER_NAME",
    "RunLockedError",
    "WorkbookError",
    "WorkbookInUseError",
    "date_serial",
    "open_package",
    "render_sheet",
    "write_owned_sheets",
]
