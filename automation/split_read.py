"""Parse a big ledger sheet in two halves, on two cores (Linux).

calamine parses a sheet on one core, and the values it gives are then hashed column by column
(automation/distinct.py) on that same core: on a 50,000-row ledger about 1.2 s with the
second core idle. Here the sheet's XML is cut in two at a row boundary near its middle: the
process parses the first half, a helper process forked at launch parses the second half and
factorizes its columns (each distinct value once, with the row where it first appears), and
the reader joins the two (`SplitGrid`, `Distinct.of(..., tail=...)`). The grid and the codes
are exactly those of a whole parse (tests/test_split_read.py compares them cell by cell).

It is an optimisation that never decides anything:
- the helper is forked before any thread exists (`fork_helper`, from automation.launch) and
  works on the very bytes the process read before forking; it writes one pickled answer to a
  pipe and leaves with os._exit (no atexit, no buffered output, no lock);
- both processes compute the cut from the same bytes by the same rule (`locate_cut`); the
  reader uses the halves only when the helper cut the same sheet at the same row, and any
  failure or disagreement falls back to the whole parse (`early_read`);
- only on Linux (fork), for sheets of at least SPLIT_MIN_XML bytes of XML; on Windows and for
  small sheets nothing changes. `LEDGER_NO_SPLIT_READ=1` turns it off.
"""

from __future__ import annotations

import io
import os
import re
import sys
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

#: Sheets with less XML than this are parsed whole (about 7,000 rows of a typical ledger):
#: below it the fork and the second reading of the shared strings cost more than they save.
SPLIT_MIN_XML = 4_000_000
#: Files smaller than this are not worth a helper at all (a fork costs a few milliseconds).
SPLIT_MIN_FILE = 600_000
#: The share of the XML (per cent) the process that forked parses; the helper parses the rest.
CUT_FRACTION = 50
#: How long the reader waits for the helper before parsing the whole sheet itself.
HELPER_TIMEOUT = 120.0

_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?worksheet)\b")
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'](\d+)["\']')


@dataclass(frozen=True)
class Cut:
    """Where a sheet's XML is cut: `position` is the start of the row tag that begins the
    second half, whose Excel row number is `row` (1-based)."""

    part: str
    position: int
    row: int
    open_end: int  # end of the <sheetData ...> tag
    prefix: bytes  # the sheetData element's namespace prefix ("x:" or "")
    root: bytes  # the root element's qualified name


def enabled() -> bool:
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and not os.environ.get("LEDGER_NO_SPLIT_READ"))


# --- the sheet's part and the cut --------------------------------------------------------


def worksheet_parts(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, zip member) of each worksheet, in the workbook's order, read from
    xl/workbook.xml and its relationships (transitional or strict namespaces alike)."""
    import posixpath
    import xml.etree.ElementTree as ET

    from automation.xlsx.zipio import ZipReader

    reader = ZipReader(data)
    workbook_name = reader.find("xl/workbook.xml")
    rels_name = reader.find("xl/_rels/workbook.xml.rels")
    if workbook_name is None or rels_name is None:
        return []
    targets = {}
    for rel in ET.fromstring(reader.read(rels_name)):
        if rel.get("Type", "").endswith("/worksheet") and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = path
    found = []
    for element in ET.fromstring(reader.read(workbook_name)).iter():
        if element.tag.rpartition("}")[2] != "sheet":
            continue
        rel_id = next((value for key, value in element.attrib.items()
                       if key.startswith("{") and key.rpartition("}")[2] == "id"), None)
        member = reader.find(targets.get(rel_id, "")) if rel_id in targets else None
        if member is not None:
            found.append((element.get("name", ""), member))
    return found


def member_size(data: bytes, part: str) -> int:
    from automation.xlsx.zipio import ZipReader

    return ZipReader(data).info(part).file_size


def inflate(data: bytes, part: str, at_least: int | None = None) -> bytes:
    """A member's bytes, all of them or (at_least) a prefix of at least that many bytes
    when the member is longer: zlib releases Python's lock while it inflates."""
    import zipfile

    from automation.xlsx.zipio import ZipReader

    reader = ZipReader(data)
    info = reader.info(part)
    raw = reader.raw(part)
    if info.compress_type == zipfile.ZIP_STORED:
        return bytes(raw if at_least is None else raw[:at_least])
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ValueError("compression method")
    if at_least is None:
        return zlib.decompress(raw, -15)
    inflater = zlib.decompressobj(-15)
    pieces, have, step = [], 0, 1 << 20
    for start in range(0, len(raw), step):
        piece = inflater.decompress(raw[start:start + step])
        pieces.append(piece)
        have += len(piece)
        if have >= at_least:
            break
    return b"".join(pieces)


