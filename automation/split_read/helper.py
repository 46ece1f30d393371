"""The helper process that parses a big sheet's second half (see automation/split_read),
and the frames it writes, read back as one answer."""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from automation.split_read.cut import Cut, big_member, inflate, locate_cut, open_half_book, second_half_pieces

#: Files smaller than this are not worth a helper at all (a fork costs a few milliseconds).
SPLIT_MIN_FILE = 600_000
#: How long the reader waits for the helper before parsing the whole sheet itself.
HELPER_TIMEOUT = 120.0


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
    """A column of the second half for the parent: each distinct value once. A column holding
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
    member = big_member(data, sheet)
    if member is None:
        return iter([("none",)])
    xml = inflate(data, member.filename)
    if len(xml) != member.file_size or zlib.crc32(xml) != member.CRC:
        return iter([("none",)])  # damaged: the reader's own path names it so
    cut = locate_cut(xml, member.file_size, member.filename)
    if cut is None:
        return iter([("none",)])
    return second_half(data, sheet, cut, xml)


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


class Helper:
    """The forked helper, seen from the process that forked it."""

    def __init__(self, pid: int, descriptor: int, store: int):
        self.pid = pid
        self.descriptor = descriptor  # the pipe's reading end: at its end, the helper has ended
        self.store = store  # the file the helper writes its frames to
        self._answer: Any = None
        self._read = False

    def answer(self, timeout: float | None = None) -> Any:
        """The helper's answer (`answer_of` its frames), or None when it failed, had not ended
        in time (`timeout`, HELPER_TIMEOUT by default) or was not asked for. Waits for the
        helper's end (its end of the pipe closing), then reads its frames from the store.
        Reads once; the helper is reaped."""
        import pickle
        import select
        import time

        if self._read:
            return self._answer
        self._read = True
        deadline = time.monotonic() + (HELPER_TIMEOUT if timeout is None else timeout)
        try:
            with os.fdopen(self.descriptor, "rb", buffering=0) as pipe:
                while True:  # the helper writes nothing here: its end closes when it ends
                    ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
                    if not ready:
                        raise TimeoutError
                    if not pipe.read(1 << 16):
                        break
            if self._reap() != 0:
                raise ChildProcessError("the helper failed")
            frames, pending = [], memoryview(_stored(self.store))
            while pending:
                end = _FRAME.size + _FRAME.unpack_from(pending)[0]
                if len(pending) < end:
                    raise EOFError("a frame cut short")
                frames.append(pickle.loads(pending[_FRAME.size:end]))
                pending = pending[end:]
            self._answer = answer_of(frames)
        except Exception:  # noqa: BLE001 - a failed helper means a whole parse, nothing more
            self._answer = None
            self._kill()  # silent past the timeout, or it wrote what does not unpickle
        finally:
            self._reap()
            self._close_store()
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
        self._close_store()

    def _close_store(self) -> None:
        try:
            os.close(self.store)
        except OSError:
            pass

    def _kill(self) -> None:
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def _reap(self) -> int | None:
        """The helper's exit code, once it has ended (None when it was reaped already)."""
        try:
            return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        except OSError:
            return None


#: Each frame in the store: its length, then the pickled frame.
_FRAME = struct.Struct("<Q")


def _anonymous_file() -> int:
    """A file in memory with no name (memfd), shared with the helper across the fork: the
    helper writes its frames there and never waits for the reader, as it would on a pipe
    whose buffer (64 KB) the reader drains only when it asks for the answer."""
    try:
        return os.memfd_create("ledger-helper", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile

        with tempfile.TemporaryFile() as file:  # removed from its folder at once
            return os.dup(file.fileno())


def _stored(store: int) -> bytes:
    """Everything written to the store (read from its start: the helper's writes moved the
    offset the two processes share). A short read ends in a frame cut short: no answer."""
    return os.pread(store, os.fstat(store).st_size, 0)


def fork_helper(data: bytes, work) -> Helper | None:
    """Fork a helper that runs `work()` (an iterator of frames) and writes each frame, pickled,
    to an anonymous file as soon as it is made; its end of a pipe closes when it ends. Call
    only while the process has one thread. None when forking fails."""
    try:
        store = _anonymous_file()
    except OSError:
        return None
    read_end, write_end = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        for descriptor in (read_end, write_end, store):
            os.close(descriptor)
        return None
    if pid:
        os.close(write_end)
        return Helper(pid, read_end, store)
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
                view = view[os.write(store, view):]
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
