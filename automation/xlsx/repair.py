"""Repairs in memory, for reading only, of workbooks Excel opens but calamine refuses.

Two shapes met in real files:
- a shared-string index past the end of the shared-strings table (Excel shows the cell
  empty): the table is padded with empty strings up to the highest index used;
- a `<dimension ref>` without a row or column component (`ref="A"`, `ref="A1:C"`), which
  Excel ignores: the element is dropped, and the sheet's extent comes from its cells;
- a cell reference without its row (`<c r="C">`), which some generators write: the row is
  the cell's own row (`<row r="3">`, or the row after the previous one when rows carry no
  number), so the reference becomes `C3`.

The repaired bytes only feed the reader. The file writer still gets the user's own bytes,
so every part of the workbook is kept exactly as it was. Work is bounded by the size of the
parts (what calamine itself decompresses); nothing here loads a workbook with openpyxl.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from typing import Any, Callable

from automation.xlsx.errors import WorkbookError

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
#: What calamine says for the shapes repaired here (its error texts, matched in part).
REPAIRABLE_ERRORS = ("shared strings table", "missing the expected row component",
                     "missing the expected column component")

_OVERRIDE = re.compile(rb'<(?:\w+:)?Override\b[^>]*>')
_ATTR = re.compile(rb'(PartName|ContentType)\s*=\s*"([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*"([^"]*)"[^>]*/>')
_VALID_REF = re.compile(rb"^\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?$")
_SHARED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt\s*=\s*"s"[^>]*>\s*<(?:\w+:)?v>\s*([0-9]+)\s*<')
_STRING_ITEM = re.compile(rb"<((?:\w+:)?)si[\s>/]")
_SST_END = re.compile(rb"</((?:\w+:)?)sst\s*>\s*$")
_SST_EMPTY = re.compile(rb"<((?:\w+:)?)sst\b([^>]*)/>\s*$")
#: The dimension element sits before <sheetData>; it is looked for in the part's head only.
_HEAD = 65536
#: A part is repaired in memory only up to this size as the zip declares it (zipfile stops
#: inflating there): a decompression bomb is left to the reader's error, not to memory.
MAX_PART_BYTES = 512 * 1024 * 1024


def is_repairable(error: BaseException) -> bool:
    """Whether calamine's error is one of the shapes `repaired` can mend."""
    text = str(error).lower()
    return any(marker in text for marker in REPAIRABLE_ERRORS)


def _parts_of_type(reader, content_type: bytes) -> list[str]:
    found = []
    types = reader.find("[Content_Types].xml")
    for override in _OVERRIDE.findall(reader.read(types)) if types else ():
        attrs = dict(_ATTR.findall(override))
        name = reader.find(attrs.get(b"PartName", b"").decode("utf-8", "replace").lstrip("/"))
        if name is not None and attrs.get(b"ContentType") == content_type:
            found.append(name)
    return found


def _without_bad_dimension(sheet: bytes) -> bytes:
    head = sheet[:_HEAD]
    match = _DIMENSION.search(head)
    if match is None or _VALID_REF.match(match.group(1)):
        return sheet
    return sheet[: match.start()] + sheet[match.end():]


#: A cell reference without its row, and the start tags that say which row a cell is in.
_ROWLESS_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br\s*=\s*"\$?[A-Za-z]{1,3}"')
_ROW_OR_CELL = re.compile(
    rb'<(?:\w+:)?row\b[^>]*>|(<(?:\w+:)?c\b[^>]*?\br\s*=\s*")(\$?[A-Za-z]{1,3})(")')
_ROW_NUMBER = re.compile(rb'\br\s*=\s*"([0-9]+)"')


def _with_cell_rows(sheet: bytes) -> bytes:
    """The sheet with every row-less cell reference given its row (see the module's docstring)."""
    if _ROWLESS_CELL.search(sheet) is None:
        return sheet
    row = 0

    def mend(match: re.Match) -> bytes:
        nonlocal row
        if match.group(1) is None:  # a row's start tag
            number = _ROW_NUMBER.search(match.group(0))
            row = int(number.group(1)) if number else row + 1
            return match.group(0)
        if row == 0:
            return match.group(0)  # a cell outside any row: left for the reader to report
        return match.group(1) + match.group(2) + str(row).encode("ascii") + match.group(3)

    return _ROW_OR_CELL.sub(mend, sheet)


