"""Read the ledger: find the sheet and its header, match columns, and turn cells into values.

Reading is a pure function of (workbook bytes or a grid of cell values, config, today):
`read_ledger` opens a file with python-calamine; `parse_grid` does the rest and is also what
the live Excel writer and the WPS service call with the values of an open workbook.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import io
import re
import unicodedata
import zipfile
from itertools import repeat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Sequence

from automation import messages
from automation.config import REQUIRED_COLUMNS, Config
from automation.dates import EMPTY_MARKERS, PLAUSIBLE_YEARS, parse_date
from automation.distinct import Distinct
from automation.fast_exit import keep_until_exit
from automation.model import column_letter
from automation.problems import LedgerError, Problem, display_value

HEADER_SEARCH_ROWS = 30
DATE_KEYS = ("assigned", "deadline", "replied")
#: Columns shown as typed (trimmed only); the others are also folded (full-width to half-width).
AS_TYPED_KEYS = ("title",)
#: Columns no figure or list uses: carried as the cells hold them, without conversion.
RAW_KEYS = ("seq", "note", "public", "lead_unit")
TOTAL_ROW_WORDS = ("合计", "总计", "小计", "共计")
#: How a note below the table begins (a row with that one cell filled is not an item).
NOTE_WORDS = ("注", "备注", "说明", "填表", "制表", "审核", "填报", "联系人", "附", "*", "※")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

_BRACKETS = re.compile(r"[（(【\[〔<《][^）)】\]〕>》]*[）)】\]〕>》]")
_SPACES = re.compile(r"\s+")


def normalize_header(text: object) -> str:
    """Fold a header for matching: full-width to half-width, no spaces or line breaks,
    no bracketed notes, no required-field stars or trailing colons."""
    return _normalize_header_text(str(text))


@functools.lru_cache(maxsize=4096)
def _normalize_header_text(text: str) -> str:
    # Cached: the header search folds every cell of the first 30 rows, and a folder of units'
    # ledgers (or one ledger's several sheets) repeats the same headers and synonyms.
    folded = unicodedata.normalize("NFKC", text)
    folded = _BRACKETS.sub("", folded)
    folded = _SPACES.sub("", folded)
    return folded.strip("*:：").lower()


def normalize_value(text: str) -> str:
    """Fold a vocabulary value for comparison: full-width folded, spaces removed, lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class ColumnMatch:
    """Where a column key was found: 0-based index in the grid and the header as it stands."""

    key: str
    index: int
    header: str
    excel_column: str


@dataclass
class Ledger:
    """The ledger as read: matched columns, item rows as a DataFrame, and the problems found.

    `items` has one row per item with the column keys as columns (text columns folded and
    trimmed, dates as datetime.date or None) and `excel_row`, the row number the clerk sees.
    """

    sheet: str
    header_rows: list[int]
    columns: dict[str, ColumnMatch]
    unmatched_headers: list[tuple[int, str]]
    items: Any  # pandas.DataFrame
    problems: list[Problem]
    sheet_names: list[str] = field(default_factory=list)
    sheet_chosen_automatically: bool = False
    #: Several sheets read as one (`sheets =`): each sheet's own columns; items carry a `sheet` column.
    sheet_columns: dict[str, dict[str, ColumnMatch]] = field(default_factory=dict)
    #: Other sheets whose header matches too, not counted (no `sheet =` / `sheets =` chose).
    other_sheets: list[str] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        return self.header_rows[-1]

    def columns_of(self, sheet: str | None = None) -> dict[str, ColumnMatch]:
        """The matched columns of one sheet (of the only sheet when not given)."""
        return self.sheet_columns.get(sheet, self.columns) if sheet else self.columns

    def header_of(self, key: str, sheet: str | None = None) -> str:
        match = self.columns_of(sheet).get(key)
        return match.header if match else messages.COLUMN_MEANINGS[key]

    def cell_of(self, key: str, excel_row: int, sheet: str | None = None) -> str:
        match = self.columns_of(sheet).get(key)
        return f"{match.excel_column}{excel_row}" if match else f"A{excel_row}"


# --- opening the file ------------------------------------------------------------------


