"""Progress over time: snapshots of every figure, kept in a small SQLite file beside the ledger.

A snapshot is the figures of the `stats --json` contract as of a date T (overall and by
section), and the items in each state, as (id, section) pairs. Kept snapshots are what a run
computed on its own day; reconstructed ones (backfill, or a run with `--today` other than the
day it ran) apply the same rules to the ledger as it is now (DOMAIN.md "Progress over time").

* `snapshot_of` and `changes` are pure; `reconstruct` is pure of (ledger bytes, config, dates).
* `HistoryStore` is the SQLite file: one snapshot per as-of date, a rerun the same day replaces
  it, a reconstructed snapshot never replaces a kept one. Classic rollback journal (not WAL),
  like the reminder log, so it works on a network share.
* `record_snapshot` is what the commands call: it never fails a command. When the ledger's
  folder cannot be written it falls back to the user's data folder, else it says so in one line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from automation import messages

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    as_of TEXT PRIMARY KEY,
    recorded_at TEXT NOT NULL DEFAULT '',
    reconstructed INTEGER NOT NULL DEFAULT 0,
    command TEXT NOT NULL DEFAULT '',
    figures TEXT NOT NULL,
    states TEXT NOT NULL,
    unplaced TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS bulletins (
    as_of TEXT PRIMARY KEY,
    since TEXT NOT NULL,
    made_at TEXT NOT NULL DEFAULT '',
    output TEXT NOT NULL DEFAULT ''
);
"""

#: Keys of the stats JSON that are lists of items or context, not figures.
NOT_FIGURES = ("as_of", "sheet", "overdue_items", "due_soon_items", "problems")
#: The states whose items a snapshot keeps. in_progress is as in the contract (not completed,
#: not overdue: due-soon items are in it too), so each list's length is that figure.
STATES = ("on_time", "late", "completed_other", "overdue", "due_soon", "in_progress")
HISTORY_SUFFIX = ".history.sqlite"

Key = tuple[str, str]  # (id, section): one id may be split between two sections


@dataclass(frozen=True)
class Snapshot:
    """Every figure as of a date, and the (id, section) of the items in each state."""

    as_of: dt.date
    figures: dict[str, Any]
    states: Mapping[str, list[Key]]  # a dict, or a StoredStates decoded when first read
    reconstructed: bool = False
    unplaced: tuple[str, ...] = ()  # ids completed by status alone: cannot be placed in time
    recorded_at: str = ""
    command: str = ""

    def keys(self, state: str) -> set[Key]:
        return set(self.states.get(state, ()))

    @property
    def completed(self) -> set[Key]:
        return self.keys("on_time") | self.keys("late") | self.keys("completed_other")

    def to_json(self) -> dict[str, Any]:
        """As `ledger history --json` prints it: as_of, the contract's figures, reconstructed."""
        return {"as_of": self.as_of.isoformat(), **self.figures, "reconstructed": self.reconstructed,
                "unplaced": list(self.unplaced)}


def snapshot_of(analysis, *, reconstructed: bool = False, command: str = "", recorded_at: str = "") -> Snapshot:
    """The snapshot of an analysis (pure): its statistics' figures and its items' states."""
    statistics = analysis.statistics
    cached = _cached(analysis, "_history_snapshot", lambda: _states_of(analysis))
    figures, states, unplaced = cached
    return Snapshot(statistics.as_of, dict(figures), dict(states), reconstructed, unplaced, recorded_at, command)


def _cached(analysis, name: str, compute):
    """A value computed once per analysis: a refresh needs the snapshot twice (the 进展 sheet,
    then the history), and on a 50,000-row ledger each computation costs a tenth of a second."""
    found = getattr(analysis, name, None)
    if found is None:
        found = compute()
        setattr(analysis, name, found)
    return found


def item_keys(analysis) -> list[Key]:
    """(id, section) of each item row, the section labelled as the figures group it (a blank
    section is "（未填写）"); computed once per analysis."""
    from automation.distinct import map_distinct
    from automation.stats import group_label

    def compute():
        items = analysis.classified.items
        return list(zip(map_distinct(items["id"].tolist(), str),
                        map_distinct(items["section"].tolist(), group_label)))

    return _cached(analysis, "_history_keys", compute)


