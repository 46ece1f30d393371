"""The live (xlwings) writer, against a stand-in that follows xlwings' API."""

from __future__ import annotations

import datetime as dt
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
from tests.xlwings_standin import Book, Formula

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_ledger.xlsx"
TODAY = dt.date(2026, 6, 28)
NOW = dt.datetime(2026, 6, 28, 9, 30)
HEADER = ["编号", "类别", "案由", "办理类型", "承办科室", "承办人", "分管领导", "交办日期", "办理状态", "答复日期"]


def overdue_grid(count: int) -> list[list]:
    """A ledger of `count` overdue items (assigned 2026-01-05, 3 months: overdue on TODAY)."""
    rows = [["测试台账"] + [None] * (len(HEADER) - 1), HEADER]
    for index in range(count):
        rows.append([f"TA{index:05d}", "政协提案", f"关于第{index}项工作的建议", "主办", f"科室{index % 7}",
                     f"承办人{index % 13}", "王局长", dt.datetime(2026, 1, 5 + index % 20), "办理中", None])
    return rows


def book_with(grid, name="台账") -> Book:
    book = Book("C:/台账/ledger.xlsx")
    book.add_sheet_with_values(name, grid)
    return book


def sample_model_written_live():
    """The sample ledger's summary model, and a stand-in book the live writer wrote it into."""
    config = Config()
    model = build_summary(analyse_file(SAMPLE, config, TODAY).statistics, config, NOW)
    book = Book()
    book.add_sheet_with_values("台账", [["x"]])
    LiveWriter(book).write(model)
    return model, book


def test_live_writer_holds_every_cell_of_the_model():
    model, book = sample_model_written_live()
    assert [sheet.name for sheet in book.sheets] == ["台账", *model.names]
    for sheet_model in model.sheets:
        sheet = book.sheets[sheet_model.name]
        for row, column, value, style, link in iter_cells(sheet_model):
            cell = sheet.cell(row, column)
            expected = dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value
            assert cell.value == expected, (sheet_model.name, row, column)
            if style.number_format != "General":
                assert cell.number_format == style.number_format
            if style.fill:
                assert cell.color == tuple(int(style.fill[i:i + 2], 16) for i in (0, 2, 4))
            if link:
                assert cell.hyperlink == "#" + link
        assert sheet.widths == {c: w for c, w in sheet_model.column_widths.items()}
        assert len(sheet.charts) == len(sheet_model.charts)


def test_block_writes_do_not_grow_with_rows():
    config = Config()
    counts = []
    for size in (10, 5000):
        analysis = analyse_grid(overdue_grid(size), "台账", config, TODAY)
        assert analysis.statistics.totals["overdue"] == size
        book = book_with([["x"]])
        LiveWriter(book).write(build_summary(analysis.statistics, config, NOW))
        calls = book.app.calls
        counts.append({name: count for name, count in calls.items() if name != "add_hyperlink"})
    assert counts[0]["value.set"] == counts[1]["value.set"]
    assert counts[0] == counts[1]


def test_refresh_reads_the_open_book_and_writes_summary():
    grid = CalamineWorkbook.from_path(str(SAMPLE)).get_sheet_by_name("台账").to_python(skip_empty_area=False)
    book = book_with(grid)
    analysis = excel.run_refresh(book, TODAY, NOW, Config())
    expected = analyse_file(SAMPLE, Config(), TODAY).statistics.to_json()
    assert analysis.statistics.to_json() == expected
    assert book.sheets[messages.SHEET_SUMMARY].active
    assert "已逾期 8 件" in book.app.status_bar
    # A second click replaces the owned sheets instead of adding 统计汇总1.
    excel.run_refresh(book, TODAY, NOW, Config())
    names = [sheet.name for sheet in book.sheets]
    assert names.count(messages.SHEET_SUMMARY) == 1 and len(names) == 6


def test_refresh_refuses_a_user_sheet_with_an_owned_name():
    book = book_with(overdue_grid(3))
    book.add_sheet_with_values(messages.SHEET_SUMMARY, [["我的汇总"]])
    with pytest.raises(LedgerError):
        excel.run_refresh(book, TODAY, NOW, Config())
    assert book.sheets[messages.SHEET_SUMMARY].cell(1, 1).value == "我的汇总"


