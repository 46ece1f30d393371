"""Parse the ledger sheet while the program is still starting.

A command line run spends its first ~0.2 s loading click, the commands and the locking and
writing code before it reads the ledger, and then waits on calamine's parse of the sheet
(about a second on 50,000 rows) with one core idle. `start` begins that parse in a thread
(calamine releases Python's lock) before anything else is loaded; the reader then takes the
parsed sheet instead of parsing it again (`take`).

It is a guess made from the command line alone, so it never decides anything:
- the sheet parsed is the one the config names (`[ledger] sheet`, by its exact name), else the
  first worksheet that is not one of the assistant's own sheets (the sheet the reader picks
  when its header matches); nothing is parsed early when the config names several sheets or
  cannot be read. The reader takes it only when it asks for that very sheet;
- the file is read here without the run lock, so the parsed sheet is used only when the
  bytes the reader read (under the lock) are identical to the bytes parsed here;
- any failure here is dropped: the reader then meets it itself and reports it as always.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass, field
from typing import Any

#: The commands that read one ledger file first thing.
_COMMANDS = ("refresh", "stats", "check", "report")
#: Options whose value is a file that is not the ledger read.
_FILE_OPTIONS = ("--output", "-o", "--config", "--previous")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class _Early:
    path: str
    config: str | None = None  # the --config given on the command line
    data: bytes | None = None
    target: str | None = None  # the sheet being parsed, once chosen
    book: Any = None  # the workbook opened (its shared strings read once, not twice)
    sheet: Any = None
    chosen: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)


_early: _Early | None = None
_lock = threading.Lock()


def ledger_argument(arguments: list[str]) -> str | None:
    """The one workbook file a command line names for a command that reads it first thing,
    or None (another command, a folder, several files, a file that does not exist)."""
    if not arguments or arguments[0] not in _COMMANDS:
        return None
    found: list[str] = []
    for index, argument in enumerate(arguments[1:], start=1):
        if argument.startswith("-") or arguments[index - 1] in _FILE_OPTIONS:
            continue
        if argument.lower().endswith(_WORKBOOK_SUFFIXES):
            found.append(argument)
        elif os.path.isdir(argument):
            return None  # a folder of units
    return found[0] if len(found) == 1 and os.path.isfile(found[0]) else None


def start(arguments: list[str]) -> bool:
    """Begin parsing the ledger named by `arguments` (the command line without the program)
    in a daemon thread, when there is exactly one such file; True when it was begun."""
    global _early
    path = ledger_argument(arguments)
    if path is None or os.environ.get("LEDGER_NO_EARLY_READ"):
        return False
    early = _Early(path, _option_value(arguments, "--config"))
    _early = early
    threading.Thread(target=_parse, args=(early,), name="early-read", daemon=True).start()
    return True


def _option_value(arguments: list[str], option: str) -> str | None:
    """The value given to `option` on the command line (`--config X` or `--config=X`), or None."""
    for index, argument in enumerate(arguments):
        if argument == option and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith(option + "="):
            return argument[len(option) + 1:]
    return None


def _configured_sheet(early: _Early) -> tuple[bool, str | None]:
    """(whether to go on, the sheet the config names or None), as the reader will see it."""
    from pathlib import Path

    from automation.config import load_config

    try:
        config = load_config(Path(early.config) if early.config else None, Path(early.path))
    except Exception:  # noqa: BLE001 - the command reports a bad config itself
        return False, None
    if config.sheets:
        return False, None  # several sheets read as one: left to the reader
    return True, config.sheet or None


def _parse(early: _Early) -> None:
    try:
        go_on, configured = _configured_sheet(early)
        if not go_on:
            return
        with open(early.path, "rb") as handle:
            data = handle.read()
        if not data.startswith(b"PK"):
            return  # legacy .xls and what is not a workbook: the reader's own path
        import python_calamine

        from automation import messages

        owned = {messages.SHEET_SUMMARY, messages.SHEET_SECTIONS, messages.SHEET_OVERDUE,
                 messages.SHEET_DUE_SOON, messages.SHEET_PROBLEMS, messages.SHEET_PROGRESS}
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheet = python_calamine.SheetTypeEnum.WorkSheet
        names = [meta.name for meta in book.sheets_metadata if meta.typ == worksheet]
        if configured is not None:
            target = configured if configured in names else None  # a looser match: the reader's
        else:
            target = next((name for name in names if name not in owned), None)
        if target is None:
            return
        early.data, early.target, early.book = data, target, book
        early.chosen.set()
        early.sheet = book.get_sheet_by_name(target)
    except BaseException:  # noqa: BLE001 - the reader meets any failure itself
        early.sheet = None
    finally:
        early.chosen.set()
        early.done.set()


def book_for(data: bytes) -> Any | None:
    """The workbook opened early, when it was opened from exactly these bytes, or None. Waits
    until the early parse is over: calamine's workbook is not used from two threads at once."""
    early = _early
    if early is None:
        return None
    early.done.wait()
    if early.book is None or early.data != data:
        return None
    return early.book


def take(data: bytes, name: str) -> Any | None:
    """The sheet `name` parsed early from exactly these bytes, or None. Waits for the early
    parse only when it is parsing that sheet; hands a sheet out once."""
    global _early
    with _lock:
        early = _early
        if early is None:
            return None
        early.chosen.wait()
        if early.target != name:
            return None
        _early = None
    early.done.wait()
    if early.sheet is None or early.data != data:
        return None
    return early.sheet


def release() -> None:
    """Forget whatever was parsed early and not taken (its memory goes when its thread ends)."""
    global _early
    with _lock:
        _early = None
