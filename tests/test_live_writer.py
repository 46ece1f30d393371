"""The live writer and automation.excel, run through xlwings' real Windows backend
(``xlwings._xlwindows``) over a stand-in of Excel's COM object model (tests/excel_com)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from automation import excel, messages
from automation.analysis import analyse_file, analyse_grid
from automation.config import Config
from automation.live_writer import LiveWriter
from automation.model import FILLS, iter_cells
from automation.problems import LedgerError
from automation.summary import build_summary
from tests.excel_com import xlwings_book
from tests.excel_com.excel_model import XL_ERROR_NA, XL_ERROR_NAME, new_excel, put_grid, rgb_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_ledger.xlsx"
TODAY = dt.date(2026, 6, 28)
NOW = dt.datetime(2026, 6, 28, 9, 30)
HEADER = ["编号", "类别", "案由", "办理类型", "承办科室", "承办人", "分管领导", "交办日期", "办理状态", "答复日期"]


@pytest.fixture(autouse=True)
def no_message_boxes_from_earlier_tests():
    _message_boxes()


def overdue_grid(count: int) -> list[list]:
    """A ledger of `count` overdue items (assigned 2026-01-05, 3 months: overdue on TODAY)."""
    rows = [["测试台账"] + [None] * (len(HEADER) - 1), HEADER]
    for index in range(count):
        rows.append([f"TA{index:05d}", "政协提案", f"关于第{index}项工作的建议", "主办", f"科室{index % 7}",
                     f"承办人{index % 13}", "王局长", dt.datetime(2026, 1, 5 + index % 20), "办理中", None])
    return rows


def excel_with(grid, name="台账"):
    """(Excel application stand-in, its workbook, the xlwings Book driving it)."""
    app, workbook = new_excel()
    put_grid(workbook._add_sheet(name), grid)
    return app, workbook, xlwings_book(workbook)


def as_excel_holds(value):
    """A model value as Excel keeps it: dates as date-times, "" as an empty cell."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return None if value == "" else value


def sample_grid():
    return CalamineWorkbook.from_path(str(SAMPLE)).get_sheet_by_name("台账").to_python(skip_empty_area=False)


def sample_model_written_live():
    """The sample ledger's summary model, and a workbook the live writer wrote it into."""
    config = Config()
    model = build_summary(analyse_file(SAMPLE, config, TODAY).statistics, config, NOW)
    app, workbook, book = excel_with([["x"]])
    skipped = LiveWriter(book).write(model)
    assert skipped == []
    return model, app, workbook


def test_live_writer_holds_every_cell_of_the_model():
    model, app, workbook = sample_model_written_live()
    assert [sheet._name for sheet in workbook._sheets] == ["台账", *model.names]
    assert app._dialogs == []  # nothing would have stopped on a question to the user
    for sheet_model in model.sheets:
        sheet = workbook.Worksheets(sheet_model.name)
        for row, column, value, style, link in iter_cells(sheet_model):
            cell = sheet._peek(row, column)
            expected = as_excel_holds(value)
            assert cell.value == expected, (sheet_model.name, row, column)
            assert cell.formula is None
            if style.number_format != "General":
                assert cell.number_format == style.number_format
            if style.fill:
                assert rgb_of(cell.fill) == tuple(int(style.fill[i:i + 2], 16) for i in (0, 2, 4))
            if link:
                assert sheet._links[(row, column)].SubAddress == link
                assert sheet._links[(row, column)].Address == ""
        assert sheet._widths == {c: w for c, w in sheet_model.column_widths.items()}
        assert len(sheet._charts) == len(sheet_model.charts)
        if sheet_model.tab_color:
            assert "%02X%02X%02X" % rgb_of(sheet._tab_color) == sheet_model.tab_color


