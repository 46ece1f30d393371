"""`ledger check|stats|refresh|report` over several files or a folder: the district's view.

Thin: each function reads the units (automation.units), prints or writes, and returns the exit
code: 0, or EXIT_SOME_LEFT_OUT when a file could not be read and was left out of the figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from itertools import groupby
from pathlib import Path

import click

from automation import messages
from automation.config import Config
from automation.items import FlaggedItem
from automation.stats import format_rate
from automation.text_output import GROUP_KEYS, left, right, stats_text
from automation.units import District, analyse_units, resolve_sources

#: Exit code when some files were left out of the figures (the others were counted).
EXIT_SOME_LEFT_OUT = 4


def _finish(district: District) -> int:
    """Say which files were left out (stderr) and which were skipped; the exit code."""
    for part in district.skipped:
        click.echo(part.error, err=True)
    if not district.left_out:
        return 0
    click.echo(messages.UNITS_LEFT_OUT_HEADING.format(count=len(district.left_out)), err=True)
    for line in district.left_out_lines():
        click.echo("  " + line, err=True)
    return EXIT_SOME_LEFT_OUT


def _title(district: District) -> str:
    statistics = district.statistics
    return messages.DISTRICT_TITLE.format(units=len(statistics.groups["unit"]), files=len(district.counted),
                                          today=statistics.as_of.isoformat())


def _by_unit(items: list[FlaggedItem], line: str) -> list[str]:
    lines = []
    order = {unit: index for index, unit in enumerate(dict.fromkeys(item.unit for item in items))}
    for unit, group in groupby(sorted(items, key=lambda item: order[item.unit]), key=lambda item: item.unit):
        lines.append(messages.DISTRICT_CHECK_UNIT.format(unit=unit))
        for item in group:
            lines.append(line.format(id=item.id, title=item.title, section=item.section or messages.BLANK_VALUE,
                                     handler=item.handler or messages.BLANK_VALUE,
                                     deadline=item.deadline.isoformat(), days=item.days))
    return lines or [messages.CHECK_NONE]


def check_text(district: District, config: Config) -> str:
    """Overdue and due-soon items grouped by unit, the units counted, then every problem with its file."""
    statistics = district.statistics
    lines = [_title(district), messages.CHECK_SUMMARY.format(**statistics.totals)]
    for part in district.counted:
        lines.append(messages.DISTRICT_UNIT_LINE.format(unit=part.unit, file=part.file, sheets=part.sheets,
                                                        total=part.items))
    lines += ["", messages.CHECK_OVERDUE_HEADING.format(count=len(statistics.overdue_items))]
    lines += _by_unit(statistics.overdue_items, messages.DISTRICT_OVERDUE_LINE)
    lines += ["", messages.CHECK_DUE_SOON_HEADING.format(count=len(statistics.due_soon_items),
                                                         warn_days=config.warn_days)]
    lines += _by_unit(statistics.due_soon_items, messages.DISTRICT_DUE_SOON_LINE)
    lines += ["", messages.CHECK_PROBLEMS_HEADING.format(count=len(statistics.problems))]
    lines += [messages.DISTRICT_PROBLEM_LINE.format(**problem.to_json()) for problem in statistics.problems] or [
        messages.CHECK_NONE]
    lines += statistics.warnings
    return "\n".join(lines)


def units_table(district: District) -> list[str]:
    """The by-unit table of `ledger stats`, laid out like the other breakdowns."""
    labels = messages.STAT_LABELS
    title = messages.DISTRICT_UNIT_GROUP
    lines = ["", messages.STATS_GROUP_TITLE.format(dimension=title),
             "  " + left(title, 18) + "".join(right(labels[key], 12) for key in GROUP_KEYS)]
    for unit, figures in district.statistics.groups["unit"].items():
        cells = [format_rate(figures[key]) if key.endswith("rate") else str(figures[key]) for key in GROUP_KEYS]
        lines.append("  " + left(unit, 18) + "".join(right(cell, 12) for cell in cells))
    return lines


def district_json(district: District) -> dict:
    """The JSON contract over all items (with by_unit and each problem's file), plus the files."""
    result = district.statistics.to_json()
    result["files"] = [{"file": part.path, "unit": part.unit, "sheet": part.sheets, "total": part.items}
                       for part in district.counted]
    result["left_out"] = [{"file": part.path, "reason": part.error} for part in district.left_out]
    return result


def check(paths: list[Path], today: dt.date, config_path: Path | None) -> int:
    district = analyse_units(paths, config_path, today)
    click.echo(check_text(district, district.config))
    return _finish(district)


def stats(paths: list[Path], today: dt.date, config_path: Path | None, as_json: bool) -> int:
    district = analyse_units(paths, config_path, today)
    if as_json:
        click.echo(json.dumps(district_json(district), ensure_ascii=False))
    else:
        statistics = district.statistics
        body = stats_text(dataclasses.replace(statistics, warnings=[]), district.config)
        click.echo("\n".join([_title(district), body, *units_table(district), *statistics.warnings]))
    return _finish(district)


def refresh(paths: list[Path], today: dt.date, config_path: Path | None, output: Path | None,
            now: dt.datetime, mail_to: list[str] = ()) -> int:
    """Write the district summary into a new workbook; the units' files are only read."""
    from automation.district import check_output, write_district_workbook
    from automation.problems import LedgerError

    if output is None:
        raise LedgerError(messages.DISTRICT_FOLDER_NEEDS_OUTPUT)
    check_output(output, resolve_sources(paths))
    district = analyse_units(paths, config_path, today, exclude=(output,))
    backup = write_district_workbook(district, district.config, output, now)
    statistics = district.statistics
    click.echo(messages.DISTRICT_REFRESH_DONE.format(path=output, units=len(statistics.groups["unit"]),
                                                     today=today.isoformat()))
    if backup:
        click.echo(messages.REFRESH_BACKUP.format(backup=backup))
    click.echo(messages.REFRESH_FIGURES.format(problems=len(statistics.problems), **statistics.totals))
    for warning in statistics.warnings:
        click.echo(warning)
    code = _finish(district)
    if mail_to:
        import os

        from automation.district_mail import mail_summary

        for line in mail_summary(district, output, list(mail_to), district.config.parser, os.environ):
            click.echo(line)
    return code


def report(paths: list[Path], today: dt.date, config_path: Path | None, year: int | None, output: Path | None,
           fmt: str | None) -> int:
    """Draft the district's report (承办单位 N 个, per-unit table) with the report code."""
    from automation.district_report import write_district_report

    district = analyse_units(paths, config_path, today, year=year)
    if fmt is None:
        fmt = "md" if output is not None and output.suffix.lower() in (".md", ".markdown") else "docx"
    if output is None:
        first = Path(paths[0])
        folder = first if first.is_dir() else first.parent
        name = messages.REPORT_FILE_NAME.format(date=today.strftime("%Y%m%d"))
        output = folder / (name if fmt == "docx" else Path(name).with_suffix(".md").name)
    from automation.targets import check_report_output

    check_report_output(output, *(Path(path) for path in paths if Path(path).is_file()))
    result = write_district_report(district, district.config, output, fmt=fmt, year=year)
    for notice in result.notices:
        click.echo(notice, err=True)
    click.echo(messages.REPORT_WRITTEN.format(path=result.path))
    for image in result.images:
        click.echo(messages.REPORT_IMAGE_WRITTEN.format(path=image))
    click.echo(messages.CHECK_SUMMARY.format(**district.statistics.totals))
    for warning in district.statistics.warnings:
        click.echo(warning)
    return _finish(district)
