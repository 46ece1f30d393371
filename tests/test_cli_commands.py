"""The `ledger` commands on real files: columns (with the config line that fixes a header),
check (the lists for people) and stats (text and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from automation import messages
from automation.text_output import left
from tests.ledger_factory import (
    STANDARD_KEYS, headers_of, run_cli, standard_rows, write_config, write_ledger,
)

TODAY = "2024-06-28"


def test_columns_shows_matches_missing_and_a_config_line_that_fixes_it(tmp_path: Path):
    path = tmp_path / "ledger.xlsx"
    headers = ["序号", "编号", "案由", "办理类型", "承办处室", "承办人", "交办日期", "办理状态", "附件"]
    write_ledger(path, headers, [[1, "TA1", "标题", "主办", "甲科", "张三", "2024-3-5", "办理中", None]], title_rows=1,
                 extra_sheets_before={"填写说明": [["列名", "填写说明"], ["编号", "必填"], ["案由", "必填"]]})
    result = run_cli("columns", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == messages.COLUMNS_TITLE.format(sheet="台账", row=2)
    assert messages.COLUMNS_MATCHED.format(header=left("编号", 20), key="id", meaning="编号") in lines
    assert messages.COLUMNS_MATCHED.format(header=left("承办人", 20), key="handler", meaning="承办人") in lines
    assert messages.COLUMNS_UNMATCHED.format(header=left("承办处室", 20)) in lines
    assert messages.COLUMNS_UNMATCHED.format(header=left("附件", 20)) in lines
    start = lines.index(messages.COLUMNS_MISSING) + 1
    missing = lines[start:lines.index("", start)]
    assert len(missing) == 21 - 7  # 21 column keys; matched: 序号 编号 案由 办理类型 承办人 交办日期 办理状态
    assert messages.COLUMNS_MISSING_LINE.format(key="section", meaning="承办科室", required=messages.COLUMNS_REQUIRED) in lines
    assert messages.COLUMNS_MISSING_LINE.format(key="deadline", meaning="办理时限", required="") in lines
    assert not any(line.strip().startswith("id ") for line in missing)
    fix = "section = 承办科室, 责任科室, 承办部门, 科室, 责任部门, 承办处室"
    assert lines[-2:] == ["[columns]", fix]  # one line: 承办处室 is offered to section only, not to handler
    assert messages.COLUMNS_ALL_OK not in lines

    # The line works: with it in config.ini beside the ledger, the ledger reads.
    write_config(tmp_path / "config.ini", f"[columns]\n{fix}\n")
    fixed = run_cli("columns", path, cwd=tmp_path)
    assert messages.COLUMNS_MATCHED.format(header=left("承办处室", 20), key="section", meaning="承办科室") in fixed.stdout.splitlines()
    assert messages.COLUMNS_ALL_OK in fixed.stdout
    stats = run_cli("stats", path, "--today", TODAY, "--json", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["by_section"]["甲科"]["total"] == 1


def test_columns_suggestion_for_a_header_with_a_line_break_is_one_config_line(tmp_path: Path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, ["编号", "案由", "办理类型", "承办\n处室"], [["TA1", "标题", "主办", "甲科"]])
    result = run_cli("columns", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "section = 承办科室, 责任科室, 承办部门, 科室, 责任部门, 承办处室"


def test_check_lists_overdue_and_due_soon_by_section(tmp_path: Path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(), title_rows=1)
    result = run_cli("check", path, "--today", TODAY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = messages.CHECK_OVERDUE_LINE
    # hand count of the STANDARD items: overdue TA08 (39 days), TA03 (18 days); due soon TA04 (3 days)
    assert result.stdout.splitlines() == [
        messages.CHECK_TITLE.format(today=TODAY, sheet="台账"),
        "合计 8 件：已办结 4 件，办理中 2 件，已逾期 2 件，即将到期 1 件。",
        "",
        messages.CHECK_OVERDUE_HEADING.format(count=2),
        "【企业服务科】",
        line.format(id="TA08", title="关于扶持直播电商产业发展的建议", handler="周磊", leader="李红梅",
                    deadline="2024-05-20", days=39),
        "【产业发展科】",
        line.format(id="TA03", title="关于支持企业技术创新的建议", handler="赵敏", leader="王建国",
                    deadline="2024-06-10", days=18),
        "",
        messages.CHECK_DUE_SOON_HEADING.format(count=1, warn_days=7),
        "【企业服务科】",
        messages.CHECK_DUE_SOON_LINE.format(id="TA04", title="关于推动矿业经济转型升级的建议", handler="周磊",
                                            leader="李红梅", deadline="2024-07-01", days=3),
        "",
        messages.CHECK_PROBLEMS_HEADING.format(count=0),
        messages.CHECK_NONE,
    ]


def test_check_lists_problems_with_row_and_header(tmp_path: Path):
    rows = standard_rows()
    rows[4][STANDARD_KEYS.index("assigned")] = "待定"  # r4, Excel row 3 + 4 = 7 (title row 1, header row 2)
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), rows, title_rows=1)
    result = run_cli("check", path, "--today", TODAY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[lines.index(messages.CHECK_PROBLEMS_HEADING.format(count=2)) + 1:] == [
        messages.CHECK_PROBLEM_LINE.format(sheet="台账", row=7, column="交办日期", value="待定", message="无法识别的日期"),
        messages.CHECK_PROBLEM_LINE.format(sheet="台账", row=7, column="办理时限", value="", message=messages.NO_DEADLINE),
    ]


def test_stats_json_contract_keys_on_the_standard_ledger(tmp_path: Path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows())
    result = run_cli("stats", path, "--today", TODAY, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # DOMAIN.md's contract, with the hand count of the STANDARD items
    assert data["as_of"] == TODAY and data["total"] == 8 and data["by_role"] == {"主办": 4, "协办": 3, "会办": 1}
    assert (data["key_items"], data["completed"], data["in_progress"], data["overdue"], data["due_soon"]) == (1, 4, 2, 2, 1)
    assert (data["completion_rate"], data["on_time_rate"], data["satisfaction_rate"]) == (0.5, 0.5, 0.6667)
    assert (data["unsatisfied"], data["face_to_face_rate"], data["adoption_rate"]) == (1, 0.6, 0.6667)
    assert data["reply_classes"] == {"A": 1, "B": 1, "C": 1}
    section = data["by_section"]["产业发展科"]
    assert {k: section[k] for k in ("total", "completed", "overdue", "due_soon", "in_progress", "completion_rate",
                                    "on_time_rate")} == {"total": 4, "completed": 3, "overdue": 1, "due_soon": 0,
                                                         "in_progress": 0, "completion_rate": 0.75, "on_time_rate": 0.75}
    assert data["overdue_items"][0] == {"id": "TA08", "title": "关于扶持直播电商产业发展的建议", "section": "企业服务科",
                                        "handler": "周磊", "leader": "李红梅", "deadline": "2024-05-20",
                                        "days_overdue": 39, "row": 9}
    assert [(i["id"], i["deadline"], i["days_left"]) for i in data["due_soon_items"]] == [("TA04", "2024-07-01", 3)]
    assert data["problems"] == []


def test_stats_text(tmp_path: Path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows())
    result = run_cli("stats", path, "--today", TODAY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[0] == messages.STATS_TITLE.format(today=TODAY).split()
    for expected in (["总件数", "8", "件"], ["已逾期", "2", "件"], ["办结率", "50.0%"], ["按时办结率", "50.0%"],
                     ["满意率", "66.7%"], ["面商率", "60.0%"], ["解决采纳率", "66.7%"], ["不满意", "1", "件"],
                     ["答复类别", "A类", "1", "件", "B类", "1", "件", "C类", "1", "件"]):
        assert expected in lines, expected
    # by section: 产业发展科 (r0 r2 r5 r6) total 4, completed 3, in progress 0, overdue 1, due soon 0,
    # 办结率 3/4, 按时办结率 3/(3 + 1), 满意率 (r0 满意, r5 不满意) 1/2
    assert ["产业发展科", "4", "3", "0", "1", "0", "75.0%", "75.0%", "50.0%"] in lines
    # by role: 协办 (r2 r4 r6) nobody rated: 满意率 "—"
    assert ["协办", "3", "1", "1", "1", "0", "33.3%", "50.0%", "—"] in lines
    # 企业服务科: r1 基本满意 rated, so 100.0%; 按时办结率 0 / (1 late + 1 overdue) = 0.0%
    assert ["企业服务科", "4", "1", "2", "1", "1", "25.0%", "0.0%", "100.0%"] in lines
