"""Several ledger sheets in one workbook: `sheets =` counts them as one; without a setting the
commands say which sheet was counted, name the others and the setting that chooses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from automation.analysis import analyse_file
from automation.config import Config, parse_config
from automation.problems import LedgerError
from tests.ledger_factory import (
    STANDARD_KEYS, STANDARD_TODAY, assert_standard, headers_of, run_cli, standard_rows, write_config, write_ledger,
)

T = STANDARD_TODAY
#: No kind column: the kind comes from the sheet's name.
KEYS = [key for key in STANDARD_KEYS if key != "kind"]


def two_sheets(path: Path, first: str = "提案台账", second: str = "建议台账", title_rows_second: int = 0,
               before=()) -> None:
    """STANDARD r0..r4 on the first sheet (Excel rows 2..6), r5..r7 on the second; the second
    sheet has title rows above its header (its own header detection)."""
    rows = standard_rows(KEYS)
    second_grid = [[f"标题 {n}"] for n in range(title_rows_second)] + [headers_of(KEYS)] + rows[5:]
    write_ledger(path, headers_of(KEYS), rows[:5], sheet=first, extra_sheets_before=before,
                 extra_sheets_after={second: second_grid})


def test_sheets_setting_counts_both_sheets_as_one_ledger(tmp_path: Path):
    path = tmp_path / "两张表.xlsx"
    two_sheets(path, title_rows_second=2)
    analysis = analyse_file(path, parse_config("[ledger]\nsheets = 提案台账, 建议台账\n"), T)
    # every figure of the eight items counted by hand, over both sheets; the kinds follow the
    # sheet names: r0..r4 提案台账 -> 政协提案 (5), r5..r7 建议台账 -> 人大建议 (3)
    s = analysis.statistics
    assert s.groups["kind"]["政协提案"]["total"] == 5 and s.groups["kind"]["人大建议"]["total"] == 3
    assert s.groups["kind"]["人大建议"]["completed"] == 2  # r5 r6
    assert s.warnings == []
    # the overdue list names each item's own sheet and row: TA08 is r7, row 3 + 2 title rows + 1
    # on 建议台账 (rows: 2 titles, header at 3, r5 at 4, r6 at 5, r7 at 6); TA03 is r2, row 4 of 提案台账
    assert [(item.id, item.sheet, item.excel_row) for item in s.overdue_items] == [
        ("TA08", "建议台账", 6), ("TA03", "提案台账", 4)]
    # the rows of a sheet are not mixed with the other sheet's: items carry their sheet
    assert list(analysis.classified.items["sheet"]) == ["提案台账"] * 5 + ["建议台账"] * 3
    # every other figure as counted by hand (assert_standard's kind totals are 5 and 3 as well)
    assert_standard(analysis)


def test_sheets_star_counts_every_matching_sheet_and_problems_name_their_sheet(tmp_path: Path):
    path = tmp_path / "star.xlsx"
    rows = standard_rows(KEYS)
    rows[6][KEYS.index("assigned")] = "待定"  # r6 (second sheet, row 3): an unreadable date
    write_ledger(path, headers_of(KEYS), rows[:5], sheet="提案台账",
                 extra_sheets_before={"填写说明": [["说明"], ["每行一件"]]},
                 extra_sheets_after={"建议台账": [headers_of(KEYS)] + rows[5:]})
    analysis = analyse_file(path, parse_config("[ledger]\nsheets = *\n"), T)
    assert analysis.statistics.totals["total"] == 8
    assert analysis.statistics.sheet == "提案台账、建议台账"
    problems = [(p.sheet, p.row, p.column, p.value) for p in analysis.statistics.problems]
    # r6 has its reply date, so it stays completed; its unreadable 交办日期 is named on its sheet
    assert ("建议台账", 3, "交办日期", "待定") in problems
    assert all(sheet == "建议台账" for sheet, *_ in problems)


def test_a_kind_column_wins_over_the_sheet_name(tmp_path: Path):
    path = tmp_path / "kinds.xlsx"
    rows = standard_rows()
    write_ledger(path, headers_of(STANDARD_KEYS), rows[:5], sheet="提案台账",
                 extra_sheets_after={"建议台账": [headers_of(STANDARD_KEYS)] + rows[5:]})
    analysis = analyse_file(path, parse_config("[ledger]\nsheets = 提案台账, 建议台账\n"), T)
    assert_standard(analysis)  # the kinds as typed: 政协提案 5, 人大建议 3


def test_sheet_setting_keeps_working_and_a_missing_sheet_is_named(tmp_path: Path):
    path = tmp_path / "two.xlsx"
    two_sheets(path)
    analysis = analyse_file(path, parse_config("[ledger]\nsheet = 建议台账\n"), T)
    assert analysis.statistics.totals["total"] == 3 and analysis.statistics.warnings == []
    with pytest.raises(LedgerError, match="“2023年”.*提案台账、建议台账"):
        analyse_file(path, parse_config("[ledger]\nsheets = 提案台账, 2023年\n"), T)


def test_without_a_setting_the_commands_name_the_other_matching_sheet(tmp_path: Path):
    path = tmp_path / "years.xlsx"
    two_sheets(path, first="2024年", second="2023年", before={"填写说明": [["说明"]]})
    analysis = analyse_file(path, Config(), T)
    assert analysis.statistics.totals["total"] == 5  # the first matching sheet only
    for command in ("check", "stats"):
        result = run_cli(command, path, "--today", T.isoformat(), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        note = [line for line in result.stdout.splitlines() if "未计入" in line]
        assert len(note) == 1, result.stdout
        assert "“2024年”" in note[0] and "“2023年”" in note[0] and "sheet =" in note[0] and "sheets = 2024年, 2023年" in note[0]
    result = run_cli("stats", path, "--today", T.isoformat(), "--json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["total"] == 5 and data["sheet"] == "2024年"
    assert len(data["warnings"]) == 1 and "2023年" in data["warnings"][0]
    result = run_cli("columns", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "“2023年”" in result.stdout and "sheets = 2024年, 2023年" in result.stdout
    # with the setting, columns lists the sheets counted together
    write_config(tmp_path / "config.ini", "[ledger]\nsheets = *\n")
    result = run_cli("columns", path, cwd=tmp_path)
    assert "“2024年”、“2023年”" in result.stdout, result.stdout
    result = run_cli("stats", path, "--today", T.isoformat(), "--json", cwd=tmp_path)
    assert json.loads(result.stdout)["total"] == 8


def test_one_ledger_sheet_has_no_note(tmp_path: Path):
    path = tmp_path / "one.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(), extra_sheets_before={"填写说明": [["编号", "说明"]]})
    result = run_cli("stats", path, "--today", T.isoformat(), "--json", cwd=tmp_path)
    assert "warnings" not in json.loads(result.stdout)


def test_the_excel_button_counts_the_sheets_setting_too():
    """In Excel (xlwings' Windows backend over the COM stand-in), the open book's sheets named by
    `sheets =` are counted as one."""
    from automation import excel
    from tests.excel_com import xlwings_book
    from tests.excel_com.excel_model import new_excel, put_grid

    rows = standard_rows(KEYS)
    _app, workbook = new_excel(r"C:\台账\ledger.xlsx")
    put_grid(workbook._add_sheet("提案台账"), [headers_of(KEYS)] + rows[:5])
    put_grid(workbook._add_sheet("建议台账"), [headers_of(KEYS)] + rows[5:])
    book = xlwings_book(workbook)
    analysis = excel.read_open_ledger(book, parse_config("[ledger]\nsheets = *\n"), T)
    assert_standard(analysis)
    assert [(item.id, item.sheet, item.excel_row) for item in analysis.statistics.overdue_items] == [
        ("TA08", "建议台账", 4), ("TA03", "提案台账", 4)]
