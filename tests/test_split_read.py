"""A big ledger sheet parsed in two halves on two cores (automation/split_read): the grid,
the merged areas and everything read from them are those of a whole parse, cell by cell; a
helper that dies, hangs, says nothing or lies costs only the whole parse."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile

import openpyxl
import pytest
import python_calamine

from automation import split_read
from automation.config import Config
from automation.ledger import check_workbook_bytes, parse_grid
from automation.problems import LedgerError
from tests.ledger_factory import PROJECT_ROOT
from tests.xlsx_helpers import sheet_values

TODAY = dt.date(2026, 6, 28)
HEADERS = ["序号", "编号", "案由", "类别", "办理类型", "承办科室", "分管领导", "交办日期", "办理期限", "答复日期",
           "办理状态", "重点", "备注"]


def _row(n: int) -> list:
    assigned = dt.datetime(2026, 1, 5) + dt.timedelta(days=n % 120)
    replied = assigned + dt.timedelta(days=40) if n % 3 == 0 else None
    key = [True, 1, 1.0, "是", None, 0, False][n % 7]  # values a dict would merge though they differ
    return [n, f"T{n:05d}", f"关于第{n}件事项的提案" * (1 + n % 3), ["提案", "建议"][n % 2],
            ["主办", "协办", "会办", "分办"][n % 4], f"科室{n % 9}", f"领导{n % 4}", assigned, None if n % 11 == 0 else assigned + dt.timedelta(days=90),
            replied, "已办结" if replied else "办理中", key, f"备注{n}" if n % 5 == 0 else None]


def _workbook(path, rows: int = 600, blank_middle: bool = False, wide_tail: bool = False, merged: bool = True):
    """A ledger whose 承办科室 is merged down in groups of seven rows (one group across the
    cut), with mixed key values, blank cells, optionally blank rows at the middle and a
    column filled only near the end. In each half, a 备注 is merged down over two rows
    otherwise blank: filled, those rows are notes below nothing (a 提示 each), not blank rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(["2026年度办理台账"])
    sheet.append(HEADERS)
    note_tops = (rows // 4, rows - rows // 4) if merged else ()
    note_rows = {top + step for top in note_tops for step in range(3)}
    for n in range(1, rows + 1):
        values = _row(n)
        if blank_middle and rows // 2 - 3 <= n <= rows // 2 + 3:
            values = [None] * len(values)
        if n in note_rows:
            values = [None] * len(values)
            if n in note_tops:
                values[-1] = f"备注：第{n}件起"
        if wide_tail and n > rows - 5:
            values += [None, f"尾部{n}"]
        sheet.append(values)
    if merged:
        excel_row = {n: n + 2 for n in range(1, rows + 1)}
        for top in range(1, rows - 7, 7):
            if not note_rows.intersection(range(top, top + 7)):
                sheet.merge_cells(start_row=excel_row[top], start_column=6, end_row=excel_row[top] + 6, end_column=6)
        for top in note_tops:
            sheet.merge_cells(start_row=excel_row[top], start_column=len(HEADERS), end_row=excel_row[top] + 2,
                              end_column=len(HEADERS))
    other = book.create_sheet("说明")
    other.append(["本表为测试"])
    book.save(path)
    return path


def _whole(data: bytes, name: str = "台账"):
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name)
    return sheet.to_python(skip_empty_area=False), sorted(sheet.merged_cell_ranges or ())


def _split(data: bytes, name: str = "台账") -> split_read.SplitSheet | None:
    """The sheet as the two processes make it, both halves here (no fork)."""
    cut, xml = split_read.plan_with_prefix(data, name)
    if cut is None:
        return None
    answer = split_read.answer_of(split_read.helper_work(data, name))
    head_book = split_read.half_book(data, cut.part, split_read.first_half_pieces(xml, cut))
    head = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(head_book)).get_sheet_by_name(name)
    return split_read.SplitSheet(head.to_python(skip_empty_area=False), answer)


def _with_member(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info)
            target.writestr(info.filename, change(member) if info.filename == name else member)
    return out.getvalue()


def _typed(grid):
    return [[(type(value), value) for value in row] for row in grid]


@pytest.fixture
def small_cut(monkeypatch):
    """Cut any sheet, however small."""
    monkeypatch.setattr(split_read.cut, "SPLIT_MIN_XML", 1)


