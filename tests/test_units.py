"""A folder of units' ledgers counted as one (the district's view): figures equal to the hand
count, per-unit figures equal to each file's own `stats`, an unreadable file named and left
out, and the district summary workbook (read back, and reopened by LibreOffice)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from automation import messages as m
from automation.district import merge_by_id, ranks
from automation.items import FlaggedItem
from automation.units import analyse_units, resolve_sources
from tests.ledger_factory import (
    STANDARD_KEYS, STANDARD_TODAY, headers_of, run_cli, standard_rows, write_config, write_ledger,
)
from tests.xlsx_helpers import soffice_resave

T = STANDARD_TODAY
TODAY = T.isoformat()
KEYS = STANDARD_KEYS
SYNONYMS = {"seq": "序号", "id": "案号", "kind": "类型", "title": "题目", "role": "办理方式", "key_item": "重点提案",
            "section": "责任科室", "handler": "经办人", "leader": "责任领导", "assigned": "交办时间",
            "deadline": "答复期限", "status": "办理进度", "replied": "办结日期", "reply_class": "办理结果",
            "contact": "沟通形式", "satisfaction": "测评结果", "note": "备注"}


def text_dates(key, value, index):
    """Dates written as text the way clerks type them: 2024年3月5日 and 2024/3/5."""
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日" if index % 2 else f"{value.year}/{value.month}/{value.day}"
    return value


def units_folder(root: Path) -> Path:
    """Four units in four styles (and one damaged file):
    区教育局   STANDARD r0..r7, default headers under two merged title rows;
    区卫健委   STANDARD r0..r7, synonym headers, every date as text;
    区住建局   STANDARD r0..r3, two-row header (办理情况 over 办理状态/答复日期/答复类别) under a
              title row, and a note row below the table (one problem, not an item);
    区水务局   STANDARD r4..r7 in a subfolder as 台账2024.xlsx, its own config.ini naming the unit;
    损坏.xlsx  not a workbook."""
    folder = root / "各单位台账"
    rows = standard_rows()
    write_ledger(folder / "区教育局.xlsx", headers_of(KEYS), rows, title_rows=["2024年提案建议办理台账", "区教育局"])
    write_ledger(folder / "区卫健委.xlsx", [SYNONYMS[key] for key in KEYS], standard_rows(transform=text_dates))
    group = {"status", "replied", "reply_class"}
    headers = [("办理情况", header) if key in group else header for key, header in zip(KEYS, headers_of(KEYS))]
    note = ["注：本表由办公室填报"] + [None] * (len(KEYS) - 1)
    write_ledger(folder / "区住建局.xlsx", headers, rows[:4] + [note], title_rows=1, header_rows=2, engine="xlsxwriter")
    write_ledger(folder / "水务" / "台账2024.xlsx", headers_of(KEYS), rows[4:])
    write_config(folder / "水务" / "config.ini", "[ledger]\nunit = 区水务局\n")
    (folder / "损坏.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    (folder / "~$区教育局.xlsx").write_bytes(b"owner file")  # Excel's owner file: not a ledger
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return units_folder(tmp_path_factory.mktemp("district"))


@pytest.fixture(scope="module")
def district_json(folder: Path) -> tuple[dict, str, int]:
    result = run_cli("stats", folder, "--today", TODAY, "--json", cwd=folder.parent)
    return json.loads(result.stdout), result.stderr, result.returncode


def test_the_folder_gives_the_hand_counted_sums(district_json):
    data, stderr, code = district_json
    # By hand, per unit (STANDARD's comments give each row's state on T = 2024-06-28):
    #   教育局, 卫健委 (r0..r7): total 8, completed 4, overdue 2, due soon 1, in progress 2,
    #            on time 3, late 1, rated 3 (满意 1, 基本满意 1, 不满意 1), lead 5, assisting 3
    #   住建局 (r0..r3): total 4, completed 2 (r0 r1), overdue 1 (r2), due soon 1 (r3), in progress 1,
    #            on time 1 (r0), late 1 (r1), rated 2 (满意 r0, 基本满意 r1), lead 3, assisting 1
    #   水务局 (r4..r7): total 4, completed 2 (r5 r6), overdue 1 (r7), due soon 0, in progress 1 (r4),
    #            on time 2, late 0, rated 1 (不满意 r5), lead 2 (r5 r7), assisting 2
    assert data["total"] == 8 + 8 + 4 + 4
    assert data["completed"] == 4 + 4 + 2 + 2 and data["completion_rate"] == 0.5
    assert data["overdue"] == 2 + 2 + 1 + 1
    assert data["due_soon"] == 1 + 1 + 1 + 0
    assert data["in_progress"] == 2 + 2 + 1 + 1
    assert (data["on_time"], data["late"]) == (3 + 3 + 1 + 2, 1 + 1 + 1 + 0)
    assert data["on_time_rate"] == 0.5  # 9 / (9 + 3 + 6)
    assert (data["satisfied"], data["basically_satisfied"], data["unsatisfied"]) == (3, 3, 3)
    assert data["satisfaction_rate"] == 0.6667  # 6 / 9
    assert (data["lead"], data["assisting"]) == (15, 9)
    assert list(data["by_unit"]) == ["区住建局", "区卫健委", "区教育局", "区水务局"]  # files sorted by path
    assert data["by_unit"]["区住建局"]["on_time_rate"] == 0.3333  # 1 / (1 + 1 + 1)
    assert data["by_unit"]["区水务局"]["satisfaction_rate"] == 0.0  # 0 / 1
    # the note row below 区住建局's table: one problem, naming its file, sheet, row and column
    assert [(p["file"], p["unit"], p["sheet"], p["row"], p["column"], p["severity"]) for p in data["problems"]] == [
        ("区住建局.xlsx", "区住建局", "台账", 8, "编号", "提示")]
    assert data["overdue_items"][0]["days_overdue"] == 39 and data["overdue_items"][0]["file"]
    assert sorted(f["total"] for f in data["files"]) == [4, 4, 8, 8]


def test_an_unreadable_file_is_named_and_left_out(district_json, folder: Path):
    data, stderr, code = district_json
    assert code == 4  # counted, but some files were left out
    assert [entry["file"] for entry in data["left_out"]] == [str(folder / "损坏.xlsx")]
    assert "损坏.xlsx" in stderr and "未计入" in stderr and "Traceback" not in stderr
    assert "~$" not in json.dumps(data, ensure_ascii=False)  # the owner file was not read at all


def test_each_unit_equals_its_own_file_stats(district_json, folder: Path):
    data, _, _ = district_json
    files = {"区教育局": folder / "区教育局.xlsx", "区卫健委": folder / "区卫健委.xlsx",
             "区住建局": folder / "区住建局.xlsx", "区水务局": folder / "水务" / "台账2024.xlsx"}
    for unit, path in files.items():
        result = run_cli("stats", path, "--today", TODAY, "--json", cwd=folder.parent)
        assert result.returncode == 0, result.stderr
        own = json.loads(result.stdout)
        figures = data["by_unit"][unit]
        shared = [key for key in figures if key in own]  # the top level lacks a few helper counts
        assert len(shared) >= 20
        for key in shared:
            assert own[key] == figures[key], (unit, key)


def test_text_output_and_check(folder: Path):
    result = run_cli("check", folder, "--today", TODAY, cwd=folder.parent)
    assert result.returncode == 4
    assert result.stdout.startswith("汇总 4 个承办单位的台账（4 个文件，统计日期 2024-06-28）")
    assert "【区水务局】" in result.stdout and "区住建局.xlsx 台账 第 8 行「编号」" in result.stdout
    result = run_cli("stats", folder, "--today", TODAY, cwd=folder.parent)
    assert "按承办单位统计" in result.stdout and "损坏.xlsx" in result.stderr


def test_several_files_named_on_the_command_line(folder: Path):
    result = run_cli("stats", folder / "区教育局.xlsx", folder / "水务" / "台账2024.xlsx", "--today", TODAY, "--json",
                     cwd=folder.parent)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == 12 and list(data["by_unit"]) == ["区教育局", "区水务局"]


def test_nothing_readable_is_an_error(tmp_path: Path):
    (tmp_path / "a.xlsx").write_bytes(b"nope")
    (tmp_path / "b.xlsx").write_bytes(b"PK nope")
    result = run_cli("stats", tmp_path, "--today", TODAY)
    assert result.returncode == 2 and "a.xlsx" in result.stderr and "b.xlsx" in result.stderr
    empty = tmp_path / "空"
    empty.mkdir()
    result = run_cli("check", empty)
    assert result.returncode == 2 and "没有 Excel 台账" in result.stderr


def test_a_unit_column_names_each_rows_unit(tmp_path: Path):
    keys = ["id", "title", "role", "section", "assigned", "status", "replied", "note"]
    headers = headers_of(keys) + ["承办单位"]
    rows = [row + [unit] for row, unit in zip(standard_rows(keys), ["区财政局"] * 4 + [None] * 4)]
    write_ledger(tmp_path / "f" / "综合.xlsx", headers, rows)
    write_ledger(tmp_path / "f" / "区教育局.xlsx", headers_of(KEYS), standard_rows())
    district = analyse_units([tmp_path / "f"], None, T)
    assert {unit: f["total"] for unit, f in district.statistics.groups["unit"].items()} == {
        "区教育局": 8, "区财政局": 4, "综合": 4}


def test_same_id_in_two_units_is_one_row_with_its_units():
    def overdue(unit: str, role: str, days: int) -> FlaggedItem:
        return FlaggedItem("TA03", "关于支持企业技术创新的建议", "科", "人", "领导", dt.date(2024, 6, 10), days, True,
                           "台账", 4, role=role, unit=unit, file=f"{unit}.xlsx")

    rows = merge_by_id([overdue("区教育局", "主办", 18), overdue("区科技局", "协办", 10),
                        dataclasses.replace(overdue("区教育局", "主办", 5), id="TA09")])
    assert [(item.id, item.days, units) for item, units in rows] == [
        ("TA03", 18, "区教育局（主办）、区科技局（协办）"), ("TA09", 5, "区教育局")]


def test_ranks_are_competition_ranks_and_none_has_no_rank():
    assert ranks({"a": 0.5, "b": 0.8, "c": 0.8, "d": None, "e": 0.1}) == {"a": 3, "b": 1, "c": 1, "d": None, "e": 4}


def test_resolve_sources_skips_owner_files_backups_and_the_output(folder: Path):
    backups = folder / ".ledger_backups"
    backups.mkdir(exist_ok=True)
    (backups / "区教育局_20240101.xlsx").write_bytes(b"old copy")
    names = [path.name for path in resolve_sources([folder], exclude=(folder / "区卫健委.xlsx",))]
    assert names == ["区住建局.xlsx", "区教育局.xlsx", "损坏.xlsx", "台账2024.xlsx"]
    shutil.rmtree(backups)


# --- the district summary workbook ------------------------------------------------------------


@pytest.fixture(scope="module")
def summary(folder: Path, tmp_path_factory) -> Path:
    before = digests(folder)
    out = tmp_path_factory.mktemp("out") / "汇总.xlsx"
    result = run_cli("refresh", folder, "--today", TODAY, "--output", out, cwd=folder.parent)
    assert result.returncode == 4, result.stderr  # written, and says a file was left out
    assert "损坏.xlsx" in result.stderr and out.is_file()
    assert digests(folder) == before  # the units' files are only read
    return out


def values(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_the_district_workbook_holds_every_sheet(summary: Path):
    names = CalamineWorkbook.from_path(str(summary)).sheet_names
    assert names == [m.SHEET_DISTRICT_INFO, "统计汇总", "科室统计", "逾期清单", "即将到期", "数据问题", "单位统计", "单位问题"]
    units = values(summary, "单位统计")
    header = units[3]
    assert header[:3] == ["承办单位", "文件", "总件数"] and header[-3:] == ["办结率排名", "按时办结率排名", "满意率排名"]
    rows = {row[0]: row for row in units[4:8]}
    assert set(rows) == {"区住建局", "区卫健委", "区教育局", "区水务局"}
    assert rows["区水务局"][1] == "台账2024.xlsx" and rows["区住建局"][2] == 4
    # ranks by hand: 按时办结率 教育局 .5, 卫健委 .5, 住建局 .3333, 水务局 .6667 -> 2, 2, 4, 1;
    # 满意率 .6667, .6667, 1.0, 0.0 -> 2, 2, 1, 4; 办结率 all .5 -> 1
    assert {unit: tuple(row[-3:]) for unit, row in rows.items()} == {
        "区教育局": (1, 2, 2), "区卫健委": (1, 2, 2), "区住建局": (1, 4, 1), "区水务局": (1, 1, 4)}
    assert units[8][0] == "合计" and units[8][2] == 24
    # 单位问题: the note row of 区住建局, naming file, sheet, row and cell
    problems = values(summary, "单位问题")
    assert problems[4][:5] == ["区住建局", "区住建局.xlsx", "台账", 8, "B8"]
    # 逾期清单: six overdue items, but TA08 (教育局, 卫健委, 水务局) and TA03 (教育局, 卫健委, 住建局)
    # are one proposal each, shown once with their units and roles
    overdue = [row for row in values(summary, "逾期清单")[4:] if row[0]]
    assert [(row[0], row[2], row[7]) for row in overdue] == [
        ("TA08", "区卫健委（主办）、区教育局（主办）、区水务局（主办）", 39),
        ("TA03", "区住建局（协办）、区卫健委（协办）、区教育局（协办）", 18)]
    problems_sheet = values(summary, "数据问题")
    assert any("损坏.xlsx" in str(cell) for row in problems_sheet for cell in row)
    with zipfile.ZipFile(summary) as archive:
        names = archive.namelist()
        assert not [name for name in names if "externalLink" in name]
        assert not any(b"<hyperlink" in archive.read(name) for name in names if name.startswith("xl/worksheets/"))
        assert [name for name in names if name.startswith("xl/charts/chart")]  # native charts


def test_refresh_of_a_folder_needs_output_and_never_replaces_a_users_file(folder: Path, tmp_path: Path):
    before = digests(folder)
    result = run_cli("refresh", folder, "--today", TODAY, cwd=folder.parent)
    assert result.returncode == 2 and "--output" in result.stderr
    mine = tmp_path / "我的.xlsx"
    shutil.copy(folder / "区教育局.xlsx", mine)
    result = run_cli("refresh", folder, "--today", TODAY, "--output", mine, cwd=folder.parent)
    assert result.returncode == 2 and "不是台账助手生成的汇总工作簿" in result.stderr
    result = run_cli("refresh", folder, "--today", TODAY, "--output", folder / "区教育局.xlsx", cwd=folder.parent)
    assert result.returncode == 2
    assert digests(folder) == before


def test_a_summary_written_into_the_folder_is_not_read_as_a_unit(folder: Path, summary: Path, tmp_path: Path):
    copy = tmp_path / "units"
    shutil.copytree(folder, copy)
    shutil.copy(summary, copy / "汇总.xlsx")
    result = run_cli("stats", copy, "--today", TODAY, "--json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["total"] == 24 and "汇总.xlsx" in result.stderr and "跳过" in result.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reopens_the_district_workbook(summary: Path, tmp_path: Path):
    resaved = soffice_resave(summary, tmp_path / "lo", tmp_path / "profile")
    assert resaved.is_file(), "LibreOffice could not open the district workbook"
    assert values(resaved, "单位统计")[4:9] == values(summary, "单位统计")[4:9]


def test_district_report_names_the_units(folder: Path, tmp_path: Path):
    out = tmp_path / "汇报.md"
    result = run_cli("report", folder, "--today", TODAY, "--output", out, cwd=folder.parent)
    assert result.returncode == 4, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "本次汇总承办单位4个，共承办政协委员提案和人大代表建议24件，其中主办件15件、协办件9件" in text
    assert "各承办单位办理情况表" in text
    table = [line for line in text.splitlines() if line.startswith("|") and "区水务局" in line]
    assert table and "| 4 |" in table[0]


def test_the_district_summary_is_mailed_to_the_leader(tmp_path: Path, monkeypatch):
    from tests.remind_servers import SmtpSink

    units = tmp_path / "units"
    write_ledger(units / "区教育局.xlsx", headers_of(KEYS), standard_rows())
    write_ledger(units / "区水务局.xlsx", headers_of(KEYS), standard_rows()[4:])
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "pw-秘密-1")
    out = tmp_path / "汇总.xlsx"
    with SmtpSink(login=("dcs", "pw-秘密-1")) as smtp:
        write_config(units / "config.ini", f"[email]\nenabled = yes\nhost = 127.0.0.1\nport = {smtp.port}\n"
                                           "security = none\nuser = dcs\npassword_env = TEST_SMTP_PASSWORD\n"
                                           "sender = dcs@example.gov.cn\nsender_name = 区政府办督查室\ntimeout = 5\n")
        result = run_cli("refresh", units, "--today", TODAY, "--output", out, "--mail-to", "leader@example.gov.cn",
                         cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "leader@example.gov.cn" in result.stdout
    [mail] = smtp.messages
    assert mail["To"] == "leader@example.gov.cn" and "2024-06-28" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    # by hand: 区教育局 STANDARD r0..r7 (8 items, 4 completed, 2 overdue) + 区水务局 r4..r7 (4, 2, 1)
    assert "2 个承办单位共承办 12 件：已办结 6 件，已逾期 3 件" in body
    assert "区水务局：4 件，已办结 2 件，已逾期 1 件，办结率 50.0%" in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "汇总.xlsx" and attachment.get_content() == out.read_bytes()
    assert "pw-秘密-1" not in result.stdout + result.stderr


def test_mailing_without_email_settings_says_so_after_writing(tmp_path: Path):
    units = tmp_path / "units"
    write_ledger(units / "a.xlsx", headers_of(KEYS), standard_rows())
    write_ledger(units / "b.xlsx", headers_of(KEYS), standard_rows())
    result = run_cli("refresh", units, "--today", TODAY, "--output", tmp_path / "s.xlsx", "--mail-to", "x@example.gov.cn",
                     cwd=tmp_path)
    assert result.returncode == 1 and "[email]" in result.stderr and (tmp_path / "s.xlsx").is_file()


def test_a_summary_inside_the_folder_is_rewritten_next_time(tmp_path: Path):
    units = tmp_path / "units"
    write_ledger(units / "区教育局.xlsx", headers_of(KEYS), standard_rows())
    write_ledger(units / "区水务局.xlsx", headers_of(KEYS), standard_rows()[4:])
    for run in range(2):
        result = run_cli("refresh", units, "--today", TODAY, "--output", units / "汇总.xlsx", cwd=tmp_path)
        assert result.returncode == 0, (run, result.stderr)
        assert "12 件" in result.stdout  # the summary itself is never counted as a unit


class _KillsTheWorker:
    """Unpickled in a pool worker, it ends that process at once (as an out-of-memory kill would)."""

    def __reduce__(self):
        import os

        return (os._exit, (3,))


@pytest.mark.timeout(60)
def test_a_worker_that_dies_does_not_lose_the_other_files(tmp_path: Path):
    from automation.units import UnitJob, read_units

    paths = []
    for index in range(4):
        paths.append(tmp_path / f"单位{index}.xlsx")
        write_ledger(paths[-1], headers_of(KEYS), standard_rows())
    jobs = [UnitJob(path, None, None, T) for path in paths]
    jobs[2] = UnitJob(paths[2], None, None, _KillsTheWorker())
    parts = read_units(jobs, workers=2)
    assert [part.file for part in parts] == [path.name for path in paths]
    assert [part.items for part in parts if part.error is None] == [8, 8, 8]
    assert parts[2].error  # the job that killed its worker is named, not lost


def test_help_names_the_exit_code_for_files_left_out():
    for command in ("check", "stats", "refresh", "report"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "退出码为4" in "".join(result.stdout.split()), command


def test_remind_on_a_folder_says_reminders_go_per_unit(folder: Path):
    result = run_cli("remind", folder, "--today", TODAY, "--dry-run", cwd=folder.parent)
    assert result.returncode == 2 and "按单位进行" in result.stderr and "Traceback" not in result.stderr


def test_a_unit_with_two_matching_sheets_is_named_in_the_warnings(tmp_path: Path):
    units = tmp_path / "units"
    rows = standard_rows()
    write_ledger(units / "区教育局.xlsx", headers_of(KEYS), rows[:5], sheet="2024年",
                 extra_sheets_after={"2023年": [headers_of(KEYS)] + rows[5:]})
    write_ledger(units / "区水务局.xlsx", headers_of(KEYS), rows)
    result = run_cli("stats", units, "--today", TODAY, "--json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["total"] == 5 + 8
    [warning] = data["warnings"]
    assert warning.startswith("区教育局.xlsx：") and "“2023年”" in warning and "sheets =" in warning
