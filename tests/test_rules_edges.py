"""One test per edge rule of DOMAIN.md (and the vocabulary rules under them), each on a real
.xlsx written to disk, every figure counted by hand in the comments."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation import messages
from automation.analysis import analyse_file
from automation.cli import main
from automation.config import Config, TimeLimit, parse_config
from automation.dates import WorkdayCalendar, add_limit, add_months
from automation.text_output import format_rate, stats_text
from tests.ledger_factory import headers_of, write_items, write_ledger

D = dt.date
T = D(2024, 6, 28)
_ids = itertools.count(1)


def it(**values) -> dict:
    """An item with the required columns filled (主办 of 甲科 unless given)."""
    base = {"id": f"TA{next(_ids):04d}", "title": "关于……的建议", "role": "主办", "section": "甲科"}
    base.update(values)
    return base


def analyse(tmp_path: Path, items: list[dict], today: dt.date = T, config: Config | None = None, **options):
    path = tmp_path / "ledger.xlsx"
    write_items(path, items, **options)
    return analyse_file(path, config or Config(), today)


def problems_of(analysis) -> list[tuple]:
    return [(p.row, p.column, p.value, p.message, p.severity) for p in analysis.statistics.problems]


# --- deadlines ---------------------------------------------------------------------------


def test_month_limit_is_a_calendar_month_step_like_edate(tmp_path: Path):
    assert add_months(D(2024, 3, 31), 1) == D(2024, 4, 30)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)  # leap year
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)  # across the year end
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)
    analysis = analyse(tmp_path, [
        it(role="协办", assigned=D(2024, 3, 31)),  # + 1 month = 2024-04-30
        it(role="协办", assigned=D(2024, 1, 31)),  # + 1 month = 2024-02-29
        it(role="主办", assigned=D(2024, 3, 31)),  # + 3 months = 2024-06-30: 2 days left, due soon
        it(role="会办", assigned=D(2023, 11, 30)),  # + 3 months = 2024-02-29
    ])
    items = analysis.classified.items
    assert list(items["deadline_effective"]) == [D(2024, 4, 30), D(2024, 2, 29), D(2024, 6, 30), D(2024, 2, 29)]
    assert [(i.id[-1], i.days) for i in analysis.statistics.due_soon_items] == [("3", 2)]  # the third item


def test_days_limit_counts_calendar_days(tmp_path: Path):
    config = parse_config("[time_limits]\n协办 = 30天\n主办 = 10 天\n")
    assert config.time_limits["协办"] == TimeLimit(30, "days")
    analysis = analyse(tmp_path, [
        it(role="协办", assigned=D(2024, 1, 31)),  # + 30 days: Feb has 29 days -> 2024-03-01
        it(role="主办", assigned=D(2024, 9, 30)),  # + 10 days over National Day, holidays counted -> 2024-10-10
        it(role="主办", assigned=D(2024, 6, 20)),  # + 10 days = 2024-06-30: due soon, 2 days
    ], config=config)
    items = analysis.classified.items
    assert list(items["deadline_effective"]) == [D(2024, 3, 1), D(2024, 10, 10), D(2024, 6, 30)]
    assert analysis.statistics.totals["overdue"] == 1 and analysis.statistics.totals["due_soon"] == 1


def test_working_days_skip_weekends_and_holidays():
    # 2024-09-30 (Mon) + 3 working days: 10-01..10-07 National Day holidays, 10-08 (Tue) 1, 10-09 2, 10-10 3.
    calendar = WorkdayCalendar()
    assert add_limit(D(2024, 9, 30), TimeLimit(3, "workdays"), calendar) == D(2024, 10, 10)
    # 2024-09-27 (Fri) + 1: 09-28 Sat is off, 09-29 Sun is an adjusted working day in 2024 (国庆调休).
    assert add_limit(D(2024, 9, 27), TimeLimit(1, "workdays"), calendar) == D(2024, 9, 29)
    assert calendar.unknown_years == set()


def test_typed_deadline_wins_over_the_computed_one(tmp_path: Path):
    analysis = analyse(tmp_path, [
        # computed 2024-06-05 would be overdue; typed 2024-07-05 -> due soon, 7 days left
        it(id="LATER", assigned=D(2024, 3, 5), deadline=D(2024, 7, 5)),
        # computed 2024-08-01 would be in progress; typed 2024-06-01 -> overdue, 28 - 1 = 27 days
        it(id="EARLIER", assigned=D(2024, 5, 1), deadline=D(2024, 6, 1)),
        # no assigned date at all: the typed deadline alone is enough (2024-06-30: 2 days left)
        it(id="ONLY", deadline=D(2024, 6, 30)),
    ])
    items = analysis.classified.items
    assert list(items["deadline_effective"]) == [D(2024, 7, 5), D(2024, 6, 1), D(2024, 6, 30)]
    assert [(i.id, i.days) for i in analysis.statistics.overdue_items] == [("EARLIER", 27)]  # 06-28 - 06-01
    assert [(i.id, i.days) for i in analysis.statistics.due_soon_items] == [("ONLY", 2), ("LATER", 7)]
    assert problems_of(analysis) == []


def test_row_without_a_deadline_counts_in_totals_only(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(id="A", section="甲科"),  # nothing to compute a deadline from; open
        it(id="B", section="甲科", assigned="待定", status="已办结", replied=D(2024, 5, 1)),  # completed, no deadline
        it(id="C", section="乙科", assigned=D(2024, 1, 2)),  # 2024-04-02: overdue 87 days
        it(id="D", section="乙科", role="参办", assigned=D(2024, 1, 2)),  # unknown role: no time limit
    ])
    s = analysis.statistics
    t = s.totals
    assert t["total"] == 4 and s.groups["section"]["甲科"]["total"] == 2 and s.groups["section"]["乙科"]["total"] == 2
    assert t["completed"] == 1  # B
    assert t["overdue"] == 1 and t["due_soon"] == 0  # C only: A and D have no deadline, however old
    assert t["in_progress"] == 2  # A and D
    assert (t["on_time"], t["late"]) == (0, 0)  # B has no deadline: neither on time nor late
    assert t["on_time_rate"] == 0.0  # 0 / (0 + 1 overdue)
    assert s.to_json()["by_role"] == {"主办": 3, "（未填写）": 1}  # D's unknown role is counted as blank
    # rows: header 1, A 2, B 3, C 4, D 5. The ledger has no 办理时限 column, so the missing
    # deadline is reported on 交办日期.
    assert problems_of(analysis) == [
        (2, "交办日期", "", messages.NO_DEADLINE, "错误"),
        (3, "交办日期", "待定", "无法识别的日期", "错误"),
        (3, "交办日期", "", messages.NO_DEADLINE, "错误"),
        (5, "办理类型", "参办", messages.UNKNOWN_ROLE.format(allowed="主办、协办、会办、分办"), "错误"),
        (5, "交办日期", "2024-01-02", messages.NO_DEADLINE_NO_LIMIT, "错误"),
    ]


def test_on_time_rate_denominator(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(id="a", assigned=D(2024, 1, 10), replied=D(2024, 4, 10)),  # deadline 04-10: on time (same day)
        it(id="b", assigned=D(2024, 1, 10), replied=D(2024, 4, 11)),  # late by a day
        it(id="c", assigned=D(2024, 1, 10), status="已办结"),  # completed by status, no date: left out
        it(id="d", assigned=D(2024, 1, 10)),  # overdue (deadline 04-10)
        it(id="e", assigned=D(2024, 5, 10)),  # deadline 08-10: open, not yet due: left out
        it(id="f", assigned=D(2024, 4, 1)),  # deadline 07-01: due soon, left out
        it(id="g", replied=D(2024, 3, 1), status="已答复"),  # completed, no deadline: left out
    ])
    t = analysis.statistics.totals
    assert t["completed"] == 4  # a b c g
    assert (t["on_time"], t["late"], t["overdue"]) == (1, 1, 1)
    assert t["on_time_rate"] == 0.3333  # a / (a + b + d)
    assert t["completion_rate"] == 0.5714  # 4 / 7


def test_overdue_days_are_today_minus_deadline(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(id="one", deadline=D(2024, 6, 27)),  # 1 day
        it(id="month", deadline=D(2024, 5, 28)),  # 3 (May) + 28 = 31 days
        it(id="old", deadline=D(2023, 12, 31)),  # Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 + 28 = 180 days
        it(id="today", deadline=T),  # due today: not overdue
    ])
    overdue = [(i.id, i.days, i.deadline) for i in analysis.statistics.overdue_items]
    assert overdue == [("old", 180, D(2023, 12, 31)), ("month", 31, D(2024, 5, 28)), ("one", 1, D(2024, 6, 27))]
    data = analysis.statistics.to_json()
    assert [(i["id"], i["days_overdue"], i["deadline"]) for i in data["overdue_items"]] == [
        ("old", 180, "2023-12-31"), ("month", 31, "2024-05-28"), ("one", 1, "2024-06-27")]


@pytest.mark.parametrize("warn_days", [7, 3])
def test_due_soon_boundaries(tmp_path: Path, warn_days: int):
    config = parse_config(f"[ledger]\nwarn_days = {warn_days}\n")
    days = [-1, 0, 1, warn_days, warn_days + 1]
    analysis = analyse(tmp_path, [it(id=f"d{d}", deadline=T + dt.timedelta(days=d)) for d in days], config=config)
    s = analysis.statistics
    assert [(i.id, i.days) for i in s.due_soon_items] == [("d0", 0), ("d1", 1), (f"d{warn_days}", warn_days)]
    assert [(i.id, i.days) for i in s.overdue_items] == [("d-1", 1)]
    assert s.totals["in_progress"] == 4  # all but d-1; warn_days + 1 is open, not due soon
    assert s.totals["due_soon"] == 3


def test_excel_serial_number_in_a_date_column_is_that_date(tmp_path: Path):
    # 45292 = 2024-01-01, so 45356 (+64) = 2024-03-05; 45444 = 45356 + 88 = 2024-06-01 (26 days to
    # Mar 31, +30 Apr, +31 May = 87 -> May 31, 88 -> Jun 1); 45448.75 = 2024-06-05 18:00.
    analysis = analyse(tmp_path, [
        it(id="int", assigned=45356, replied=45444.0),
        it(id="text", assigned="45356"),
        it(id="fraction", deadline=45448.75),
        it(id="far", assigned=3000000),  # beyond 9999-12-31: not a date
        it(id="early", assigned=100),  # 1900-04-09: a serial, but no plausible date
    ], engine="xlsxwriter")
    items = analysis.ledger.items
    assert list(items["assigned"]) == [D(2024, 3, 5), D(2024, 3, 5), None, None, None]
    assert items["replied"].iat[0] == D(2024, 6, 1) and items["deadline"].iat[2] == D(2024, 6, 5)
    # int: deadline 2024-06-05, replied 06-01: completed on time
    assert analysis.classified.items["on_time"].tolist() == [True, False, False, False, False]
    date_problems = [(row, message) for row, column, _v, message, _s in problems_of(analysis) if column == "交办日期"]
    assert date_problems == [(5, "无法识别的日期"), (6, "日期超出合理范围")]


def test_reply_date_after_today_is_a_problem_and_not_completed(tmp_path: Path):
    analysis = analyse(tmp_path, [
        # status says done, but the reply date 2024-07-02 is after T: not completed; deadline 06-05: overdue 23 days
        it(id="future", assigned=D(2024, 3, 5), status="已办结", replied=D(2024, 7, 2)),
        it(id="tomorrow", assigned=D(2024, 6, 1), replied=D(2024, 6, 29)),  # deadline 09-01: open
        it(id="today", assigned=D(2024, 6, 1), replied=T),  # replied on T itself: completed
    ])
    t = analysis.statistics.totals
    assert (t["completed"], t["overdue"], t["in_progress"]) == (1, 1, 1)
    assert [(i.id, i.days) for i in analysis.statistics.overdue_items] == [("future", 23)]
    message = messages.REPLY_AFTER_TODAY.format(today="2024-06-28")
    assert problems_of(analysis) == [(2, "答复日期", "2024-07-02", message, "错误"),
                                     (3, "答复日期", "2024-06-29", message, "错误")]


def test_duplicate_ids_are_a_warning_and_both_rows_count(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(id="TA01", role="分办", section="甲科", assigned=D(2024, 5, 1)),
        it(id="ＴＡ01 ", role="分办", section="乙科", assigned=D(2024, 5, 1)),  # full-width, trailing space: same id
        it(id="TA02", section="乙科", assigned=D(2024, 5, 1)),
    ])
    s = analysis.statistics
    assert s.totals["total"] == 3 and s.groups["section"]["乙科"]["total"] == 2
    assert list(analysis.ledger.items["id"]) == ["TA01", "TA01", "TA02"]
    assert problems_of(analysis) == [
        (2, "编号", "TA01", messages.DUPLICATE_ID.format(rows="3"), "警告"),
        (3, "编号", "TA01", messages.DUPLICATE_ID.format(rows="2"), "警告"),
    ]


def test_values_compared_after_trimming_and_folding_full_width(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(role="主办 ", section="产业发展科 ", kind=" 政协提案", status="已办结 ", assigned=D(2024, 1, 2),
           replied=D(2024, 3, 1), reply_class="Ａ", satisfaction="满意　", contact=" 见面座谈 ", key_item=" 是"),
        it(role="主　办", section="产业发展科", kind="政协提案", status="已　办结", assigned=D(2024, 1, 2),
           replied=D(2024, 3, 1), reply_class=" ｂ ", satisfaction="基本满意", contact="电话联系"),
        it(role=" 协办", section="ＩＴ科", kind="人大建议 ", status="办理中", assigned=D(2024, 6, 1)),
        it(role="会办", section="IT科", kind="人大建议", status="已答复", assigned=D(2024, 1, 2),
           replied=D(2024, 4, 1), reply_class="C类 ", satisfaction="不满意"),
    ])
    s = analysis.statistics
    t = s.totals
    assert s.to_json()["by_role"] == {"主办": 2, "协办": 1, "会办": 1}
    assert {k: v["total"] for k, v in s.groups["section"].items()} == {"产业发展科": 2, "IT科": 2}
    assert {k: v["total"] for k, v in s.groups["kind"].items()} == {"政协提案": 2, "人大建议": 2}
    assert t["completed"] == 3 and t["key_items"] == 1
    assert t["reply_classes"] == {"A": 1, "B": 1, "C": 1}
    assert (t["satisfied"], t["basically_satisfied"], t["unsatisfied"]) == (1, 1, 1)
    assert t["face_to_face_rate"] == 0.5  # lead with contact: rows 1, 2; face to face: row 1
    assert problems_of(analysis) == []


def test_completed_status_without_reply_date(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(id="done", assigned=D(2024, 1, 2), status="已办结"),  # deadline 04-02 passed, but completed
        it(id="answered", assigned=D(2024, 1, 2), status="已答复"),
        it(id="open", assigned=D(2024, 1, 2), status="办理中"),  # overdue
    ])
    t = analysis.statistics.totals
    assert (t["completed"], t["overdue"], t["on_time"], t["late"]) == (2, 1, 0, 0)
    assert t["on_time_rate"] == 0.0  # 0 / (0 completed with a date + 1 overdue)
    assert problems_of(analysis) == [
        (2, "答复日期", "", messages.COMPLETED_WITHOUT_DATE.format(status="已办结"), "警告"),
        (3, "答复日期", "", messages.COMPLETED_WITHOUT_DATE.format(status="已答复"), "警告"),
    ]


def test_face_to_face_rate(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(role="主办", contact="见面座谈"),  # face to face
        it(role="主办", contact="电话联系"),
        it(role="主办", contact="实地调研"),  # face to face
        it(role="主办", contact="电话联系、走访"),  # face to face
        it(role="会办", contact="面商"),  # lead, face to face
        it(role="分办", contact="书面"),  # lead, not face to face (书面 is not 面商)
        it(role="主办"),  # no contact recorded: left out
        it(role="主办", contact="无"),  # "none": no contact recorded, left out
        it(role="协办", contact="见面座谈"),  # assisting: ignored
        it(role="协办", contact="实地调研"),  # assisting: ignored
    ])
    # lead items with a contact: 6 (rows 1-6); face to face: 4 (rows 1, 3, 4, 5) -> 0.6667
    assert analysis.statistics.totals["face_to_face_rate"] == 0.6667
    assert analysis.statistics.groups["role"]["协办"]["face_to_face_rate"] is None


def test_reply_classes_among_completed_lead_items_and_adoption_rate(tmp_path: Path):
    done = dict(assigned=D(2024, 1, 2), replied=D(2024, 3, 1), status="已办结")
    analysis = analyse(tmp_path, [
        it(role="主办", reply_class="A", **done),
        it(role="主办", reply_class="A类", **done),
        it(role="会办", reply_class="B类", **done),
        it(role="分办", reply_class="C", **done),
        it(role="主办", **done),  # completed lead without a class: in the denominator
        it(role="主办", reply_class="A", assigned=D(2024, 5, 2), status="已初步答复"),  # not completed
        it(role="协办", reply_class="A", **done),  # assisting
        it(role="主办", reply_class="B", assigned=D(2024, 5, 2), replied=D(2024, 7, 1)),  # reply after T
    ])
    t = analysis.statistics.totals
    assert t["reply_classes"] == {"A": 2, "B": 1, "C": 1}
    assert t["completed_lead"] == 5
    assert t["adoption_rate"] == 0.6  # (A 2 + B 1) / 5


def test_satisfaction_rate_and_share(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(satisfaction="满意"),
        it(satisfaction="非常满意"),  # synonym of 满意
        it(satisfaction="基本满意"),
        it(satisfaction="比较满意"),  # synonym of 基本满意
        it(satisfaction="不满意"),
        it(),  # not rated
        it(satisfaction="不太满意"),  # unreadable: a problem, not counted as 满意
    ])
    t = analysis.statistics.totals
    assert (t["satisfied"], t["basically_satisfied"], t["unsatisfied"], t["rated"]) == (2, 2, 1, 5)
    assert t["satisfaction_rate"] == 0.8  # (2 + 2) / 5
    assert t["satisfied_share"] == 0.4  # 2 / 5
    assert [(row, column, value) for row, column, value, *_ in problems_of(analysis)
            if column == "满意度"] == [(8, "满意度", "不太满意")]


def test_negated_words_are_not_matched_by_containment(tmp_path: Path):
    analysis = analyse(tmp_path, [
        it(id="n1", status="未完成", assigned=D(2024, 1, 2)),  # contains 完成 but says the opposite
        it(id="n2", status="未答复", assigned=D(2024, 1, 2)),
        it(id="n3", status="待答复", assigned=D(2024, 1, 2)),
        it(id="y1", status="已办结（正式答复）", assigned=D(2024, 1, 2), replied=D(2024, 3, 1)),
        it(id="y2", status="正式答复", assigned=D(2024, 1, 2), replied=D(2024, 3, 1)),
        it(id="w", satisfaction="很不满意"),  # contains 不满意 itself
    ])
    items = analysis.classified.items
    assert items["completed"].tolist() == [False, False, False, True, True, False]
    assert list(items["status"]) == [None, None, None, "已办结", "已答复", None]
    assert analysis.statistics.totals["overdue"] == 3 and analysis.statistics.totals["unsatisfied"] == 1
    assert [(row, value) for row, column, value, *_ in problems_of(analysis) if column == "办理状态"] == [
        (2, "未完成"), (3, "未答复"), (4, "待答复")]


def test_key_items_yes_values(tmp_path: Path):
    analysis = analyse(tmp_path, [it(key_item=v) for v in ["是", "√", "Y", "yes", True, 1, "重点", "否", None, "", 0]])
    assert analysis.statistics.totals["key_items"] == 7  # the first seven


def test_a_data_row_holding_a_header_word_is_not_a_second_header_row(tmp_path: Path):
    # "领衔人姓名" matches no column; the first item's proposer "代表" is a synonym of 提案人. Both rows count.
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, ["编号", "案由", "办理类型", "承办科室", "领衔人姓名"],
                 [["TA1", "标题一", "主办", "甲科", "代表"], ["TA2", "标题二", "主办", "甲科", "王某"]])
    analysis = analyse_file(path, Config(), T)
    assert analysis.ledger.header_rows == [1]
    assert list(analysis.ledger.items["id"]) == ["TA1", "TA2"]


def test_zero_denominator_rates_are_null_in_json_and_dash_in_text(tmp_path: Path):
    # One assisting item, open and not yet due: nothing completed, overdue, rated or contacted.
    path = tmp_path / "ledger.xlsx"
    write_items(path, [it(role="协办", assigned=D(2024, 6, 20))])
    analysis = analyse_file(path, Config(), T)
    t = analysis.statistics.totals
    assert t["completion_rate"] == 0.0  # 0 / 1: a real zero
    for key in ("on_time_rate", "satisfaction_rate", "satisfied_share", "face_to_face_rate", "adoption_rate"):
        assert t[key] is None, key
    assert format_rate(None) == "—" and format_rate(0.0) == "0.0%" and format_rate(0.73913) == "73.9%"
    text = stats_text(analysis.statistics, Config()).splitlines()
    assert any(line.split() == ["按时办结率", "—"] for line in text)
    assert any(line.split() == ["办结率", "0.0%"] for line in text)
    runner = CliRunner()
    result = runner.invoke(main, ["stats", str(path), "--today", "2024-06-28", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["on_time_rate"] is None and data["satisfaction_rate"] is None and data["adoption_rate"] is None
    assert data["completion_rate"] == 0.0
    assert data["by_section"]["甲科"]["on_time_rate"] is None
    assert '"on_time_rate": null' in result.output
    result = runner.invoke(main, ["stats", str(path), "--today", "2024-06-28"])
    assert result.exit_code == 0 and "—" in result.output and "nan" not in result.output.lower()


def test_header_only_ledger_has_no_items_and_null_rates(tmp_path: Path):
    path = tmp_path / "empty.xlsx"
    write_ledger(path, headers_of(["id", "title", "role", "section", "assigned"]), [], title_rows=1)
    analysis = analyse_file(path, Config(), T)
    t = analysis.statistics.totals
    assert t["total"] == 0 and t["completion_rate"] is None and t["on_time_rate"] is None
    assert analysis.statistics.overdue_items == [] and analysis.statistics.problems == []


def test_parse_date_keeps_true_one_and_one_point_zero_apart():
    # They are equal (and hash alike) in Python; a cache keyed on them alone would mix them up.
    from automation.dates import parse_date

    assert parse_date(1.0, 2024).problem == messages.DATE_OUT_OF_RANGE  # serial 1 = 1900-01-01
    assert parse_date(True, 2024).problem == messages.BAD_DATE  # a tick box is not a date
    assert parse_date(1, 2024).problem == messages.DATE_OUT_OF_RANGE
    assert parse_date(45356, 2024).value == parse_date(45356.0, 2024).value == D(2024, 3, 5)
    assert parse_date(10**400, 2024).problem == messages.BAD_DATE  # too large for a float: no crash
