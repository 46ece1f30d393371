"""Several ledger sheets through the WPS add-in: the add-in's real `readLedgers`, on the WPS
stand-in holding the workbook's sheets, builds the body ("sheets"); the service counts them as
the file path and the Excel button do (`[ledger] sheets =`, else the first matching sheet with
the others named). An older add-in's one-sheet body keeps working."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from automation.analysis import analyse_file
from automation.config import Config, parse_config
from automation.model import range_address
from automation.service import RequestError, parse_request, summary_answer
from tests.ledger_factory import STANDARD_KEYS, STANDARD_TODAY, headers_of, standard_rows, write_ledger
from tests.test_wps_merged import fixture_helpers

ROOT = Path(__file__).resolve().parents[1]
ADDIN = ROOT / "macros" / "wps"
NODE = shutil.which("node")
T = STANDARD_TODAY
REFRESHED = dt.datetime(2026, 6, 28, 9, 30)
#: No kind column: the kind comes from each sheet's name.
KEYS = [key for key in STANDARD_KEYS if key != "kind"]
SHEETS = parse_config("[ledger]\nsheets = 提案台账, 建议台账\n")


def two_sheets(path: Path, first: str = "提案台账", second: str = "建议台账") -> Path:
    """STANDARD r0..r4 on the first sheet, r5..r7 under two title rows on the second, and a
    填写说明 sheet in front (sent too, never counted)."""
    rows = standard_rows(KEYS)
    write_ledger(path, headers_of(KEYS), rows[:5], sheet=first,
                 extra_sheets_before={"填写说明": [["说明"], ["每行一件"]]},
                 extra_sheets_after={second: [["2026年建议办理台账"], ["（每周更新）"], headers_of(KEYS)] + rows[5:]})
    return path


def addin_body(path: Path, settings: dict | None = None) -> dict:
    """The body the add-in's refresh sends: readLedgers on the WPS stand-in with every sheet of
    the workbook open, as WPS gives them (Value2, merged areas)."""
    helpers = fixture_helpers()
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    sheets = [{"name": name, "values": helpers.workbook_grid(path, name), "merges": helpers.workbook_merges(path, name)}
              for name in names]
    (path.parent / "sheets.json").write_text(json.dumps(sheets, ensure_ascii=False), encoding="utf-8")
    script = """
const fs = require("fs");
const LedgerAddin = require("./js/ledger.js");
const { Application } = require("./test/wps_standin.js");
const sheets = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const app = new Application();
const book = app._newWorkbook();
for (const sheet of sheets) {
  const added = book._addSheet(sheet.name, sheet.values);
  for (const [r1, c1, r2, c2] of sheet.merges) added.Range(LedgerAddin.rangeAddress(r1, c1, r2, c2)).Merge();
}
process.stdout.write(JSON.stringify({ sheets: LedgerAddin.readLedgers(app, JSON.parse(process.argv[2])).sheets }));
"""
    done = subprocess.run([NODE, "-e", script, str(path.parent / "sheets.json"), json.dumps(settings or {})],
                          cwd=ADDIN, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def wps_figures(body: dict, config: Config) -> dict:
    request = parse_request(json.dumps({**body, "today": T.isoformat()}, ensure_ascii=False).encode("utf-8"))
    return summary_answer(request, config, T, REFRESHED)["stats"]


def excel_figures(path: Path, config: Config) -> dict:
    """The Excel button's figures: xlwings' Windows backend over the COM stand-in holding the
    workbook's sheets."""
    from automation import excel
    from tests.excel_com import xlwings_book
    from tests.excel_com.excel_model import new_excel, put_grid

    _app, workbook = new_excel(r"C:\台账\两张表.xlsx")
    source = CalamineWorkbook.from_path(str(path))
    for name in source.sheet_names:
        sheet = workbook._add_sheet(name)
        put_grid(sheet, source.get_sheet_by_name(name).to_python(skip_empty_area=False))
        for (top, left), (bottom, right) in source.get_sheet_by_name(name).merged_cell_ranges or []:
            sheet.Range(range_address(top + 1, left + 1, bottom + 1, right + 1)).Merge()
    return excel.read_open_ledger(xlwings_book(workbook), config, T).statistics.to_json()


@pytest.mark.skipif(NODE is None, reason="node is not installed: the add-in's JavaScript cannot run")
def test_two_ledger_sheets_give_identical_figures_through_the_file_excel_and_wps_paths(tmp_path):
    path = two_sheets(tmp_path / "两张表.xlsx")
    expected = analyse_file(path, SHEETS, T).statistics.to_json()
    # the eight STANDARD items over both sheets, kinds from the sheet names (5 政协提案, 3 人大建议);
    # TA08 is r7 on 建议台账: two title rows, header at row 3, r5 r6 r7 at rows 4 5 6
    assert expected["total"] == 8 and expected["sheet"] == "提案台账、建议台账"
    assert {kind: group["total"] for kind, group in expected["by_kind"].items()} == {"政协提案": 5, "人大建议": 3}
    assert [(item["id"], item["row"]) for item in expected["overdue_items"]] == [("TA08", 6), ("TA03", 4)]

    body = addin_body(path)
    assert [part["sheet"] for part in body["sheets"]] == ["填写说明", "提案台账", "建议台账"]
    assert wps_figures(body, SHEETS) == expected
    # the 逾期清单 the add-in writes links each item to its own sheet and row
    request = parse_request(json.dumps({**body, "today": T.isoformat()}, ensure_ascii=False).encode("utf-8"))
    answer = summary_answer(request, SHEETS, T, REFRESHED)
    overdue = next(sheet for sheet in answer["sheets"] if sheet["name"] == "逾期清单")
    assert [link for block in overdue["blocks"] for link in block["links"] or [] if link] == [
        "'建议台账'!A6", "'提案台账'!A4"]
    assert excel_figures(path, SHEETS) == expected
    # without the setting, the first matching sheet is counted and the other named, as in a file
    alone = analyse_file(path, Config(), T).statistics.to_json()
    assert alone["total"] == 5 and "建议台账" in alone["warnings"][0]
    assert wps_figures(body, Config()) == alone
    assert excel_figures(path, Config()) == alone


