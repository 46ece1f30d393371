"""Several ledger sheets of one workbook: which sheets are counted, and reading them as one ledger.

`[ledger] sheets = 提案台账, 建议台账` (or `*`: every sheet whose header matches) counts them as
one ledger: every figure over all rows, each problem naming its sheet, the kind taken from the
sheet's name (提案 → 政协提案, 建议 → 人大建议) where the sheet has no kind column.
Without a setting, the first matching sheet is counted and `other_matching_sheets` names the
others, so that the commands can say which sheet was counted and which setting chooses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

from automation import messages
from automation.config import Config
from automation.ledger import Ledger, find_header, missing_required, normalize_header, parse_grid
from automation.problems import LedgerError

#: The sheets the assistant writes: never a ledger, even though their tables have headers.
GENERATED_SHEETS = ("统计汇总", "科室统计", "逾期清单", "即将到期", "数据问题", "单位统计", "单位问题")


def is_ledger_sheet(head: list[list[Any]], config: Config) -> bool:
    """Whether the first rows of a sheet hold a header with every required column."""
    found = find_header(head, config)
    return found is not None and not missing_required(found[1])


def other_matching_sheets(names: list[str], chosen: str, config: Config, head_of: Callable) -> list[str]:
    """The sheets other than `chosen` whose header matches as well (a second year, 建议台账 ...)."""
    return [name for name in names
            if name != chosen and name not in GENERATED_SHEETS and is_ledger_sheet(head_of(name), config)]


def chosen_sheets(names: list[str], config: Config, head_of: Callable) -> list[str]:
    """The sheets `config.sheets` names, in the workbook's order; `*` is every matching sheet.

    A named sheet that does not exist is a LedgerError listing the sheets there are."""
    if "*" in config.sheets:
        found = [name for name in names if name not in GENERATED_SHEETS and is_ledger_sheet(head_of(name), config)]
        if not found:
            raise LedgerError(messages.NO_LEDGER_SHEET.format(sheets="、".join(names) or "无"))
        return found
    by_folded = {normalize_header(name): name for name in names}
    chosen = []
    for wanted in config.sheets:
        name = wanted if wanted in names else by_folded.get(normalize_header(wanted))
        if name is None:
            raise LedgerError(messages.SHEETS_NOT_FOUND.format(sheet=wanted, sheets="、".join(names)))
        if name not in chosen:
            chosen.append(name)
    return [name for name in names if name in chosen]


def kind_from_sheet_name(sheet: str, config: Config) -> str | None:
    """The kind a sheet's name says (提案台账 → 政协提案, 建议台账 → 人大建议): the longest
    synonym of a kind contained in the name; None when it names none or both."""
    folded = normalize_header(sheet)
    best: tuple[int, str] | None = None
    for kind, synonyms in config.kinds.items():
        for word in [kind, *synonyms]:
            word = normalize_header(word)
            if word and word in folded and (best is None or len(word) > best[0]):
                best = (len(word), kind)
    return best[1] if best else None


def read_sheets(names: list[str], config: Config, today: dt.date, head_of: Callable,
                grid_of: Callable[[str], tuple[list[list[Any]], Any]]) -> Ledger:
    """Read the sheets `config.sheets` chooses from a workbook file, each with its own header,
    into one Ledger (`grid_of(name)` gives a sheet's cells and merged areas)."""
    def parse(name: str) -> Ledger:
        rows, merged = grid_of(name)
        return parse_grid(rows, name, config, today, merged_ranges=merged)

    return ledger_of_sheets(names, config, head_of, parse)


def ledger_of_sheets(names: list[str], config: Config, head_of: Callable, parse: Callable[[str], Ledger]) -> Ledger:
    """The sheets `config.sheets` chooses, each parsed by `parse(name)` (a file's sheet, or an
    open workbook's in Excel), with the kind from the sheet's name where there is no kind
    column, as one Ledger."""
    parts = []
    for name in chosen_sheets(names, config, head_of):
        part = parse(name)
        if "kind" not in part.columns:
            kind = kind_from_sheet_name(name, config)
            if kind is not None:
                part.items["kind"] = kind
        parts.append(part)
    return combine_sheets(parts)


def combine_sheets(parts: list[Ledger]) -> Ledger:
    """One Ledger of several sheets' ledgers: items concatenated with their `sheet`, problems
    in the order of the sheets, each sheet's columns kept for naming its cells."""
    import pandas as pd

    frames = []
    for part in parts:
        frame = part.items.copy()
        frame["sheet"] = part.sheet
        frames.append(frame)
    items = pd.concat(frames, ignore_index=True) if frames else parts[0].items
    first = parts[0]
    return dataclasses.replace(
        first,
        sheet="、".join(part.sheet for part in parts),
        items=items,
        problems=[problem for part in parts for problem in part.problems],
        sheet_columns={part.sheet: part.columns for part in parts},
    )


def other_sheets_note(ledger: Ledger) -> str | None:
    """The sentence saying which sheet was counted, the others that match, and the setting that
    chooses; None when no other sheet matches."""
    if not ledger.other_sheets:
        return None
    return messages.OTHER_SHEETS_NOTE.format(
        sheet=ledger.sheet, others="、".join(f"“{name}”" for name in ledger.other_sheets),
        all=", ".join([ledger.sheet, *ledger.other_sheets]))


def sheet_for_columns(names: list[str], config: Config, head_of: Callable) -> tuple[str, list[str]]:
    """The sheet `ledger columns` shows, and the lines saying which sheets are counted: with
    `sheets =`, the first chosen sheet and the list; else the chosen sheet and any others that
    match (with the setting that chooses)."""
    from automation.ledger import choose_sheet

    if config.sheets:
        chosen = chosen_sheets(names, config, head_of)
        return chosen[0], ["", messages.COLUMNS_SHEETS_NOTE.format(
            sheets="、".join(f"“{name}”" for name in chosen), shown=chosen[0])]
    sheet, automatic = choose_sheet(names, config, head_of)
    others = other_matching_sheets(names, sheet, config, head_of) if automatic else []
    note = other_sheets_note(Ledger(sheet, [], {}, [], None, [], other_sheets=others))
    return sheet, ["", note] if note else []


def ledger_of_grids(grids: dict[str, tuple[list[list[Any]], int, int, Any]], config: Config,
                    today: dt.date) -> Ledger:
    """The ledger of an open workbook's sheets as the WPS add-in sends them (name → values,
    first row, first column, merged ranges 0-based in the grid), chosen and combined exactly
    as `read_ledger` does for a file: `sheets =` counts several as one, else `sheet =` or the
    first matching sheet, naming the other matching sheets."""
    from automation.ledger import HEADER_SEARCH_ROWS, choose_sheet

    names = list(grids)

    def head_of(name: str) -> list[list[Any]]:
        return grids[name][0][:HEADER_SEARCH_ROWS]

    def parse(name: str) -> Ledger:
        values, first_row, first_column, merged = grids[name]
        return parse_grid(values, name, config, today, first_row, first_column, merged)

    if config.sheets:
        ledger = ledger_of_sheets(names, config, head_of, parse)
    else:
        name, automatic = choose_sheet(names, config, head_of)
        ledger = parse(name)
        ledger.sheet_chosen_automatically = automatic
        if automatic:
            ledger.other_sheets = other_matching_sheets(names, name, config, head_of)
    ledger.sheet_names = names
    return ledger