def _states_of(analysis):
    import numpy as np

    from dataclasses import replace

    # the contract without its item lists, which a snapshot leaves out (thousands of overdue
    # items and problems on a big ledger would be turned into JSON objects only to be dropped)
    payload = replace(analysis.statistics, overdue_items=[], due_soon_items=[], problems=[]).to_json()
    figures = {key: value for key, value in payload.items() if key not in NOT_FIGURES}
    items = analysis.classified.items
    keys = item_keys(analysis)
    flag = {name: items[name].to_numpy(dtype=bool) for name in ("completed", "on_time", "late", "overdue",
                                                                 "due_soon", "in_progress")}
    masks = {
        "on_time": flag["completed"] & flag["on_time"],
        "late": flag["completed"] & flag["late"],
        "completed_other": flag["completed"] & ~flag["on_time"] & ~flag["late"],
        "overdue": flag["overdue"],
        "due_soon": flag["due_soon"],
        "in_progress": flag["in_progress"],
    }
    states = {state: [keys[index] for index in np.flatnonzero(masks[state]).tolist()] for state in STATES}
    return figures, states, tuple(unplaced_ids(analysis))


def unplaced_ids(analysis) -> list[str]:
    """Ids completed by their status alone (已办结 / 已答复 with no reply date): a past date
    cannot say whether they were completed then."""
    import operator
    from itertools import compress, repeat

    items = analysis.classified.items
    completed = items["completed"].to_numpy(dtype=bool).tolist()
    no_reply = map(operator.is_, items["replied"].to_numpy(dtype=object).tolist(), repeat(None))
    ids = items["id"].to_numpy(dtype=object).tolist()
    return [str(value) for value in compress(ids, map(operator.and_, completed, no_reply))]


# --- between two snapshots -------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """What moved between `then` and `now` (DOMAIN.md): each a sorted list of (id, section)."""

    then: Snapshot
    now: Snapshot
    newly_completed: list[Key]
    newly_on_time: list[Key]
    newly_late: list[Key]
    newly_overdue: list[Key]
    still_overdue: list[Key]

    def by_section(self) -> dict[str, dict[str, int]]:
        """{section: {newly_completed, newly_on_time, newly_late, newly_overdue, still_overdue}}."""
        result: dict[str, dict[str, int]] = {}
        for name in ("newly_completed", "newly_on_time", "newly_late", "newly_overdue", "still_overdue"):
            for _, section in getattr(self, name):
                counts = result.setdefault(section, {key: 0 for key in (
                    "newly_completed", "newly_on_time", "newly_late", "newly_overdue", "still_overdue")})
                counts[name] += 1
        return result


def changes(then: Snapshot, now: Snapshot) -> Changes:
    """新办结 = completed now, not then; 新逾期 = overdue now, not then; 仍逾期 = overdue in both."""
    completed_now, completed_then = now.completed, then.completed
    new = completed_now - completed_then
    overdue_now, overdue_then = now.keys("overdue"), then.keys("overdue")
    return Changes(
        then=then, now=now,
        newly_completed=sorted(new),
        newly_on_time=sorted(new & now.keys("on_time")),
        newly_late=sorted(new & now.keys("late")),
        newly_overdue=sorted(overdue_now - overdue_then),
        still_overdue=sorted(overdue_now & overdue_then),
    )


def baseline(snapshots: Iterable[Snapshot], as_of: dt.date, days: int = 7) -> Snapshot | None:
    """The last snapshot `days` or more before `as_of` (None when there is none)."""
    limit = as_of - dt.timedelta(days=days)
    earlier = [s for s in snapshots if s.as_of <= limit]
    return max(earlier, key=lambda s: s.as_of) if earlier else None


def weekly(snapshots: Iterable[Snapshot]) -> list[Snapshot]:
    """One snapshot per calendar week (Monday to Sunday): the latest of each, oldest first."""
    last: dict[tuple[int, int], Snapshot] = {}
    for snapshot in sorted(snapshots, key=lambda s: s.as_of):
        year, week, _ = snapshot.as_of.isocalendar()
        last[(year, week)] = snapshot
    return sorted(last.values(), key=lambda s: s.as_of)


def merged(snapshots: Iterable[Snapshot], current: Snapshot | None) -> list[Snapshot]:
    """Stored snapshots with the run being made in place of the one of its date, oldest first."""
    by_date = {s.as_of: s for s in snapshots}
    if current is not None:
        by_date[current.as_of] = current
    return [by_date[day] for day in sorted(by_date)]


# --- reconstruction --------------------------------------------------------------------------


def backfill_dates(today: dt.date, weeks: int) -> list[dt.date]:
    """The past `weeks` weekly dates before `today` (today − 7, today − 14, ...), oldest first."""
    return [today - dt.timedelta(days=7 * k) for k in range(weeks, 0, -1)]


