"""The annual handling report (办理工作情况汇报): one document model, rendered as Word and Markdown.

    statistics ──► context (filled sentences) ──► Word template (docxtpl) ──► ReportDocument ──► .docx
                                                   + appendix (tables, chart)                 └─► .md (+ .png)

* The prose is a Word template the office can edit (`automation/templates/report_template.docx`,
  or the file named in config.ini [report] template). Its placeholders are the sentences of
  `report_text` (the same code the 统计汇总 sheet uses) and a few words (year, office, date).
* `build_report_document` fills the template and reads it back as a small document model
  (headings, paragraphs, tables, a chart, page breaks), then adds the appendix (items by
  section and status, the overdue list, the progress chart). The layout happens there, once.
* `render_docx` and `render_markdown` only map the blocks to Word paragraphs/tables and to
  Markdown. The Word output keeps the template's styles, page setup, header and footer.

Building and rendering read no clock (the statistics date is the report's date); the chart
font is looked up among the installed fonts. Writing keeps the previous draft as a backup.

The modules, each importing only those above it:

    blocks    the document model (Heading, Paragraph, Table, StackedBarChart, PageBreak, ReportDocument)
    year      selecting one year's items; analyse_for_report
    chart     the matplotlib chart and the Chinese font search
    docx      rendering as .docx in the GB/T 9704 layout; the built-in template's empty document
    markdown  rendering as Markdown
    files     atomic writes, lock files, backups, write_document
    template  the Word template: path, placeholders, filling, reading back, writing the built-in one
    document  building the annual report (template + appendix) and write_report

This file only re-exports the names other modules and tests import from `automation.report`.
"""

from automation.report.blocks import (Block, ChartSeries, Heading, PageBreak, Paragraph, ReportDocument,
                                      StackedBarChart, Table)
from automation.report.chart import CJK_FONT_FAMILIES, CJK_NAME_HINTS, draw_chart, find_cjk_font
from automation.report.word import (FANGSONG, FONT_SUBSTITUTES, HEADING_STYLES, HEITI, KAITI, LATIN_FONT,
                                    OFFICIAL_STYLES, ROLE_STYLES, SONGTI, TBL_PR_ORDER, TITLE_FONT, StyleSpec,
                                    define_style, ensure_styles, new_official_document, render_docx,
                                    set_east_asia_font)
from automation.report.document import (CHART_SERIES, SECTION_COLUMNS, appendix_blocks, build_report_document,
                                        write_report)
from automation.report.files import (FORMATS, ReportResult, atomic_write, document_kind, owner_files,
                                     write_document)
from automation.report.markdown import md_escape, render_markdown
from automation.report.template import (DEFAULT_TEMPLATE, TEMPLATES, fill_template, template_blocks,
                                        template_context, template_path, write_default_template)
from automation.report.year import (YearFilter, analyse_for_report, filter_year, item_year_dates,
                                    year_filter_counts)

__all__ = [
    "Block", "ChartSeries", "Heading", "PageBreak", "Paragraph", "ReportDocument", "StackedBarChart", "Table",
    "CJK_FONT_FAMILIES", "CJK_NAME_HINTS", "draw_chart", "find_cjk_font",
    "FANGSONG", "FONT_SUBSTITUTES", "HEADING_STYLES", "HEITI", "KAITI", "LATIN_FONT", "OFFICIAL_STYLES",
    "ROLE_STYLES", "SONGTI", "TBL_PR_ORDER", "TITLE_FONT", "StyleSpec", "define_style", "ensure_styles",
    "new_official_document", "render_docx", "set_east_asia_font",
    "CHART_SERIES", "SECTION_COLUMNS", "appendix_blocks", "build_report_document", "write_report",
    "FORMATS", "ReportResult", "atomic_write", "document_kind", "owner_files", "write_document",
    "md_escape", "render_markdown",
    "DEFAULT_TEMPLATE", "TEMPLATES", "fill_template", "template_blocks", "template_context", "template_path",
    "write_default_template",
    "YearFilter", "analyse_for_report", "filter_year", "item_year_dates", "year_filter_counts",
]