def test_every_sheet_with_a_header_is_frozen_below_it_through_its_window():
    """xlwings' Sheet.freeze_panes is Office.js-only: on Windows the panes are the window's."""
    model, app, workbook = sample_model_written_live()
    frozen = [sheet for sheet in model.sheets if sheet.freeze_row]
    assert frozen  # the sample's 科室统计, 逾期清单 … have a header to keep in view
    for sheet_model in model.sheets:
        view = workbook.Worksheets(sheet_model.name)._view
        if sheet_model.freeze_row:
            assert view["FreezePanes"] and view["frozen_at"] == (sheet_model.freeze_row + 1, 1), sheet_model.name
        else:
            assert not view["FreezePanes"], sheet_model.name


def test_charts_are_native_charts_of_the_right_type_and_data():
    model, app, workbook = sample_model_written_live()
    kinds = {"bar_stacked": 58, "column_stacked": 52, "pie": 5}  # XlChartType
    for sheet_model in model.sheets:
        charts = workbook.Worksheets(sheet_model.name)._charts
        for chart_model, chart_object in zip(sheet_model.charts, charts):
            chart = chart_object._chart
            assert chart._type == kinds[chart_model.kind]
            assert chart._has_title and chart._title._text == chart_model.title
            assert chart._source._sheet._name == chart_model.categories.sheet
            first = chart_model.categories
            assert chart._source._areas[0] == (first.first_row - 1, first.first_column, first.last_row,
                                               first.last_column)


def test_a_chart_excel_refuses_is_skipped_and_the_sheets_are_complete(tmp_path, monkeypatch):
    """SetSourceData fails (Excel's run-time error 1004): every sheet is written and frozen,
    no empty chart is left, and the user is told which charts were skipped."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no config.ini found: the log goes to the user's folder
    app, workbook, book = excel_with(sample_grid())
    app._failing.add("Chart.SetSourceData")
    analysis = excel.run_refresh(book, TODAY, NOW, Config())
    model = build_summary(analysis.statistics, Config(), NOW)
    expected_charts = [(s.name, c.title) for s in model.sheets for c in s.charts]
    assert expected_charts
    for sheet_model in model.sheets:
        sheet = workbook.Worksheets(sheet_model.name)
        assert sheet._charts == []
        for row, column, value, _style, _link in iter_cells(sheet_model):
            expected = as_excel_holds(value)
            assert sheet._peek(row, column).value == expected
        if sheet_model.freeze_row:
            assert sheet._view["frozen_at"] == (sheet_model.freeze_row + 1, 1)
    ((_hwnd, text, caption, _style),) = [box for box in _message_boxes() if box[2] == excel.ALERT_TITLE]
    charts = "、".join(messages.EXCEL_CHART_NAME.format(sheet=s, title=t) for s, t in expected_charts)
    log = tmp_path / ".ledger-assistant" / "ledger-assistant-excel.log"
    assert text == messages.EXCEL_PARTS_SKIPPED.format(parts=charts, log=log)
    assert "SetSourceData" in log.read_text(encoding="utf-8")
    # The log file is the button's only while it runs: nothing else in the process writes to it.
    assert not [h for h in logging.getLogger("automation").handlers if isinstance(h, logging.FileHandler)]


def test_a_freeze_excel_refuses_is_skipped_and_everything_else_is_written(tmp_path, monkeypatch):
    """Freezing (and the tab colour) are guarded like the charts."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    app, workbook, book = excel_with(sample_grid())
    app._failing.update({"Window.SplitRow", "Tab.Color"})
    analysis = excel.run_refresh(book, TODAY, NOW, Config())
    model = build_summary(analysis.statistics, Config(), NOW)
    frozen = [s.name for s in model.sheets if s.freeze_row]
    for sheet_model in model.sheets:
        sheet = workbook.Worksheets(sheet_model.name)
        assert len(sheet._charts) == len(sheet_model.charts)
        for row, column, value, _style, _link in iter_cells(sheet_model):
            assert sheet._peek(row, column).value == as_excel_holds(value)
    ((_hwnd, text, _caption, _style),) = _message_boxes()
    parts = "、".join(
        part for sheet_model in model.sheets for part in (
            messages.EXCEL_TAB_NAME.format(sheet=sheet_model.name) if sheet_model.tab_color else None,
            messages.EXCEL_FREEZE_NAME.format(sheet=sheet_model.name) if sheet_model.freeze_row else None,
        ) if part)
    assert frozen
    assert text == messages.EXCEL_PARTS_SKIPPED.format(parts=parts, log=tmp_path / ".ledger-assistant"
                                                       / "ledger-assistant-excel.log")


