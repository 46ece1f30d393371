"""The district's report: the usual report (same template, same sentences, same writer) over all
units, opened by a paragraph on the units (承办单位 N 个, 共承办 … 件) and with a per-unit table
in the appendix."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from automation import messages as m
from automation.config import Config
from automation.district import ranks
from automation.report import Heading, Paragraph, ReportResult, Table, build_report_document
from automation.report_text import date_text, kinds_noun
from automation.stats import format_rate

UNIT_TABLE_KEYS = ("total", "completed", "in_progress", "overdue", "completion_rate", "on_time_rate",
                   "satisfaction_rate")
#: Units below this 办结率 rank (the last third) are named as lagging.
LAGGING_SHARE = 1 / 3


def opening_paragraph(district) -> str:
    """承办单位 N 个，共承办 … 件 …; and the units whose 办结率 is lowest."""
    statistics = district.statistics
    totals = statistics.totals
    text = m.DISTRICT_REPORT_OPENING.format(
        date=date_text(statistics), units=len(statistics.groups["unit"]), kinds=kinds_noun(statistics),
        total=totals["total"], lead=totals["lead"], assisting=totals["assisting"], completed=totals["completed"],
        completion_rate=format_rate(totals["completion_rate"]), on_time_rate=format_rate(totals["on_time_rate"]),
        overdue=totals["overdue"])
    lagging = lagging_units(statistics)
    if lagging:
        text += m.DISTRICT_REPORT_LAGGING.format(units="、".join(lagging))
    return text


def lagging_units(statistics) -> list[str]:
    """The units in the last third by 办结率 (only when there are three units or more)."""
    units = statistics.groups["unit"]
    if len(units) < 3:
        return []
    rank_of = ranks({unit: figures["completion_rate"] for unit, figures in units.items()})
    cut = len(units) - max(1, int(len(units) * LAGGING_SHARE))
    return [unit for unit, rank in sorted(rank_of.items(), key=lambda pair: pair[1] or 0)
            if rank is not None and rank > cut]


def units_table(statistics) -> Table:
    """序号, 承办单位 and the main figures per unit, with a total row."""
    def cells(figures):
        return tuple(format_rate(figures[key]) if key.endswith("_rate") else str(figures[key])
                     for key in UNIT_TABLE_KEYS)

    header = (m.REPORT_SEQ, m.UNITS_HEADER_UNIT) + tuple(m.STAT_LABELS[key] for key in UNIT_TABLE_KEYS)
    rows = [(str(index), unit) + cells(figures)
            for index, (unit, figures) in enumerate(statistics.groups["unit"].items(), start=1)]
    rows.append(("", m.TOTAL_ROW) + cells(statistics.totals))
    return Table(header, tuple(rows), widths=(10, 30, 16, 16, 16, 16, 18, 18, 18),
                 align=("center", "left") + ("center",) * len(UNIT_TABLE_KEYS), total_row=True)


def write_district_report(district, config: Config, path: Path, fmt: str = "docx",
                          year: int | None = None) -> ReportResult:
    """Write the district report as .docx or Markdown (like `write_report`, one renderer)."""
    from automation.report import document_kind, write_document

    kind = document_kind(fmt)
    statistics = district.statistics
    # The body speaks for the units together unless the supervising office named itself.
    if config.office_name == Config().office_name:
        config = dataclasses.replace(config, office_name=m.DISTRICT_OFFICE_NAME)
    document = build_report_document(statistics, config, year)
    blocks = list(document.blocks)
    title_at = next((index for index, block in enumerate(blocks)
                     if isinstance(block, Heading) and block.level == 0), -1)
    blocks.insert(title_at + 1, Paragraph(opening_paragraph(district)))
    appendix_at = next((index for index, block in enumerate(blocks)
                        if isinstance(block, Paragraph) and block.role == "appendix"), len(blocks) - 1)
    blocks[appendix_at + 1:appendix_at + 1] = [
        Paragraph(m.DISTRICT_REPORT_UNITS_CAPTION.format(date=date_text(statistics)), "caption"),
        units_table(statistics)]
    document = dataclasses.replace(document, blocks=blocks)
    return write_document(document, Path(path), kind, config.backups)