@pytest.mark.skipif(NODE is None, reason="node is not installed: the add-in's JavaScript cannot run")
def test_a_section_merged_down_on_the_second_sheet_counts_the_same_in_the_three_paths(tmp_path):
    """r5 and r6 (both 产业发展科, rows 4 and 5 of 建议台账) with 承办科室 written once and merged
    down: the same figures as the unmerged workbook, through the file, Excel and WPS paths."""
    plain = analyse_file(two_sheets(tmp_path / "plain.xlsx"), SHEETS, T).statistics.to_json()
    path = two_sheets(tmp_path / "merged.xlsx")
    book = openpyxl.load_workbook(path)
    column = KEYS.index("section") + 1
    assert book["建议台账"].cell(4, column).value == book["建议台账"].cell(5, column).value == "产业发展科"
    book["建议台账"].merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    book.save(path)
    expected = analyse_file(path, SHEETS, T).statistics.to_json()
    assert {**expected, "file": None} == {**plain, "file": None}
    body = addin_body(path)
    assert body["sheets"][2]["merges"] == [[4, column, 5, column]]
    assert wps_figures(body, SHEETS) == expected
    assert excel_figures(path, SHEETS) == expected


@pytest.mark.skipif(NODE is None, reason="node is not installed: the add-in's JavaScript cannot run")
def test_problems_name_their_sheet_and_a_missing_sheet_is_named(tmp_path):
    path = tmp_path / "问题.xlsx"
    rows = standard_rows(KEYS)
    rows[6][KEYS.index("assigned")] = "待定"  # r6: an unreadable 交办日期, row 3 of 建议台账
    write_ledger(path, headers_of(KEYS), rows[:5], sheet="提案台账",
                 extra_sheets_after={"建议台账": [headers_of(KEYS)] + rows[5:]})
    star = parse_config("[ledger]\nsheets = *\n")
    body = addin_body(path)
    figures = wps_figures(body, star)
    assert figures == analyse_file(path, star, T).statistics.to_json()
    assert [(p["sheet"], p["row"], p["column"], p["value"]) for p in figures["problems"]
            if p["column"] == "交办日期"] == [("建议台账", 3, "交办日期", "待定")]
    with pytest.raises(Exception, match="“2023年”.*提案台账、建议台账"):
        wps_figures(body, parse_config("[ledger]\nsheets = 提案台账, 2023年\n"))


def test_an_older_addins_one_sheet_body_keeps_working(tmp_path):
    path = two_sheets(tmp_path / "两张表.xlsx")
    helpers = fixture_helpers()
    body = {"sheet": "提案台账", "values": helpers.workbook_grid(path, "提案台账"), "merges": []}
    figures = wps_figures(body, SHEETS)
    assert figures["total"] == 5 and figures["sheet"] == "提案台账"


@pytest.mark.parametrize("body", [
    {"sheets": []},
    {"sheets": {"sheet": "台账"}},
    {"sheets": [{"sheet": "台账", "values": [["编号"]]}], "sheet": "台账"},
    {"sheets": [{"sheet": "台账", "values": [["编号"]], "today": "2026-06-28"}]},
    {"sheets": [{"sheet": "台账", "values": [["编号"]]}, {"sheet": "台账", "values": [["编号"]]}]},
    {"sheets": [{"sheet": "", "values": [["编号"]]}]},
    {"sheets": [{"sheet": "台账", "values": [["编号"]], "merges": [[3, 4, 2, 4]]}]},
])
def test_malformed_sheets_are_refused_with_a_clear_sentence(body):
    with pytest.raises(RequestError) as caught:
        parse_request(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    assert caught.value.status == 400
    assert "请求中" in caught.value.message


@pytest.mark.skipif(NODE is None, reason="node is not installed: the add-in's JavaScript cannot run")
def test_the_running_service_answers_the_addins_sheets_over_loopback(tmp_path):
    """The same body through the real HTTP service on 127.0.0.1 (`ledger serve`): the figures of
    the file; a sheet the setting names but the workbook lacks is a 422 naming it."""
    from automation.service import LedgerService
    from tests.test_service import TOKEN, summary

    path = two_sheets(tmp_path / "两张表.xlsx")
    body = {**addin_body(path), "today": T.isoformat()}
    running = LedgerService(SHEETS, TOKEN, 0, clock=lambda: REFRESHED)
    running.serve_in_thread()
    try:
        status, _headers, answer = summary(running, json.dumps(body, ensure_ascii=False))
        assert status == 200
        assert answer["stats"] == analyse_file(path, SHEETS, T).statistics.to_json()
        body["sheets"] = [part for part in body["sheets"] if part["sheet"] != "建议台账"]
        status, _headers, answer = summary(running, json.dumps(body, ensure_ascii=False))
        assert status == 422 and "“建议台账”" in answer["message"]
    finally:
        running.shutdown()
