"""The pipeline in one call: read, classify, compute (pure of workbook, config and today)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automation.config import Config
from automation.ledger import Ledger, parse_grid, read_ledger
from automation.rules import Classified, classify
from automation.stats import Statistics, compute


@dataclass
class Analysis:
    ledger: Ledger
    classified: Classified
    statistics: Statistics


def analyse(ledger: Ledger, config: Config, today: dt.date) -> Analysis:
    """Classify and count a ledger already read."""
    from automation.sheets import other_sheets_note

    classified = classify(ledger, config, today)
    note = other_sheets_note(ledger)
    if note:
        classified.warnings.insert(0, note)
    return Analysis(ledger, classified, compute(classified, config))


def analyse_file(source: Path | bytes, config: Config, today: dt.date, display_name: str | None = None,
                 plain_columns: bool = False) -> Analysis:
    """Read a workbook file (or its bytes) and compute everything. `plain_columns`: the items
    as plain numpy columns (automation/column_frame.py), for the command line's refresh and
    stats, which then never load pandas (about 0.4 s of a run)."""
    from automation.gcpause import collector_paused

    with collector_paused():
        return analyse(read_ledger(source, config, today, display_name, plain_columns=plain_columns), config, today)


def analyse_grid(values: list[list[Any]], sheet: str, config: Config, today: dt.date,
                 first_row: int = 1, first_column: int = 1, merged_ranges=()) -> Analysis:
    """Compute everything from the cell values of an open workbook's sheet (`merged_ranges`:
    its merged areas, 0-based in the grid, as `parse_grid` takes them)."""
    return analyse(parse_grid(values, sheet, config, today, first_row, first_column, merged_ranges), config, today)
