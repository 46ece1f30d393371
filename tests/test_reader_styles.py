"""Ledgers in the styles clerks really keep, each read from a real file and counted by hand.

Every style below encodes the same eight items (STANDARD); `assert_standard` checks every
figure against the hand count written next to it. Style-specific checks (where the header
was found, which Excel row a problem names) follow in each test.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from automation.analysis import analyse_file
from automation.config import Config, parse_config
from automation.ledger import read_ledger
from tests.ledger_factory import (
    STANDARD, STANDARD_KEYS, STANDARD_TODAY, assert_standard, headers_of, standard_rows, write_ledger,
)

D = dt.date
T = STANDARD_TODAY
KEYS = STANDARD_KEYS


def test_default_headers_baseline(tmp_path: Path):
    path = tmp_path / "plain.xlsx"
    layout = write_ledger(path, headers_of(KEYS), standard_rows())
    analysis = analyse_file(path, Config(), T)
    assert analysis.ledger.header_rows == [1]
    assert list(analysis.ledger.items["excel_row"]) == list(range(2, 10))
    assert layout.first_data_row == 2
    assert_standard(analysis)


def test_synonym_headers_in_shuffled_order(tmp_path: Path):
    synonyms = {
        "seq": "序号", "id": "提案编号", "kind": "类型", "title": "题目", "role": "办理方式", "key_item": "重点提案",
        "section": "责任科室", "handler": "经办人", "leader": "责任领导", "assigned": "交办时间",
        "deadline": "答复期限", "status": "办理进度", "replied": "办结日期", "reply_class": "办理结果",
        "contact": "沟通形式", "satisfaction": "测评结果", "note": "备注",
    }
    keys = list(KEYS)
    random.Random(20240628).shuffle(keys)
    assert keys != KEYS
    path = tmp_path / "synonyms.xlsx"
    write_ledger(path, [synonyms[key] for key in keys], standard_rows(keys))
    analysis = analyse_file(path, Config(), T)
    columns = analysis.ledger.columns
    for position, key in enumerate(keys):
        assert columns[key].index == position and columns[key].header == synonyms[key]
    assert_standard(analysis)


@pytest.mark.parametrize("titles", [2, 3])
def test_merged_title_rows_above_the_header(tmp_path: Path, titles: int):
    path = tmp_path / f"titles{titles}.xlsx"
    texts = ["2024年度提案建议办理台账", "填报单位：区经济和信息化局", "更新日期：2024年6月28日"][:titles]
    layout = write_ledger(path, headers_of(KEYS), standard_rows(), title_rows=texts)
    analysis = analyse_file(path, Config(), T)
    assert analysis.ledger.header_rows == [titles + 1]  # the title rows are not header rows
    assert analysis.ledger.unmatched_headers == []
    assert list(analysis.ledger.items["excel_row"]) == [layout.excel_row(i) for i in range(8)]
    assert layout.excel_row(0) == titles + 2
    assert_standard(analysis)


@pytest.mark.parametrize("engine", ["openpyxl", "xlsxwriter"])
def test_two_row_header_with_group_cell(tmp_path: Path, engine: str):
    # 办理情况 merged across 办理状态/答复日期/答复类别; every other header merged down both rows.
    group = {"status", "replied", "reply_class"}
    headers = [("办理情况", key_header) if key in group else key_header
               for key, key_header in zip(KEYS, headers_of(KEYS))]
    path = tmp_path / f"two_rows_{engine}.xlsx"
    layout = write_ledger(path, headers, standard_rows(), title_rows=1, header_rows=2, engine=engine)
    analysis = analyse_file(path, Config(), T)
    ledger = analysis.ledger
    assert ledger.header_rows == [2, 3] == layout.header_rows
    assert ledger.columns["status"].header == "办理状态" and ledger.columns["status"].excel_column == "L"
    assert ledger.columns["id"].header == "编号"  # from the first header row (merged down)
    assert list(ledger.items["excel_row"]) == list(range(4, 12))
    assert_standard(analysis)


TEXT_FORMS = [
    lambda d: f"{d.year}-{d.month}-{d.day}",  # 2024-3-5
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",  # 2024/03/05
    lambda d: f"{d.year}.{d.month}.{d.day}",  # 2024.3.5
    lambda d: f"{d.year}年{d.month}月{d.day}日",  # 2024年3月5日
    lambda d: f"{d.month}月{d.day}日",  # 3月5日, year from config default_year
]


def test_dates_as_text_in_every_form(tmp_path: Path):
    # Every date of the ledger is text; form (row + column) % 5, so each form appears in each date column.
    date_keys = ["assigned", "deadline", "replied"]

    def as_text(key, value, index):
        if key in date_keys and value is not None:
            return TEXT_FORMS[(index + date_keys.index(key)) % len(TEXT_FORMS)](value)
        return value

    rows = standard_rows(transform=as_text)
    assert [r[KEYS.index("assigned")] for r in rows] == [
        "2024-3-5", "2024/03/05", "2024.5.10", "2024年4月1日", "6月20日", "2024-1-15", "2024/04/15", "2024.2.20"]
    assert [r[KEYS.index("replied")] for r in rows] == [
        "2024.5.20", "2024年6月10日", None, None, None, "2024.4.10", "2024年5月14日", None]
    path = tmp_path / "text_dates.xlsx"
    write_ledger(path, headers_of(KEYS), rows)
    config = parse_config("[ledger]\ndefault_year = 2024\n")
    analysis = analyse_file(path, config, T)
    items = analysis.ledger.items
    assert list(items["assigned"]) == [values["assigned"] for values in STANDARD]
    assert list(items["replied"]) == [values.get("replied") for values in STANDARD]
    assert_standard(analysis)


def test_month_day_text_takes_the_configured_year_else_the_year_of_today(tmp_path: Path):
    path = tmp_path / "month_day.xlsx"
    keys = ["id", "title", "role", "section", "assigned"]
    write_ledger(path, headers_of(keys), [["TA1", "标题", "主办", "甲科", "3月5日"], ["TA2", "标题", "主办", "甲科", "12月31日"]])
    configured = read_ledger(path, parse_config("[ledger]\ndefault_year = 2023\n"), T)
    assert list(configured.items["assigned"]) == [D(2023, 3, 5), D(2023, 12, 31)]
    default = read_ledger(path, Config(), D(2025, 1, 2))
    assert list(default.items["assigned"]) == [D(2025, 3, 5), D(2025, 12, 31)]


def test_dates_as_excel_serial_numbers(tmp_path: Path):
    # Plain numbers (General format) in the date columns: 45356 is 2024-03-05 (45292 = 2024-01-01, + 64 days).
    def serial(key, value, index):
        if isinstance(value, dt.date):
            return (value - D(1899, 12, 30)).days
        return value

    rows = standard_rows(transform=serial)
    assert rows[0][KEYS.index("assigned")] == 45356
    path = tmp_path / "serials.xlsx"
    write_ledger(path, headers_of(KEYS), rows, engine="xlsxwriter")
    analysis = analyse_file(path, Config(), T)
    assert analysis.ledger.items["assigned"].iat[0] == D(2024, 3, 5)
    assert_standard(analysis)


def test_real_dates_with_a_time_of_day(tmp_path: Path):
    # Every date gets a time; r1 is replied 2024-06-05 23:59 on its deadline day, so it turns on time:
    # on time r0 r1 r5 r6 = 4, late 0, rate 4 / 6.
    def with_time(key, value, index):
        if isinstance(value, dt.date):
            if key == "replied" and index == 1:
                return dt.datetime(2024, 6, 5, 23, 59)
            return dt.datetime.combine(value, dt.time(9 + index, 30))
        return value

    path = tmp_path / "datetimes.xlsx"
    write_ledger(path, headers_of(KEYS), standard_rows(transform=with_time))
    analysis = analyse_file(path, Config(), T)
    items = analysis.ledger.items
    assert items["assigned"].iat[0] == D(2024, 3, 5) and type(items["assigned"].iat[0]) is dt.date
    totals = analysis.statistics.totals
    assert (totals["on_time"], totals["late"], totals["on_time_rate"]) == (4, 0, 0.6667)
    assert (totals["completed"], totals["overdue"], totals["due_soon"]) == (4, 2, 1)


def test_blank_rows_and_a_total_row_at_the_bottom(tmp_path: Path):
    rows = standard_rows()
    width = len(KEYS)
    messy = rows[:3] + [[None] * width] + rows[3:6] + [[None] * width, [""] * width] + rows[6:]
    messy += [[None] * width, ["合计", None, None, "共 8 件"] + [None] * (width - 4),
              [None, "总 计"] + [None] * (width - 2)]
    path = tmp_path / "blank_rows.xlsx"
    write_ledger(path, headers_of(KEYS), messy)
    analysis = analyse_file(path, Config(), T)
    # Data rows: Excel 2-4 (r0-r2), 5 blank, 6-8 (r3-r5), 9-10 blank, 11-12 (r6-r7), 13 blank, 14-15 totals.
    assert list(analysis.ledger.items["excel_row"]) == [2, 3, 4, 6, 7, 8, 11, 12]
    assert_standard(analysis)


def test_messy_header_text(tmp_path: Path):
    messy = {
        "seq": "序 号", "id": "编\n号", "kind": "类　别", "title": " 案由（标题） ", "role": "办理类型\n(主办/协办)",
        "key_item": "是否重点*", "section": "承办　科室", "handler": "承办人：", "leader": "分管\r\n领导",
        "assigned": "交办日期【必填】", "deadline": "办理时限（截止）", "status": "办理状态 ",
        "replied": "答复日期\n（正式答复）", "reply_class": "答复类别（A/B/C）", "contact": "沟通方式",
        "satisfaction": "满意度（测评）", "note": "备注",
    }
    path = tmp_path / "messy_headers.xlsx"
    write_ledger(path, [messy[key] for key in KEYS], standard_rows(), title_rows=1)
    analysis = analyse_file(path, Config(), T)
    columns = analysis.ledger.columns
    assert set(columns) == set(KEYS)
    assert columns["deadline"].header == "办理时限（截止）"  # as it stands in the ledger, for problems
    assert columns["id"].header == "编 号"  # line break shown as a space
    assert_standard(analysis)


def test_bad_date_cell_is_a_problem_and_the_rest_is_counted(tmp_path: Path):
    # r4's assigned date is "待定": no deadline. r4 was in progress and stays so (not overdue, not due
    # soon), so every figure of the hand count holds. Title row 1, header row 2, r0 in row 3, so r4
    # is Excel row 7; 交办日期 is the 10th column (J), 办理时限 the 11th (K).
    def bad(key, value, index):
        return "待定" if key == "assigned" and index == 4 else value

    path = tmp_path / "bad_date.xlsx"
    layout = write_ledger(path, headers_of(KEYS), standard_rows(transform=bad), title_rows=1)
    assert layout.excel_row(4) == 7
    analysis = analyse_file(path, Config(), T)
    assert_standard(analysis, problems_expected=2)
    problems = [(p.sheet, p.row, p.column, p.value, p.message, p.cell) for p in analysis.statistics.problems]
    assert problems == [
        ("台账", 7, "交办日期", "待定", "无法识别的日期", "J7"),
        ("台账", 7, "办理时限", "", "无法确定办理时限（没有办理时限，交办日期也无法识别）", "K7"),
    ]
    assert analysis.classified.items["has_deadline"].tolist() == [True] * 4 + [False] + [True] * 3


GUIDE_ROWS = [
    ["列名", "填写说明"],
    ["编号", "提案或建议的编号，必填。"],
    ["案由", "提案或建议的标题，必填。"],
    ["办理类型", "主办、协办、会办或分办。"],
    ["承办科室", "必填。"],
    ["交办日期", "可写 2024-3-5。"],
]


def test_instructions_sheet_before_the_ledger_is_skipped(tmp_path: Path):
    path = tmp_path / "guide_first.xlsx"
    write_ledger(path, headers_of(KEYS), standard_rows(), title_rows=1, sheet="2024年台账",
                 extra_sheets_before={"填写说明": GUIDE_ROWS})
    analysis = analyse_file(path, Config(), T)
    assert analysis.ledger.sheet_names == ["填写说明", "2024年台账"]
    assert analysis.ledger.sheet == "2024年台账" and analysis.ledger.sheet_chosen_automatically
    assert_standard(analysis)
    assert analysis.statistics.overdue_items[0].sheet == "2024年台账"


def test_the_sheet_set_in_config(tmp_path: Path):
    # Two years in one workbook: 2023年 (first, a different ledger: 1 item, completed) and 2024年.
    path = tmp_path / "two_years.xlsx"
    old = [[1, "TA2301", "政协提案", "往年提案", "主办", "否", "产业发展科", "刘洋", "王建国", D(2023, 3, 1), None,
            "已办结", D(2023, 5, 1), "A", "见面座谈", "满意", None]]
    write_ledger(path, headers_of(KEYS), standard_rows(), sheet="2024年",
                 extra_sheets_before=[("2023年", [headers_of(KEYS)] + old)])
    automatic = analyse_file(path, Config(), T)
    assert automatic.ledger.sheet == "2023年" and automatic.statistics.totals["total"] == 1
    configured = analyse_file(path, parse_config("[ledger]\nsheet = 2024年\n"), T)
    assert configured.ledger.sheet == "2024年" and not configured.ledger.sheet_chosen_automatically
    assert_standard(configured)


def test_legacy_xls_written_by_xlwt(tmp_path: Path):
    path = tmp_path / "legacy.xls"
    write_ledger(path, headers_of(KEYS), standard_rows(), title_rows=1, extra_sheets_before={"填写说明": GUIDE_ROWS})
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file, not a zip
    analysis = analyse_file(path, Config(), T)
    assert analysis.ledger.sheet == "台账" and analysis.ledger.header_rows == [2]
    assert analysis.ledger.items["assigned"].iat[0] == D(2024, 3, 5)
    assert_standard(analysis)


def test_legacy_xls_two_row_header(tmp_path: Path):
    group = {"status", "replied", "reply_class"}
    headers = [("办理情况", h) if key in group else h for key, h in zip(KEYS, headers_of(KEYS))]
    path = tmp_path / "legacy_two_rows.xls"
    write_ledger(path, headers, standard_rows(), header_rows=2)
    analysis = analyse_file(path, Config(), T)
    assert analysis.ledger.header_rows == [1, 2]
    assert_standard(analysis)


@pytest.mark.parametrize("target", ["xlsx:Calc MS Excel 2007 XML", "xls:MS Excel 97"])
def test_ledger_saved_by_libreoffice(tmp_path: Path, target: str):
    # The two-row-header ledger with a title row, re-saved by LibreOffice as .xlsx and as legacy .xls.
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    group = {"status", "replied", "reply_class"}
    headers = [("办理情况", h) if key in group else h for key, h in zip(KEYS, headers_of(KEYS))]
    source = tmp_path / "source.xlsx"
    write_ledger(source, headers, standard_rows(), title_rows=1, header_rows=2,
                 extra_sheets_before={"填写说明": GUIDE_ROWS})
    out = tmp_path / "out"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, HOME=str(tmp_path)))
    saved = out / ("source." + target.split(":")[0])
    assert result.returncode == 0 and saved.is_file(), (result.stdout, result.stderr)
    analysis = analyse_file(saved, Config(), T)
    assert analysis.ledger.sheet == "台账" and analysis.ledger.header_rows == [2, 3]
    assert_standard(analysis)
