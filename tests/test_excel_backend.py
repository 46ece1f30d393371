"""What the Excel path asks of xlwings exists in xlwings' Windows backend, and what it asks
of Excel exists in Excel's object model; a merged-down ledger gives the file path's figures.

Runs xlwings' own ``xlwings._xlwindows`` over the COM stand-in of tests/excel_com."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import inspect
import time
from pathlib import Path

import openpyxl
import pytest
import xlwings.base_classes as base_classes

from automation import excel
from automation.analysis import analyse_file, analyse_grid
from automation.config import Config
from automation.excel_merges import merged_areas_in_column, parse_area
from tests.excel_com import xlwings_book
from tests.excel_com.excel_model import load_file, new_excel, put_grid
from tests.excel_com.win32 import com_error, load_xlwindows

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_ledger.xlsx"
TODAY = dt.date(2026, 6, 28)
NOW = dt.datetime(2026, 6, 28, 9, 30)
EXCEL_MODULES = ["automation/live_writer.py", "automation/excel.py", "automation/excel_merges.py"]
#: Names the modules use on objects that are not xlwings' (the scan goes by name only).
NOT_XLWINGS = {"parent": "pathlib.Path.parent", "group": "re.Match.group"}


# --------------------------------------------------------------------------- xlwings members


def attribute_names(path: Path) -> set[str]:
    """Every `x.name` the module's code reads, writes or calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}


def test_no_member_the_code_uses_is_left_unimplemented_by_the_windows_backend():
    """Static: for every name our Excel modules use that xlwings' base classes declare, the
    Windows backend's class overrides it (the base raises NotImplementedError)."""
    backend = load_xlwindows()
    used = set().union(*(attribute_names(ROOT / module) for module in EXCEL_MODULES)) - set(NOT_XLWINGS)
    assert {"freeze_rows", "merge_area", "merge_cells", "number_format"} <= used  # the scan sees the code
    unimplemented = []
    for name, base in inspect.getmembers(base_classes, inspect.isclass):
        windows = getattr(backend, name, None)
        if base.__module__ != base_classes.__name__ or windows is None:
            continue
        for member in used & set(vars(base)):
            if member.startswith("_"):
                continue
            owner = next(cls for cls in windows.__mro__ if member in vars(cls))
            if owner is base:
                unimplemented.append(f"{name}.{member}")
    assert unimplemented == []


def test_the_scan_finds_what_failed_every_button():
    """The member that broke the buttons (Sheet.freeze_panes) is one the scan reports."""
    backend = load_xlwindows()
    owner = next(cls for cls in backend.Sheet.__mro__ if "freeze_panes" in vars(cls))
    assert owner is base_classes.Sheet


@pytest.fixture
def unimplemented_calls(monkeypatch):
    """Records every xlwings base-class member reached that raises NotImplementedError, even
    where our code catches the error (the chart guard would)."""
    reached: list[str] = []

    def recording(function, label):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except NotImplementedError:
                reached.append(label)
                raise
        return wrapper

    for class_name, cls in inspect.getmembers(base_classes, inspect.isclass):
        if cls.__module__ != base_classes.__name__:
            continue
        for member, value in list(vars(cls).items()):
            label = f"{class_name}.{member}"
            if isinstance(value, property):
                monkeypatch.setattr(cls, member, property(
                    value.fget and recording(value.fget, label), value.fset and recording(value.fset, label)))
            elif inspect.isfunction(value) and not member.startswith("__"):
                monkeypatch.setattr(cls, member, recording(value, label))
    return reached


