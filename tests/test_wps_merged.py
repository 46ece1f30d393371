"""A ledger whose 承办科室 / 分管领导 are merged down over groups of items gives the same
figures through the file path (`ledger stats`) and the WPS path (what the add-in posts:
UsedRange.Value2, where a merged-away cell is empty, plus the merged areas; the service
fills the areas before parsing)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from automation.analysis import analyse_file
from automation.config import Config
from automation.service import RequestError, parse_request, summary_answer

ROOT = Path(__file__).resolve().parents[1]
ADDIN = ROOT / "macros" / "wps"
NODE = shutil.which("node")
T = dt.date(2026, 6, 28)
REFRESHED = dt.datetime(2026, 6, 28, 9, 30)


def fixture_helpers():
    """macros/wps/test/make_fixture.py: a workbook's cells and merges as WPS posts them."""
    spec = importlib.util.spec_from_file_location("make_fixture", ADDIN / "test" / "make_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merged_ledger(path: Path) -> Path:
    """Seven items in three groups, each group's 承办科室 and 分管领导 written once and merged
    down; a title merged across and a note merged across below the table."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(["2026年提案办理台账"])
    sheet.append(["编号", "案由", "办理类型", "承办科室", "分管领导", "交办日期", "答复日期"])
    rows = [
        ("TA1", "关于甲的建议", "主办", "产业发展科", "王建国", dt.date(2026, 3, 1), None),  # overdue since 06-01
        ("TA2", "关于乙的建议", "主办", None, None, dt.date(2026, 3, 2), dt.date(2026, 5, 20)),  # on time
        ("TA3", "关于丙的建议", "协办", None, None, dt.date(2026, 6, 20), None),  # due 07-20
        ("TA4", "关于丁的建议", "主办", "企业服务科", "李红梅", dt.date(2026, 2, 1), None),  # overdue since 05-01
        ("TA5", "关于戊的建议", "主办", None, None, dt.date(2026, 4, 1), dt.date(2026, 6, 2)),  # late (07-01 ok)
        ("TA6", "关于己的建议", "协办", "技术改造科", "王建国", dt.date(2026, 6, 1), None),  # due 07-01
        ("TA7", "关于庚的建议", "主办", None, None, dt.date(2026, 1, 5), dt.date(2026, 4, 30)),  # late
    ]
    for row in rows:
        sheet.append(list(row))
    sheet.append(["备注：本表每周更新"])
    for area in ("A1:G1", "D3:D5", "E3:E5", "D6:D7", "E6:E7", "D8:D9", "E8:E9", "A10:G10"):
        sheet.merge_cells(area)
    book.save(path)
    return path


def file_figures(path: Path) -> dict:
    return analyse_file(path, Config(), T).statistics.to_json()


def wps_figures(body: dict) -> dict:
    request = parse_request(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    return summary_answer(request, Config(), T, REFRESHED)["stats"]


def test_the_wps_path_gives_the_file_paths_figures_for_merged_down_sections(tmp_path):
    path = merged_ledger(tmp_path / "merged.xlsx")
    helpers = fixture_helpers()
    values = helpers.workbook_grid(path, "台账")
    merges = helpers.workbook_merges(path, "台账")
    assert values[3][3] is None, "Value2 of a merged-away cell is empty"
    body = {"sheet": "台账", "values": values, "first_row": 1, "first_column": 1, "merges": merges, "today": T.isoformat()}

    expected = file_figures(path)
    assert expected["total"] == 7
    assert {name: group["total"] for name, group in expected["by_section"].items()} == {
        "产业发展科": 3, "企业服务科": 2, "技术改造科": 2}
    assert [(item["id"], item["section"], item["leader"]) for item in expected["overdue_items"]] == [
        ("TA4", "企业服务科", "李红梅"), ("TA1", "产业发展科", "王建国")]
    assert wps_figures(body) == expected

    without = wps_figures({**body, "merges": []})  # what an add-in that sends no merges gets
    assert without != expected
    assert "产业发展科" in without["by_section"] and without["by_section"]["产业发展科"]["total"] == 1


def test_merges_outside_the_sent_range_and_in_the_header_change_nothing(tmp_path):
    """The used range may start below row 1 (first_row); areas above it are left out, and a
    merge inside the header is the header's (the file path ignores it too)."""
    path = merged_ledger(tmp_path / "merged.xlsx")
    helpers = fixture_helpers()
    values = helpers.workbook_grid(path, "台账")[1:]  # as if the used range began at row 2
    merges = helpers.workbook_merges(path, "台账")
    body = {"sheet": "台账", "values": values, "first_row": 2, "first_column": 1, "merges": merges, "today": T.isoformat()}
    assert wps_figures(body) == file_figures(path)


@pytest.mark.parametrize("merges", [
    "D3:D5", [[3, 4, 5]], [[3, 4, 2, 4]], [[0, 1, 1, 1]], [[1, 1, 1048577, 1]], [[True, 1, 2, 1]], [["3", 4, 5, 4]],
])
def test_malformed_merges_are_refused_with_a_clear_sentence(merges):
    body = {"sheet": "台账", "values": [["编号"]], "merges": merges}
    with pytest.raises(RequestError) as caught:
        parse_request(json.dumps(body).encode("utf-8"))
    assert caught.value.status == 400
    assert "merges（合并区域）" in caught.value.message and "[首行, 首列, 末行, 末列]" in caught.value.message


def test_a_request_without_merges_is_still_accepted():
    request = parse_request(json.dumps({"sheet": "台账", "values": [["编号"]]}).encode("utf-8"))
    assert request.merges == [] and request.merged_ranges() == []


@pytest.mark.skipif(NODE is None, reason="node is not installed: the add-in's JavaScript cannot run")
def test_what_the_addin_reads_from_wps_gives_the_file_paths_figures(tmp_path):
    """The add-in's own readLedger, on a stand-in of WPS holding the workbook's cells and
    merged areas, builds the body; the service answers it with the file path's figures."""
    path = merged_ledger(tmp_path / "merged.xlsx")
    helpers = fixture_helpers()
    sheet = {"values": helpers.workbook_grid(path, "台账"), "merges": helpers.workbook_merges(path, "台账")}
    (tmp_path / "sheet.json").write_text(json.dumps(sheet, ensure_ascii=False), encoding="utf-8")
    script = """
const fs = require("fs");
const LedgerAddin = require("./js/ledger.js");
const { Application } = require("./test/wps_standin.js");
const sheet = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const app = new Application();
const ledger = app._newWorkbook()._addSheet("台账", sheet.values);
for (const [r1, c1, r2, c2] of sheet.merges) ledger.Range(LedgerAddin.rangeAddress(r1, c1, r2, c2)).Merge();
const read = LedgerAddin.readLedger(app, {});
process.stdout.write(JSON.stringify({ sheet: read.sheet, values: read.values, first_row: read.first_row,
  first_column: read.first_column, merges: read.merges }));
"""
    done = subprocess.run([NODE, "-e", script, str(tmp_path / "sheet.json")], cwd=ADDIN, capture_output=True,
                          text=True, timeout=60, check=True)
    body = json.loads(done.stdout)
    assert sorted(body["merges"]) == sheet["merges"]
    assert wps_figures({**body, "today": T.isoformat()}) == file_figures(path)