@pytest.mark.parametrize("shape", [{}, {"blank_middle": True}, {"wide_tail": True}, {"merged": False}])
def test_the_joined_grid_is_the_whole_grid_cell_by_cell(tmp_path, small_cut, shape):
    data = _workbook(tmp_path / "l.xlsx", **shape).read_bytes()
    whole, merged = _whole(data)
    sheet = _split(data)
    assert sheet is not None
    grid = sheet.to_python()
    assert isinstance(grid, split_read.SplitGrid) and grid.rest.height > 100  # really cut
    assert _typed(grid.materialize()) == _typed(whole)
    assert sorted(sheet.merged_cell_ranges) == merged
    assert _typed(sheet.to_python(nrows=5)) == _typed(whole[:5])
    # the key column mixes True, 1 and 1.0: sent as values, not merged by a dict
    key_column = HEADERS.index("重点")
    assert grid.rest.columns[key_column - grid.rest.first_column][0] == "values"


def _frame_values(items):
    return {name: list(items[name]) for name in items.columns}


@pytest.mark.parametrize("plain_columns", [True, False])
@pytest.mark.parametrize("shape", [{}, {"blank_middle": True}, {"wide_tail": True}])
def test_the_ledger_read_from_the_halves_is_the_ledger_read_whole(tmp_path, small_cut, plain_columns, shape):
    data = _workbook(tmp_path / "l.xlsx", **shape).read_bytes()
    config = Config()
    whole, merged = _whole(data)
    expected = parse_grid(whole, "台账", config, TODAY, merged_ranges=merged, plain_columns=plain_columns)
    for prepare in (False, True):
        sheet = _split(data)
        grid = sheet.to_python()
        if prepare:  # as the early read does while the helper works
            head = grid[:len(grid)]  # the first half's rows
            grid.prepared = split_read.prepare([list(row) for row in head], config)
            assert grid.prepared is not None
        ledger = parse_grid(grid, "台账", config, TODAY, merged_ranges=sheet.merged_cell_ranges,
                            plain_columns=plain_columns)
        assert _frame_values(ledger.items) == _frame_values(expected.items)
        assert ledger.problems == expected.problems
        assert sum("备注：" in problem.value for problem in ledger.problems) >= 4  # 2 rows filled a half
        # 承办科室 merged down across the cut is filled on both sides of it
        assert list(ledger.items["section"]).count(None) < 10


def test_first_columns_made_for_another_header_are_not_used(tmp_path, small_cut):
    data = _workbook(tmp_path / "l.xlsx").read_bytes()
    sheet = _split(data)
    grid = sheet.to_python()
    prepared = split_read.prepare([list(row) for row in grid], Config())
    prepared.start += 1  # a header one row lower than the reader finds
    grid.prepared = prepared
    assert grid.prepared_for(2) is None and grid.prepared is None


def test_sheets_that_are_not_cut(tmp_path, monkeypatch):
    data = _workbook(tmp_path / "l.xlsx").read_bytes()
    # small: under the threshold
    assert split_read.plan(data, "台账") is None
    assert split_read.answer_of(split_read.helper_work(data, "台账")) == ("none",)
    monkeypatch.setattr(split_read.cut, "SPLIT_MIN_XML", 1)
    # rows that carry no number (r="..."): a half would count its rows from 1 again
    numberless = _with_member(data, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb'<row r="\d+"', b"<row", xml))
    assert python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(numberless)).get_sheet_by_name("台账") is not None
    assert split_read.plan(numberless, "台账") is None
    assert split_read.answer_of(split_read.helper_work(numberless, "台账")) == ("none",)
    # a sheet that is not there, a chart-less workbook's other sheet is cut only if asked for
    assert split_read.plan(data, "无此表") is None


def test_the_cut_sheet_is_never_read_from_the_half_book(tmp_path, small_cut):
    data = _workbook(tmp_path / "l.xlsx").read_bytes()
    cut, xml = split_read.plan_with_prefix(data, "台账")
    head_book = python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO(split_read.half_book(data, cut.part, split_read.first_half_pieces(xml, cut))))
    book = split_read.HalfBook(head_book, data, "台账")
    whole, _ = _whole(data)
    assert _typed(book.get_sheet_by_name("台账").to_python(skip_empty_area=False)) == _typed(whole)
    assert _typed(book.get_sheet_by_index(0).to_python(skip_empty_area=False)) == _typed(whole)
    assert book.get_sheet_by_name("说明").to_python() == [["本表为测试"]]
    assert [meta.name for meta in book.sheets_metadata] == ["台账", "说明"]


# --- the real fork, in a fresh process -------------------------------------------------------

