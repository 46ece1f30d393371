"""The weekly 督办通报: what moved since the last bulletin, in the annual report's official format.

    history (or a reconstruction) ──► then ─┐
    current analysis ──────────────► now ──┴─► changes ──► ReportDocument ──► .docx / .md

The document is the report's own model (`automation.report`: Heading, Paragraph, Table), so
the Word and Markdown renderers, the GB/T 9704 styles and the safe writing are the report's.
Building is pure (no clock, no files); `make_bulletin` is the I/O edge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation import messages as m
from automation.history import Changes, Snapshot, changes
from automation.progress import completed_rows, item_details, overdue_rows
from automation.report import Heading, Paragraph, ReportDocument, Table
from automation.stats import format_rate

DUE_DAYS = 7
LONGEST = 10
ITEM_WIDTHS = (22, 43, 25, 16, 16, 22, 12)
ITEM_ALIGN = ("center", "left", "center", "center", "center", "center", "center")


def choose_since(today: dt.date, since: dt.date | None, last_bulletin: dt.date | None) -> dt.date:
    """The date the bulletin compares with: --since, else the last bulletin's date, else 7 days ago."""
    if since is not None:
        return since
    if last_bulletin is not None:
        return last_bulletin
    return today - dt.timedelta(days=7)


def base_snapshot(history: list[Snapshot], since: dt.date) -> Snapshot | None:
    """The latest stored snapshot on or before `since`."""
    earlier = [snapshot for snapshot in history if snapshot.as_of <= since]
    return max(earlier, key=lambda snapshot: snapshot.as_of) if earlier else None


def due_within(analysis, days: int = DUE_DAYS) -> list[dict[str, Any]]:
    """Items not completed whose deadline falls within the next `days` days (0..days), soonest first."""
    items = analysis.classified.items
    today = analysis.statistics.as_of
    rows = []
    for row in items.itertuples(index=False):
        deadline = row.deadline_effective
        if row.completed or deadline is None:
            continue
        left = (deadline - today).days
        if 0 <= left <= days:
            rows.append({"id": str(row.id), "title": row.title or "", "section": row.section or "",
                         "handler": row.handler or "", "leader": row.leader or "", "deadline": deadline,
                         "days_left": left, "excel_row": int(row.excel_row)})
    return sorted(rows, key=lambda d: (d["days_left"], d["excel_row"]))


def ranking(statistics, change: Changes) -> list[tuple[str, dict[str, Any], dict[str, int]]]:
    """Sections by completion rate (highest first), then fewest overdue, then name."""
    moved = change.by_section()
    empty = {"newly_completed": 0, "newly_overdue": 0}
    sections = statistics.groups["section"].items()
    ordered = sorted(sections, key=lambda pair: (-(pair[1]["completion_rate"] if pair[1]["completion_rate"]
                                                   is not None else -1), pair[1]["overdue"], pair[0]))
    return [(name, figures, moved.get(name, empty)) for name, figures in ordered]


@dataclass
class Bulletin:
    """A drafted bulletin: its document, the two snapshots compared, and their changes."""

    document: ReportDocument
    then: Snapshot
    now: Snapshot
    change: Changes
    since: dt.date
    due: list[dict[str, Any]] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """A short text summary (for group robots): the figures of the opening paragraphs."""
        return [block.text for block in self.document.blocks[1:4] if isinstance(block, Paragraph)]


def _blank(text: str) -> str:
    return text or m.BLANK_VALUE