def reconstruct(data: bytes, config, dates: Iterable[dt.date], display_name: str | None = None) -> list[Snapshot]:
    """Snapshots as of past dates from the ledger as it is now, by the same rules as
    `stats --today T` (completion by reply date ≤ T, overdue by deadline < T); marked reconstructed.

    Pure of (bytes, config, dates). The ledger is read once per year of T, because a date typed
    without its year ("3月5日") takes the year of T, as `stats --today T` reads it."""
    from automation.analysis import analyse
    from automation.ledger import read_ledger

    ledgers: dict[int, Any] = {}
    result = []
    for day in dates:
        year = day.year
        if year not in ledgers:
            ledgers[year] = read_ledger(data, config, day, display_name)
        result.append(snapshot_of(analyse(ledgers[year], config, day), reconstructed=True, command="backfill"))
    return result


# --- the store ---------------------------------------------------------------------------------


def history_path(ledger: Path) -> Path:
    """`<ledger folder>/<ledger stem>.history.sqlite` (beside the ledger, like the reminder log)."""
    ledger = Path(ledger)
    return ledger.with_name(ledger.stem + HISTORY_SUFFIX)


def user_data_dir(env: dict[str, str] | None = None, platform: str | None = None) -> Path:
    """The user's own data folder for the assistant: %APPDATA%\\ledger-assistant on Windows,
    $XDG_DATA_HOME (or ~/.local/share)/ledger-assistant elsewhere."""
    env = dict(os.environ) if env is None else env
    platform = platform or sys.platform
    if platform.startswith("win") and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "ledger-assistant"
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base) / "ledger-assistant"


def fallback_path(ledger: Path, env: dict[str, str] | None = None) -> Path:
    """Where the history goes when the ledger's folder cannot be written: the user's data
    folder, under a name that tells two ledgers of the same name apart."""
    ledger = Path(ledger)
    digest = hashlib.sha1(str(ledger.resolve()).encode("utf-8")).hexdigest()[:8]
    return user_data_dir(env) / "history" / f"{ledger.stem}-{digest}{HISTORY_SUFFIX}"


class HistoryStore:
    """The SQLite file of one ledger's snapshots (and of the bulletins made from them)."""

    def __init__(self, path: Path | str, *, readonly: bool = False, timeout: float = 5.0) -> None:
        self.path = Path(path)
        if readonly:
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
            return
        self._db = sqlite3.connect(str(self.path), timeout=timeout)
        try:
            # a file already made by this version needs no write: creating the schema again is
            # a transaction of its own, and its commit waits for the disk on every run
            if self._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.commit()
        except sqlite3.Error:
            self._db.close()
            raise

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def save(self, snapshot: Snapshot) -> bool:
        """Keep a snapshot; one per as-of date. Returns False when a kept snapshot of that date
        exists and this one is reconstructed (a reconstruction never replaces what was kept)."""
        row = (snapshot.as_of.isoformat(), snapshot.recorded_at, int(snapshot.reconstructed), snapshot.command,
               json.dumps(snapshot.figures, ensure_ascii=False),
               encode_states(snapshot.states),
               json.dumps(list(snapshot.unplaced), ensure_ascii=False))
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO snapshots (as_of, recorded_at, reconstructed, command, figures, states, unplaced) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(as_of) DO UPDATE SET "
                "recorded_at = excluded.recorded_at, reconstructed = excluded.reconstructed, "
                "command = excluded.command, figures = excluded.figures, states = excluded.states, "
                "unplaced = excluded.unplaced "
                "WHERE excluded.reconstructed = 0 OR snapshots.reconstructed = 1", row)
        return cursor.rowcount > 0

    def snapshots(self) -> list[Snapshot]:
        """Every snapshot, oldest first."""
        rows = self._db.execute(
            "SELECT as_of, recorded_at, reconstructed, command, figures, states, unplaced FROM snapshots "
            "ORDER BY as_of")
        return [_snapshot_from_row(row) for row in rows]

    def record_bulletin(self, as_of: dt.date, since: dt.date, made_at: str = "", output: str = "") -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO bulletins (as_of, since, made_at, output) VALUES (?, ?, ?, ?)",
                             (as_of.isoformat(), since.isoformat(), made_at, output))

    def last_bulletin(self, before: dt.date) -> dt.date | None:
        """The as-of date of the last bulletin made before `before`."""
        row = self._db.execute("SELECT MAX(as_of) FROM bulletins WHERE as_of < ?", (before.isoformat(),)).fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None


def _snapshot_from_row(row) -> Snapshot:
    as_of, recorded_at, reconstructed, command, figures, states, unplaced = row
    return Snapshot(
        as_of=dt.date.fromisoformat(as_of), figures=json.loads(figures),
        states=StoredStates(states),
        reconstructed=bool(reconstructed), unplaced=tuple(json.loads(unplaced or "[]")),
        recorded_at=recorded_at, command=command)