def cut_from(size: int) -> int:
    """Where the search for the cut begins in `size` bytes of XML (the middle: the helper
    inflates the whole XML and pickles its answer, the process that forked loads the program's
    modules meanwhile and prepares its half for the reader)."""
    return size * CUT_FRACTION // 100


def locate_cut(xml: bytes, size: int, part: str) -> Cut | None:
    """The cut of a sheet whose XML has `size` bytes, found in `xml` (the whole XML or a
    prefix reaching past the cut): the first row tag at or after `cut_from(size)`, when it
    carries its row number. The same bytes give the same cut in both processes."""
    opening = _SHEET_DATA.search(xml, 0, min(len(xml), 1 << 20))
    root = _ROOT.search(xml, 0, 4096)
    if opening is None or opening.group(2) or root is None:
        return None
    prefix = opening.group(1)
    tag = b"<" + prefix + b"row"
    position = xml.find(tag, max(cut_from(size), opening.end()))
    while position >= 0 and xml[position + len(tag):position + len(tag) + 1] not in (b" ", b"\t", b"\r", b"\n", b">"):
        position = xml.find(tag, position + 1)  # <rowBreaks> and the like
    if position < 0:
        return None
    end = xml.find(b">", position)
    if end < 0 or xml.rfind(b"</" + prefix + b"sheetData>", opening.end(), position) >= 0:
        return None
    number = _ROW_NUMBER.search(xml, position, end)
    if number is None:
        return None  # rows numbered by their order only: a half would start again at row 1
    return Cut(part, position, int(number.group(1)), opening.end(), prefix, root.group(1))


def plan(data: bytes, sheet: str) -> Cut | None:
    """The cut of worksheet `sheet` of workbook `data`, or None when it is not cut (too small,
    not an .xlsx sheet, rows without numbers ...). Reads only the XML up to the cut."""
    return plan_with_prefix(data, sheet)[0]


def plan_with_prefix(data: bytes, sheet: str) -> tuple[Cut | None, bytes]:
    """(`plan`, the sheet's XML inflated up to past the cut)."""
    part = dict(worksheet_parts(data)).get(sheet)
    if part is None:
        return None, b""
    size = member_size(data, part)
    if size < SPLIT_MIN_XML:
        return None, b""
    xml = inflate(data, part, cut_from(size) + (1 << 20))
    return locate_cut(xml, size, part), xml


def half_book(data: bytes, part: str, pieces: list, out=None) -> bytes:
    """The workbook with the sheet `part` replaced by `pieces` joined (stored uncompressed,
    written piece by piece); every other member copied as it is. Written to the binary file
    `out` when given (then b"" is returned)."""
    from automation.xlsx.zipio import ZipReader, ZipWriter

    reader = ZipReader(data)
    writer = ZipWriter(out)
    for info in reader.infos:
        if info.filename == part:
            writer.add_stored(part, pieces, template=info)
        else:
            writer.copy(reader, info.filename)
    return writer.finish()


def open_half_book(data: bytes, part: str, pieces: list) -> Any:
    """calamine's workbook of a half-book (`half_book`). Written to a file in /dev/shm (memory;
    removed as soon as calamine has it open) when there is one: calamine reads a file-like
    object of tens of megabytes several times slower than a file, and the sheet's pieces go
    to the file without being joined first."""
    import tempfile

    import python_calamine

    if os.path.isdir("/dev/shm"):
        try:
            descriptor, name = tempfile.mkstemp(suffix=".xlsx", prefix="ledger-half-", dir="/dev/shm")
        except OSError:
            pass
        else:
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    half_book(data, part, pieces, handle)
                return python_calamine.CalamineWorkbook.from_path(name)
            except OSError:
                pass
            finally:
                try:
                    os.unlink(name)
                except OSError:
                    pass
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(half_book(data, part, pieces)))


def first_half_pieces(xml: bytes, cut: Cut) -> list:
    """The first half's XML, as pieces: every row before the cut, then the closing tags."""
    return [memoryview(xml)[:cut.position], b"</" + cut.prefix + b"sheetData></" + cut.root + b">"]


def second_half_pieces(xml: bytes, cut: Cut) -> list:
    """The second half's XML, as pieces: the sheet's head, then every row from the cut on."""
    view = memoryview(xml)
    return [view[:cut.open_end], view[cut.position:]]