_EARLY = """
import json, os, sys, time
from automation import early_read, split_read
split_read.cut.SPLIT_MIN_XML = 1
split_read.helper.SPLIT_MIN_FILE = 1
{patch}
started = time.monotonic()
assert early_read.start(["stats", sys.argv[1]])
early = early_read._early
assert early.done.wait(60)
helper = early.helper
try:
    os.kill(helper.pid, 0)
    alive = True
except ProcessLookupError:
    alive = False
grid = early.sheet.to_python(skip_empty_area=False)
if hasattr(grid, "materialize"):
    grid = grid.materialize()
read = ""
if {reader}:
    import datetime
    from pathlib import Path
    from automation.config import Config
    from automation.ledger import read_ledger
    from automation.problems import LedgerError
    try:
        read = str(len(read_ledger(Path(sys.argv[1]), Config(), datetime.date(2026, 6, 28)).items))
    except LedgerError as error:
        read = str(error)
data = open(sys.argv[1], "rb").read()
checked = [sorted(early_read.checked_parts(data)), sorted(early_read.checked_parts(data[:-1] + b"!"))]
print(json.dumps({{"kind": type(early.sheet).__name__, "seconds": time.monotonic() - started,
                  "helper_alive": alive, "grid": repr(grid), "read": read, "checked": checked}}))
"""


def _early_in_fresh_process(path, patch: str = "", reader: bool = False) -> dict:
    code = _EARLY.format(patch=textwrap.dedent(patch), reader=reader)
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                            timeout=90, cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_forked_helper_parses_the_second_half(tmp_path):
    path = _workbook(tmp_path / "l.xlsx")
    found = _early_in_fresh_process(path, reader=True)
    whole, _ = _whole(path.read_bytes())
    assert found["kind"] == "SplitSheet"
    assert found["grid"] == repr(whole)
    assert not found["helper_alive"]  # reaped
    assert found["read"] == "594"  # 600 rows, 6 of them notes below nothing
    # the helper tested the sheet's CRC: the reader's test skips it for these bytes only
    assert found["checked"] == [["xl/worksheets/sheet1.xml"], []]


@pytest.mark.parametrize("fault, patch", [
    ("dies", "split_read.helper_work = lambda data, sheet: os._exit(3)"),
    ("says nothing it can send", "split_read.helper_work = lambda data, sheet: (lambda: None)"),
    ("lies about the cut", """
        real = split_read.helper_work
        def helper_work(data, sheet):
            frames = real(data, sheet)
            kind, name, row, shape, merged = next(frames)
            yield kind, name, row + 1, shape, merged
            yield from frames
        split_read.helper_work = helper_work
    """),
    ("stops half-way", """
        real = split_read.helper_work
        def helper_work(data, sheet):
            frames = real(data, sheet)
            yield next(frames)
            yield next(frames)
            os._exit(0)
        split_read.helper_work = helper_work
    """),
    ("hangs", """
        split_read.helper.HELPER_TIMEOUT = 1.0
        split_read.helper_work = lambda data, sheet: time.sleep(300)
    """),
])
def test_a_failing_helper_costs_only_the_whole_parse(tmp_path, fault, patch):
    path = _workbook(tmp_path / "l.xlsx")
    found = _early_in_fresh_process(path, patch)
    whole, _ = _whole(path.read_bytes())
    assert found["kind"] != "SplitSheet", fault
    assert found["grid"] == repr(whole)
    assert found["checked"] == [[], []]
    assert found["seconds"] < 30
    assert not found["helper_alive"]  # killed and reaped, not left behind