def encode_states(states: Mapping[str, list[Key]]) -> str:
    """The states column: {state: {"ids": [...], "sections": [...]}}, the keys' two halves as
    flat lists in item order. Flat lists of text encode and decode several times faster than
    50,000 pairs, and a refresh loads every stored snapshot."""
    columns = {}
    for state, keys in states.items():
        ids, sections = (list(half) for half in zip(*keys)) if keys else ([], [])
        columns[state] = {"ids": ids, "sections": sections}
    return json.dumps(columns, ensure_ascii=False)


def decode_states(text: str) -> dict[str, list[Key]]:
    """The states column as written by `encode_states`, or in the first format (a list of
    [id, section] pairs per state), which files written before still hold."""
    decoded = json.loads(text)
    states: dict[str, list[Key]] = {}
    for state, value in decoded.items():
        if isinstance(value, dict):
            states[state] = list(zip(value.get("ids", ()), value.get("sections", ())))
        else:
            states[state] = list(map(tuple, value))
    return states


class StoredStates(Mapping):
    """A stored snapshot's states, decoded only when first read: the 进展 sheet reads the
    states of one stored snapshot (the baseline) and only the figures of the others."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._decoded: dict[str, list[Key]] | None = None

    def _states(self) -> dict[str, list[Key]]:
        if self._decoded is None:
            self._decoded = decode_states(self.text)
        return self._decoded

    def __getitem__(self, state: str) -> list[Key]:
        return self._states()[state]

    def __iter__(self) -> Iterator[str]:
        return iter(self._states())

    def __len__(self) -> int:
        return len(self._states())

    def __repr__(self) -> str:
        return repr(self._states())


# --- the edge the commands use ---------------------------------------------------------------


@dataclass
class Opened:
    """A store opened for writing, where it is, and what the user should be told."""

    store: HistoryStore | None
    path: Path | None
    notices: list[str] = field(default_factory=list)


def open_for_writing(ledger: Path, env: dict[str, str] | None = None) -> Opened:
    """The history beside the ledger; when that folder cannot be written, the user's data
    folder (said in one line); when neither can, None (said in one line). Never raises."""
    beside = history_path(ledger)
    try:
        return Opened(HistoryStore(beside), beside)
    except (sqlite3.Error, OSError) as error:
        first_error = error
    fallback = fallback_path(ledger, env)
    try:
        fallback.parent.mkdir(parents=True, exist_ok=True)
        return Opened(HistoryStore(fallback), fallback,
                      [messages.HISTORY_FALLBACK.format(path=beside, fallback=fallback)])
    except (sqlite3.Error, OSError) as error:
        return Opened(None, None, [messages.HISTORY_SKIPPED.format(path=beside, error=first_error or error)])


def load_history(ledger: Path, env: dict[str, str] | None = None) -> list[Snapshot]:
    """Every stored snapshot of a ledger, oldest first: beside the ledger and in the fallback
    folder (the file beside the ledger wins for a date in both). Never raises: an unreadable
    file reads as empty."""
    found: dict[dt.date, Snapshot] = {}
    for path in (fallback_path(ledger, env), history_path(ledger)):
        if not path.is_file():
            continue
        try:
            with HistoryStore(path, readonly=True) as store:
                for snapshot in store.snapshots():
                    found[snapshot.as_of] = snapshot
        except (sqlite3.Error, OSError, ValueError):
            continue
    return [found[day] for day in sorted(found)]


def record_snapshot(ledger: Path, analysis, run_day: dt.date, now: dt.datetime, command: str,
                    env: dict[str, str] | None = None) -> list[str]:
    """Record the snapshot of a command's analysis; returns the lines to tell the user (none
    when all went well). A run whose as-of date is not the day it ran is marked reconstructed.
    Never raises: recording must not fail the command."""
    from automation.gcpause import collector_paused

    with collector_paused():
        return _record(ledger, analysis, run_day, now, command, env)


def _record(ledger: Path, analysis, run_day: dt.date, now: dt.datetime, command: str,
            env: dict[str, str] | None) -> list[str]:
    try:
        snapshot = snapshot_of(analysis, reconstructed=analysis.statistics.as_of != run_day, command=command,
                               recorded_at=now.isoformat(timespec="seconds"))
        opened = open_for_writing(ledger, env)
        if opened.store is None:
            return opened.notices
        with opened.store as store:
            store.save(snapshot)
        return opened.notices
    except Exception as error:  # noqa: BLE001 - the command's own result matters more
        return [messages.HISTORY_SKIPPED.format(path=history_path(ledger), error=error)]


# --- reading it --------------------------------------------------------------------------------


def history_text(snapshots: list[Snapshot], ledger_name: str) -> str:
    """The snapshots as a Chinese table, oldest first (widths aligned for Chinese)."""
    from automation.stats import format_rate
    from automation.text_output import left, right

    if not snapshots:
        return messages.HISTORY_EMPTY.format(ledger=ledger_name)
    header = messages.HISTORY_HEADER
    widths = [12, 8, 8, 8, 8, 10, 9, 11, 9, 10]
    lines = [messages.HISTORY_TITLE.format(ledger=ledger_name, count=len(snapshots)), "",
             "  ".join(left(text, width) if index in (0, 9) else right(text, width)
                       for index, (text, width) in enumerate(zip(header, widths)))]
    for snapshot in snapshots:
        f = snapshot.figures
        cells = [snapshot.as_of.isoformat(), str(f.get("total", "")), str(f.get("completed", "")),
                 str(f.get("in_progress", "")), str(f.get("overdue", "")), str(f.get("due_soon", "")),
                 format_rate(f.get("completion_rate")), format_rate(f.get("on_time_rate")),
                 format_rate(f.get("satisfaction_rate")),
                 messages.HISTORY_RECONSTRUCTED if snapshot.reconstructed else messages.HISTORY_KEPT]
        lines.append("  ".join(left(text, width) if index in (0, 9) else right(text, width)
                               for index, (text, width) in enumerate(zip(cells, widths))))
    if any(snapshot.reconstructed for snapshot in snapshots):
        lines += ["", messages.HISTORY_RECONSTRUCTED_NOTE]
    return "\n".join(lines)


@dataclass
class BackfillResult:
    """What `backfill` did: the snapshots it made, the dates it left alone, what it cannot know."""

    made: list[Snapshot]
    kept_dates: list[dt.date]
    unplaced: list[str]
    path: Path | None
    notices: list[str]


def backfill(ledger: Path, config, today: dt.date, weeks: int, env: dict[str, str] | None = None) -> BackfillResult:
    """Reconstruct the past `weeks` weekly snapshots before `today` and keep them, never over a
    kept (real) snapshot of the same date. Raises LedgerError when the ledger cannot be read."""
    from automation.problems import LedgerError

    if not 1 <= weeks <= 260:
        raise LedgerError(messages.BACKFILL_BAD_WEEKS.format(weeks=weeks))
    if not Path(ledger).exists():
        raise LedgerError(messages.FILE_NOT_FOUND.format(path=ledger))
    data = Path(ledger).read_bytes()
    snapshots = reconstruct(data, config, backfill_dates(today, weeks), display_name=str(ledger))
    unplaced = sorted({identifier for snapshot in snapshots for identifier in snapshot.unplaced})
    opened = open_for_writing(ledger, env)
    kept: list[dt.date] = []
    if opened.store is not None:
        with opened.store as store:
            for snapshot in snapshots:
                if not store.save(snapshot):
                    kept.append(snapshot.as_of)
    return BackfillResult(snapshots, kept, unplaced, opened.path, opened.notices)


def last_bulletin(ledger: Path, before: dt.date, env: dict[str, str] | None = None) -> dt.date | None:
    """The date of the last bulletin made before `before`, from the history beside the ledger
    or in the fallback folder. Never raises: an unreadable file knows of none."""
    found = []
    for path in (history_path(ledger), fallback_path(ledger, env)):
        if not path.is_file():
            continue
        try:
            with HistoryStore(path, readonly=True) as store:
                found.append(store.last_bulletin(before))
        except (sqlite3.Error, OSError, ValueError):
            continue
    dates = [day for day in found if day is not None]
    return max(dates) if dates else None


def backfill_lines(result: BackfillResult) -> list[str]:
    """What `history --backfill` tells the user: how many were made, the kept dates it left
    alone, what it cannot place in time (count and ids), where the file is."""
    made = result.made
    lines = [messages.BACKFILL_DONE.format(count=len(made) - len(result.kept_dates),
                                           first=made[0].as_of.isoformat(), last=made[-1].as_of.isoformat())]
    if result.kept_dates:
        lines.append(messages.BACKFILL_KEPT.format(count=len(result.kept_dates),
                                                   dates="、".join(d.isoformat() for d in result.kept_dates)))
    if result.unplaced:
        lines.append(messages.BACKFILL_UNPLACED.format(count=len(result.unplaced), ids="、".join(result.unplaced)))
    if result.path is not None:
        lines.append(messages.BACKFILL_WHERE.format(path=result.path))
    return lines