def test_every_sheet_is_printed_as_the_file_writer_sets_it_up():
    """Landscape, one page wide and as many tall as needed (the file writer's pageSetup
    orientation="landscape" fitToWidth="1" fitToHeight="0"), through the worksheet's PageSetup;
    a sheet whose model asks for neither keeps Excel's defaults."""
    from automation.model import Block, SheetModel, SummaryModel

    model, _app, workbook = sample_model_written_live()
    assert all(sheet.landscape and sheet.fit_to_width for sheet in model.sheets)
    for sheet_model in model.sheets:
        assert workbook.Worksheets(sheet_model.name)._page == {
            "Orientation": 2, "Zoom": False, "FitToPagesWide": 1, "FitToPagesTall": False}, sheet_model.name
    plain = SheetModel("纵向", [Block(1, 1, [["x"]], ["text"])], landscape=False, fit_to_width=False)
    wide = SheetModel("纵向一页宽", [Block(1, 1, [["x"]], ["text"])], landscape=False, fit_to_width=True)
    _app, workbook, book = excel_with([["x"]])
    assert LiveWriter(book).write(SummaryModel([plain, wide])) == []
    assert workbook.Worksheets("纵向")._page == {"Orientation": 1, "Zoom": 100, "FitToPagesWide": 1,
                                                 "FitToPagesTall": 1}
    assert workbook.Worksheets("纵向一页宽")._page == {"Orientation": 1, "Zoom": False, "FitToPagesWide": 1,
                                                    "FitToPagesTall": False}