# --- the helper process -------------------------------------------------------------------


@dataclass
class Block:
    """The second half of a grid as columns: `first_row` is its first grid row (0-based),
    `first_column` its first column; each column is ("codes", uniques, first rows of the
    uniques, per row the first row of its value) or ("values", list of the values)."""

    first_row: int
    first_column: int
    height: int
    width: int
    columns: list[tuple]

    def values(self, index: int):
        """Column `index` (a grid column number) of the block as an object array."""
        import numpy as np

        column = np.empty(self.height, dtype=object)
        local = index - self.first_column
        if local < 0 or local >= self.width:
            column[:] = ""
            return column
        part = self.columns[local]
        if part[0] == "values":
            column[:] = part[1]
            return column
        uniques = np.empty(len(part[1]), dtype=object)
        uniques[:] = part[1]
        firsts = np.empty(self.height, dtype=object)
        firsts[np.frombuffer(part[2], dtype=np.int64)] = uniques
        return firsts[np.frombuffer(part[3], dtype=np.int64)]

    def tail(self, index: int):
        """(uniques, first rows of the uniques, per row the first row of its value) of column
        `index`, for `Distinct.of`; None when the column was sent as plain values."""
        import numpy as np

        local = index - self.first_column
        if local < 0 or local >= self.width or self.columns[local][0] != "codes":
            return None
        _, uniques, firsts, positions = self.columns[local]
        return uniques, np.frombuffer(firsts, dtype=np.int64), np.frombuffer(positions, dtype=np.int64)


@dataclass
class TailColumn:
    """A grid column whose last rows come from the helper: for `Distinct.of(head, tail)`."""

    parts: tuple  # Block.tail: (uniques, first rows of the uniques, per row the first row)
    column: Any  # the whole column (head and tail) as an object array

    def factorized(self) -> tuple:
        return self.parts

    def whole(self):
        return self.column


_NUMBERS = frozenset({bool, int, float})


def _factorized_column(values: tuple) -> tuple:
    """A column of the second half for the pipe: each distinct value once. A column holding
    values a dict would merge though they differ (True, 1 and 1.0; 0.0 and -0.0) is sent as
    it is: the joined grid holds each cell's own value, not the first of its equals."""
    from array import array
    from itertools import count

    first_rows: dict[Any, int] = {}
    positions = array("q", map(first_rows.setdefault, values, count()))
    uniques = list(first_rows)
    # a number equals only numbers: a column whose distinct values hold none holds none
    if not _NUMBERS.isdisjoint(map(type, uniques)):
        types = set(map(type, values))
        if len(types & _NUMBERS) > 1 or (float in types and 0.0 in first_rows):
            return ("values", list(values))
    return ("codes", uniques, array("q", first_rows.values()).tobytes(), positions.tobytes())


def helper_work(data: bytes, sheet: str | None) -> Iterator[tuple]:
    """The helper's whole work for worksheet `sheet`, as the frames it sends (`answer_of`
    joins them): ("none",) when it is not cut, else `second_half`. The sheet's XML is inflated
    once, whole, and its CRC tested: a "block" answer vouches for the member (the reader's CRC
    test of the zip then skips it)."""
    part = dict(worksheet_parts(data)).get(sheet) if sheet is not None else None
    if part is None:
        return iter([("none",)])
    size = member_size(data, part)
    if size < SPLIT_MIN_XML:
        return iter([("none",)])
    xml = inflate(data, part)
    if len(xml) != size or zlib.crc32(xml) != _member_crc(data, part):
        return iter([("none",)])  # damaged: the reader's own path names it so
    cut = locate_cut(xml, size, part)
    if cut is None:
        return iter([("none",)])
    return second_half(data, sheet, cut, xml)


def _member_crc(data: bytes, part: str) -> int:
    from automation.xlsx.zipio import ZipReader

    return ZipReader(data).info(part).CRC


def second_half(data: bytes, sheet: str, cut: Cut, xml: bytes) -> Iterator[tuple]:
    """The frames the helper sends for the second half: ("block", sheet, cut row, (first row,
    first column, height, width), merged areas), then ("column", `_factorized_column`) for each
    column, sent as soon as it is made; `xml` is the sheet's whole XML."""
    book = open_half_book(data, cut.part, second_half_pieces(xml, cut))
    del xml
    parsed = book.get_sheet_by_name(sheet)
    merged = list(parsed.merged_cell_ranges or ())
    rows = parsed.to_python(skip_empty_area=True)
    start = parsed.start or (cut.row - 1, 0)
    width = max(map(len, rows), default=0)
    if any(len(row) != width for row in rows):
        rows = [list(row) + [""] * (width - len(row)) for row in rows]
    yield ("block", sheet, cut.row, (start[0], start[1], len(rows), width), merged)
    for column in (zip(*rows) if rows else ()):
        yield ("column", _factorized_column(column))


