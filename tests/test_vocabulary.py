"""What clerks type in the status and satisfaction columns, read as they mean it."""

import datetime as dt

import pytest

from automation.analysis import analyse_grid
from automation.config import Config

HEADER = ["编号", "案由", "办理类型", "承办科室", "交办日期", "办理状态", "满意度"]


@pytest.mark.parametrize("status, completed", [
    ("已答复，待测评", True),   # a later step pending does not undo the reply
    ("已办结（答复）", True),
    ("正在办理中", False),
    ("尚未答复", False),        # negated right before the word
    ("待答复", False),
    ("未完成", False),
])
def test_status_words_with_context(status, completed):
    grid = [HEADER, ["TA1", "关于某事的建议", "主办", "产业发展科", dt.date(2026, 5, 1), status, None]]
    statistics = analyse_grid(grid, "台账", Config(), dt.date(2026, 6, 28)).statistics
    assert statistics.totals["completed"] == (1 if completed else 0)


@pytest.mark.parametrize("text, counted", [("满意（电话测评）", "satisfied"), ("不太满意", None), ("很满意", "satisfied")])
def test_satisfaction_words_with_context(text, counted):
    grid = [HEADER, ["TA1", "关于某事的建议", "主办", "产业发展科", dt.date(2026, 3, 1), "已办结", text]]
    totals = analyse_grid(grid, "台账", Config(), dt.date(2026, 6, 28)).statistics.totals
    assert totals["rated"] == (1 if counted else 0)
    if counted:
        assert totals[counted] == 1
