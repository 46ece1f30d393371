"""Cells merged down over several items (one 承办科室 / 分管领导 for a group of rows)."""

import datetime as dt

import openpyxl

from automation.analysis import analyse_file
from automation.config import Config

T = dt.date(2026, 6, 28)


def test_a_section_merged_down_counts_for_each_of_its_rows(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    sheet.append(["2026年提案办理台账"])
    sheet.merge_cells("A1:F1")  # the title: merged across, never taken as a value
    sheet.append(["编号", "案由", "办理类型", "承办科室", "分管领导", "交办日期"])
    sheet.append(["TA1", "关于甲的建议", "主办", "产业发展科", "王建国", dt.date(2026, 3, 1)])  # overdue (06-01)
    sheet.append(["TA2", "关于乙的建议", "主办", None, None, dt.date(2026, 3, 2)])  # overdue (06-02)
    sheet.append(["TA3", "关于丙的建议", "协办", None, None, dt.date(2026, 6, 20)])  # due 07-20
    sheet.append(["TA4", "关于丁的建议", "主办", "企业服务科", "李红梅", dt.date(2026, 5, 1)])
    sheet.append(["备注：本表每周更新", None, None, None, None, None])
    sheet.merge_cells("D3:D5")
    sheet.merge_cells("E3:E5")
    sheet.merge_cells("A7:F7")  # a note spread across the width is not an item
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    statistics = analyse_file(path, Config(), T).statistics
    assert statistics.totals["total"] == 4
    assert {label: figures["total"] for label, figures in statistics.groups["section"].items()} == {
        "产业发展科": 3, "企业服务科": 1}
    assert [(item.id, item.section, item.leader) for item in statistics.overdue_items] == [
        ("TA1", "产业发展科", "王建国"), ("TA2", "产业发展科", "王建国")]
    assert not [p for p in statistics.problems if p.column == "承办科室"]
