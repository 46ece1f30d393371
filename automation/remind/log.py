"""The reminder log: what was sent, to whom, on which channel; and how each run went.

A small SQLite file (standard library `sqlite3`), by default next to the ledger as
`<ledger stem>.reminders.sqlite`. Rows are written only after a channel accepted the
message, so a failed send is retried by the next run. The journal is the classic rollback
journal (not WAL), which also works on a network share.

Tables
- sent(day, item_key, item_id, recipient, kind, channel, sent_at, status): status `sent`, or
  `unknown` when the message went out whole but its confirmation was lost: not sent again
  that day (it may have arrived), and not counted as sent for the repeat rules after;
- parts(day, channel, recipient, digest, status, sent_at): each posted part of a webhook
  digest, so a rerun posts only the parts that did not go;
- runs(day, started_at, ok, summary, failures, reported)
Schema version 2 added `sent.status` and `parts`; an older file is upgraded on opening.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    item_key TEXT NOT NULL,
    item_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'sent'
);
CREATE INDEX IF NOT EXISTS sent_lookup ON sent (item_key, recipient, channel, day);
CREATE TABLE IF NOT EXISTS parts (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    digest TEXT NOT NULL,
    status TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS parts_lookup ON parts (day, channel, recipient, digest);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    started_at TEXT NOT NULL DEFAULT '',
    ok INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    failures TEXT NOT NULL DEFAULT '',
    reported INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class SentRecord:
    day: dt.date
    item_key: str
    item_id: str
    recipient: str
    kind: str
    channel: str


@dataclass(frozen=True)
class RunRecord:
    id: int
    day: dt.date
    started_at: str
    ok: bool
    summary: str
    failures: str


class ReminderLog:
    """Read and write the log. `readonly=True` never creates or changes the file (a
    missing file reads as empty): used by `--dry-run`."""

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 15.0) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self.readonly = readonly
        if self.path is None:
            self._db = sqlite3.connect(":memory:")
        elif readonly:
            if self.path.exists():
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                           timeout=timeout)
            else:
                self._db = sqlite3.connect(":memory:")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=timeout)
        if not readonly or self.path is None or not self.path.exists():
            self._upgrade()
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.commit()
        self._has_status = self._has_column("sent", "status")
        self._has_parts = bool(self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'parts'").fetchone())
        self._cache: dict[tuple[str, str, str], list[dt.date]] | None = None
        self._unknown: set[tuple[str, str, str, str]] | None = None

    def _has_column(self, table: str, column: str) -> bool:
        return any(row[1] == column for row in self._db.execute(f"PRAGMA table_info({table})"))

    def _upgrade(self) -> None:
        """Version 1 files: add `sent.status` (every old row was a confirmed send)."""
        exists = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sent'").fetchone()
        if exists and not self._has_column("sent", "status"):
            self._db.execute("ALTER TABLE sent ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'")

    @classmethod
    def in_memory(cls) -> ReminderLog:
        return cls(":memory:")

    # context manager
    def __enter__(self) -> ReminderLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # --- history (the planner's SentHistory) -----------------------------------------

    def _load(self) -> dict[tuple[str, str, str], list[dt.date]]:
        if self._cache is None:
            cache: dict[tuple[str, str, str], list[dt.date]] = defaultdict(list)
            unknown: set[tuple[str, str, str, str]] = set()
            status = "status" if self._has_status else "'sent'"
            for item_key, recipient, channel, day, state in self._db.execute(
                    f"SELECT item_key, recipient, channel, day, {status} FROM sent"):
                if state == "unknown":
                    unknown.add((item_key, recipient, channel, day))
                else:
                    cache[(item_key, recipient, channel)].append(dt.date.fromisoformat(day))
            self._cache, self._unknown = cache, unknown
        return self._cache

    def delivery_unknown(self, item_key: str, recipient_key: str, channel: str, day: dt.date) -> bool:
        """Was this sent on `day` without the server confirming it (maybe delivered)?"""
        self._load()
        return (item_key, recipient_key, channel, day.isoformat()) in self._unknown

    # --- webhook parts (channels.PartJournal) ------------------------------------------

    def part_status(self, day: dt.date, channel: str, recipient: str, digest: str) -> str | None:
        """'sent' / 'unknown' if this part of a digest was posted on `day`, else None."""
        if not self._has_parts:
            return None
        row = self._db.execute(
            "SELECT status FROM parts WHERE day = ? AND channel = ? AND recipient = ? AND digest = ? "
            "ORDER BY id DESC LIMIT 1", (day.isoformat(), channel, recipient, digest)).fetchone()
        return row[0] if row else None

    def record_part(self, day: dt.date, channel: str, recipient: str, digest: str, status: str,
                    sent_at: dt.datetime | None = None) -> None:
        if self.readonly:
            raise RuntimeError("reminder log opened read-only")
        stamp = (sent_at or dt.datetime.now()).isoformat(timespec="seconds")
        with self._db:
            self._db.execute(
                "INSERT INTO parts (day, channel, recipient, digest, status, sent_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (day.isoformat(), channel, recipient, digest, status, stamp))

    def sent_dates(self, item_key: str, recipient_key: str, channel: str) -> Sequence[dt.date]:
        return tuple(self._load().get((item_key, recipient_key, channel), ()))

    def sent_on(self, day: dt.date) -> list[SentRecord]:
        """Confirmed sends of `day`."""
        status = "status = 'sent'" if self._has_status else "1"
        rows = self._db.execute(
            "SELECT day, item_key, item_id, recipient, kind, channel FROM sent WHERE day = ? "
            f"AND {status} ORDER BY id", (day.isoformat(),))
        return [SentRecord(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    def all_sent(self, status: str = "sent") -> list[SentRecord]:
        """Every send with `status` ('sent': confirmed; 'unknown': confirmation lost)."""
        if not self._has_status:
            if status != "sent":
                return []
            rows = self._db.execute(
                "SELECT day, item_key, item_id, recipient, kind, channel FROM sent ORDER BY id")
        else:
            rows = self._db.execute(
                "SELECT day, item_key, item_id, recipient, kind, channel FROM sent WHERE status = ? "
                "ORDER BY id", (status,))
        return [SentRecord(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    # --- writing ------------------------------------------------------------------------

    def mark_sent(self, records: Iterable[SentRecord], sent_at: dt.datetime | None = None,
                  *, status: str = "sent") -> None:
        """Record messages a channel accepted (one transaction); `status="unknown"`: sent
        whole, but the confirmation was lost."""
        if self.readonly:
            raise RuntimeError("reminder log opened read-only")
        records = list(records)
        stamp = sent_at.isoformat(timespec="seconds") if sent_at else ""
        rows = [(r.day.isoformat(), r.item_key, r.item_id, r.recipient, r.kind, r.channel, stamp, status)
                for r in records]
        with self._db:
            self._db.executemany(
                "INSERT INTO sent (day, item_key, item_id, recipient, kind, channel, sent_at, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cache = self._load()
        for r in records:
            if status == "unknown":
                self._unknown.add((r.item_key, r.recipient, r.channel, r.day.isoformat()))
            else:
                cache[(r.item_key, r.recipient, r.channel)].append(r.day)

    def record_run(self, day: dt.date, ok: bool, summary: str = "", failures: Sequence[str] = (),
                   started_at: dt.datetime | None = None) -> None:
        """Record how a run went (texts must already be free of secrets). A successful run
        also marks earlier failures as reported."""
        if self.readonly:
            return
        with self._db:
            if ok:
                self._db.execute("UPDATE runs SET reported = 1 WHERE ok = 0")
            self._db.execute(
                "INSERT INTO runs (day, started_at, ok, summary, failures, reported) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (day.isoformat(), started_at.isoformat(timespec="seconds") if started_at else "",
                 int(ok), summary, "\n".join(failures), int(ok)))

    def unreported_failures(self) -> list[RunRecord]:
        """Failed runs since the last successful one (reported by the next run)."""
        rows = self._db.execute(
            "SELECT id, day, started_at, ok, summary, failures FROM runs "
            "WHERE ok = 0 AND reported = 0 ORDER BY id")
        return [RunRecord(r[0], dt.date.fromisoformat(r[1]), r[2], bool(r[3]), r[4], r[5])
                for r in rows]

    def runs(self) -> list[RunRecord]:
        rows = self._db.execute("SELECT id, day, started_at, ok, summary, failures FROM runs ORDER BY id")
        return [RunRecord(r[0], dt.date.fromisoformat(r[1]), r[2], bool(r[3]), r[4], r[5])
                for r in rows]