def test_every_button_path_reaches_only_implemented_members(unimplemented_calls, tmp_path, monkeypatch):
    """Dynamic: the three buttons' work (refresh twice, the report draft) and a merged-down
    ledger, run through xlwings' Windows backend, never reach a base-class stub."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    app, workbook = load_file(SAMPLE)
    book = xlwings_book(workbook)
    excel.run_refresh(book, TODAY, NOW, Config())
    excel.run_refresh(book, TODAY, NOW, Config(), select="逾期清单")
    report = excel.write_report_for(book, TODAY, NOW)
    assert report.parent == tmp_path and report.stat().st_size > 0
    app._failing.add("Chart.SetSourceData")  # the guard's path as well
    excel.run_refresh(book, TODAY, NOW, Config())
    merged = merged_ledger(tmp_path / "merged.xlsx")
    _app, merged_book = load_file(merged)
    excel.read_open_ledger(xlwings_book(merged_book), Config(), TODAY)
    assert unimplemented_calls == []


# --------------------------------------------------------------------------- the COM stand-in


def test_a_member_excel_does_not_have_fails_at_once_instead_of_hanging():
    """xlwings retries a failing COM call forever by default; the stand-in raises as pywin32
    does and the tests bound the retries, so a misspelled .api member fails in seconds."""
    _app, workbook = new_excel()
    put_grid(workbook._add_sheet("台账"), [["x"]])
    sheet = xlwings_book(workbook).sheets["台账"]
    started = time.monotonic()
    with pytest.raises(com_error):
        sheet.api.FreezePane  # noqa: B018 - Excel's member is Window.FreezePanes
    with pytest.raises(AttributeError):
        sheet.api.FreezePanes = True  # a Window member, not a Worksheet one
    with pytest.raises(com_error):
        sheet.api.Range("A1").Valeu  # noqa: B018
    assert time.monotonic() - started < 2


def test_the_window_freezes_the_sheet_it_shows():
    """Panes are the window's: SplitRow set while another sheet is active freezes that one."""
    _app, workbook = new_excel()
    first = workbook._add_sheet("甲")
    second = workbook._add_sheet("乙")
    window = workbook.Windows(1)
    window.SplitRow = 4
    window.FreezePanes = True
    assert first._view["frozen_at"] == (5, 1) and not second._view["FreezePanes"]


def test_values_cross_com_as_excel_types():
    _app, workbook = new_excel()
    workbook._add_sheet("Sheet1")  # a workbook always has a sheet
    sheet = xlwings_book(workbook).sheets.add("甲")
    sheet.range("A1").value = [[3, "007", "'007", "-x", "12.5%", dt.datetime(2026, 3, 5), "", True]]
    values = sheet.range("A1:H1").value
    assert values == [3.0, 7.0, "007", None, 0.125, dt.datetime(2026, 3, 5), None, True]
    cells = workbook.Worksheets("甲")
    assert cells._peek(1, 4).formula == "-x"  # Excel made a formula of it (#NAME?)


# --------------------------------------------------------------------------- merged-down cells