def open_workbook(source: Path | bytes, display_name: str | None = None, test_members: bool = True):
    """Open a workbook with python-calamine, turning every failure into a clear LedgerError.
    `test_members`: also CRC-test every zip member beside the parse (see read_ledger)."""
    import python_calamine

    from automation import early_read
    from automation.preload import run_in_background
    from automation.xlsx.repair import RepairingWorkbook

    name = display_name or (str(source) if isinstance(source, Path) else "工作簿")
    if isinstance(source, Path):
        if source.is_dir():  # Windows reports reading a folder as "permission denied"
            raise LedgerError(messages.TARGET_IS_DIRECTORY.format(path=source))
        try:
            data = source.read_bytes()
        except FileNotFoundError:
            raise LedgerError(messages.FILE_NOT_FOUND.format(path=source)) from None
        except OSError as error:
            from automation.os_errors import os_error_sentence

            raise LedgerError(os_error_sentence(error)) from None
    else:
        data = source
    check_workbook_bytes(data, name, test_members=False)
    # The CRC test of every member (zlib, with Python's lock released) runs beside calamine's
    # parse; its verdict is awaited before any sheet's values are used.
    verified = (run_in_background(lambda: check_workbook_bytes(data, name,
                                                               checked_elsewhere=lambda: early_read.checked_parts(data)))
                if test_members and data.startswith(b"PK") else None)
    try:
        # Shapes Excel opens but calamine trips on are mended in memory for reading (xlsx/repair.py).
        return RepairingWorkbook(
            data, lambda raw: early_read.book_for(raw) or python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw)),
            verified=verified, parsed=early_read.take)
    except python_calamine.PasswordError:
        raise LedgerError(messages.ENCRYPTED_WORKBOOK.format(path=name)) from None
    except Exception as error:  # calamine raises several unrelated types for damaged files
        if verified is not None:
            verified()  # a damaged zip is named as such
        raise LedgerError(messages.DAMAGED_WORKBOOK.format(path=name, detail=_short(error))) from None


def check_workbook_bytes(data: bytes, name: str, test_members: bool = True,
                         checked_elsewhere: Callable[[], Collection[str]] | None = None) -> None:
    """Refuse what is not a readable workbook before any parser sees it (`test_members`: also
    CRC-test every member of the zip, which decompresses them all). `checked_elsewhere()`:
    big members whose CRC was tested already (the split read's helper inflates the ledger
    sheet whole), asked for once the other members are tested."""
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_STREAM in data:
            raise LedgerError(messages.ENCRYPTED_WORKBOOK.format(path=name))
        return  # legacy .xls
    if not data.startswith(b"PK"):
        raise LedgerError(messages.NOT_A_WORKBOOK.format(path=name))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            broken = _first_broken_member(archive, checked_elsewhere) if test_members else None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise LedgerError(messages.DAMAGED_WORKBOOK.format(path=name, detail=_short(error))) from None
    if broken is not None:
        raise LedgerError(messages.DAMAGED_WORKBOOK.format(path=name, detail=f"压缩包成员 {broken} 校验失败"))
    if not _is_spreadsheet_zip(data):
        raise LedgerError(messages.NOT_A_WORKBOOK.format(path=name))


def _first_broken_member(archive: zipfile.ZipFile, checked_elsewhere) -> str | None:
    """zipfile's testzip, the big members last and only those not `checked_elsewhere()`."""
    from automation.split_read.cut import big_enough

    deferred = []
    for info in archive.infolist():
        if checked_elsewhere is not None and big_enough(info.file_size):
            deferred.append(info)
        elif not _member_reads(archive, info):
            return info.filename
    checked = checked_elsewhere() if deferred else ()
    return next((info.filename for info in deferred if info.filename not in checked
                 and not _member_reads(archive, info)), None)