def _stored_with_altered_value(data: bytes) -> bytes:
    """The workbook with its ledger sheet stored uncompressed and one id changed in place
    afterwards: the bytes no longer match the member's CRC."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            method = zipfile.ZIP_STORED if info.filename == "xl/worksheets/sheet1.xml" else zipfile.ZIP_DEFLATED
            target.writestr(info.filename, source.read(info), compress_type=method)
    stored = out.getvalue()
    position = stored.index(b"T00400")
    return stored[:position] + b"T00499" + stored[position + 6:]


def _with_comment_across_the_middle(xml: bytes) -> bytes:
    """The sheet's XML with an XML comment holding a row tag laid over its middle, so that
    the search for the cut finds the row tag inside the comment."""
    length = 40_000
    at = xml.index(b"<row ", len(xml) // 2 - length // 2)
    comment = b"<!-- " + b"x" * length + b' <row r="999"><c r="A999"><v>1</v></c></row> -->'
    return xml[:at] + comment + xml[at:]


_STATS_WITH_SMALL_CUT = """
import sys
from automation import split_read
split_read.cut.SPLIT_MIN_XML = split_read.helper.SPLIT_MIN_FILE = 1
sys.argv = ["ledger", "stats", sys.argv[1], "--today", "2026-06-28", "--json"]
from automation.launch import main
main()
"""


def test_a_cut_inside_an_xml_comment_gives_the_whole_parse(tmp_path, small_cut):
    """No writer puts comments among the rows, but a hand-made sheet may: the cut then falls
    inside one, the first half ends inside it and does not parse, and the run reads the
    sheet whole: the same figures as without the split."""
    path = tmp_path / "注释.xlsx"
    path.write_bytes(_with_member(_workbook(tmp_path / "l.xlsx").read_bytes(), "xl/worksheets/sheet1.xml",
                                  _with_comment_across_the_middle))
    data = path.read_bytes()
    cut, xml = split_read.plan_with_prefix(data, "台账")
    assert cut.row == 999  # the row tag inside the comment
    with pytest.raises(Exception, match="comment"):
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(split_read.half_book(
            data, cut.part, split_read.first_half_pieces(xml, cut)))).get_sheet_by_name("台账")
    outputs = {}
    for mode, env in (("split", {}), ("whole", {"LEDGER_NO_SPLIT_READ": "1"})):
        run = subprocess.run([sys.executable, "-c", _STATS_WITH_SMALL_CUT, str(path)], capture_output=True,
                             text=True, timeout=120, cwd=PROJECT_ROOT,
                             env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env})
        assert run.returncode == 0, run.stderr
        outputs[mode] = json.loads(run.stdout)
    assert outputs["split"] == outputs["whole"]
    assert outputs["split"]["total"] == 594


def test_a_sheet_whose_crc_fails_is_not_cut_and_is_reported_damaged(tmp_path, small_cut):
    damaged = _stored_with_altered_value(_workbook(tmp_path / "l.xlsx").read_bytes())
    assert split_read.answer_of(split_read.helper_work(damaged, "台账")) == ("none",)
    # the reader's CRC test skips the member only when the helper vouched for it
    with pytest.raises(LedgerError, match="sheet1.xml"):
        check_workbook_bytes(damaged, "l.xlsx", checked_elsewhere=lambda: frozenset())
    check_workbook_bytes(damaged, "l.xlsx", checked_elsewhere=lambda: frozenset({"xl/worksheets/sheet1.xml"}))
    path = tmp_path / "损坏.xlsx"
    path.write_bytes(damaged)
    found = _early_in_fresh_process(path, reader=True)
    assert found["kind"] != "SplitSheet"
    assert "已损坏" in found["read"] and "sheet1.xml" in found["read"]


def test_a_run_killed_at_any_moment_leaves_no_helper_behind(tmp_path):
    path = _workbook(tmp_path / "l.xlsx")
    code = textwrap.dedent("""
        import sys, time
        from automation import early_read, split_read
        split_read.cut.SPLIT_MIN_XML = split_read.helper.SPLIT_MIN_FILE = 1
        split_read.helper_work = lambda data, sheet: time.sleep(300)
        early_read.start(["stats", sys.argv[1]])
        print(early_read._early.helper.pid, flush=True)
        time.sleep(300)
    """)
    run = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True,
                           cwd=PROJECT_ROOT)
    try:
        helper = int(run.stdout.readline())
        assert os.path.exists(f"/proc/{helper}")
    finally:
        run.kill()
        run.wait(10)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{helper}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{helper}")


def test_stats_and_refresh_are_the_same_with_and_without_the_helper(tmp_path):
    sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
    try:
        from generate import write_ledger as generate
    finally:
        sys.path.remove(str(PROJECT_ROOT / "benchmarks"))
    ledger = generate(tmp_path / "大台账.xlsx", 8000, shape="merged_cells")
    assert split_read.plan(ledger.read_bytes(), "台账") is not None  # big enough to be cut
    outputs, refreshed = {}, {}
    for mode, env in (("split", {}), ("whole", {"LEDGER_NO_SPLIT_READ": "1"})):
        env = {**os.environ, **env}
        stats = subprocess.run([sys.executable, "-m", "automation", "stats", str(ledger), "--today", "2026-06-28",
                                "--json"], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, env=env)
        assert stats.returncode == 0, stats.stderr
        outputs[mode] = json.loads(stats.stdout)
        copy = tmp_path / mode / "台账.xlsx"
        copy.parent.mkdir()
        copy.write_bytes(ledger.read_bytes())
        refresh = subprocess.run([sys.executable, "-m", "automation", "refresh", str(copy), "--today", "2026-06-28"],
                                 capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, env=env)
        assert refresh.returncode == 0, refresh.stderr
        refreshed[mode] = {name: re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?", "", repr(values))
                           for name, values in sheet_values(copy.read_bytes()).items()}
    assert outputs["split"] == outputs["whole"]
    assert outputs["split"]["total"] == 8000
    assert refreshed["split"] == refreshed["whole"]
    assert len(refreshed["split"]) >= 7  # the ledger, the five summary sheets and 进展


@pytest.mark.parametrize("shared_memory", [True, False])
def test_a_half_book_is_opened_without_leaving_a_file(tmp_path, small_cut, monkeypatch, shared_memory):
    data = _workbook(tmp_path / "l.xlsx").read_bytes()
    cut, xml = split_read.plan_with_prefix(data, "台账")
    if not shared_memory:  # no /dev/shm: read from memory
        monkeypatch.setattr(split_read.cut.os.path, "isdir", lambda path: False)
    before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    book = split_read.open_half_book(data, cut.part, split_read.second_half_pieces(xml, cut))
    assert book.get_sheet_by_name("台账").to_python()[0][0] == cut.row - 2  # 序号 n is on Excel row n + 2
    after = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    assert not {name for name in after - before if name.startswith("ledger-half-")}


@pytest.mark.parametrize("written", [
    split_read.helper._FRAME.pack(100) + b"abc",  # a frame cut short
    split_read.helper._FRAME.pack(3) + b"abc",  # a frame that does not unpickle
    b"",  # nothing
])
def test_an_answer_that_does_not_read_is_no_answer(written):
    read_end, write_end = os.pipe()
    os.close(write_end)  # the helper has ended
    store = split_read.helper._anonymous_file()
    os.write(store, written)
    stand_in = subprocess.Popen([sys.executable, "-c", "pass"])  # a process to reap, ended with 0
    helper = split_read.Helper(stand_in.pid, read_end, store)
    assert helper.answer(timeout=10) is None
    assert helper.answer() is None  # read once


def test_the_helper_finishes_its_work_before_anyone_reads_it():
    """The helper's frames (here ~2 MB, far past a pipe's 64 KB buffer) never wait for the
    reader: it has ended before its answer is asked for, and the answer holds every frame."""
    code = textwrap.dedent("""
        import json, time
        from automation import split_read
        column = ("values", [f"第{row}行" * 4 for row in range(20_000)])
        frames = [("block", "台账", 2, (1, 0, 20_000, 8), [])] + [("column", column)] * 8
        helper = split_read.fork_helper(b"", lambda: iter(frames))
        deadline = time.monotonic() + 20
        ended = False
        while not ended and time.monotonic() < deadline:  # nothing read yet: has it ended?
            with open(f"/proc/{helper.pid}/stat") as stat:
                ended = stat.read().rsplit(")", 1)[1].split()[0] == "Z"
            time.sleep(0.02)
        kind, sheet, row, block, merged = helper.answer(timeout=10)
        print(json.dumps({"ended": ended, "answer": [kind, sheet, row, len(block.columns),
                                                     block.columns[-1][1][-1]]}))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["ended"]  # on a pipe it would still wait to write past its first 64 KB
    assert found["answer"] == ["block", "台账", 2, 8, "第19999行" * 4]