def answer_of(frames: Iterable[tuple]) -> tuple | None:
    """The helper's frames as one answer: ("none",), or ("block", sheet, cut row, Block,
    merged areas); None when there is no frame or a column is missing."""
    frames = iter(frames)
    first = next(frames, None)
    if first is None or first[0] != "block":
        return first
    _, sheet, row, (first_row, first_column, height, width), merged = first
    columns = [frame[1] for frame in frames if frame[0] == "column"]
    if len(columns) != (width if height else 0):
        return None  # the helper stopped half-way
    return ("block", sheet, row, Block(first_row, first_column, height, width, columns), merged)


def choose_target(names: list[str], configured: str | None, owned: set[str]) -> str | None:
    """The sheet parsed early: the configured one (exact name), else the first worksheet
    that is not one of the assistant's own."""
    if configured is not None:
        return configured if configured in names else None
    return next((name for name in names if name not in owned), None)


class Helper:
    """The forked helper, seen from the process that forked it."""

    def __init__(self, pid: int, descriptor: int):
        self.pid = pid
        self.descriptor = descriptor
        self._answer: Any = None
        self._read = False

    def answer(self, timeout: float | None = None) -> Any:
        """The helper's answer (`answer_of` its frames), or None when it failed, said nothing
        in time (`timeout`, HELPER_TIMEOUT by default, for the whole answer) or was not asked
        for. Each frame is unpickled as it arrives, while the helper makes the next. Reads the
        pipe once; the helper is reaped."""
        import pickle
        import select
        import struct
        import time

        if self._read:
            return self._answer
        self._read = True
        deadline = time.monotonic() + (HELPER_TIMEOUT if timeout is None else timeout)
        frames, pending = [], bytearray()
        try:
            with os.fdopen(self.descriptor, "rb", buffering=0) as pipe:
                while True:
                    ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
                    if not ready:
                        raise TimeoutError
                    chunk = pipe.read(1 << 22)
                    if not chunk:
                        break
                    pending += chunk
                    while len(pending) >= _FRAME.size:
                        end = _FRAME.size + _FRAME.unpack_from(pending)[0]
                        if len(pending) < end:
                            break
                        frames.append(pickle.loads(pending[_FRAME.size:end]))
                        del pending[:end]
            if pending:
                raise EOFError("a frame cut short")
            self._answer = answer_of(frames)
        except Exception:  # noqa: BLE001 - a failed helper means a whole parse, nothing more
            self._answer = None
            self._kill()  # silent past the timeout, or it wrote what does not unpickle
        finally:
            self._reap()
        return self._answer

    def discard(self) -> None:
        """Stop the helper (its work is not needed) and reap it."""
        if self._read:
            return
        self._read = True
        self._kill()
        try:
            os.close(self.descriptor)
        except OSError:
            pass
        self._reap()

    def _kill(self) -> None:
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def _reap(self) -> None:
        try:
            os.waitpid(self.pid, 0)
        except OSError:
            pass


#: Each frame on the pipe: its length, then the pickled frame.
_FRAME = __import__("struct").Struct("<Q")


def fork_helper(data: bytes, work) -> Helper | None:
    """Fork a helper that runs `work()` (an iterator of frames) and writes each frame, pickled,
    to a pipe as soon as it is made. Call only while the process has one thread. None when
    forking fails."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid:
        os.close(write_end)
        return Helper(pid, read_end)
    # the helper: never returns, never runs the parent's atexit handlers or flushes its buffers
    status = 1
    try:
        import pickle
        import signal

        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C ends it quietly with the run
        _end_with_parent()
        if os.getppid() != parent:
            os._exit(1)  # the parent ended before the kernel was told to end the helper with it
        os.close(read_end)
        # whoever reads the run's output (a terminal, the Excel button, a test) waits for the
        # run alone, never for its helper
        quiet = os.open(os.devnull, os.O_RDWR)
        for descriptor in (0, 1, 2):
            os.dup2(quiet, descriptor)
        for frame in work():
            payload = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(_FRAME.pack(len(payload)) + payload)
            while view:
                view = view[os.write(write_end, view):]
        status = 0
    except BaseException:  # noqa: BLE001 - the parent then parses the whole sheet
        pass
    finally:
        os._exit(status)


def _end_with_parent() -> None:
    """Have the kernel kill this helper when the process that forked it ends (Linux's
    PR_SET_PDEATHSIG): a run killed at any moment leaves nothing behind."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# --- the joined grid ------------------------------------------------------------------------