def test_text_that_looks_like_a_formula_stays_text():
    grid = overdue_grid(2)
    grid[2][2] = "=1+1 关于公式的建议"
    book = book_with(grid)
    excel.run_refresh(book, TODAY, NOW, Config())
    sheet = book.sheets[messages.SHEET_OVERDUE]
    values = [cell.value for cell in sheet.cells.values()]
    assert "=1+1 关于公式的建议" in values
    assert not any(isinstance(value, Formula) for value in values)


def test_row_fills_follow_urgency():
    analysis = analyse_grid(overdue_grid(4), "台账", Config(), TODAY)
    book = book_with([["x"]])
    LiveWriter(book).write(build_summary(analysis.statistics, Config(), NOW))
    sheet = book.sheets[messages.SHEET_OVERDUE]
    fill = FILLS["overdue"] if analysis.statistics.overdue_items[0].days > 30 else FILLS["overdue_light"]
    assert sheet.cell(5, 2).color == tuple(int(fill[i:i + 2], 16) for i in (0, 2, 4))


def test_live_writer_and_file_writer_hold_the_same_cells(tmp_path):
    """One layout, two writers: the workbook the file writer produces, read back with
    openpyxl, holds cell for cell what the live writer put into the stand-in (values,
    number formats, fills, hyperlinks, merges, column widths)."""
    import openpyxl

    from automation.xlsx import write_owned_sheets

    model, book = sample_model_written_live()
    written = tmp_path / "written.xlsx"
    written.write_bytes(write_owned_sheets(SAMPLE.read_bytes(), model))
    workbook = openpyxl.load_workbook(written)
    compared = 0
    for sheet_model in model.sheets:
        live, file_sheet = book.sheets[sheet_model.name], workbook[sheet_model.name]
        for (row, column), cell in live.cells.items():
            file_cell = file_sheet.cell(row=row, column=column)
            assert file_cell.value == cell.value, (sheet_model.name, row, column)
            if cell.value is not None:
                assert file_cell.number_format == cell.number_format, (sheet_model.name, row, column)
                if cell.color is not None:
                    assert file_cell.fill.fgColor.rgb[-6:] == "%02X%02X%02X" % cell.color
                if cell.hyperlink is not None:
                    assert "#" + file_cell.hyperlink.location == cell.hyperlink
                compared += 1
        live_merges = {(r1, c1, r2, c2) for r1, c1, r2, c2 in live.merges}
        file_merges = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in file_sheet.merged_cells.ranges}
        assert live_merges == file_merges
        for column, width in live.widths.items():
            letter = openpyxl.utils.get_column_letter(column)
            assert file_sheet.column_dimensions[letter].width == pytest.approx(width, abs=0.01)
    assert compared > 400  # the sample gives 447 filled cells: the comparison is not vacuous


def test_the_open_ledger_is_read_from_excel_once():
    """Reading the used range is the slow call to Excel: one per sheet, not two."""
    grid = CalamineWorkbook.from_path(str(SAMPLE)).get_sheet_by_name("台账").to_python(skip_empty_area=False)
    book = book_with(grid)
    excel.read_open_ledger(book, Config(), TODAY)
    assert book.app.calls["value.get"] == 1


def test_live_writer_draws_the_progress_sheet_with_its_line_charts(tmp_path):
    """进展 (issue 16) through the live writer: the same cells and two line charts."""
    from automation.history import reconstruct, snapshot_of
    from automation.progress import progress_sheet

    config = Config()
    analysis = analyse_file(SAMPLE, config, TODAY)
    past = reconstruct(SAMPLE.read_bytes(), config, [dt.date(2026, 6, 14), dt.date(2026, 6, 21)])
    model = build_summary(analysis.statistics, config, NOW, [progress_sheet(past, snapshot_of(analysis), analysis, NOW)])
    book = Book()
    book.add_sheet_with_values("台账", [["x"]])
    LiveWriter(book).write(model)
    sheet_model = model.sheets[-1]
    assert sheet_model.name == messages.SHEET_PROGRESS
    sheet = book.sheets[messages.SHEET_PROGRESS]
    for row, column, value, style, link in iter_cells(sheet_model):
        expected = dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value
        assert sheet.cell(row, column).value == expected, (row, column)
    assert [chart.chart_type for chart in sheet.charts] == ["line_markers", "line_markers"]
