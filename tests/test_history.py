"""Progress over time (issue 16): the history of every run, backfill, the 进展 sheet.

The ledger is the eight STANDARD items (every completed one has a reply date), counted by hand
at three past dates besides the standard date 2024-06-28:

    item  deadline    replied     06-07            06-14            06-21            06-28
    TA01  2024-06-05  2024-05-20  on time          on time          on time          on time
    TA02  2024-06-05  2024-06-10  overdue (2 d)    late             late             late
    TA03  2024-06-10  —           due soon (3 d)   overdue          overdue          overdue (18 d)
    TA04  2024-07-01  —           in progress      in progress      in progress      due soon (3 d)
    JY05  2024-07-20  —           in progress      in progress      in progress      in progress
    JY06  2024-04-15  2024-04-10  on time          on time          on time          on time
    JY07  2024-05-15  2024-05-14  on time          on time          on time          on time
    TA08  2024-05-20  —           overdue          overdue          overdue          overdue (39 d)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from automation import messages
from automation.analysis import analyse_file
from automation.config import load_config
from automation.history import (HistoryStore, Snapshot, changes, fallback_path, history_path, load_history,
                                snapshot_of)
from tests.ledger_factory import STANDARD_KEYS, headers_of, item, run_cli, standard_rows, write_ledger
from tests.xlsx_helpers import soffice_resave

D = dt.date
NOT_FIGURES = ("as_of", "sheet", "overdue_items", "due_soon_items", "problems")


def standard_ledger(folder: Path, extra: list[dict] | None = None) -> Path:
    path = folder / "台账.xlsx"
    rows = standard_rows() + [item(STANDARD_KEYS, **values) for values in (extra or [])]
    write_ledger(path, headers_of(STANDARD_KEYS), rows, title_rows=1)
    return path


def figures_of(contract: dict) -> dict:
    return {key: value for key, value in contract.items() if key not in NOT_FIGURES}


def history_json(path: Path) -> list[dict]:
    result = run_cli("history", path, "--json", cwd=path.parent)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_stats_on_three_dates_leaves_three_snapshots_equal_to_their_json(tmp_path: Path):
    path = standard_ledger(tmp_path)
    before = path.read_bytes()
    runs = {}
    for day in ("2024-06-14", "2024-06-07", "2024-06-28", "2024-06-14"):  # the last run replaces the first
        result = run_cli("stats", path, "--today", day, "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        runs[day] = json.loads(result.stdout)
    snapshots = history_json(path)
    assert [s["as_of"] for s in snapshots] == ["2024-06-07", "2024-06-14", "2024-06-28"]  # oldest first, one a day
    for snapshot in snapshots:
        contract = runs[snapshot["as_of"]]
        assert {k: v for k, v in snapshot.items() if k not in ("as_of", "reconstructed", "unplaced")} \
            == figures_of(contract)
        assert snapshot["reconstructed"] is True  # --today is not the day it ran
    by_day = {s["as_of"]: s for s in snapshots}
    # by hand (table above)
    assert [(by_day[d]["completed"], by_day[d]["overdue"], by_day[d]["due_soon"], by_day[d]["in_progress"])
            for d in ("2024-06-07", "2024-06-14", "2024-06-28")] == [(3, 2, 1, 3), (4, 2, 0, 2), (4, 2, 1, 2)]
    assert by_day["2024-06-28"]["by_section"]["企业服务科"]["overdue"] == 1
    # the history lives beside the ledger; the ledger itself is not touched
    assert history_path(path).is_file() and path.read_bytes() == before

    text = run_cli("history", path, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == messages.HISTORY_TITLE.format(ledger=str(path), count=3)
    assert lines[3].split()[:5] == ["2024-06-07", "8", "3", "3", "2"]


def test_the_states_of_a_snapshot_hold_the_ids_of_each_figure(tmp_path: Path):
    path = standard_ledger(tmp_path)
    config = load_config(None, path)
    snapshot = snapshot_of(analyse_file(path, config, D(2024, 6, 28)))
    ids = {state: sorted(i for i, _ in keys) for state, keys in snapshot.states.items()}
    assert ids == {"on_time": ["JY06", "JY07", "TA01"], "late": ["TA02"], "completed_other": [],
                   "overdue": ["TA03", "TA08"], "due_soon": ["TA04"], "in_progress": ["JY05", "TA04"]}
    assert ("TA08", "企业服务科") in snapshot.keys("overdue")


def test_a_kept_snapshot_is_replaced_by_a_rerun_but_never_by_a_reconstruction(tmp_path: Path):
    store = HistoryStore(tmp_path / "h.sqlite")
    kept = Snapshot(D(2024, 6, 21), {"completed": 4}, {"overdue": [("TA08", "企业服务科")]})
    assert store.save(kept)
    assert not store.save(Snapshot(D(2024, 6, 21), {"completed": 1}, {}, reconstructed=True))
    assert store.snapshots()[0].figures == {"completed": 4}
    assert store.save(Snapshot(D(2024, 6, 21), {"completed": 5}, {}))  # a rerun the same day
    assert [s.figures for s in store.snapshots()] == [{"completed": 5}]
    store.close()


def test_backfill_equals_stats_today_at_each_past_date(tmp_path: Path):
    path = standard_ledger(tmp_path)
    result = run_cli("history", path, "--backfill", "--weeks", "3", "--today", "2024-06-28", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert messages.BACKFILL_DONE.format(count=3, first="2024-06-07", last="2024-06-21") in result.stdout
    assert "已办结但没有答复日期" not in result.stdout  # every completion here has its reply date
    snapshots = history_json(path)
    assert [s["as_of"] for s in snapshots] == ["2024-06-07", "2024-06-14", "2024-06-21"]
    assert all(s["reconstructed"] for s in snapshots)

    # `stats --today T` on the same file (a copy in another folder, so it keeps its own history)
    other = tmp_path / "copy"
    other.mkdir()
    copy = other / path.name
    shutil.copy(path, copy)
    for snapshot in snapshots:
        stats = run_cli("stats", copy, "--today", snapshot["as_of"], "--json", cwd=other)
        assert stats.returncode == 0, stats.stderr
        assert {k: v for k, v in snapshot.items() if k not in ("as_of", "reconstructed", "unplaced")} \
            == figures_of(json.loads(stats.stdout))
    # 06-07: TA02 replied on 06-10, after T: not completed then, and overdue (deadline 06-05)
    first = snapshots[0]
    assert (first["completed"], first["overdue"], first["due_soon"], first["on_time"], first["late"]) == (3, 2, 1, 3, 0)


def test_backfill_keeps_real_snapshots_and_names_what_it_cannot_place(tmp_path: Path):
    path = standard_ledger(tmp_path, extra=[dict(seq=9, id="TA09", title="关于状态办结的建议", role="主办",
                                                 section="产业发展科", assigned=D(2024, 3, 1), status="已办结")])
    config = load_config(None, path)
    # a snapshot kept on its own day (the run's as-of date is the day it ran)
    real = snapshot_of(analyse_file(path, config, D(2024, 6, 14)), command="stats")
    with HistoryStore(history_path(path)) as store:
        store.save(real)
    result = run_cli("history", path, "--backfill", "--weeks", "2", "--today", "2024-06-28", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert messages.BACKFILL_KEPT.format(count=1, dates="2024-06-14") in result.stdout
    assert messages.BACKFILL_UNPLACED.format(count=1, ids="TA09") in result.stdout
    snapshots = history_json(path)
    assert [(s["as_of"], s["reconstructed"]) for s in snapshots] == [("2024-06-14", False), ("2024-06-21", True)]
    assert snapshots[1]["unplaced"] == ["TA09"]


def test_recording_never_fails_the_command_and_falls_back_to_the_users_folder(tmp_path: Path, monkeypatch):
    path = standard_ledger(tmp_path)
    history_path(path).mkdir()  # the ledger's folder cannot take the history file
    data_home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    result = run_cli("stats", path, "--today", "2024-06-28", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # stdout stays one JSON object: the notice goes to stderr
    fallback = fallback_path(path, {"XDG_DATA_HOME": str(data_home), "HOME": str(tmp_path)})
    assert messages.HISTORY_FALLBACK.format(path=history_path(path), fallback=fallback) in result.stderr
    assert fallback.is_file()
    assert [s["as_of"] for s in history_json(path)] == ["2024-06-28"]

    # neither place can be written: one line, and the command still succeeds
    shutil.rmtree(data_home)
    data_home.write_text("not a folder")
    result = run_cli("stats", path, "--today", "2024-06-27", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "未能记入历史" in result.stderr and "Traceback" not in result.stderr


def test_changes_between_two_snapshots_by_hand(tmp_path: Path):
    path = standard_ledger(tmp_path)
    config = load_config(None, path)
    then = snapshot_of(analyse_file(path, config, D(2024, 6, 7)))
    now = snapshot_of(analyse_file(path, config, D(2024, 6, 28)))
    moved = changes(then, now)
    assert [i for i, _ in moved.newly_completed] == ["TA02"] and [i for i, _ in moved.newly_late] == ["TA02"]
    assert moved.newly_on_time == []
    assert [i for i, _ in moved.newly_overdue] == ["TA03"]  # overdue now {TA03, TA08}, then {TA02, TA08}
    assert [i for i, _ in moved.still_overdue] == ["TA08"]
    assert moved.by_section() == {
        "企业服务科": {"newly_completed": 1, "newly_on_time": 0, "newly_late": 1, "newly_overdue": 0,
                  "still_overdue": 1},
        "产业发展科": {"newly_completed": 0, "newly_on_time": 0, "newly_late": 0, "newly_overdue": 1,
                  "still_overdue": 0},
    }


def _sheet_rows(data: bytes, name: str) -> list[tuple]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return [row for row in book[name].iter_rows(values_only=True) if any(v is not None for v in row)]


def test_refresh_adds_the_progress_sheet_and_leaves_the_staff_sheets_byte_identical(tmp_path: Path):
    path = standard_ledger(tmp_path)
    assert run_cli("history", path, "--backfill", "--weeks", "3", "--today", "2024-06-28",
                   cwd=tmp_path).returncode == 0
    before = zipfile.ZipFile(path)
    staff = {name: before.read(name) for name in before.namelist()}
    result = run_cli("refresh", path, "--today", "2024-06-28", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = zipfile.ZipFile(path)
    assert staff["xl/worksheets/sheet1.xml"] == after.read("xl/worksheets/sheet1.xml")  # the ledger sheet
    for name, data in staff.items():
        if name.startswith(("xl/worksheets/", "xl/sharedStrings", "xl/theme", "docProps/")) and \
                name in after.namelist():
            assert after.read(name) == data or name.endswith(".rels"), name

    rows = _sheet_rows(path.read_bytes(), messages.SHEET_PROGRESS)
    assert rows[1][0] == messages.PROGRESS_TITLE
    trend = rows[rows.index(tuple(messages.PROGRESS_TREND_HEADER) + (None,)) + 1:][:4]
    assert [r[:4] for r in trend] == [("2024-06-07", 3, 2, 3), ("2024-06-14", 4, 2, 2), ("2024-06-21", 4, 2, 2),
                                      ("2024-06-28", 4, 2, 2)]
    heading = messages.PROGRESS_CHANGES.format(then="2024-06-21", days=7)
    assert (heading,) + (None,) * 6 in rows
    # 06-21 → 06-28: nothing newly completed or overdue; TA03 and TA08 still overdue, longest first
    still = rows.index((messages.PROGRESS_STILL_OVERDUE.format(count=2),) + (None,) * 6)
    assert [r[0] for r in rows[still + 2:still + 4]] == ["TA08", "TA03"]
    assert [r[6] for r in rows[still + 2:still + 4]] == [39, 18]


def test_progress_sheet_without_history_says_so(tmp_path: Path):
    path = standard_ledger(tmp_path)
    out = tmp_path / "out.xlsx"
    result = run_cli("refresh", path, "--today", "2024-06-28", "--output", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = _sheet_rows(out.read_bytes(), messages.SHEET_PROGRESS)
    assert rows[2][0] == messages.PROGRESS_NO_HISTORY
    assert (messages.PROGRESS_NO_BASELINE,) + (None,) * 6 in rows


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_progress_sheet_survives_libreoffice(tmp_path: Path):
    path = standard_ledger(tmp_path)
    assert run_cli("history", path, "--backfill", "--weeks", "3", "--today", "2024-06-28",
                   cwd=tmp_path).returncode == 0
    out = tmp_path / "refreshed.xlsx"
    assert run_cli("refresh", path, "--today", "2024-06-28", "--output", out, cwd=tmp_path).returncode == 0
    back = soffice_resave(out, tmp_path / "lo", tmp_path / "profile")
    assert back.is_file(), "LibreOffice did not open the refreshed workbook"
    import openpyxl

    book = openpyxl.load_workbook(back)
    sheet = book[messages.SHEET_PROGRESS]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    trend_at = next(i for i, r in enumerate(rows) if r[0] == "统计日期")
    assert [r[:3] for r in rows[trend_at + 1:trend_at + 5]] == [
        ("2024-06-07", 3, 2), ("2024-06-14", 4, 2), ("2024-06-21", 4, 2), ("2024-06-28", 4, 2)]
    assert len(sheet._charts) == 2  # both line charts kept by LibreOffice
    assert {type(chart).__name__ for chart in sheet._charts} == {"LineChart"}


def test_load_history_reads_nothing_when_there_is_none(tmp_path: Path):
    assert load_history(tmp_path / "无.xlsx") == []


def test_user_mistakes_get_one_clear_sentence(tmp_path: Path):
    path = standard_ledger(tmp_path)
    result = run_cli("history", path, "--backfill", "--weeks", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(messages.BACKFILL_BAD_WEEKS.format(weeks=0))
    missing = run_cli("history", tmp_path / "无此台账.xlsx", cwd=tmp_path)
    assert missing.returncode == 2
    assert messages.FILE_NOT_FOUND.format(path=tmp_path / "无此台账.xlsx") in missing.stderr
    empty = run_cli("history", path, cwd=tmp_path)
    assert empty.returncode == 0 and empty.stdout.strip() == messages.HISTORY_EMPTY.format(ledger=str(path))
    assert "Traceback" not in result.stderr + missing.stderr
