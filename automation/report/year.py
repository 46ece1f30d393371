"""Selecting the items of one year for the annual report, and reading a ledger for it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from automation import messages as m
from automation.config import Config
from automation.problems import LedgerError


@dataclass(frozen=True)
class YearFilter:
    """What `filter_year` kept: counts for the message to the user."""

    year: int
    kept: int
    dropped: int
    undated: int


def item_year_dates(items) -> list:
    """The date that places each item in a year: its assigned date, else its (typed) deadline."""
    return [assigned if assigned is not None else deadline
            for assigned, deadline in zip(items["assigned"], items["deadline"])]


def filter_year(ledger, year: int):
    """The ledger with only the items whose assigned date (or, without one, typed deadline)
    is in `year`, and only the problems of those rows. Pure: returns a new Ledger.

    Apply it before classification, so that every figure is counted by the usual rules."""
    items = ledger.items
    keep = [date is not None and date.year == year for date in item_year_dates(items)]
    kept_items = items[keep].reset_index(drop=True)
    rows = set(int(row) for row in kept_items["excel_row"])
    return dataclasses.replace(ledger, items=kept_items, problems=[p for p in ledger.problems if p.row in rows])


def year_filter_counts(ledger, year: int) -> YearFilter:
    dates = item_year_dates(ledger.items)
    kept = sum(1 for date in dates if date is not None and date.year == year)
    undated = sum(1 for date in dates if date is None)
    return YearFilter(year, kept, len(dates) - kept, undated)


def analyse_for_report(source, config: Config, today, year: int | None = None, display_name: str | None = None):
    """Read a ledger file, keep the items of `year` (if given), classify and count.

    Returns (Analysis, YearFilter or None). Raises LedgerError when no item is in that year."""
    from automation.analysis import analyse
    from automation.ledger import read_ledger

    ledger = read_ledger(source, config, today, display_name)
    selection = None
    if year is not None:
        selection = year_filter_counts(ledger, year)
        if not selection.kept:
            raise LedgerError(m.REPORT_YEAR_EMPTY.format(year=year))
        ledger = filter_year(ledger, year)
    return analyse(ledger, config, today), selection
