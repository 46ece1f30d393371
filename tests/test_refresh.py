"""`ledger refresh`: the summary sheets land in the staff's workbook, hold the figures of
`ledger stats --json`, and the file is never damaged (DESIGN.md invariants 1-4, 6, 7)."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from automation import messages
from automation.config import Config
from automation.refresh import refresh_workbook
from automation.summary import OWNED_SHEETS
from tests.ledger_factory import (
    PROJECT_ROOT, STANDARD_KEYS as KEYS, headers_of, run_cli, standard_rows, write_ledger,
)

SAMPLE = PROJECT_ROOT / "examples" / "sample_ledger.xlsx"
TODAY = "2026-06-28"
STANDARD_TODAY = dt.date(2024, 6, 28)


def sheet_values(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


def stats_json(path: Path, today: str) -> dict:
    result = run_cli("stats", str(path), "--today", today, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def rows_after_header(grid: list[list], header_first_cell: str) -> list[list]:
    start = next(i for i, row in enumerate(grid) if row and row[0] == header_first_cell)
    return [row for row in grid[start + 1:] if any(cell not in ("", None) for cell in row)]


def assert_sheets_hold_the_statistics(path: Path, stats: dict) -> None:
    """Every figure of the generated sheets, read back, equals `ledger stats --json`."""
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    assert names[-len(OWNED_SHEETS):] == list(OWNED_SHEETS)

    # 科室统计: one row per section, then 合计 (columns as laid out in summary.SECTION_COLUMNS).
    from automation.summary import SECTION_COLUMNS

    section_rows = rows_after_header(sheet_values(path, messages.SHEET_SECTIONS), "承办科室")
    by_section = {**stats["by_section"]}
    assert [row[0] for row in section_rows] == [*by_section, messages.TOTAL_ROW]
    totals = {key: stats[key] for key in ("total", "completed", "in_progress", "overdue", "due_soon",
                                          "completion_rate", "on_time_rate", "satisfaction_rate",
                                          "face_to_face_rate", "adoption_rate", "lead", "assisting",
                                          "on_time", "late", "rated", "satisfied", "basically_satisfied",
                                          "unsatisfied")}
    for row in section_rows:
        expected = by_section.get(row[0], totals)
        for (key, _style), cell in zip(SECTION_COLUMNS, row[1:]):
            want = expected[key]
            if want is None:
                assert cell == messages.NO_RATE, (row[0], key)
            elif isinstance(want, float):
                assert cell == pytest.approx(want, abs=1e-4), (row[0], key)
            else:
                assert cell == want, (row[0], key)

    # 逾期清单 / 即将到期: ids, deadlines and days in the order of the JSON lists.
    for sheet, key, days_key in ((messages.SHEET_OVERDUE, "overdue_items", "days_overdue"),
                                 (messages.SHEET_DUE_SOON, "due_soon_items", "days_left")):
        grid = sheet_values(path, sheet)
        if not stats[key]:
            assert any(isinstance(c, str) and "没有" in c for row in grid for c in row)
            continue
        rows = rows_after_header(grid, "编号")
        assert [(r[0], r[5].isoformat() if hasattr(r[5], "isoformat") else r[5], r[6]) for r in rows] == [
            (item["id"], item["deadline"], item[days_key]) for item in stats[key]]

    # 数据问题: every problem, with its row and column.
    problems = rows_after_header(sheet_values(path, messages.SHEET_PROBLEMS), "位置") if stats["problems"] else []
    assert [(r[2], r[3], r[5]) for r in problems] == [(p["row"], p["column"], p["message"]) for p in stats["problems"]]

    # 统计汇总: the headline counts and rates.
    summary = {row[0]: row[1] for row in sheet_values(path, messages.SHEET_SUMMARY) if row and row[0]}
    for key in ("total", "lead", "assisting", "key_items", "completed", "in_progress", "overdue", "due_soon"):
        assert summary[messages.STAT_LABELS[key]] == stats[key], key
    for key in ("completion_rate", "on_time_rate", "satisfaction_rate", "face_to_face_rate", "adoption_rate"):
        cell = summary[messages.STAT_LABELS[key]]
        assert cell == (messages.NO_RATE if stats[key] is None else pytest.approx(stats[key], abs=1e-4)), key


def test_sample_ledger_sheets_equal_stats_json(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    shutil.copyfile(SAMPLE, ledger)
    result = run_cli("refresh", str(ledger), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert "已刷新汇总表" in result.stdout
    assert_sheets_hold_the_statistics(ledger, stats_json(SAMPLE, TODAY))
    # The ledger sheet itself is untouched, cell for cell.
    assert sheet_values(ledger, "台账") == sheet_values(SAMPLE, "台账")


@pytest.mark.parametrize("layout", ["titles", "two_row_header", "text_dates"])
def test_styled_ledgers_sheets_equal_stats_json(tmp_path, layout):
    path = tmp_path / f"{layout}.xlsx"
    if layout == "titles":
        write_ledger(path, headers_of(KEYS), standard_rows(), title_rows=3)
    elif layout == "two_row_header":
        group = {"status", "replied", "reply_class"}
        headers = [("办理情况", h) if k in group else h for k, h in zip(KEYS, headers_of(KEYS))]
        write_ledger(path, headers, standard_rows(), title_rows=1, header_rows=2)
    else:
        def as_text(key, value, index):
            return f"{value.year}年{value.month}月{value.day}日" if isinstance(value, dt.date) else value
        write_ledger(path, headers_of(KEYS), standard_rows(transform=as_text))
    stats = stats_json(path, STANDARD_TODAY.isoformat())
    result = run_cli("refresh", str(path), "--today", STANDARD_TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert_sheets_hold_the_statistics(path, stats)


def test_refresh_twice_replaces_and_differs_only_in_the_refresh_time(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    shutil.copyfile(SAMPLE, ledger)
    today = dt.date(2026, 6, 28)
    refresh_workbook(ledger, Config(), today, dt.datetime(2026, 6, 28, 9, 0))
    first = ledger.read_bytes()
    # the same day (a run on another day with the same --today makes its 进展 row a reconstruction)
    refresh_workbook(ledger, Config(), today, dt.datetime(2026, 6, 28, 10, 30))
    second = ledger.read_bytes()
    names = CalamineWorkbook.from_path(str(ledger)).sheet_names
    assert names == ["台账", "填写说明", *OWNED_SHEETS]  # no 统计汇总1
    one, two = zipfile.ZipFile(io.BytesIO(first)), zipfile.ZipFile(io.BytesIO(second))
    assert one.namelist() == two.namelist()
    for name in one.namelist():
        a, b = one.read(name), two.read(name)
        if a != b:
            assert a.replace("2026-06-28 09:00".encode(), "2026-06-28 10:30".encode()) == b, name


def test_open_workbook_is_not_written_and_the_user_is_named(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    shutil.copyfile(SAMPLE, ledger)
    owner = tmp_path / "~$台账.xlsx"
    name = "王小明"
    ansi = name.encode("gbk")
    owner.write_bytes(bytes([len(ansi)]) + ansi + b" " * (54 - 1 - len(ansi)) + bytes([len(name), 0])
                      + name.encode("utf-16-le") + b"\x00" * 40)
    before = ledger.read_bytes()
    result = run_cli("refresh", str(ledger), "--today", TODAY)
    assert result.returncode == 3
    assert name in result.stderr and "Traceback" not in result.stderr
    assert ledger.read_bytes() == before
    # --output writes a copy instead; the open original stays as it is.
    copy = tmp_path / "副本.xlsx"
    result = run_cli("refresh", str(ledger), "--today", TODAY, "--output", str(copy))
    assert result.returncode == 0, result.stderr
    assert ledger.read_bytes() == before
    assert CalamineWorkbook.from_path(str(copy)).sheet_names[-len(OWNED_SHEETS):] == list(OWNED_SHEETS)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    import openpyxl

    path = tmp_path / "formula.xlsx"
    write_ledger(path, headers_of(KEYS), standard_rows())
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["台账"]
    column = KEYS.index("title") + 1
    formula_like = ["=HYPERLINK(\"http://x\",\"点我\")", "+86 关于&<>\"特殊字符\"的建议"]
    for row, text in ((4, formula_like[0]), (9, formula_like[1])):  # r2 and r7: both overdue
        cell = sheet.cell(row=row, column=column)
        cell.value = text
        cell.data_type = "s"  # typed as text in the ledger, as Excel keeps a '-prefixed entry
    workbook.save(path)
    assert run_cli("refresh", str(path), "--today", STANDARD_TODAY.isoformat()).returncode == 0
    overdue = rows_after_header(sheet_values(path, messages.SHEET_OVERDUE), "编号")
    assert {row[1] for row in overdue} == set(formula_like)
    with zipfile.ZipFile(path) as package:
        workbook_xml = package.read("xl/workbook.xml").decode()
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        generated = [n for n in sheets if "HYPERLINK" in package.read(n).decode()]
        assert generated, "the formula-like title is in a generated sheet"
        for name in generated:
            assert "<f>" not in package.read(name).decode() and "<f " not in package.read(name).decode()
    assert messages.SHEET_OVERDUE in workbook_xml


def test_legacy_xls_summary_goes_to_a_new_xlsx(tmp_path):
    path = tmp_path / "旧台账.xls"
    write_ledger(path, headers_of(KEYS), standard_rows())
    before = path.read_bytes()
    result = run_cli("refresh", str(path), "--today", STANDARD_TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    side = tmp_path / f"旧台账{messages.LEGACY_SUFFIX}.xlsx"
    assert side.exists() and ".xls" in result.stdout and str(side.name) in result.stdout
    assert path.read_bytes() == before
    assert CalamineWorkbook.from_path(str(side)).sheet_names[-len(OWNED_SHEETS):] == list(OWNED_SHEETS)


def test_xlsm_keeps_its_macros(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    addin = zipfile.ZipFile(PROJECT_ROOT / "macros" / "ledger_assistant.xlam")
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(addin.read("xl/vbaProject.bin"))
    path = tmp_path / "台账.xlsm"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("台账")
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers_of(KEYS))
    for r, row in enumerate(standard_rows(), start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.add_vba_project(str(vba))
    workbook.close()
    original = zipfile.ZipFile(path)
    assert run_cli("refresh", str(path), "--today", STANDARD_TODAY.isoformat()).returncode == 0
    result = zipfile.ZipFile(path)
    assert result.read("xl/vbaProject.bin") == original.read("xl/vbaProject.bin")
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in result.read("[Content_Types].xml")


KILL_SCRIPT = """
import datetime as dt, sys
from pathlib import Path
from automation.config import Config
from automation.refresh import refresh_workbook
print("start", flush=True)
refresh_workbook(Path(sys.argv[1]), Config(), dt.date(2026, 6, 28), dt.datetime(2026, 6, 28, 9, 0))
print("done", flush=True)
"""


def test_a_kill_at_any_moment_leaves_the_old_or_the_new_workbook(tmp_path):
    sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
    from generate import write_ledger as write_big

    big = write_big(tmp_path / "big.xlsx", 4000)
    old = big.read_bytes()
    complete = tmp_path / "complete.xlsx"
    shutil.copyfile(big, complete)
    refresh_workbook(complete, Config(), dt.date(2026, 6, 28), dt.datetime(2026, 6, 28, 9, 0))
    new = complete.read_bytes()
    outcomes = set()
    for delay in (0.0, 0.3, 0.6, 0.9, 1.2, 1.6, 2.0, 2.5, 3.0, 4.0):
        target = tmp_path / "victim.xlsx"
        shutil.copyfile(big, target)
        process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(target)], cwd=PROJECT_ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        process.stdout.readline()  # started
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        data = target.read_bytes()
        if data == old:
            outcomes.add("old")
            continue
        # Otherwise it must be the whole new workbook: every member as in a complete run (zip
        # entry times may differ by a second, so members are compared, not raw bytes).
        with zipfile.ZipFile(io.BytesIO(data)) as package, zipfile.ZipFile(io.BytesIO(new)) as expected:
            assert package.testzip() is None, f"damaged file after a kill at {delay}s"
            assert package.namelist() == expected.namelist()
            assert all(package.read(n) == expected.read(n) for n in expected.namelist())
        outcomes.add("new")
    assert "old" in outcomes  # at least one kill landed before the replace


def test_refresh_of_the_template_keeps_every_part(tmp_path):
    template = tmp_path / "ledger_template.xlsx"
    shutil.copyfile(PROJECT_ROOT / "ledger_template.xlsx", template)
    original = zipfile.ZipFile(io.BytesIO(template.read_bytes()))
    assert run_cli("refresh", str(template), "--today", TODAY).returncode == 0
    result = zipfile.ZipFile(template)
    changeable = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/app.xml",
                  "xl/styles.xml"}
    for name in original.namelist():
        if name not in changeable:
            assert result.read(name) == original.read(name), name
    assert CalamineWorkbook.from_path(str(template)).sheet_names == ["台账", "填写说明", *OWNED_SHEETS]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_refreshed_sample(tmp_path):
    ledger = tmp_path / "sample.xlsx"
    shutil.copyfile(SAMPLE, ledger)
    assert run_cli("refresh", str(ledger), "--today", TODAY).returncode == 0
    result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(ledger)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sample.pdf").stat().st_size > 10_000
