"""The file writer: owned sheets written into a workbook package, everything else kept.

Public API:
    write_owned_sheets(source, model, *, generated_marker="ledger-assistant") -> bytes
    WorkbookError (and WorkbookInUseError, RunLockedError)
    MARKER_NAME: the hidden sheet-local defined name that marks a generated sheet

The writer's modules (lxml and all) load on first use of these names, so that the reader's
use of `automation.xlsx.repair` costs nothing before calamine starts parsing.
"""

from automation.xlsx.errors import RunLockedError, WorkbookError, WorkbookInUseError

_LAZY = {
    "MARKER_NAME": "automation.xlsx.package",
    "open_package": "automation.xlsx.package",
    "write_owned_sheets": "automation.xlsx.package",
    "date_serial": "automation.xlsx.sheetxml",
    "render_sheet": "automation.xlsx.sheetxml",
}

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


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'automation.xlsx' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
