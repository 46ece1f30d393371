"""Plain-text output of the commands, for people at a terminal."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from automation import messages
from automation.analysis import Analysis
from automation.config import REQUIRED_COLUMNS, Config
from automation.items import FlaggedItem
from automation.stats import Statistics, format_rate


def _by_section(items: list[FlaggedItem], line: str) -> list[str]:
    lines = []
    order = {section: index for index, section in enumerate(dict.fromkeys(item.section for item in items))}
    for section, group in groupby(sorted(items, key=lambda item: order[item.section]), key=lambda item: item.section):
        lines.append(messages.CHECK_SECTION.format(section=section or messages.BLANK_VALUE))
        for item in group:
            lines.append(line.format(
                id=item.id, title=item.title, handler=item.handler or messages.BLANK_VALUE,
                leader=item.leader or messages.BLANK_VALUE, deadline=item.deadline.isoformat(), days=item.days))
    return lines or [messages.CHECK_NONE]


def check_text(analysis: Analysis, config: Config) -> str:
    """Overdue items (most overdue first) and due-soon items grouped by section, then problems."""
    statistics = analysis.statistics
    totals = statistics.totals
    lines = [messages.CHECK_TITLE.format(today=statistics.as_of.isoformat(), sheet=statistics.sheet),
             messages.CHECK_SUMMARY.format(**totals), ""]
    lines.append(messages.CHECK_OVERDUE_HEADING.format(count=len(statistics.overdue_items)))
    lines += _by_section(statistics.overdue_items, messages.CHECK_OVERDUE_LINE)
    lines.append("")
    lines.append(messages.CHECK_DUE_SOON_HEADING.format(count=len(statistics.due_soon_items), warn_days=config.warn_days))
    lines += _by_section(statistics.due_soon_items, messages.CHECK_DUE_SOON_LINE)
    lines.append("")
    lines.append(messages.CHECK_PROBLEMS_HEADING.format(count=len(statistics.problems)))
    lines += [messages.CHECK_PROBLEM_LINE.format(**problem.to_json()) for problem in statistics.problems] or [
        messages.CHECK_NONE]
    lines += statistics.warnings
    return "\n".join(lines)


HEADLINE_KEYS = ("total", "lead", "assisting", "key_items", "completed", "in_progress", "overdue", "due_soon")
RATE_KEYS = ("completion_rate", "on_time_rate", "satisfaction_rate", "face_to_face_rate", "adoption_rate")
GROUP_KEYS = ("total", "completed", "in_progress", "overdue", "due_soon", "completion_rate", "on_time_rate",
              "satisfaction_rate")


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def left(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def right(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def stats_text(statistics: Statistics, config: Config) -> str:
    """A readable table of the headline figures and each breakdown, aligned for Chinese."""
    totals = statistics.totals
    labels = messages.STAT_LABELS
    lines = [messages.STATS_TITLE.format(today=statistics.as_of.isoformat()), ""]
    lines += [f"  {left(labels[key], 12)}{right(str(totals[key]), 8)} 件" for key in HEADLINE_KEYS]
    lines += [f"  {left(labels[key], 12)}{right(format_rate(totals[key]), 8)}" for key in RATE_KEYS]
    lines.append(f"  {left(labels['unsatisfied'], 12)}{right(str(totals['unsatisfied']), 8)} 件")
    classes = "  ".join(f"{letter}类 {count} 件" for letter, count in totals["reply_classes"].items())
    lines.append(f"  答复类别  {classes}")
    for dimension, title in messages.DIMENSIONS.items():
        lines += ["", messages.STATS_GROUP_TITLE.format(dimension=title)]
        lines.append("  " + left(title, 18) + "".join(right(labels[key], 12) for key in GROUP_KEYS))
        for label, figures in statistics.groups[dimension].items():
            cells = [format_rate(figures[key]) if key.endswith("rate") else str(figures[key]) for key in GROUP_KEYS]
            lines.append("  " + left(label, 18) + "".join(right(cell, 12) for cell in cells))
    lines += statistics.warnings
    return "\n".join(lines)


#: Data rows below the header whose values the column suggestions are judged by.
SAMPLE_ROWS = 2000


def columns_text(ledger_path: Path, config: Config, year: int | None = None) -> str:
    """How each header of an existing ledger was matched, what is missing, and config lines to fix it."""
    import python_calamine

    from automation.ledger import HEADER_SEARCH_ROWS, choose_sheet, find_header, open_workbook
    from automation.problems import LedgerError

    workbook = open_workbook(ledger_path, str(ledger_path))
    names = [m.name for m in workbook.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]

    def head(name: str):
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)

    # The configured sheet (a clear error when it does not exist), else the first sheet with a
    # complete header, else the sheet with the best partial header.
    from automation.sheets import sheet_for_columns

    sheet, sheet_note = sheet_for_columns(names, config, head)
    rows = head(sheet)
    found = find_header(rows, config)
    if found is None:
        raise LedgerError(messages.NO_HEADER_ROW.format(sheet=sheet, rows=HEADER_SEARCH_ROWS))
    header_rows, matched = found
    by_index = {m.index: m for m in matched.values()}
    width = max(len(rows[r]) for r in header_rows)
    lines = [messages.COLUMNS_TITLE.format(sheet=sheet, row=header_rows[-1] + 1)]
    header_index: dict[int, str] = {}
    for index in range(width):
        text = next((str(rows[r][index]).strip() for r in reversed(header_rows)
                     if index < len(rows[r]) and str(rows[r][index]).strip()), "")
        if not text:
            continue
        header_index[index] = text
        match = by_index.get(index)
        if match:
            lines.append(messages.COLUMNS_MATCHED.format(header=left(text, 20), key=match.key,
                                                         meaning=messages.COLUMN_MEANINGS[match.key]))
        else:
            lines.append(messages.COLUMNS_UNMATCHED.format(header=left(text, 20)))
    missing = [key for key in config.columns if key not in matched]
    # The values below the header: what the suggestions and the order of the two dates are judged by.
    data_rows = workbook.get_sheet_by_name(sheet).to_python(
        skip_empty_area=False, nrows=header_rows[-1] + 1 + SAMPLE_ROWS)[header_rows[-1] + 1:]
    fixes = []
    if missing:
        lines += ["", messages.COLUMNS_MISSING]
        for key in missing:
            required = messages.COLUMNS_REQUIRED if key in REQUIRED_COLUMNS else ""
            lines.append(messages.COLUMNS_MISSING_LINE.format(key=key, meaning=messages.COLUMN_MEANINGS[key],
                                                              required=required))
        from automation.column_guess import suggest_columns

        unused = {index: text for index, text in header_index.items() if index not in by_index}
        suggested = suggest_columns(unused, data_rows, missing, {m.key: m.index for m in matched.values()},
                                    config, year or config.default_year or 2000)
        for key, index in suggested.items():
            fixes.append(f"{key} = {', '.join(config.columns[key] + [''.join(unused[index].split())])}")
    if fixes:
        lines += ["", messages.COLUMNS_FIX, "[columns]", *fixes]
    if "assigned" in matched and "deadline" in matched:
        from automation.column_guess import swapped_dates

        swapped = swapped_dates(data_rows, matched["assigned"].index, matched["deadline"].index,
                                year or config.default_year or 2000)
        if swapped:
            lines += ["", messages.COLUMNS_SWAPPED_WARNING.format(
                bad=swapped[0], rows=swapped[1], assigned=matched["assigned"].header,
                deadline=matched["deadline"].header)]
    if not any(key in missing for key in REQUIRED_COLUMNS):
        lines += ["", messages.COLUMNS_ALL_OK]
    lines += sheet_note
    return "\n".join(lines)
