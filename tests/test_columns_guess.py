"""`ledger columns` suggests from values as well as letters (issue 17, point 5): on a ledger
with the office's own ten headers, the printed `[columns]` lines give the hand-counted figures."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from automation import messages
from automation.column_guess import column_type, suggest_columns
from automation.config import Config
from tests.ledger_factory import run_cli, write_config, write_ledger

D = dt.date
TODAY = "2024-06-28"
OFFICE_HEADERS = ["序号", "案号", "提案题目", "下达日期", "要求办结时间", "主协办", "责任处室", "经办人", "当前进展", "回复时间"]

#: Eleven items as of 2024-06-28, deadlines typed in 要求办结时间 (always after 下达日期).
OFFICE_ROWS = [
    # completed on time (replied 05-20 <= 06-01)
    [1, "TA01", "关于加强专精特新企业培育的建议", D(2024, 3, 1), D(2024, 6, 1), "主办", "产业发展科", "刘洋", "已办结", D(2024, 5, 20)],
    # completed late (06-10 > 06-01)
    [2, "TA02", "关于发展农村电子商务的建议", D(2024, 3, 1), D(2024, 6, 1), "主办", "企业服务科", "陈静", "已办结", D(2024, 6, 10)],
    # overdue 27 days
    [3, "TA03", "关于完善企业服务专员制度的建议", D(2024, 3, 1), D(2024, 6, 1), "主办", "企业服务科", "陈静", "办理中", None],
    # overdue 13 days
    [4, "TA04", "关于推进工业互联网平台建设的建议", D(2024, 3, 15), D(2024, 6, 15), "主办", "信息化推进科", "冯雪", "办理中", None],
    # due soon: 3 days left
    [5, "TA05", "关于加强尾矿库治理的建议", D(2024, 4, 1), D(2024, 7, 1), "主办", "技术改造科", "周磊", "办理中", None],
    # in progress, 12 days left
    [6, "TA06", "关于支持中小企业数字化转型的建议", D(2024, 4, 10), D(2024, 7, 10), "主办", "中小企业科", "吴敏", "办理中", None],
    # 协办, overdue 8 days
    [7, "TA07", "关于发展节能环保产业的建议", D(2024, 5, 20), D(2024, 6, 20), "协办", "产业发展科", "刘洋", "办理中", None],
    # 协办, completed on time (06-25 <= 07-01)
    [8, "TA08", "关于优化营商环境的建议", D(2024, 6, 1), D(2024, 7, 1), "协办", "企业服务科", "陈静", "已办结", D(2024, 6, 25)],
    # in progress, 34 days left
    [9, "TA09", "关于培育新材料产业集群的建议", D(2024, 5, 1), D(2024, 8, 1), "主办", "产业发展科", "刘洋", "办理中", None],
    # completed on time (06-18 <= 06-20)
    [10, "TA10", "关于加快老旧厂区改造的建议", D(2024, 3, 20), D(2024, 6, 20), "主办", "技术改造科", "周磊", "已办结", D(2024, 6, 18)],
    # completed by its status only (no reply date: a warning); without the status column it would be overdue
    [11, "TA11", "关于加强安全生产监管的建议", D(2024, 3, 1), D(2024, 6, 1), "主办", "中小企业科", "吴敏", "已办结", None],
]
# By hand: total 11; completed TA01 TA02 TA08 TA10 TA11 = 5; overdue TA03 TA04 TA07 = 3;
# due soon TA05 = 1; in progress (not completed, not overdue) TA05 TA06 TA09 = 3;
# on time TA01 TA08 TA10 = 3 of (completed with reply date 4 + overdue 3) = 7 -> 0.4286;
# completion 5/11 = 0.4545. Problems: TA11 completed without a reply date (Excel row 13: a title row, the header, then TA01 in row 3), nothing else.


def _config_lines(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = lines.index("[columns]") + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_office_headers_suggested_by_values_give_the_hand_counted_figures(tmp_path: Path):
    ledger = tmp_path / "台账.xlsx"
    write_ledger(ledger, OFFICE_HEADERS, OFFICE_ROWS, title_rows=["2024年提案办理台账"])
    result = run_cli("columns", ledger, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = _config_lines(result.stdout)
    assert sorted(lines) == sorted([
        "title = 案由, 标题, 提案名称, 建议名称, 题目, 提案标题, 建议标题, 提案题目",
        "section = 承办科室, 责任科室, 承办部门, 科室, 责任部门, 责任处室",
        "assigned = 交办日期, 交办时间, 收件日期, 下达日期",
        "deadline = 办理时限, 答复期限, 截止日期, 办结时限, 要求办结时间",
        "status = 办理状态, 进度, 办理进度, 当前进展",
        "replied = 答复日期, 办结日期, 答复时间, 协办意见送达日期, 回复时间",
    ])
    config = write_config(tmp_path / "config.ini", "[columns]\n" + "\n".join(lines) + "\n")
    stats = run_cli("stats", ledger, "--today", TODAY, "--json", "--config", config, cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert {key: figures[key] for key in ("total", "completed", "overdue", "due_soon", "in_progress")} == {
        "total": 11, "completed": 5, "overdue": 3, "due_soon": 1, "in_progress": 3}
    assert figures["on_time_rate"] == round(3 / 7, 4) and figures["completion_rate"] == round(5 / 11, 4)
    assert [item["id"] for item in figures["overdue_items"]] == ["TA03", "TA04", "TA07"]
    assert [(p["row"], p["column"]) for p in figures["problems"]] == [(13, "回复时间")]


def _grid(*columns):
    return [list(row) for row in zip(*columns)]


def test_a_date_key_only_for_a_column_of_dates():
    config = Config()
    # 交办情况 looks like 交办日期 by its letters but holds text; 收文 holds dates and looks like nothing.
    headers = {0: "交办情况", 1: "答复人"}
    rows = _grid(["已交办", "已交办", "未交办"], ["张三", "李四", "王五"])
    assert suggest_columns(headers, rows, ["assigned", "replied", "handler"], {}, config, 2024) == {}
    assert column_type([D(2024, 3, 1), "2024-3-5", 45000.0, None], config, 2024) == "date"
    assert column_type([1, 2, 3], config, 2024) == "text"  # a 序号 column is not Excel serial dates


def test_assigned_and_deadline_by_which_comes_first():
    config = Config()
    # Letters alone would give 交办时限 to assigned and 办理日期 to deadline; the values say the other way.
    headers = {0: "交办时限", 1: "办理日期"}
    rows = _grid([D(2024, 6, 1), D(2024, 7, 1), D(2024, 5, 1)], [D(2024, 3, 1), D(2024, 4, 1), D(2024, 6, 9)])
    chosen = suggest_columns(headers, rows, ["assigned", "deadline"], {}, config, 2024)
    assert chosen == {"assigned": 1, "deadline": 0}


def test_vocabularies_choose_status_satisfaction_and_reply_class():
    config = Config()
    headers = {0: "当前进展", 1: "评价", 2: "结果"}
    rows = _grid(["办理中", "已办结", "已办结", None], ["满意", "基本满意", None, None], ["A", "B类", None, None])
    chosen = suggest_columns(headers, rows, ["status", "satisfaction", "reply_class", "note"], {}, config, 2024)
    assert chosen == {"status": 0, "satisfaction": 1, "reply_class": 2}


def test_a_wrong_order_against_a_matched_column_is_not_suggested():
    config = Config()
    rows = _grid([D(2024, 6, 1), D(2024, 7, 1)], [D(2024, 3, 1), D(2024, 4, 1)])
    # column 0 is matched as assigned (by config), column 1 (earlier) would be the deadline: say nothing.
    assert suggest_columns({1: "截止时间"}, rows, ["deadline"], {"assigned": 0}, config, 2024) == {}


def test_deadline_before_assigned_is_a_problem_and_most_rows_say_swapped(tmp_path: Path):
    ledger = tmp_path / "台账.xlsx"
    headers = ["编号", "案由", "办理类型", "承办科室", "交办日期", "办理时限"]
    rows = [["TA1", "甲", "主办", "甲科", D(2024, 6, 1), D(2024, 3, 1)],
            ["TA2", "乙", "主办", "甲科", D(2024, 6, 5), D(2024, 3, 5)],
            ["TA3", "丙", "主办", "甲科", D(2024, 3, 1), D(2024, 6, 1)]]
    write_ledger(ledger, headers, rows)
    result = run_cli("check", ledger, "--today", TODAY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert messages.DEADLINES_BEFORE_ASSIGNED_WARNING.format(bad=2, rows=3, deadline="办理时限", assigned="交办日期") \
        in result.stdout.splitlines()
    columns = run_cli("columns", ledger, cwd=tmp_path)
    assert messages.COLUMNS_SWAPPED_WARNING.format(bad=2, rows=3, deadline="办理时限", assigned="交办日期") \
        in columns.stdout.splitlines()
    stats = json.loads(run_cli("stats", ledger, "--today", TODAY, "--json", cwd=tmp_path).stdout)
    before = [(p["row"], p["column"], p["value"]) for p in stats["problems"]
              if p["message"].startswith("办理时限早于交办日期")]
    assert before == [(2, "办理时限", "2024-03-01"), (3, "办理时限", "2024-03-05")]


def test_one_row_with_deadline_before_assigned_is_a_problem_without_the_warning(tmp_path: Path):
    ledger = tmp_path / "台账.xlsx"
    headers = ["编号", "案由", "办理类型", "承办科室", "交办日期", "办理时限"]
    rows = [["TA1", "甲", "主办", "甲科", D(2024, 6, 1), D(2024, 3, 1)],
            ["TA2", "乙", "主办", "甲科", D(2024, 3, 5), D(2024, 6, 5)],
            ["TA3", "丙", "主办", "甲科", D(2024, 3, 1), D(2024, 6, 1)]]
    write_ledger(ledger, headers, rows)
    result = run_cli("check", ledger, "--today", TODAY, cwd=tmp_path)
    assert "办理时限早于交办日期（2024-06-01）" in result.stdout
    assert "可能填反了" not in result.stdout
