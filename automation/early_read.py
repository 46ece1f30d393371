"""Parse the ledger sheet while the program is still starting.

A command line run spends its first ~0.2 s loading click, the commands and the locking and
writing code before it reads the ledger, and then waits on calamine's parse of the sheet
(about a second on 50,000 rows) with one core idle. `start` begins that parse in a thread
(calamine releases Python's lock) before anything else is loaded; the reader then takes the
parsed sheet instead of parsing it again (`take`). On Linux, a big sheet is parsed in two
halves: a helper process forked here first parses the second (automation/split_read).

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
    helper: Any = None  # the process parsing the sheet's second half (automation/split_read)
    settings: Any = None  # the config, as loaded here
    chosen: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)


_early: _Early | None = None
_lock = threading.Lock()
#: (the bytes, their zip members whose CRC the split read's helper tested)
_checked: tuple[bytes, frozenset[str]] | None = None


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
    from automation import heap_reuse

    if _size(path) >= heap_reuse.MIN_FILE:
        heap_reuse.reuse_freed_memory()  # before the fork: the helper runs with it too
    _fork_helper(early)  # before the thread: a fork must see one thread only
    threading.Thread(target=_parse, args=(early,), name="early-read", daemon=True).start()
    return True


def _size(path: str) -> int:
    """The file's size in bytes (0 when it cannot be read)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


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
    early.settings = config
    return True, config.sheet or None


def _owned_sheets() -> set[str]:
    from automation import messages

    return {messages.SHEET_SUMMARY, messages.SHEET_SECTIONS, messages.SHEET_OVERDUE,
            messages.SHEET_DUE_SOON, messages.SHEET_PROBLEMS, messages.SHEET_PROGRESS}


def _fork_helper(early: _Early) -> None:
    """On Linux, for a big file: read it now and fork the helper that parses the second half
    of its ledger sheet (automation/split_read) beside this process's parse of the first."""
    from automation import split_read

    if not split_read.enabled():
        return
    try:
        if os.path.getsize(early.path) < split_read.helper.SPLIT_MIN_FILE:
            return
        with open(early.path, "rb") as handle:
            data = handle.read()
    except OSError:
        return
    if not data.startswith(b"PK"):
        return
    early.data = data
    early.helper = split_read.fork_helper(data, lambda: _second_half(early, data))


def _second_half(early: _Early, data: bytes) -> Any:
    """The helper's work (its frames): the same sheet the parse below chooses, cut by the
    same rule."""
    from automation import split_read

    go_on, configured = _configured_sheet(early)
    if not go_on:
        return iter([("none",)])
    return split_read.helper_work(data, _target_in_xml(data, configured))


def _parse(early: _Early) -> None:
    helper = early.helper
    try:
        go_on, configured = _configured_sheet(early)
        if not go_on:
            return
        data = early.data
        if data is None:
            with open(early.path, "rb") as handle:
                data = handle.read()
        if not data.startswith(b"PK"):
            return  # legacy .xls and what is not a workbook: the reader's own path
        if helper is not None:
            halves = _first_half(data, configured)
            if halves is not None:
                early.data, early.target, early.book = data, halves[0], halves[1]
                early.chosen.set()
                early.sheet = _joined(*halves, helper, early.settings, data)
                return
            helper.discard()  # not cut: its work is not needed (and would slow the whole parse)
        import python_calamine

        from automation import split_read

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        # a configured name matched more loosely is the reader's to find
        target = split_read.choose_target(_worksheet_names(book), configured, _owned_sheets())
        if target is None:
            return
        early.data, early.target, early.book = data, target, book
        early.chosen.set()
        early.sheet = book.get_sheet_by_name(target)
    except BaseException:  # noqa: BLE001 - the reader meets any failure itself
        early.sheet = None
    finally:
        if helper is not None:
            helper.discard()  # whatever failed (after its answer was read, this does nothing)
        early.chosen.set()
        early.done.set()


def _worksheet_names(book: Any) -> list[str]:
    import python_calamine

    worksheet = python_calamine.SheetTypeEnum.WorkSheet
    return [meta.name for meta in book.sheets_metadata if meta.typ == worksheet]


def _target_in_xml(data: bytes, configured: str | None) -> str | None:
    """The sheet parsed early, chosen from the workbook's XML (both processes choose it so)."""
    from automation import split_read

    names = [name for name, _ in split_read.worksheet_parts(data)]
    return split_read.choose_target(names, configured, _owned_sheets())


def _first_half(data: bytes, configured: str | None) -> tuple | None:
    """(the sheet, the half-book standing for the workbook, the first half's grid, the cut)
    when the sheet is cut, parsing the first half here; else None. The sheet chosen from the
    half-book's own list must be the one cut."""
    from automation import split_read

    target = _target_in_xml(data, configured)
    cut, xml = split_read.plan_with_prefix(data, target) if target is not None else (None, b"")
    if cut is None:
        return None
    book = split_read.open_half_book(data, cut.part, split_read.first_half_pieces(xml, cut))
    del xml
    if split_read.choose_target(_worksheet_names(book), configured, _owned_sheets()) != target:
        return None
    head = book.get_sheet_by_name(target).to_python(skip_empty_area=False)
    return target, split_read.HalfBook(book, data, target), head, cut


def _joined(target: str, book: Any, head: list, cut: Any, helper: Any, config: Any, data: bytes) -> Any:
    """The sheet joined from its two halves, or, when the helper did not cut it the same way,
    parsed whole. While the helper works, the first half's columns are made ready for the
    reader as `config` would read them (`split_read.prepare`)."""
    from automation import split_read

    try:
        prepared = split_read.prepare(head, config) if config is not None else None
    except Exception:  # noqa: BLE001 - the reader does it all itself
        prepared = None
    answer = helper.answer()
    if not answer or answer[0] != "block" or answer[1] != target or answer[2] != cut.row:
        return book.get_sheet_by_name(target)  # HalfBook: the whole sheet
    global _checked
    _checked = (data, frozenset({cut.part}))
    sheet = split_read.SplitSheet(head, answer)
    sheet.to_python().prepared = prepared
    return sheet


def checked_parts(data: bytes) -> frozenset[str]:
    """The zip members of exactly these bytes whose CRC the split read's helper tested (it
    inflated them whole), once the early read is over; empty when there are none."""
    early = _early
    if early is not None:
        early.done.wait()
    checked = _checked
    if checked is None or (checked[0] is not data and checked[0] != data):
        return frozenset()
    return checked[1]


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
