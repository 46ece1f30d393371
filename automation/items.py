"""Flagged items: the overdue and due-soon rows that lists, reminders and sheets share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class FlaggedItem:
    """One ledger row that needs attention as of a date.

    `days` is days overdue for an overdue item (> 0) and days left for a due-soon item (>= 0).
    `excel_row` is the row number the clerk sees in the ledger sheet `sheet`.
    """

    id: str
    title: str
    section: str
    handler: str
    leader: str
    deadline: dt.date
    days: int
    overdue: bool
    sheet: str
    excel_row: int
    key_item: bool = False
    kind: str = ""
    role: str = ""
    #: When several units' files are counted as one: the unit and the file (name) of the row.
    unit: str = ""
    file: str = ""
