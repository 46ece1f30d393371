"""How a snapshot's states are stored (issue 14 point 4): as flat id and section lists, decoded
only when read, and files written in the first format (a list of [id, section] pairs per state)
still read the same."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from automation.history import HistoryStore, Snapshot, StoredStates, load_history

STATES = {
    "on_time": [("TA01", "产业发展科"), ("JY06", "办公室")],
    "late": [("TA02", "产业发展科")],
    "completed_other": [],
    "overdue": [("TA03", "（未填写）"), ("TA08", "规划科")],
    "due_soon": [("TA04", "规划科")],
    "in_progress": [("TA04", "规划科"), ("JY05", "办公室")],
}
FIGURES = {"total": 8, "completed": 3, "overdue": 2}


def test_states_are_stored_as_flat_lists_and_read_back_equal_in_item_order(tmp_path: Path):
    path = tmp_path / "台账.history.sqlite"
    with HistoryStore(path) as store:
        store.save(Snapshot(dt.date(2024, 6, 28), FIGURES, STATES, command="refresh"))
    column = sqlite3.connect(path).execute("SELECT states FROM snapshots").fetchone()[0]
    assert json.loads(column)["overdue"] == {"ids": ["TA03", "TA08"], "sections": ["（未填写）", "规划科"]}
    assert json.loads(column)["completed_other"] == {"ids": [], "sections": []}
    [loaded] = load_history(tmp_path / "台账.xlsx")
    assert isinstance(loaded.states, StoredStates) and loaded.states._decoded is None  # not decoded yet
    assert loaded.figures == FIGURES
    assert dict(loaded.states) == STATES  # same pairs, same order
    assert loaded.keys("overdue") == {("TA03", "（未填写）"), ("TA08", "规划科")}
    assert loaded.completed == {("TA01", "产业发展科"), ("JY06", "办公室"), ("TA02", "产业发展科")}


def test_a_file_in_the_first_format_reads_the_same_and_is_rewritten_in_the_new_one(tmp_path: Path):
    path = tmp_path / "台账.history.sqlite"
    with HistoryStore(path) as store:  # the schema; the row below is what the first version wrote
        store._db.execute(
            "INSERT INTO snapshots (as_of, figures, states) VALUES (?, ?, ?)",
            ("2024-06-21", json.dumps(FIGURES), json.dumps({s: [list(k) for k in keys] for s, keys in STATES.items()},
                                                           ensure_ascii=False)))
        store._db.commit()
    [loaded] = load_history(tmp_path / "台账.xlsx")
    assert loaded.states == STATES
    with HistoryStore(path) as store:
        store.save(Snapshot(dt.date(2024, 6, 28), FIGURES, loaded.states, command="refresh"))
        rows = dict(store._db.execute("SELECT as_of, states FROM snapshots").fetchall())
    assert json.loads(rows["2024-06-28"])["late"] == {"ids": ["TA02"], "sections": ["产业发展科"]}
    assert [s.states for s in load_history(tmp_path / "台账.xlsx")] == [STATES, STATES]


def test_opening_a_file_of_this_version_writes_nothing(tmp_path: Path):
    path = tmp_path / "台账.history.sqlite"
    with HistoryStore(path) as store:
        store.save(Snapshot(dt.date(2024, 6, 28), FIGURES, STATES, command="refresh"))
    statements: list[str] = []
    store = HistoryStore.__new__(HistoryStore)  # what __init__ runs, traced
    real_connect = sqlite3.connect

    def traced(*args, **kwargs):
        connection = real_connect(*args, **kwargs)
        connection.set_trace_callback(statements.append)
        return connection

    sqlite3.connect = traced
    try:
        store.__init__(path)
    finally:
        sqlite3.connect = real_connect
    store.close()
    assert statements == ["PRAGMA user_version"]
    with HistoryStore(path) as again:  # and the data is all there
        assert [s.as_of for s in again.snapshots()] == [dt.date(2024, 6, 28)]