def test_a_page_setup_excel_refuses_is_named_and_everything_else_is_written(tmp_path, monkeypatch):
    """Without a printer Excel can refuse PageSetup: the page setup is guarded like the charts."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    app, workbook, book = excel_with(sample_grid())
    app._failing.add("Worksheet.PageSetup")
    analysis = excel.run_refresh(book, TODAY, NOW, Config())
    model = build_summary(analysis.statistics, Config(), NOW)
    for sheet_model in model.sheets:
        sheet = workbook.Worksheets(sheet_model.name)
        assert len(sheet._charts) == len(sheet_model.charts)
        for row, column, value, _style, _link in iter_cells(sheet_model):
            assert sheet._peek(row, column).value == as_excel_holds(value)
        if sheet_model.freeze_row:
            assert sheet._view["frozen_at"] == (sheet_model.freeze_row + 1, 1)
    ((_hwnd, text, _caption, _style),) = _message_boxes()
    parts = "、".join(messages.EXCEL_PAGE_NAME.format(sheet=sheet.name) for sheet in model.sheets)
    assert text == messages.EXCEL_PARTS_SKIPPED.format(parts=parts, log=tmp_path / ".ledger-assistant"
                                                       / "ledger-assistant-excel.log")
    assert "“统计汇总”的页面设置" in text


def _message_boxes():
    from tests.excel_com import win32

    boxes = list(win32.MESSAGE_BOXES)
    win32.MESSAGE_BOXES.clear()
    return boxes


def test_block_writes_do_not_grow_with_rows(monkeypatch):
    """Every call that reaches Excel, counted: the same for 10 and 3,000 overdue items, once
    the hyperlinks (one per linked row by nature, capped) are left out."""
    from automation import live_writer

    monkeypatch.setattr(live_writer, "LIVE_LINK_LIMIT", 0)
    config = Config()
    counts = []
    for size in (10, 3000):
        analysis = analyse_grid(overdue_grid(size), "台账", config, TODAY)
        assert analysis.statistics.totals["overdue"] == size
        app, _workbook, book = excel_with([["x"]])
        LiveWriter(book).write(build_summary(analysis.statistics, config, NOW))
        counts.append(dict(app._calls))
    assert counts[0]["Range.Value="] == counts[1]["Range.Value="]
    assert counts[0] == counts[1]


def test_hyperlinks_stop_at_the_cap(monkeypatch):
    from automation import live_writer

    monkeypatch.setattr(live_writer, "LIVE_LINK_LIMIT", 25)
    analysis = analyse_grid(overdue_grid(40), "台账", Config(), TODAY)
    app, workbook, book = excel_with([["x"]])
    LiveWriter(book).write(build_summary(analysis.statistics, Config(), NOW))
    assert len(workbook.Worksheets(messages.SHEET_OVERDUE)._links) == 25


def test_refresh_reads_the_open_book_and_writes_summary():
    app, workbook, book = excel_with(sample_grid())
    analysis = excel.run_refresh(book, TODAY, NOW, Config())
    expected = analyse_file(SAMPLE, Config(), TODAY).statistics.to_json()
    assert analysis.statistics.to_json() == expected
    assert workbook._active._name == messages.SHEET_SUMMARY
    assert "已逾期 8 件" in app._status_bar
    assert app._screen_updating is True
    # A second click replaces the owned sheets instead of adding 统计汇总1.
    excel.run_refresh(book, TODAY, NOW, Config())
    names = [sheet._name for sheet in workbook._sheets]
    assert names.count(messages.SHEET_SUMMARY) == 1 and len(names) == 6


def test_refresh_refuses_a_user_sheet_with_an_owned_name():
    app, workbook, book = excel_with(overdue_grid(3))
    put_grid(workbook._add_sheet(messages.SHEET_SUMMARY), [["我的汇总"]])
    with pytest.raises(LedgerError):
        excel.run_refresh(book, TODAY, NOW, Config())
    assert workbook.Worksheets(messages.SHEET_SUMMARY)._peek(1, 1).value == "我的汇总"


def test_text_that_looks_like_a_formula_stays_text():
    grid = overdue_grid(2)
    grid[2][2] = "=1+1 关于公式的建议"
    app, workbook, book = excel_with(grid)
    excel.run_refresh(book, TODAY, NOW, Config())
    sheet = workbook.Worksheets(messages.SHEET_OVERDUE)
    values = [cell.value for cell in sheet._cells.values()]
    assert "=1+1 关于公式的建议" in values
    assert not [cell for cell in sheet._cells.values() if cell.formula is not None or cell.value == XL_ERROR_NAME]


def test_text_that_excel_would_retype_stays_text():
    """Excel parses a string it receives as if typed: 编号 007 would become 7, a title such as
    2026-3-5 a date. The live writer keeps them the text they are."""
    grid = overdue_grid(4)
    grid[2][0], grid[3][0], grid[4][0], grid[5][0] = "007", "2026-3-5", "3月5日", "TRUE"
    grid[2][5] = "1,234"
    app, workbook, book = excel_with(grid)
    excel.run_refresh(book, TODAY, NOW, Config())
    values = {cell.value for cell in workbook.Worksheets(messages.SHEET_OVERDUE)._cells.values()}
    assert {"007", "2026-3-5", "3月5日", "TRUE", "1,234"} <= values
    assert not values & {7.0, True, dt.datetime(2026, 3, 5), 1234.0}


def test_error_literals_and_a_leading_apostrophe_stay_text():
    """#N/A typed in is Excel's error value; a text starting with an apostrophe would lose it
    (Excel takes it as the text prefix). The shared rule (cell_text) prefixes both."""
    grid = overdue_grid(2)
    grid[2][2], grid[3][5] = "#N/A", "'张三"  # 案由 and 承办人 (the linked 编号 is set as link text)
    app, workbook, book = excel_with(grid)
    excel.run_refresh(book, TODAY, NOW, Config())
    sheet = workbook.Worksheets(messages.SHEET_OVERDUE)
    values = {cell.value for cell in sheet._cells.values()}
    assert {"#N/A", "'张三"} <= values
    assert XL_ERROR_NA not in values and "张三" not in values


def test_row_fills_follow_urgency():
    analysis = analyse_grid(overdue_grid(4), "台账", Config(), TODAY)
    app, workbook, book = excel_with([["x"]])
    LiveWriter(book).write(build_summary(analysis.statistics, Config(), NOW))
    sheet = workbook.Worksheets(messages.SHEET_OVERDUE)
    fill = FILLS["overdue"] if analysis.statistics.overdue_items[0].days > 30 else FILLS["overdue_light"]
    assert rgb_of(sheet._peek(5, 2).fill) == tuple(int(fill[i:i + 2], 16) for i in (0, 2, 4))


def test_live_writer_and_file_writer_hold_the_same_cells(tmp_path):
    """One layout, two writers: the workbook the file writer produces, read back with
    openpyxl, holds cell for cell what the live writer put into Excel (values, number
    formats, fills, hyperlinks, merges, column widths)."""
    import openpyxl

    from automation.xlsx import write_owned_sheets

    model, app, workbook = sample_model_written_live()
    written = tmp_path / "written.xlsx"
    written.write_bytes(write_owned_sheets(SAMPLE.read_bytes(), model))
    file_book = openpyxl.load_workbook(written)
    compared = 0
    for sheet_model in model.sheets:
        live, file_sheet = workbook.Worksheets(sheet_model.name), file_book[sheet_model.name]
        for (row, column), cell in live._cells.items():
            file_cell = file_sheet.cell(row=row, column=column)
            # An empty text written to the file is an empty cell in Excel.
            assert (None if file_cell.value == "" else file_cell.value) == cell.value, (sheet_model.name, row, column)
            if cell.value is not None:
                assert file_cell.number_format == cell.number_format, (sheet_model.name, row, column)
                if cell.fill is not None:
                    assert file_cell.fill.fgColor.rgb[-6:] == "%02X%02X%02X" % rgb_of(cell.fill)
                if (row, column) in live._links:
                    assert file_cell.hyperlink.location == live._links[(row, column)].SubAddress
                compared += 1
        live_merges = set(live._merges)
        file_merges = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in file_sheet.merged_cells.ranges}
        assert live_merges == file_merges
        file_tab = file_sheet.sheet_properties.tabColor
        assert (file_tab.rgb[-6:] if file_tab is not None else None) == (
            "%02X%02X%02X" % rgb_of(live._tab_color) if live._tab_color is not None else None)
        for column, width in live._widths.items():
            letter = openpyxl.utils.get_column_letter(column)
            assert file_sheet.column_dimensions[letter].width == pytest.approx(width, abs=0.01)
    assert compared > 400  # the sample gives 447 filled cells: the comparison is not vacuous


def test_the_open_ledger_is_read_from_excel_once():
    """Reading the used range is the slow call to Excel: one per sheet, not two."""
    app, _workbook, book = excel_with(sample_grid())
    excel.read_open_ledger(book, Config(), TODAY)
    assert app._calls["Range.Value"] == 1


def test_the_buttons_run_through_book_caller(tmp_path, monkeypatch):
    """refresh() as RunPython calls it: xw.Book.caller(), the run, the status bar; a ledger
    error reaches the user as one message box, in Chinese."""
    import xlwings

    monkeypatch.setenv("HOME", str(tmp_path))
    app, workbook, book = excel_with(sample_grid())
    monkeypatch.setattr(xlwings.Book, "_mock_caller", book, raising=False)
    monkeypatch.chdir(tmp_path)
    excel.refresh()
    assert workbook._active._name == messages.SHEET_SUMMARY
    assert "已逾期" in app._status_bar
    _message_boxes()
    app2, workbook2, book2 = excel_with([["不是台账"]])
    monkeypatch.setattr(xlwings.Book, "_mock_caller", book2, raising=False)
    excel.check()
    ((_hwnd, text, caption, _style),) = _message_boxes()
    assert caption == excel.ALERT_TITLE and "表头" in text and "Traceback" not in text


def test_a_protected_workbook_structure_is_refused_before_anything_is_written():
    app, workbook, book = excel_with(overdue_grid(3))
    workbook._protect_structure = True
    with pytest.raises(LedgerError) as raised:
        excel.run_refresh(book, TODAY, NOW, Config())
    assert raised.value.message == messages.EXCEL_BOOK_PROTECTED
    assert [sheet._name for sheet in workbook._sheets] == ["台账"]
    assert app._screen_updating is True


def test_a_hidden_last_sheet_does_not_stop_the_refresh():
    """Ledgers often end with a hidden sheet of drop-down lists; new sheets go after it."""
    app, workbook, book = excel_with(overdue_grid(3))
    hidden = workbook._add_sheet("下拉选项")
    put_grid(hidden, [["办理中"], ["已办结"]])
    hidden._visible = 0  # xlSheetHidden
    excel.run_refresh(book, TODAY, NOW, Config())
    assert [sheet._name for sheet in workbook._sheets][:2] == ["台账", "下拉选项"]
    assert workbook._active._name == messages.SHEET_SUMMARY
    assert workbook.Worksheets(messages.SHEET_OVERDUE)._view["frozen_at"] == (5, 1)


def test_live_writer_draws_the_progress_sheet_with_its_line_charts(tmp_path):
    """进展 (issue 16) through the live writer: the same cells and two line charts."""
    from automation.history import reconstruct, snapshot_of
    from automation.progress import progress_sheet

    config = Config()
    analysis = analyse_file(SAMPLE, config, TODAY)
    past = reconstruct(SAMPLE.read_bytes(), config, [dt.date(2026, 6, 14), dt.date(2026, 6, 21)])
    model = build_summary(analysis.statistics, config, NOW, [progress_sheet(past, snapshot_of(analysis), analysis, NOW)])
    app, workbook, book = excel_with([["x"]])
    assert LiveWriter(book).write(model) == []
    sheet_model = model.sheets[-1]
    assert sheet_model.name == messages.SHEET_PROGRESS
    sheet = workbook.Worksheets(messages.SHEET_PROGRESS)
    for row, column, value, _style, _link in iter_cells(sheet_model):
        assert sheet._peek(row, column).value == as_excel_holds(value), (row, column)
    assert [chart_object._chart._type for chart_object in sheet._charts] == [65, 65]  # xlLineMarkers


def test_a_linked_id_that_excel_would_retype_keeps_its_text_and_its_link():
    """The 编号 of 逾期清单 is linked to its row in the ledger. Excel takes TextToDisplay as if
    typed (the stand-in re-types it like Value): 007 given as link text would become 7. The
    writer gives no link text for such a cell, which keeps the prefixed text it was written
    with; a plain 编号 still gets its text."""
    grid = overdue_grid(2)
    grid[2][0] = "007"  # Excel row 3 of 台账
    app, workbook, book = excel_with(grid)
    excel.run_refresh(book, TODAY, NOW, Config())
    sheet = workbook.Worksheets(messages.SHEET_OVERDUE)
    linked = {sheet._peek(*key).value: (link.SubAddress, sheet._peek(*key).prefix)
              for key, link in sheet._links.items()}
    assert linked == {"007": ("'台账'!A3", "'"), "TA00001": ("'台账'!A4", "")}
