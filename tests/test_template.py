"""The committed ledger template: layout, drop-downs, live flags, and the guide sheet."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from automation.analysis import analyse_file
from automation.config import DEFAULT_COLUMNS, Config
from automation.template import FIRST_DATA_ROW, GUIDE_SHEET, LEDGER_SHEET, TITLE, flag_formulas
from tests.ledger_factory import DEFAULT_HEADERS, PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "ledger_template.xlsx"
SAMPLE = PROJECT_ROOT / "examples" / "sample_ledger.xlsx"


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(TEMPLATE)


def test_sheets_title_and_header(workbook):
    assert workbook.sheetnames == [LEDGER_SHEET, GUIDE_SHEET] == ["台账", "填写说明"]
    sheet = workbook["台账"]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:U1"]
    assert sheet["A1"].value == TITLE == "提案建议办理台账"
    assert [cell.value for cell in sheet[2]] == DEFAULT_HEADERS
    assert len(DEFAULT_HEADERS) == 21 and DEFAULT_HEADERS[0] == "序号" and DEFAULT_HEADERS[-1] == "备注"
    assert all(c.value is None for row in sheet.iter_rows(min_row=3) for c in row)  # no data, only formats


def test_frozen_header_and_autofilter(workbook):
    sheet = workbook["台账"]
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}" == "A3"
    assert sheet.auto_filter.ref == "A2:U2000"
    assert sheet.print_title_rows == "$1:$2"


def test_data_validations(workbook):
    sheet = workbook["台账"]
    found = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    letter = {key: chr(ord("A") + index) for index, key in enumerate(DEFAULT_COLUMNS)}
    expected = {
        "kind": "政协提案,人大建议",
        "role": "主办,协办,会办,分办",
        "key_item": "是,否",
        "status": "未办理,办理中,已初步答复,已答复,已办结",
        "reply_class": "A,B,C",
        "contact": "电话联系,见面座谈,实地调研,书面",
        "satisfaction": "满意,基本满意,不满意",
        "public": "是,否",
    }
    assert found == {f"{letter[key]}3:{letter[key]}2000": ("list", f'"{values}"') for key, values in expected.items()}


def test_two_conditional_formatting_rules_with_today(workbook):
    sheet = workbook["台账"]
    rules = [(str(area.sqref), rule) for area, area_rules in sheet.conditional_formatting._cf_rules.items()
             for rule in area_rules]
    assert len(rules) == 2
    (area1, overdue), (area2, due_soon) = rules
    assert area1 == area2 == "A3:U2000"
    assert overdue.type == due_soon.type == "expression"
    assert "TODAY()" in overdue.formula[0] and "TODAY()" in due_soon.formula[0]
    assert [overdue.formula[0], due_soon.formula[0]] == list(flag_formulas(Config()))
    assert overdue.dxf.fill.bgColor.rgb.endswith("FFC7CE") and due_soon.dxf.fill.bgColor.rgb.endswith("FFEB9C")
    assert "EDATE($M3,3)" in overdue.formula[0] and "EDATE($M3,1)" in overdue.formula[0]  # 主办 3, 协办 1 month
    assert "-TODAY()<=7" in due_soon.formula[0]


def test_guide_sheet(workbook):
    guide = workbook["填写说明"]
    rows = [[cell.value for cell in row] for row in guide.iter_rows()]
    assert rows[0] == ["列名", "填写说明"]
    assert [row[0] for row in rows[1:22]] == DEFAULT_HEADERS
    assert all(row[1] for row in rows[1:22])


def test_the_reader_reads_the_empty_template():
    analysis = analyse_file(TEMPLATE, Config(), dt.date(2024, 6, 28))
    assert analysis.ledger.sheet == "台账" and analysis.ledger.header_rows == [2]
    assert set(analysis.ledger.columns) == set(DEFAULT_COLUMNS)
    assert analysis.statistics.totals["total"] == 0 and analysis.statistics.problems == []


def test_flag_formulas_agree_with_the_rules_in_libreoffice(tmp_path: Path):
    """Evaluate the template's two flag formulas (TODAY() pinned to 2026-06-28) on every row of
    the sample in LibreOffice: the rows they mark are exactly the overdue / due-soon rows the
    rules find (sample hand count: overdue rows 30-35, 58, 59; due soon rows 36-39, 60)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    workbook = load_workbook(SAMPLE)
    sheet = workbook["台账"]
    overdue, due_soon = flag_formulas(Config())
    for row in range(FIRST_DATA_ROW, 63):
        for column, formula in (("W", overdue), ("X", due_soon)):
            moved = re.sub(r"\$([A-Z]+)3\b", lambda m: f"${m.group(1)}{row}", formula)
            sheet[f"{column}{row}"] = "=IF(" + moved.replace("TODAY()", "DATE(2026,6,28)") + ",1,0)"
    source = tmp_path / "flags.xlsx"
    workbook.save(source)
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, HOME=str(tmp_path)))
    exported = [p for p in tmp_path.glob("flags*.csv")]
    assert result.returncode == 0 and exported, (result.stdout, result.stderr)
    rows = list(csv.reader(exported[0].open(encoding="utf-8")))
    marked_overdue = [n + 1 for n, r in enumerate(rows) if len(r) > 23 and r[22] == "1"]
    marked_due_soon = [n + 1 for n, r in enumerate(rows) if len(r) > 23 and r[23] == "1"]
    analysis = analyse_file(SAMPLE, Config(), dt.date(2026, 6, 28))
    assert marked_overdue == sorted(i.excel_row for i in analysis.statistics.overdue_items) == [
        30, 31, 32, 33, 34, 35, 58, 59]
    assert marked_due_soon == sorted(i.excel_row for i in analysis.statistics.due_soon_items) == [36, 37, 38, 39, 60]