def test_frames_of_a_helper_that_failed_are_no_answer(tmp_path, small_cut):
    """Every frame written, but the helper ended with a failure: its answer is not used."""
    import pickle

    data = _workbook(tmp_path / "l.xlsx").read_bytes()
    frames = list(split_read.helper_work(data, "台账"))
    assert frames[0][0] == "block"
    read_end, write_end = os.pipe()
    os.close(write_end)
    store = split_read.helper._anonymous_file()
    for frame in frames:
        payload = pickle.dumps(frame)
        os.write(store, split_read.helper._FRAME.pack(len(payload)) + payload)
    for code, used in ((0, True), (1, False)):
        stand_in = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])
        descriptor = os.dup(read_end)
        answer = split_read.Helper(stand_in.pid, descriptor, os.dup(store)).answer(timeout=10)
        assert (answer is not None and answer[0] == "block") is used
    os.close(read_end)
    os.close(store)


def test_a_strict_open_xml_ledger_is_cut_and_joined_as_well(tmp_path, small_cut):
    from tests.strict_fixture import to_strict

    data = to_strict(_workbook(tmp_path / "l.xlsx").read_bytes())
    assert split_read.worksheet_parts(data) == [("台账", "xl/worksheets/sheet1.xml"), ("说明", "xl/worksheets/sheet2.xml")]
    whole, merged = _whole(data)
    sheet = _split(data)
    assert sheet is not None and sheet.to_python().rest.height > 100
    assert _typed(sheet.to_python().materialize()) == _typed(whole)
    assert sorted(sheet.merged_cell_ranges) == merged
