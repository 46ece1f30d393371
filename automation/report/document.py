"""Building the annual report's document from Statistics: the filled template, then the appendix
(items by section and status, the overdue list, the progress chart); and writing it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automation import messages as m
from automation.config import Config
from automation.report.blocks import (Block, ChartSeries, Heading, PageBreak, Paragraph, ReportDocument,
                                      StackedBarChart, Table)
from automation.report.files import ReportResult, document_kind, write_document
from automation.report.template import fill_template, template_blocks, template_context, template_path
from automation.report_text import date_text
from automation.stats import Statistics, format_rate

SECTION_COLUMNS = ("total", "completed", "in_progress", "overdue", "due_soon", "completion_rate", "on_time_rate")
CHART_SERIES = (("completed", "#70AD47"), ("in_progress", "#5B9BD5"), ("overdue", "#E74C3C"))


def _cell(figures: dict[str, Any], key: str) -> str:
    return format_rate(figures[key]) if key.endswith("_rate") else str(figures[key])


def appendix_blocks(statistics: Statistics) -> list[Block]:
    """附件: items by section and status, the overdue list, the progress chart by section."""
    sections = statistics.groups["section"]
    blocks: list[Block] = [PageBreak(), Paragraph(m.REPORT_APPENDIX, "appendix")]

    header = (m.REPORT_SEQ, m.REPORT_SECTION) + tuple(m.STAT_LABELS[key] for key in SECTION_COLUMNS)
    rows = [(str(index), label) + tuple(_cell(figures, key) for key in SECTION_COLUMNS)
            for index, (label, figures) in enumerate(sections.items(), start=1)]
    rows.append(("", m.TOTAL_ROW) + tuple(_cell(statistics.totals, key) for key in SECTION_COLUMNS))
    blocks.append(Paragraph(m.REPORT_SECTIONS_CAPTION.format(date=date_text(statistics)), "caption"))
    blocks.append(Table(header, tuple(rows), widths=(10, 26, 17, 17, 17, 17, 17, 17.5, 17.5),
                        align=("center", "left") + ("center",) * len(SECTION_COLUMNS), total_row=True))

    blocks.append(Paragraph(m.REPORT_OVERDUE_CAPTION, "caption"))
    if statistics.overdue_items:
        header = tuple(m.HEADERS_ITEM_LIST) + (m.HEADER_DAYS_OVERDUE,)
        rows = [(item.id, item.title, item.section or m.BLANK_VALUE, item.handler or m.BLANK_VALUE,
                 item.leader or m.BLANK_VALUE, item.deadline.isoformat(), str(item.days))
                for item in statistics.overdue_items]
        blocks.append(Table(header, tuple(rows), widths=(22, 43, 25, 16, 16, 22, 12),
                            align=("center", "left", "center", "center", "center", "center", "center")))
    else:
        blocks.append(Paragraph(m.OVERDUE_EMPTY, "note"))

    if sections:
        blocks.append(Paragraph(m.REPORT_CHART_CAPTION, "caption"))
        blocks.append(StackedBarChart(
            title=m.CHART_PROGRESS,
            categories=tuple(sections),
            series=tuple(ChartSeries(m.STAT_LABELS[key], m.REPORT_CHART_ASCII_SERIES[key],
                                     tuple(figures[key] for figures in sections.values()), color)
                         for key, color in CHART_SERIES),
            axis_label=m.REPORT_CHART_AXIS,
            ascii_axis_label=m.REPORT_CHART_ASCII_AXIS,
            ascii_note=m.REPORT_CHART_ASCII_NOTE,
            image_name="progress",
        ))
    return blocks


def build_report_document(statistics: Statistics, config: Config, year: int | None = None,
                          extra_paragraphs: tuple[str, ...] | list[str] = ()) -> ReportDocument:
    """The report as a document model: the filled template, then the appendix.

    `year` is the year the report is about (title and time words); the statistics should
    already be limited to it (`filter_year`). Default: the year of the statistics date.
    `extra_paragraphs` (e.g. the comparison with last year) go before the signature."""
    context = template_context(statistics, config, year)
    filled = fill_template(template_path(config), context)
    body = template_blocks(filled)
    if extra_paragraphs:
        at = next((i for i, block in enumerate(body) if isinstance(block, Paragraph) and block.role == "signature"),
                  len(body))
        body[at:at] = [Paragraph(text) for text in extra_paragraphs]
    blocks = body + appendix_blocks(statistics)
    title = next((block.text for block in blocks if isinstance(block, Heading) and block.level == 0), "")
    title = title.replace("\n", "")  # a title may be broken over two lines
    return ReportDocument(title=title, blocks=blocks, year=context["year"], as_of=statistics.as_of, docx_base=filled)


def write_report(statistics: Statistics, config: Config, path: Path, fmt: str = "docx",
                 year: int | None = None, extra_paragraphs: tuple[str, ...] | list[str] = ()) -> ReportResult:
    """Build the report once and write it as .docx (fmt="docx") or Markdown (fmt="md"; the
    chart goes to a PNG file beside it). Each file is written whole or not at all."""
    kind = document_kind(fmt)
    document = build_report_document(statistics, config, year, extra_paragraphs)
    return write_document(document, Path(path), kind, config.backups)