def build_bulletin(analysis, then: Snapshot, now: Snapshot, config, since: dt.date) -> Bulletin:
    """The bulletin comparing `then` with `now` (pure): figures, lists and the section ranking."""
    from automation.report_text import date_text, kinds_noun

    statistics = analysis.statistics
    totals = statistics.totals
    change = changes(then, now)
    details = item_details(analysis, set(change.newly_completed) | set(change.newly_overdue))
    blocks: list = [Heading(m.BULLETIN_TITLE, 0),
                    Paragraph(m.BULLETIN_PERIOD.format(since=then.as_of.isoformat(), as_of=now.as_of.isoformat()),
                              "note")]
    opening = m.BULLETIN_OPENING.format(date=date_text(statistics), office=config.office_name,
                                        total=totals["total"], kinds=kinds_noun(statistics),
                                        completed=totals["completed"],
                                        completion_rate=format_rate(totals["completion_rate"]),
                                        in_progress=totals["in_progress"], overdue=totals["overdue"])
    moves = m.BULLETIN_MOVES.format(since=f"{then.as_of.month}月{then.as_of.day}日",
                                    newly_completed=len(change.newly_completed),
                                    newly_on_time=len(change.newly_on_time), newly_late=len(change.newly_late),
                                    newly_overdue=len(change.newly_overdue),
                                    still_overdue=len(change.still_overdue))
    if then.reconstructed:
        moves += m.BULLETIN_BASE_RECONSTRUCTED.format(then=f"{then.as_of.month}月{then.as_of.day}日")
    blocks.append(Paragraph(opening + moves))
    if then.reconstructed and now.unplaced:
        blocks.append(Paragraph(m.BULLETIN_UNPLACED.format(count=len(now.unplaced), ids="、".join(now.unplaced))))

    blocks.append(Heading(m.BULLETIN_H_COMPLETED, 1))
    done = completed_rows(change.newly_completed, details)
    if done:
        blocks.append(Table(tuple(m.PROGRESS_COMPLETED_HEADER), tuple(
            (d["id"], d["title"], _blank(d["section"]), _blank(d["handler"]),
             d["replied"].isoformat() if d["replied"] else "", _completion(d)) for d in done),
            widths=(22, 49, 25, 16, 22, 18), align=("center", "left", "center", "center", "center", "center")))
    else:
        blocks.append(Paragraph(m.PROGRESS_NONE))

    blocks.append(Heading(m.BULLETIN_H_OVERDUE, 1))
    blocks.append(_overdue_table(overdue_rows(change.newly_overdue, details)))
    blocks.append(Heading(m.BULLETIN_H_LONGEST, 1))
    longest = sorted(statistics.overdue_items, key=lambda item: (-item.days, item.excel_row))[:LONGEST]
    blocks.append(_overdue_table([{"id": i.id, "title": i.title, "section": i.section, "handler": i.handler,
                                   "leader": i.leader, "deadline": i.deadline, "days_overdue": i.days}
                                  for i in longest]))

    blocks.append(Heading(m.BULLETIN_H_RANKING, 1))
    blocks.append(Paragraph(m.BULLETIN_RANKING_NOTE))
    blocks.append(Table(tuple(m.BULLETIN_RANKING_HEADER), tuple(
        (str(rank), name, str(f["total"]), str(f["completed"]), format_rate(f["completion_rate"]), str(f["overdue"]),
         str(moved["newly_completed"]), str(moved["newly_overdue"]))
        for rank, (name, f, moved) in enumerate(ranking(statistics, change), start=1)),
        widths=(10, 30, 15, 15, 17, 15, 15, 15), align=("center", "left") + ("center",) * 6))

    blocks.append(Heading(m.BULLETIN_H_DUE.format(days=DUE_DAYS), 1))
    due = due_within(analysis)
    if due:
        blocks.append(Table(tuple(m.BULLETIN_DUE_HEADER), tuple(
            (d["id"], d["title"], _blank(d["section"]), _blank(d["handler"]), _blank(d["leader"]),
             d["deadline"].isoformat(), str(d["days_left"])) for d in due), widths=ITEM_WIDTHS, align=ITEM_ALIGN))
    else:
        blocks.append(Paragraph(m.PROGRESS_NONE))
    blocks.append(Paragraph(m.BULLETIN_CLOSING))
    blocks.append(Paragraph(config.office_name, "signature"))
    blocks.append(Paragraph(date_text(statistics), "signature"))
    document = ReportDocument(title=m.BULLETIN_TITLE, blocks=blocks, year=now.as_of.year, as_of=now.as_of)
    return Bulletin(document, then, now, change, since, due)


def _completion(detail: dict[str, Any]) -> str:
    if detail.get("on_time"):
        return m.PROGRESS_ON_TIME
    return m.PROGRESS_LATE if detail.get("late") else m.PROGRESS_DONE


def _overdue_table(rows: list[dict[str, Any]]):
    if not rows:
        return Paragraph(m.PROGRESS_NONE)
    return Table(tuple(m.PROGRESS_OVERDUE_HEADER), tuple(
        (d["id"], d["title"], _blank(d["section"]), _blank(d["handler"]), _blank(d["leader"]),
         d["deadline"].isoformat() if d["deadline"] else "", str(d["days_overdue"])) for d in rows),
        widths=ITEM_WIDTHS, align=ITEM_ALIGN)


# --- the edge ---------------------------------------------------------------------------------


@dataclass
class BulletinResult:
    bulletin: Bulletin
    path: Path
    notices: list[str]
    base_kept: bool


def make_bulletin(ledger: Path, config, today: dt.date, since: dt.date | None, output: Path, fmt: str,
                  now: dt.datetime) -> BulletinResult:
    """Read the ledger, compare with the snapshot on or before the since-date (reconstructed from
    the ledger's dates when the history has none), write the bulletin and remember it."""
    from automation.analysis import analyse_file
    from automation.history import (last_bulletin, load_history, open_for_writing, reconstruct,
                                    record_snapshot, snapshot_of)
    from automation.problems import LedgerError
    from automation.report import write_document

    if not Path(ledger).exists():
        raise LedgerError(m.FILE_NOT_FOUND.format(path=ledger))
    data = Path(ledger).read_bytes()
    analysis = analyse_file(data, config, today, display_name=str(ledger))
    history = load_history(ledger)
    last = last_bulletin(ledger, today)
    since = choose_since(today, since, last)
    if since >= today:
        raise LedgerError(m.BULLETIN_BAD_SINCE.format(since=since.isoformat(), today=today.isoformat()))
    then = base_snapshot(history, since)
    base_kept = then is not None
    if then is None:
        then = reconstruct(data, config, [since], display_name=str(ledger))[0]
    current = snapshot_of(analysis, reconstructed=today != now.date())
    bulletin = build_bulletin(analysis, then, current, config, since)
    notices = record_snapshot(ledger, analysis, now.date(), now, "bulletin")
    notices += write_document(bulletin.document, output, "md" if fmt == "md" else "docx", config.backups).notices
    opened = open_for_writing(ledger)
    if opened.store is not None:
        with opened.store as store:
            store.record_bulletin(today, then.as_of, now.isoformat(timespec="seconds"), str(output))
    return BulletinResult(bulletin, output, notices, base_kept)