def merged_ledger(path: Path) -> Path:
    """A ledger starting at B2 (so Excel's used range does not start at A1): a merged title,
    承办科室 and 分管领导 merged down over groups of items, a note merged across."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    rows = [
        ["2026年提案办理台账"],
        ["编号", "案由", "办理类型", "承办科室", "分管领导", "交办日期", "办理状态"],
        ["TA1", "关于甲的建议", "主办", "产业发展科", "王建国", dt.datetime(2026, 3, 1), "办理中"],
        ["TA2", "关于乙的建议", "主办", None, None, dt.datetime(2026, 3, 2), "办理中"],
        ["TA3", "关于丙的建议", "协办", None, None, dt.datetime(2026, 6, 20), None],
        ["TA4", "关于丁的建议", "主办", "企业服务科", "李红梅", dt.datetime(2026, 5, 1), "已办结"],
        ["TA5", "关于戊的建议", "主办", None, "李红梅", dt.datetime(2026, 2, 1), None],
        ["TA6", "关于己的建议", "主办", "综合科", None, dt.datetime(2026, 2, 3), None],
        ["备注：本表每周更新"],
    ]
    for index, row in enumerate(rows):
        for offset, value in enumerate(row):
            sheet.cell(row=index + 2, column=offset + 2, value=value)
    sheet.merge_cells("B2:H2")
    sheet.merge_cells("E4:E6")  # 产业发展科 over TA1–TA3
    sheet.merge_cells("F4:F6")  # 王建国 over TA1–TA3
    sheet.merge_cells("E7:E8")  # 企业服务科 over TA4–TA5
    sheet.merge_cells("B10:H10")  # the note
    # TA6's 分管领导 (F9) is really empty: a blank, not a merge.
    workbook.save(path)
    return path


def test_a_merged_down_ledger_gives_the_same_figures_through_excel_and_the_file(tmp_path):
    path = merged_ledger(tmp_path / "merged.xlsx")
    from_file = analyse_file(path, Config(), TODAY).statistics.to_json()
    app, workbook = load_file(path)
    book = xlwings_book(workbook)
    from_excel = excel.read_open_ledger(book, Config(), TODAY).statistics.to_json()
    assert from_excel == from_file
    # Few calls, worked out by hand (data rows 4–10, columns B–H). B, C, D, G, H: only the
    # note (row 10) is merged: MergeCells of 4–10 (some), 4–7 (none), 8–10 (some), 8–9
    # (none), 10 (all) = 5, and one MergeArea. E: 4–10, 4–7 (all: E4:E6 and E7:E8, two
    # MergeArea), 8–10, 8–9, 8 (E7:E8 again), 9, 10 (the note) = 7 and 4 MergeArea.
    # F: 4–10, 4–7, 4–5 (F4:F6), 6–7, 6 (F4:F6 again), 7, 8–10, 8–9, 10 = 9 and 3.
    assert app._calls["Range.MergeCells"] == 5 * 5 + 7 + 9
    assert app._calls["Range.MergeArea"] == 5 + 4 + 3
    assert app._calls["Range.Value"] == 1
    sections = {label: figures["total"] for label, figures in from_file["by_section"].items()}
    assert sections == {"产业发展科": 3, "企业服务科": 2, "综合科": 1}  # counted by hand
    # Without the merge areas Excel's values would give other figures: the test is not vacuous.
    used = workbook.Worksheets("台账").UsedRange
    values = [list(row) for row in used.Value]
    assert analyse_grid(values, "台账", Config(), TODAY, 2, 2).statistics.to_json() != from_file


def test_the_whole_refresh_of_a_merged_down_ledger_matches_the_file_path(tmp_path):
    path = merged_ledger(tmp_path / "merged.xlsx")
    app, workbook = load_file(path)
    analysis = excel.run_refresh(xlwings_book(workbook), TODAY, NOW, Config())
    assert analysis.statistics.to_json() == analyse_file(path, Config(), TODAY).statistics.to_json()


def test_halving_finds_each_merged_area_with_few_questions():
    """A column of rows 1–100 where 41–43 and 90–99 are merged: Excel is asked about halves
    only where some cells are merged."""
    merged = [(41, 3, 43, 3), (90, 3, 99, 3)]
    questions = []

    def merge_cells(top, bottom):
        questions.append((top, bottom))
        inside = [any(a[0] <= row <= a[2] for a in merged) for row in range(top, bottom + 1)]
        return True if all(inside) else False if not any(inside) else None

    def merge_area(row):
        return next((a for a in merged if a[0] <= row <= a[2]), (row, 3, row, 3))

    assert sorted(merged_areas_in_column(1, 100, merge_cells, merge_area)) == merged
    # Each edge of an area costs at most two questions per halving (⌈log2 100⌉ = 7 levels):
    # at most 2 · 7 · 2 edges · 2 areas = 56, against 100 for asking row by row.
    assert len(questions) <= 2 * 7 * 2 * len(merged)
    assert merged_areas_in_column(1, 100, lambda top, bottom: False, merge_area) == []


def test_parse_area():
    assert parse_area("$E$5:$E$7") == (5, 5, 7, 5)
    assert parse_area("$AB$10") == (10, 28, 10, 28)


@pytest.mark.parametrize("layout", ["two-row header", "sample"])
def test_merged_headers_and_titles_give_the_file_paths_figures(tmp_path, layout):
    """A merged title, a two-row header (办理情况 across its sub-headers, the others merged
    down both rows): the header's merges are never asked, the figures are the file path's."""
    from tests.ledger_factory import STANDARD_KEYS, STANDARD_TODAY, assert_standard, headers_of, standard_rows, \
        write_ledger

    if layout == "sample":
        path, today = SAMPLE, TODAY
    else:
        group = {"status", "replied", "reply_class"}
        headers = [("办理情况", header) if key in group else header
                   for key, header in zip(STANDARD_KEYS, headers_of(STANDARD_KEYS))]
        path, today = tmp_path / "two_rows.xlsx", STANDARD_TODAY
        write_ledger(path, headers, standard_rows(), title_rows=1, header_rows=2)
    _app, workbook = load_file(path)
    analysis = excel.read_open_ledger(xlwings_book(workbook), Config(), today)
    assert analysis.statistics.to_json() == analyse_file(path, Config(), today).statistics.to_json()
    if layout != "sample":
        assert_standard(analysis)