class HalfBook:
    """calamine's workbook of the first half-book, standing for the whole workbook (its
    shared strings are then read once): every other sheet is the file's own; the cut sheet,
    if ever asked for by name rather than through `early_read.take`, is parsed whole from the
    file's bytes, never from the half."""

    def __init__(self, book, data: bytes, sheet: str):
        self._book = book
        self._data = data
        self._sheet = sheet

    def __getattr__(self, name: str) -> Any:
        return getattr(self._book, name)

    def get_sheet_by_name(self, name: str) -> Any:
        if name == self._sheet:
            import python_calamine

            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self._data)).get_sheet_by_name(name)
        return self._book.get_sheet_by_name(name)

    def get_sheet_by_index(self, index: int) -> Any:
        return self.get_sheet_by_name(self._book.sheet_names[index])



@dataclass
class Prepared:
    """The first half's data rows as columns, and the first pass of the factorization of each
    column the reader will factorize (`distinct.first_rows_of`), made while the helper works."""

    start: int  # the first data row (below the header found)
    height: int
    columns: list[Any]
    firsts: dict[int, tuple]


def prepare(head: list[list[Any]], config) -> Prepared | None:
    """What the reader of the rows would do first with the first half, if the header is
    where `find_header` finds it with `config`: every column's first pass (a column the
    reader does not factorize costs a few milliseconds here); None when there is no header."""
    from automation.distinct import first_rows_of
    from automation.ledger import _columns_of, find_header

    header = find_header(head, config)
    if header is None:
        return None
    start = header[0][-1] + 1
    data_rows = head[start:]
    grid_columns = _columns_of(data_rows, len(head[0]) if head else 0)
    firsts = {}
    for index, column in enumerate(grid_columns):
        found = first_rows_of(column)
        if found is not None:
            firsts[index] = found
    return Prepared(start, len(data_rows), grid_columns, firsts)


class SplitGrid(list):
    """A grid whose first rows are lists (the first half, padded to the grid's width) and
    whose remaining rows are the helper's `Block` of columns (`rest`). Only the reader of the
    rows (`ledger._RowReader`) knows it; `materialize` gives plain rows to anything else."""

    rest: Block
    prepared: Prepared | None = None

    def prepared_for(self, start: int) -> Prepared | None:
        """The columns and first passes made for data rows from `start` (used once), if the
        reader's header is the one they were made for."""
        prepared, self.prepared = self.prepared, None
        if prepared is None or prepared.start != start or prepared.height != len(self) - start:
            return None
        return prepared

    def materialize(self) -> list[list[Any]]:
        import numpy as np

        rows = [list(row) for row in self]
        block = self.rest
        width = len(rows[0]) if rows else block.first_column + block.width
        columns = [block.values(index) for index in range(width)]
        if block.height:
            matrix = np.empty((block.height, width), dtype=object)
            for index, column in enumerate(columns):
                matrix[:, index] = column
            rows.extend(matrix.tolist())
        return rows


class SplitSheet:
    """Stands for calamine's sheet of the whole ledger: the first half parsed here and the
    second half from the helper, joined into the grid a whole parse gives."""

    def __init__(self, head: list[list[Any]], answer: tuple):
        """`head`: the first half's grid (calamine's to_python), made longer and wider here."""
        _, self.name, _, block, merged = answer
        self.merged_cell_ranges = merged
        width = max(len(head[0]) if head else 0, block.first_column + block.width if block.height else 0)
        if block.height and len(head) < block.first_row:
            head.extend([""] * width for _ in range(block.first_row - len(head)))
        if head and len(head[0]) < width:
            for row in head:
                row.extend([""] * (width - len(row)))
        self._grid = SplitGrid(head)
        self._grid.rest = block

    def to_python(self, skip_empty_area: bool = False, nrows: int | None = None):
        if skip_empty_area:
            raise ValueError("skip_empty_area")  # the reader never asks for it
        if nrows is None:
            return self._grid
        if nrows > len(self._grid) and self._grid.rest.height:
            return self._grid.materialize()[:nrows]
        return [list(row) for row in self._grid[:nrows]]
