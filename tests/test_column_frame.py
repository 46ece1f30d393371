"""A unit's ledger in a folder is read into plain numpy columns (automation/column_frame.py),
not a pandas DataFrame (issue 15 point 6: pandas' fixed costs per frame and per column access
outweighed a small unit's values). Every flag, count, list and problem must be what the
DataFrame gives; the figures are the STANDARD items' hand count (tests/ledger_factory.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from automation import messages
from automation.column_frame import Column, ColumnFrame
from automation.config import Config
from automation.ledger import read_ledger
from automation.rules import classify, flagged_items
from automation.stats import count_arrays
from automation.units import UnitJob, read_unit
from tests.ledger_factory import STANDARD_KEYS, STANDARD_TODAY, headers_of, standard_rows, write_ledger

D = dt.date


def _with_problem_rows() -> list[list]:
    """The eight STANDARD items and three rows that the reader and the rules flag: TA01 again
    (a duplicate id), a row without an assigned date or deadline, a reply after today."""
    rows = standard_rows()
    index = {key: position for position, key in enumerate(STANDARD_KEYS)}

    def row(**values) -> list:
        made = [None] * len(STANDARD_KEYS)
        for key, value in values.items():
            made[index[key]] = value
        return made

    rows.append(row(id="TA01", title="关于重复编号的建议", role="主办", section="产业发展科", assigned=D(2024, 6, 1),
                    status="办理中"))  # row 10: deadline 2024-09-01, in progress
    rows.append(row(id="TA10", title="关于没有日期的建议", role="主办", section="产业发展科", status="办理中"))  # row 11
    rows.append(row(id="TA11", title="关于答复日期在后的建议", role="主办", section="企业服务科", assigned=D(2024, 3, 1),
                    status="已答复", replied=D(2024, 7, 2)))  # row 12: deadline 2024-06-01, reply after today
    return rows


def _write(path: Path) -> Path:
    write_ledger(path, headers_of(STANDARD_KEYS), _with_problem_rows())
    return path


def test_a_units_ledger_is_read_into_plain_columns(tmp_path: Path):
    path = _write(tmp_path / "单位甲.xlsx")
    ledger = read_ledger(path, Config(), STANDARD_TODAY, plain_columns=True)
    assert isinstance(ledger.items, ColumnFrame)
    assert len(ledger.items) == 11
    assert ledger.items["excel_row"].to_numpy().tolist() == list(range(2, 13))  # header in row 1
    classified = classify(ledger, Config(), STANDARD_TODAY)
    flags = {name: np.flatnonzero(classified.items[name].to_numpy()).tolist()
             for name in ("completed", "overdue", "due_soon", "on_time", "late")}
    # By hand (ledger_factory.STANDARD): completed r0 r1 r5 r6; overdue r2 r7 and TA11 (row 12:
    # deadline 06-01, its reply of 07-02 is after today, so not completed); due soon r3.
    assert flags == {"completed": [0, 1, 5, 6], "overdue": [2, 7, 10], "due_soon": [3],
                     "on_time": [0, 5, 6], "late": [1]}
    overdue, due_soon = flagged_items(classified)
    assert [(item.id, item.days, item.excel_row) for item in overdue] == [
        ("TA08", 39, 9), ("TA11", 27, 12), ("TA03", 18, 4)]  # 2024-06-01 + 27 days = 06-28
    assert [(item.id, item.days) for item in due_soon] == [("TA04", 3)]


def test_plain_columns_give_what_the_dataframe_gives(tmp_path: Path):
    path = _write(tmp_path / "单位甲.xlsx")
    plain = classify(read_ledger(path, Config(), STANDARD_TODAY, plain_columns=True), Config(), STANDARD_TODAY)
    frame = classify(read_ledger(path, Config(), STANDARD_TODAY), Config(), STANDARD_TODAY)
    assert not isinstance(frame.items, ColumnFrame)
    assert flagged_items(plain) == flagged_items(frame)
    plain_counts, frame_counts = count_arrays(plain.items, Config()), count_arrays(frame.items, Config())
    assert list(plain_counts) == list(frame_counts)
    for name in frame_counts:
        assert plain_counts[name].tolist() == frame_counts[name].tolist(), name
    assert plain.all_problems == frame.all_problems
    found = {(problem.row, problem.message) for problem in plain.all_problems}
    assert (11, messages.NO_DEADLINE) in found  # no assigned date, no deadline
    assert (12, messages.REPLY_AFTER_TODAY.format(today="2024-06-28")) in found
    assert (2, messages.DUPLICATE_ID.format(rows="10")) in found and (10, messages.DUPLICATE_ID.format(rows="2")) in found
    assert plain.warnings == frame.warnings


def test_a_folder_unit_part_has_the_hand_counted_figures(tmp_path: Path):
    path = _write(tmp_path / "单位甲.xlsx")
    part = read_unit(UnitJob(path, None, None, STANDARD_TODAY))
    assert part.error is None
    totals = part.totals
    assert (totals["total"], totals["completed"], totals["overdue"], totals["due_soon"]) == (11, 4, 3, 1)
    assert (totals["on_time"], totals["late"], totals["key_items"]) == (3, 1, 1)
    assert part.counts["unit"] == {"单位甲": totals}
    assert [item.id for item in part.overdue] == ["TA08", "TA11", "TA03"]
    assert {item.unit for item in part.overdue} == {"单位甲"}


def test_column_operations_match_a_series():
    values = np.empty(4, dtype=object)
    values[:] = ["已办结", None, "办理中", "已办结"]
    column = Column(values)
    assert column.isin(["已办结", "已答复"]).to_numpy().tolist() == [True, False, False, True]
    assert list(column) == ["已办结", None, "办理中", "已办结"] and column.tolist() == list(column)
    flags = np.empty(3, dtype=object)
    flags[:] = [True, None, False]
    assert Column(flags).to_numpy(dtype=bool).tolist() == [True, False, False]  # None counts as not set
    frame = ColumnFrame.of({"status": values})
    grown = frame.with_columns({"deadline": [D(2024, 1, 1), None, D(2024, 2, 1), None], "flag": np.zeros(4, bool)})
    assert grown["deadline"].to_numpy().dtype == object and grown["deadline"].tolist()[:2] == [D(2024, 1, 1), None]
    assert "deadline" in grown and "deadline" not in frame and len(grown) == 4
    assert grown.columns == ["status", "deadline", "flag"]


def test_a_summary_whose_ledger_sheet_reads_is_still_skipped(tmp_path: Path):
    # A district summary is told by its sheets once read (no separate look into the zip): here one
    # that holds a readable ledger sheet too, besides 汇总说明 and 单位统计.
    path = tmp_path / "汇总.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(),
                 extra_sheets_after={messages.SHEET_DISTRICT_INFO: [["说明"]], messages.SHEET_UNITS: [["单位"]]})
    part = read_unit(UnitJob(path, None, None, STANDARD_TODAY))
    assert part.skipped and part.error == messages.UNIT_SKIPPED_SUMMARY.format(file="汇总.xlsx")
    assert part.totals == {}