def _padded_strings(table: bytes, needed: int) -> bytes:
    """The shared-strings part with empty items appended until it holds `needed` items."""
    have = len(_STRING_ITEM.findall(table))
    if have >= needed:
        return table
    end = _SST_END.search(table)
    empty = _SST_EMPTY.search(table) if end is None else None
    if end is None and empty is None:
        return table  # not a table we understand: leave it, the reader reports the damage
    prefix = (end or empty).group(1).decode("ascii")
    items = (f"<{prefix}si><{prefix}t/></{prefix}si>" * (needed - have)).encode("ascii")
    if end is not None:
        return table[: end.start()] + items + table[end.start():]
    return table[: empty.start()] + f"<{prefix}sst".encode() + empty.group(2) + b">" + items + f"</{prefix}sst>".encode()


def repaired(data: bytes) -> bytes | None:
    """The workbook's bytes with the repairs above made, or None when there is nothing to repair."""
    from automation.xlsx.opc import WORKSHEET_TYPE
    from automation.xlsx.zipio import ZipReader, ZipWriter

    reader = ZipReader(data)
    changed: dict[str, bytes] = {}
    highest = -1
    sheets = _parts_of_type(reader, WORKSHEET_TYPE.encode())
    tables = _parts_of_type(reader, SHARED_STRINGS_TYPE.encode())
    if any(reader.info(name).file_size > MAX_PART_BYTES for name in sheets + tables):
        return None
    for name in sheets:
        sheet = reader.read(name)
        fixed = _with_cell_rows(_without_bad_dimension(sheet))
        if fixed is not sheet:
            changed[name] = fixed
        for match in _SHARED_CELL.finditer(fixed):
            highest = max(highest, int(match.group(1)))
    for name in tables:
        table = reader.read(name)
        padded = _padded_strings(table, highest + 1)
        if padded is not table:
            changed[name] = padded
    if not changed:
        return None
    writer = ZipWriter()
    for info in reader.infos:
        if info.filename in changed:
            writer.add(info.filename, changed[info.filename], template=info, level=1)
        else:
            writer.copy(reader, info.filename)
    return writer.finish()


class RepairingWorkbook:
    """A calamine workbook that, when a sheet fails with a repairable error, reopens the
    repaired bytes once and reads the sheet from them. Everything else is calamine's own.

    `verified`, when given, waits for a check of the whole package running beside the parse
    (and raises its error): it is awaited before any sheet is handed out, and before a
    calamine error is reported, so that a damaged zip is named as such. `parsed(data, name)`,
    when given, returns a sheet of exactly these bytes parsed already (or None)."""

    def __init__(self, data: bytes, opener: Callable[[bytes], Any], verified: Callable[[], Any] | None = None,
                 parsed: Callable[[bytes, str], Any] | None = None):
        self._data = data
        self._opener = opener
        self._verified = verified or (lambda: None)
        self._parsed = parsed or (lambda data, name: None)
        self._book = opener(data)
        self._repaired = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._book, name)

    def get_sheet_by_name(self, name: str) -> Any:
        sheet = self._parsed(self._data, name)  # a sheet of these bytes parsed already, if any
        if sheet is not None:
            self._verified()
            return sheet
        try:
            sheet = self._book.get_sheet_by_name(name)
        except Exception as error:  # calamine's error types differ by version; matched by text
            self._verified()
            if self._repaired or not is_repairable(error):
                raise
            fixed = _repaired_or_none(self._data)
            if fixed is None:
                raise
            self._book, self._repaired = self._opener(fixed), True
            sheet = self._book.get_sheet_by_name(name)
        self._verified()
        return sheet


def _repaired_or_none(data: bytes) -> bytes | None:
    try:
        return repaired(data)
    except (WorkbookError, zipfile.BadZipFile, zlib.error, ValueError, OSError, KeyError, EOFError):
        return None  # damaged beyond these repairs: the reader reports calamine's error