def _member_reads(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a member inflates to its size with its CRC (as testzip checks it)."""
    try:
        with archive.open(info) as member:
            while member.read(1 << 20):
                pass
    except zipfile.BadZipFile:
        return False
    return True


def _is_spreadsheet_zip(data: bytes) -> bool:
    """Whether a sound zip holds a spreadsheet: an xl/ part, a content type of SpreadsheetML,
    or an OpenDocument spreadsheet. A renamed Word or PowerPoint file, or any other zip, is not
    a workbook, and saying "damaged" about it would send the user looking for the wrong fix."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if any(name.lower().startswith("xl/") for name in names):
            return True
        lowered = {name.lower(): name for name in names}
        if "[content_types].xml" in lowered:
            types = archive.read(lowered["[content_types].xml"])
            return b"spreadsheetml" in types or b"ms-excel" in types
        if "mimetype" in lowered:
            return b"spreadsheet" in archive.read(lowered["mimetype"])
    return False


def _short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def read_ledger(source: Path | bytes, config: Config, today: dt.date, display_name: str | None = None,
                test_members: bool = True, plain_columns: bool = False) -> Ledger:
    """Read the ledger sheet of a workbook file (.xlsx, .xlsm, .xls) or its bytes.

    `test_members=False` skips the CRC test of the zip members calamine does not read (a folder
    of units: the members read are checked by calamine's zip reader as it inflates them).
    `plain_columns`: the items as a ColumnFrame rather than a DataFrame (one sheet only; a folder
    of units, see automation/column_frame.py)."""
    from automation import early_read

    try:
        return _read_ledger(source, config, today, display_name, test_members, plain_columns)
    finally:
        early_read.release()  # a sheet parsed early and not asked for is not kept


def _read_ledger(source: Path | bytes, config: Config, today: dt.date, display_name: str | None,
                 test_members: bool, plain_columns: bool) -> Ledger:
    import python_calamine

    from automation.preload import import_in_background

    if not plain_columns:  # a folder's small ledgers are read without pandas (ColumnFrame)
        import_in_background("numpy", "pandas")  # while calamine parses, with Python's lock released
    workbook = open_workbook(source, display_name, test_members)
    names = [meta.name for meta in workbook.sheets_metadata if meta.typ == python_calamine.SheetTypeEnum.WorkSheet]

    sheets: dict[str, Any] = {}

    def grid(name: str, rows: int | None = None) -> list[list[Any]]:
        # get_sheet_by_name parses the whole sheet: do it once per sheet.
        try:
            if name not in sheets:
                sheets[name] = workbook.get_sheet_by_name(name)
            values = sheets[name].to_python(skip_empty_area=False, nrows=rows)
            if rows is None:
                keep_until_exit(sheets[name], values)  # a command line run never frees the grid
            return values
        except LedgerError:
            raise
        except Exception as error:
            raise LedgerError(messages.DAMAGED_WORKBOOK.format(path=display_name or source, detail=_short(error))) from None

    def merged_of(name: str):
        try:
            return sheets[name].merged_cell_ranges or ()
        except Exception:  # not every format gives its merged areas; reading goes on without
            return ()

    def head_of(name: str) -> list[list[Any]]:
        return grid(name, HEADER_SEARCH_ROWS)

    if config.sheets:
        from automation.sheets import read_sheets

        ledger = read_sheets(names, config, today, head_of, lambda name: (grid(name), merged_of(name)))
        ledger.sheet_names = names
        return ledger
    headers: dict[str, Any] = {}
    sheet_name, automatic = choose_sheet(names, config, head_of, headers)
    ledger = parse_grid(grid(sheet_name), sheet_name, config, today, merged_ranges=merged_of(sheet_name),
                        header=headers.get(sheet_name), plain_columns=plain_columns)
    ledger.sheet_names = names
    ledger.sheet_chosen_automatically = automatic
    if automatic:
        from automation.sheets import other_matching_sheets

        ledger.other_sheets = other_matching_sheets(names, sheet_name, config, head_of)
    return ledger


def choose_sheet(names: list[str], config: Config, head_of, headers: dict[str, Any] | None = None) -> tuple[str, bool]:
    """The ledger sheet: the configured one, else the first whose header row matches.

    When no sheet has every required column, the sheet with the most matched columns is
    chosen, so that reading it names the missing columns and the closest headers.
    `headers`, when given, receives the header found for each sheet looked at (`find_header`
    of its first rows), so that reading the chosen sheet need not search again."""
    if config.sheet:
        wanted = normalize_header(config.sheet)
        for name in names:
            if name == config.sheet or normalize_header(name) == wanted:
                return name, False
        raise LedgerError(messages.SHEET_NOT_FOUND.format(sheet=config.sheet, sheets="、".join(names)))
    partial: tuple[int, str] | None = None
    for name in names:
        header = find_header(head_of(name), config)
        if headers is not None:
            headers[name] = header
        if header is None:
            continue
        if not missing_required(header[1]):
            return name, True
        if partial is None or len(header[1]) > partial[0]:
            partial = (len(header[1]), name)
    if partial is not None:
        return partial[1], True
    raise LedgerError(messages.NO_LEDGER_SHEET.format(sheets="、".join(names) or "无"))


# --- the header ------------------------------------------------------------------------


def synonym_table(config: Config) -> dict[str, tuple[str, int]]:
    """Normalised header text -> (column key, rank of the synonym: 0 is the default header)."""
    table: dict[str, tuple[str, int]] = {}
    for key, synonyms in config.columns.items():
        for rank, synonym in enumerate(synonyms):
            table.setdefault(normalize_header(synonym), (key, rank))
    return table


def _match_row(row: Sequence[Any], table: dict[str, tuple[str, int]]) -> dict[int, tuple[str, int]]:
    found = {}
    for index, cell in enumerate(row):
        if isinstance(cell, str) and cell.strip():
            hit = table.get(normalize_header(cell))
            if hit:
                found[index] = hit
    return found


def find_header(rows: list[list[Any]], config: Config) -> tuple[list[int], dict[str, ColumnMatch]] | None:
    """Find the header: one row, or two when a group cell (e.g. 办理情况) spans sub-headers.

    Returns the 0-based header row indexes and the matched columns, or None.
    """
    table = synonym_table(config)
    matched = [_match_row(row, table) for row in rows[:HEADER_SEARCH_ROWS]]
    best: tuple[int, list[int], dict[int, tuple[str, int]]] | None = None
    for index, single in enumerate(matched):
        if not single:
            continue  # a title row or a blank row is never part of the header
        candidates = [([index], single)]
        if index + 1 < len(matched) and _is_sub_header(rows[index + 1], single, matched[index + 1]):
            combined = dict(single)
            combined.update(matched[index + 1])
            candidates.append(([index, index + 1], combined))
        for header_rows, cells in candidates:
            score = len({key for key, _ in cells.values()})
            if score >= 2 and (best is None or score > best[0]):
                best = (score, header_rows, cells)
    if best is None:
        return None
    _, header_rows, cells = best
    return header_rows, _assign_columns(rows, header_rows, cells)


def _is_sub_header(row_below: Sequence[Any], above: dict[int, tuple[str, int]],
                   below: dict[int, tuple[str, int]]) -> bool:
    """Whether the row below a header row is the second row of a two-row header: it names
    columns the row above does not, and it is blank under the headers of the row above
    (those are merged down). A first data row that happens to hold a header word (e.g. a
    proposer called 代表) has values under the headers, so it is not taken for a header."""
    if not below or not {key for key, _ in below.values()} - {key for key, _ in above.values()}:
        return False
    for index, (key, _) in above.items():
        cell = _at(row_below, index)
        if not _is_blank(cell) and below.get(index, ("",))[0] != key:
            return False
    return True


def _assign_columns(rows, header_rows, cells: dict[int, tuple[str, int]]) -> dict[str, ColumnMatch]:
    """One column per key: the best-ranked synonym wins, then the leftmost."""
    chosen: dict[str, tuple[int, int]] = {}
    for index, (key, rank) in sorted(cells.items()):
        if key not in chosen or rank < chosen[key][1]:
            chosen[key] = (index, rank)
    columns = {}
    for key, (index, _) in chosen.items():
        header = _header_text(rows, header_rows, index)
        columns[key] = ColumnMatch(key, index, header, column_letter(index + 1))
    return columns


def _header_text(rows, header_rows: list[int], index: int) -> str:
    """The header as it stands: the lowest non-empty header cell of that column."""
    for row_index in reversed(header_rows):
        row = rows[row_index]
        if index < len(row) and isinstance(row[index], str) and row[index].strip():
            return _SPACES.sub(" ", row[index].strip())
    return ""


def missing_required(columns: dict[str, ColumnMatch]) -> list[str]:
    return [key for key in REQUIRED_COLUMNS if key not in columns]


def closest_headers(header_texts: list[str], key: str, config: Config) -> list[str]:
    """Headers of the sheet that look most like any synonym of a missing key."""
    normalized = {normalize_header(text): text for text in header_texts if text}
    scores: dict[str, float] = {}
    for synonym in config.columns[key]:
        wanted = normalize_header(synonym)
        for folded, original in normalized.items():
            ratio = difflib.SequenceMatcher(None, wanted, folded).ratio()
            if ratio >= 0.4:
                scores[original] = max(scores.get(original, 0.0), ratio)
    return [text for text, _ in sorted(scores.items(), key=lambda pair: -pair[1])[:3]]


# --- the rows --------------------------------------------------------------------------


def parse_grid(
    rows: list[list[Any]],
    sheet: str,
    config: Config,
    today: dt.date,
    first_row: int = 1,
    first_column: int = 1,
    merged_ranges: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
    header: tuple[list[int], dict[str, ColumnMatch]] | None = None,
    plain_columns: bool = False,
) -> Ledger:
    """Turn a grid of cell values (row 0 is Excel row `first_row`) into a Ledger.

    `merged_ranges` are the sheet's merged areas, ((first row, first column), (last row, last
    column)) 0-based in the grid: a cell merged down over several item rows (承办科室 or 分管领导
    written once for a group of items) counts for each of those rows.
    `header`: what `find_header` found in the grid's first rows, when the caller has it already.
    `plain_columns`: the items as a ColumnFrame (automation.column_frame), not a DataFrame.
    Raises LedgerError when there is no header row or a required column is missing.
    """
    if header is None:
        header = find_header(rows, config)
    if header is None:
        raise LedgerError(messages.NO_HEADER_ROW.format(sheet=sheet, rows=HEADER_SEARCH_ROWS))
    header_rows, columns = header
    if first_column != 1:
        columns = {
            key: ColumnMatch(key, m.index, m.header, column_letter(m.index + first_column))
            for key, m in columns.items()
        }
    _require_columns(rows, header_rows, columns, sheet, config, first_row)
    used = {match.index for match in columns.values()}
    unmatched = [
        (index, _header_text(rows, header_rows, index))
        for index in range(max((len(rows[r]) for r in header_rows), default=0))
        if index not in used and _header_text(rows, header_rows, index)
    ]
    reader = _RowReader(sheet, columns, config, today, first_row)
    reader.plain_columns = plain_columns
    items = reader.read(rows, header_rows[-1] + 1, merged_ranges)
    return Ledger(
        sheet=sheet,
        header_rows=[r + first_row for r in header_rows],
        columns=columns,
        unmatched_headers=unmatched,
        items=items,
        problems=reader.problems,
    )


def fill_merged_down(count: int, row_lengths, columns: list[Any], merged_ranges, start: int,
                     distinct: dict[int, Distinct] | None = None) -> set[int]:
    """Fill, in the `count` data rows' column arrays (`columns[c][r - start]` is grid cell
    (r, c); `row_lengths`: the length of each data row when they differ, else None),
    each area merged down one column below the header with its top cell's value, where the
    cell is blank. Areas merged across columns are left alone: a note or a 合计 row spread over
    the width is not an item's value. Column-wise with numpy: a ledger whose 承办科室 is merged
    over groups of rows has as many areas as groups. A column given in `distinct` (factorized
    already) has its codes filled too: blankness is then decided once per distinct value.
    Returns the columns that have merged areas."""
    import numpy as np

    targets: dict[int, tuple[list[int], list[int]]] = {}
    for (top, left), (bottom, right) in merged_ranges:
        if left != right or bottom <= top or top < start or top >= start + count or left >= len(columns):
            continue
        last = min(bottom, start + count - 1)
        if last <= top:
            continue
        firsts, lasts = targets.setdefault(left, ([], []))
        firsts.append(top + 1 - start)
        lasts.append(last + 1 - start)
    lengths = row_lengths if targets else None
    for left, (firsts, lasts) in targets.items():
        counts = np.subtract(lasts, firsts)
        # every offset each area covers below its top cell, and the offset of that top cell
        tops = np.repeat(np.subtract(firsts, 1), counts)
        offsets = np.repeat(np.subtract(firsts, np.cumsum(counts) - counts), counts) + np.arange(counts.sum())
        column = columns[left]
        factorized = (distinct or {}).get(left)
        if factorized is not None:
            uniques = np.empty(len(factorized.uniques), dtype=object)
            uniques[:] = factorized.uniques
            blank = _blank_cells(uniques)[factorized.codes[offsets]]
        else:
            blank = _blank_cells(column[offsets])
        if lengths is not None:
            blank &= lengths[offsets] > left
            top_lengths = lengths[tops]
            values = np.where(top_lengths > left, column[tops], None)
        else:
            values = column[tops]
        filled, sources = offsets[blank], tops[blank]
        column[filled] = values[blank]
        if factorized is not None:
            factorized.codes[filled] = factorized.codes[sources]
    return set(targets)


def _blank_cells(values):
    """Per value of an object array: what `_filled` calls blank (None, empty or white-space
    text), in C-level maps: no Python frame per cell."""
    import operator

    import numpy as np

    count = len(values)
    blank = np.fromiter(map(operator.is_, values, repeat(None)), bool, count)
    is_text = np.fromiter(map(str.__instancecheck__, values), bool, count)
    texts = values[is_text]
    blank[is_text] = np.fromiter(map(operator.not_, map(str.strip, texts)), bool, len(texts))
    return blank


def _require_columns(rows, header_rows, columns, sheet, config, first_row) -> None:
    missing = missing_required(columns)
    if not missing:
        return
    header_texts = [
        _header_text(rows, header_rows, index) for index in range(max(len(rows[r]) for r in header_rows))
    ]
    lines = [messages.MISSING_COLUMNS.format(sheet=sheet, row=header_rows[-1] + first_row, columns="、".join(
        messages.COLUMN_MEANINGS[key] for key in missing))]
    for key in missing:
        closest = closest_headers(header_texts, key, config)
        if closest:
            lines.append(messages.MISSING_COLUMN_HINT.format(
                header=messages.COLUMN_MEANINGS[key], closest="、".join(f"“{c}”" for c in closest),
                key=key, suggestion=", ".join(config.columns[key][1:] + [closest[0]])))
        else:
            lines.append(messages.MISSING_COLUMN_NO_HINT.format(header=messages.COLUMN_MEANINGS[key]))
    raise LedgerError("\n".join(lines))


def cell_text(value: Any) -> str:
    """A cell as trimmed text ('' for empty); whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


#: A value holding one of these besides the word it contains says the opposite of that word
#: (未答复, 未完成, 不太满意, 待答复): it is not matched by containment.
_NEGATIONS = frozenset("未不没无非否待")


def _contains_unnegated(text: str, word: str) -> bool:
    """Whether `word` occurs in `text` without a negation among the two characters before it."""
    start = text.find(word)
    while start >= 0:
        if not _NEGATIONS.intersection(text[max(0, start - 2):start]):
            return True
        start = text.find(word, start + 1)
    return False


class _Vocabulary:
    """Maps what clerks type to a canonical word: exact after folding, else the longest
    synonym contained in the value, unless a negation stands right before it (未答复,
    待答复, 不太满意); words elsewhere in the cell (已答复，待测评) do not negate it."""

    def __init__(self, words: dict[str, list[str]]):
        self.exact: dict[str, str] = {}
        for canonical, synonyms in words.items():
            for synonym in [canonical, *synonyms]:
                self.exact.setdefault(normalize_value(synonym), canonical)
        self.by_length = sorted(self.exact.items(), key=lambda pair: -len(pair[0]))
        self.allowed = "、".join(words)
        self.cache: dict[str, str | None] = {}

    def lookup(self, text: str) -> str | None:
        if text in self.cache:
            return self.cache[text]
        folded = normalize_value(text)
        found = self.exact.get(folded)
        if found is None:
            found = next((canonical for word, canonical in self.by_length
                          if word and _contains_unnegated(folded, word)), None)
        self.cache[text] = found
        return found


class _RowReader:
    """Reads item rows column by column, recording a Problem for every unreadable cell."""

    def __init__(self, sheet: str, columns: dict[str, ColumnMatch], config: Config, today: dt.date, first_row: int):
        self.sheet = sheet
        self.columns = columns
        self.config = config
        self.first_row = first_row
        self.default_year = config.default_year or today.year
        self.problems: list[Problem] = []
        self.roles = _Vocabulary(config.roles)
        self.kinds = _Vocabulary(config.kinds)
        self.statuses = _Vocabulary(config.statuses)
        self.satisfaction = _Vocabulary(config.satisfaction)
        self.yes = {normalize_value(word) for word in config.yes_values}
        self._converters = None
        #: The items as a ColumnFrame rather than a DataFrame (see parse_grid).
        self.plain_columns = False

    def problem(self, key: str, excel_row: int, value: Any, message: str, severity: str = "错误") -> None:
        match = self.columns.get(key)
        self.problems.append(Problem(
            sheet=self.sheet, row=excel_row,
            column=match.header if match else messages.COLUMN_MEANINGS.get(key, key),
            value=display_value(value), message=message,
            cell=f"{match.excel_column}{excel_row}" if match else "", severity=severity,
        ))

    def read(self, rows: list[list[Any]], start: int, merged_ranges=()):
        """The item rows as a DataFrame. Work is column-wise: each column is factorized once
        (C-level hashing) and only its distinct values pass through Python. `merged_ranges`
        (the grid's merged areas) are filled down in the columns and their codes (`fill_merged_down`)."""
        import numpy as np

        block = getattr(rows, "rest", None)  # the second half parsed by a helper (split_read)
        if block is not None and start > len(rows):
            rows, block = rows.materialize(), None
        prepared = rows.prepared_for(start) if block is not None else None
        row_lengths, heads = None, {}
        if prepared is not None:  # made by the early read while the helper worked
            height, grid_columns, heads = prepared.height, prepared.columns, prepared.firsts
        else:
            data_rows = rows[start:]
            height = len(data_rows)
            lengths = set(map(len, data_rows))  # a C-level pass (calamine's grid is rectangular)
            width = max(lengths, default=0)
            if len(lengths) > 1:
                # a ragged grid (rows of unequal length): a row too short for a column has no cell there
                row_lengths = np.fromiter(map(len, data_rows), np.intp, height)
                data_rows = [list(row) + [""] * (width - len(row)) for row in data_rows]
            grid_columns = _columns_of(data_rows, width)
        tails: dict[int, Any] = {}
        if block is not None and block.height:
            grid_columns, tails = _joined_columns(grid_columns, block, height)
        width = len(grid_columns)
        count = len(grid_columns[0]) if grid_columns else height
        keep_until_exit(grid_columns)

        def distinct_of(index: int) -> Distinct:
            if index not in tails:
                return Distinct.of(grid_columns[index])
            return Distinct.of(grid_columns[index][:height], tails[index], heads.pop(index, None))

        factorized = {key: distinct_of(m.index)
                      for key, m in self.columns.items() if m.index < width and key not in RAW_KEYS}
        if merged_ranges:
            for index in fill_merged_down(count, row_lengths, grid_columns, merged_ranges, start,
                                          {self.columns[key].index: column for key, column in factorized.items()}):
                tails.pop(index, None)  # the column holds filled cells now: factorized afresh
                heads.pop(index, None)
        kept = self.item_offsets(count, grid_columns, factorized, start, distinct_of)
        excel_rows = kept + (start + self.first_row)
        data: dict[str, Any] = {"excel_row": excel_rows}
        for key in self.config.columns:
            column = factorized.get(key)
            if column is None:
                match = self.columns.get(key)
                data[key] = np.full(len(kept), None, dtype=object)
                if key in RAW_KEYS and match is not None and match.index < width:
                    data[key][:] = grid_columns[match.index][kept]
                continue
            codes = column.codes[kept]
            if key in REQUIRED_COLUMNS:
                self.check_required(key, column, codes, excel_rows)
            data[key] = self.convert(key, column, codes, excel_rows)
        self.check_duplicates(list(data["id"]), excel_rows.tolist())
        if self.plain_columns:
            from automation.column_frame import ColumnFrame

            return ColumnFrame.of(data)
        import pandas as pd

        # object columns keep None as None: pandas 3 would infer a string dtype for text with
        # gaps and turn the None of a blank cell into NaN (a truthy float, shown as "nan").
        frame = pd.DataFrame(data, dtype=object)
        frame["excel_row"] = frame["excel_row"].astype(int)
        return frame

    def item_offsets(self, count: int, grid_columns, factorized: dict[str, Distinct], start: int, distinct_of):
        """The offsets (a numpy array) of the `count` data rows that are items: not blank, not
        a 合计 row, and with an id or a title (other non-blank rows become a problem record).
        `distinct_of(index)` factorizes a grid column."""
        import numpy as np

        by_index = {m.index: factorized[key] for key, m in self.columns.items() if key in factorized}

        def distinct_at(index: int) -> Distinct:  # each column factorized once
            if index not in by_index:
                by_index[index] = distinct_of(index)
            return by_index[index]

        filled_cells = np.zeros(count, dtype=int)
        for column in factorized.values():
            filled_cells += column.filled()
        for key in RAW_KEYS:
            match = self.columns.get(key)
            if match is not None and match.index < len(grid_columns):
                filled_cells += distinct_at(match.index).filled()
        nonblank = filled_cells > 0
        # A total row names itself in one of its first cells or in the id / title column.
        suspects = np.zeros(count, dtype=bool)
        for index in {0, 1, 2, self.columns["id"].index, self.columns["title"].index}:
            if index < len(grid_columns):
                suspects |= distinct_at(index).starts_with(_TOTAL_FIRST)
        blank = np.ones(count, dtype=bool)
        for key in ("id", "title"):
            if key in factorized:
                blank &= ~factorized[key].filled()
        # A note below the table (注：… / 填表人：…) fills one cell only.
        candidates = nonblank & (suspects | blank | (filled_cells == 1))
        dropped = []
        for offset in np.flatnonzero(candidates).tolist():
            # the row as read, merged areas filled down (the column arrays hold both)
            first = next((column[offset] for column in grid_columns if _filled(column[offset])), "")
            if _starts_total(first):
                dropped.append(offset)
            elif filled_cells[offset] == 1 and first.__class__ is str and first.strip().startswith(NOTE_WORDS):
                self.problem("id", start + offset + self.first_row, cell_text(first), messages.NOTE_ROW,
                             severity="提示")
                dropped.append(offset)
            elif blank[offset]:
                self.problem("id", start + offset + self.first_row, cell_text(first),
                             messages.MISSING_VALUE + "（无编号和案由，未计入统计）", severity="提示")
                dropped.append(offset)
        nonblank[dropped] = False
        return np.flatnonzero(nonblank)

    def convert(self, key: str, column: Distinct, codes, excel_rows) -> Any:
        """Convert one column: each distinct value once, then spread to the rows."""
        import numpy as np

        converter = self.converters.get(key)
        if converter is None:
            uniques = column.uniques
            # C-level maps when every value is text (the usual case; a column of names or notes
            # can have as many distinct values as rows); NFKC returns a folded text unchanged
            if all(map(str.__instancecheck__, uniques)):
                texts = list(map(str.strip, uniques))
            else:
                texts = [u.strip() if u.__class__ is str else cell_text(u) for u in uniques]
            if key not in AS_TYPED_KEYS:
                texts = list(map(unicodedata.normalize, repeat("NFKC"), texts))
            mapped = np.empty(len(texts), dtype=object)
            mapped[:] = texts
            return mapped[codes]
        if key in DATE_KEYS:
            results = _date_results(column.uniques, converter)
        else:
            results = list(map(converter, column.uniques))
        values = np.empty(len(results), dtype=object)
        values[:], problem_of = (list(part) for part in zip(*results)) if results else ([], [])
        flagged = np.array([message is not None for message in problem_of], dtype=bool)
        for position in np.flatnonzero(flagged[codes]).tolist():
            code = codes[position]
            self.problem(key, int(excel_rows[position]), column.uniques[code], problem_of[code])
        return values[codes]

    @property
    def converters(self):
        if self._converters is None:
            year = self.default_year
            self._converters = {
                "assigned": lambda v: _date_result(v, year),
                "deadline": lambda v: _date_result(v, year),
                "replied": lambda v: _date_result(v, year),
                "role": self._vocabulary_converter(self.roles, messages.UNKNOWN_ROLE),
                "kind": self._vocabulary_converter(self.kinds, messages.UNKNOWN_KIND, keep_unknown=True),
                "status": self._vocabulary_converter(self.statuses, messages.UNKNOWN_STATUS),
                "satisfaction": self._vocabulary_converter(self.satisfaction, messages.UNKNOWN_SATISFACTION),
                "reply_class": self._reply_class,
                "key_item": lambda v: (normalize_value(cell_text(v)) in self.yes or cell_text(v).startswith("是"), None),
            }
        return self._converters

    @staticmethod
    def _vocabulary_converter(vocabulary: _Vocabulary, message: str, keep_unknown: bool = False):
        def convert(value: Any) -> tuple[Any, str | None]:
            text = cell_text(value)
            if not text or text in EMPTY_MARKERS:
                return None, None
            found = vocabulary.lookup(text)
            if found is None:
                return (unicodedata.normalize("NFKC", text) if keep_unknown else None,
                        message.format(allowed=vocabulary.allowed))
            return found, None

        return convert

    def _reply_class(self, value: Any) -> tuple[str | None, str | None]:
        text = cell_text(value)
        if not text or text in EMPTY_MARKERS:
            return None, None
        letters = {letter.upper() for letter in self.config.reply_classes}
        folded = normalize_value(text).upper()
        letter = folded[0] if folded and folded[0] in letters and (len(folded) == 1 or not folded[1].isalpha()
                                                                     or folded[1:2] == "类") else None
        if letter is None:
            descriptions = {normalize_value(text)[:6]: letter
                            for letter, text in self.config.reply_classes.items() if text}
            letter = next((l for prefix, l in descriptions.items() if prefix and prefix.upper() in folded), None)
        if letter is None:
            return None, messages.UNKNOWN_REPLY_CLASS.format(allowed="、".join(self.config.reply_classes))
        return letter, None

    def check_required(self, key: str, column: Distinct, codes, excel_rows) -> None:
        import numpy as np

        blank = ~column.filled(codes)  # "—", "无", "/" ... are blank too
        for position in np.flatnonzero(blank).tolist():
            self.problem(key, int(excel_rows[position]), "", messages.MISSING_VALUE)

    def check_duplicates(self, ids: list[str], excel_rows: list[int]) -> None:
        from collections import Counter

        # Counted in a dict (C-level): building a pandas Series cost more than the count on the
        # small ledgers of a folder of units; usually every id is distinct and nothing follows.
        counts = Counter(ids)
        if len(counts) == len(ids):
            return
        repeated = {identifier for identifier, count in counts.items() if count > 1 and identifier}
        seen: dict[str, list[int]] = {}
        for identifier, excel_row in zip(ids, excel_rows):
            if identifier in repeated:
                seen.setdefault(identifier, []).append(excel_row)
        for identifier, found_rows in seen.items():
            if len(found_rows) > 1:
                for excel_row in found_rows:
                    others = "、".join(str(r) for r in found_rows if r != excel_row)
                    self.problem("id", excel_row, identifier, messages.DUPLICATE_ID.format(rows=others), severity="警告")


def _at(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


def _date_result(value: Any, default_year: int) -> tuple[dt.date | None, str | None]:
    parsed = parse_date(value, default_year)
    return parsed.value, parsed.problem


_TOTAL_FIRST = frozenset(word[0] for word in TOTAL_ROW_WORDS)
_FIRST_YEAR, _LAST_YEAR = PLAUSIBLE_YEARS[0], PLAUSIBLE_YEARS[-1]


def _date_results(uniques: list[Any], converter) -> list[tuple[dt.date | None, str | None]]:
    """`converter` over the distinct values of a date column, with real dates and datetimes of
    a plausible year taken as they are (what parse_date does with them): a column of dates with
    a time of day has as many distinct values as rows."""
    result = []
    append = result.append
    datetime, date = dt.datetime, dt.date
    for value in uniques:
        kind = value.__class__
        if kind is datetime and _FIRST_YEAR <= value.year <= _LAST_YEAR:
            append((value.date(), None))
        elif kind is date and _FIRST_YEAR <= value.year <= _LAST_YEAR:
            append((value, None))
        else:
            append(converter(value))
    return result


def _joined_columns(columns: list[Any], block, height: int) -> tuple[list[Any], dict[int, Any]]:
    """The columns of a grid's first `height` data rows followed by the helper's `block`
    (automation/split_read), and for each column the helper factorized, its TailColumn."""
    import numpy as np

    from automation.split_read import TailColumn

    width = max(len(columns), block.first_column + block.width)
    joined, tails = [], {}
    for index in range(width):
        head = columns[index] if index < len(columns) else np.full(height, "", dtype=object)
        column = np.concatenate([head, block.values(index)])
        joined.append(column)
        parts = block.tail(index)
        if parts is not None:
            tails[index] = TailColumn(parts, column)
    return joined, tails


def _columns_of(data_rows: list[list[Any]], width: int) -> list[Any]:
    """The grid's columns as object arrays: numpy fills the matrix in one C-level pass, about
    twice as fast as transposing in Python (zip(*rows)) on a 50,000-row ledger."""
    import numpy as np

    if not data_rows or not width:
        return []
    matrix = np.empty((len(data_rows), width), dtype=object)
    matrix[:] = data_rows
    return [matrix[:, index] for index in range(width)]


def _starts_total(value: Any) -> bool:
    return value.__class__ is str and _SPACES.sub("", value).startswith(TOTAL_ROW_WORDS)


def _filled(value: Any) -> bool:
    """Not blank; the fast path for calamine's empty cells ('') and real values."""
    if value == "" or value is None:
        return False
    return not isinstance(value, str) or not value.isspace()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
