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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from automation import messages as m
from automation.config import Config
from automation.problems import LedgerError
from automation.report_text import date_text, kinds_noun, period_word, report_sentences
from automation.stats import Statistics, format_rate

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_TEMPLATE = TEMPLATES / "report_template.docx"
FORMATS = {"docx": "docx", "md": "md", "markdown": "md"}

# Fonts of Chinese official documents (GB/T 9704), as the office's Word knows them; the
# font table also names a substitute that Windows ships, for machines without the GB2312 set.
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体"
TITLE_FONT = "方正小标宋简体"
SONGTI = "宋体"
LATIN_FONT = "Times New Roman"
FONT_SUBSTITUTES = {FANGSONG: "仿宋", KAITI: "楷体_GB2312", HEITI: "SimHei", TITLE_FONT: SONGTI, SONGTI: "SimSun"}

#: Matplotlib families that draw Chinese, best first (Linux packages, then Windows, then macOS).
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Serif CJK SC",
    "Noto Sans CJK TC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei",
    "SimHei", "DengXian", "SimSun", "NSimSun", "FangSong", "KaiTi", "PingFang SC", "Hiragino Sans GB",
    "Heiti SC", "STHeiti", "Songti SC", "Arial Unicode MS", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback",
)
CJK_NAME_HINTS = ("CJK", "Han Sans", "Han Serif", "WenQuanYi", "YaHei", "Hei", "Song", "Kai", "Ming", "Fang")

SECTION_COLUMNS = ("total", "completed", "in_progress", "overdue", "due_soon", "completion_rate", "on_time_rate")
CHART_SERIES = (("completed", "#70AD47"), ("in_progress", "#5B9BD5"), ("overdue", "#E74C3C"))


# --- the document model ------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A heading: level 0 is the document title, 1 is 一、, 2 is （一）, 3 is 1."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text. role: body, signature (right-aligned date line), appendix (the
    附件 mark), caption (of a table or figure), note (small print under a table or figure)."""

    text: str
    role: str = "body"


@dataclass(frozen=True)
class Table:
    """A table with a header row; `widths` are relative column widths, `align` per column
    (left/center/right); `total_row` marks the last row as a total."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    align: tuple[str, ...] = ()
    total_row: bool = False


@dataclass(frozen=True)
class ChartSeries:
    name: str
    ascii_name: str
    values: tuple[int, ...]
    color: str


@dataclass(frozen=True)
class StackedBarChart:
    """Horizontal stacked bars, one per category; `title` is its caption and alt text. The
    ASCII labels are used when no Chinese font is installed (categories become S1, S2, ...;
    `ascii_note` explains them under the chart)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    axis_label: str
    ascii_axis_label: str
    ascii_note: str
    image_name: str = "chart"


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Union[Heading, Paragraph, Table, StackedBarChart, PageBreak]


@dataclass
class ReportDocument:
    """The whole report: its title, its blocks in order, and the Word document that gives the
    .docx its styles, page setup, header and footer (the filled template; not used for Markdown)."""

    title: str
    blocks: list[Block]
    year: int
    as_of: Any
    docx_base: bytes | None = field(default=None, repr=False, compare=False)

    def texts(self) -> list[str]:
        """Every heading and paragraph text, in order (for tests and for search)."""
        return [block.text for block in self.blocks if isinstance(block, (Heading, Paragraph))]


# --- selecting a year -------------------------------------------------------------------


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


# --- the template ---------------------------------------------------------------------


def template_path(config: Config) -> Path:
    """The Word template: config.ini [report] template (relative to the config file), else
    the built-in one."""
    if not config.report_template:
        return DEFAULT_TEMPLATE
    path = Path(config.report_template).expanduser()
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    if not path.is_file():
        raise LedgerError(m.REPORT_TEMPLATE_NOT_FOUND.format(path=path))
    return path


def template_context(statistics: Statistics, config: Config, year: int | None = None) -> dict[str, Any]:
    """The values of the template's placeholders (m.REPORT_PLACEHOLDERS says what each holds)."""
    sentences = report_sentences(statistics, config, year)
    totals = statistics.totals
    lead_pending = sum(figures["total"] - figures["completed"]
                       for role, figures in statistics.groups["role"].items() if role in config.lead_roles)
    context = {
        "year": year if year is not None else statistics.as_of.year,
        "period": period_word(statistics, year),
        "office": config.office_name,
        "kinds_noun": kinds_noun(statistics),
        "date": date_text(statistics),
        "has_key_items": bool(statistics.key_items),
        "has_lead": bool(totals["lead"]),
        "has_assisting": bool(totals["assisting"]),
        "lead_pending": lead_pending > 0,
    }
    context.update(dataclasses.asdict(sentences))
    return context


def fill_template(path: Path, context: dict[str, Any]) -> bytes:
    """The template with every placeholder filled (docxtpl, values XML-escaped), as .docx bytes.
    An unknown placeholder or a syntax error is a LedgerError naming it."""
    import jinja2
    from docxtpl import DocxTemplate

    try:
        template = DocxTemplate(str(path))
        template.init_docx()
    except Exception as error:  # not a zip, not a Word document, damaged
        raise LedgerError(m.REPORT_TEMPLATE_UNREADABLE.format(path=path, detail=_short(error))) from None
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    names = "、".join("{{ " + name + " }}" for name in m.REPORT_PLACEHOLDERS)
    try:
        template.render(context, environment)
    except jinja2.UndefinedError as error:
        match = re.search(r"'([^']+)' is undefined", str(error))
        name = match.group(1) if match else str(error)
        raise LedgerError(m.REPORT_TEMPLATE_UNDEFINED.format(path=path, name=name, names=names)) from None
    except jinja2.TemplateSyntaxError as error:
        raise LedgerError(m.REPORT_TEMPLATE_SYNTAX.format(path=path, detail=error.message)) from None
    output = io.BytesIO()
    template.save(output)
    return output.getvalue()


def _short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) < 120 else text[:117] + "…"


# --- reading the filled template into blocks ----------------------------------------------

_STYLE_KINDS = {
    "title": ("heading", 0), "标题": ("heading", 0),
    "heading1": ("heading", 1), "标题1": ("heading", 1),
    "heading2": ("heading", 2), "标题2": ("heading", 2),
    "heading3": ("heading", 3), "标题3": ("heading", 3),
    "落款": ("signature", 0), "signature": ("signature", 0), "closing": ("signature", 0),
}


def _style_kind(style) -> tuple[str, int]:
    """What a paragraph style stands for, following its base styles (a custom style based on
    Heading 1 is a first-level heading)."""
    seen = 0
    while style is not None and seen < 10:
        key = re.sub(r"\s+", "", (style.name or "")).lower()
        if key in _STYLE_KINDS:
            return _STYLE_KINDS[key]
        style = style.base_style
        seen += 1
    return ("body", 0)


def template_blocks(docx_bytes: bytes) -> list[Block]:
    """The filled template's body as blocks: headings and paragraphs by their style, tables by
    their cells' text, page breaks; empty paragraphs (spacing, removed conditions) are dropped."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = Document(io.BytesIO(docx_bytes))
    blocks: list[Block] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:tbl"):
            table = DocxTable(element, document)
            rows = [tuple(cell.text.strip() for cell in row.cells) for row in table.rows]
            if rows:
                blocks.append(Table(header=rows[0], rows=tuple(rows[1:])))
            continue
        if element.tag != qn("w:p"):
            continue
        paragraph = DocxParagraph(element, document)
        breaks = element.findall(".//" + qn("w:br"))
        if paragraph.paragraph_format.page_break_before or any(br.get(qn("w:type")) == "page" for br in breaks):
            blocks.append(PageBreak())
        text = paragraph.text.strip()
        if not text:
            continue
        kind, level = _style_kind(paragraph.style)
        if kind == "heading":
            blocks.append(Heading(text, level))
        elif kind == "signature" or paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            blocks.append(Paragraph(text, "signature"))
        else:
            blocks.append(Paragraph(text))
    return blocks


# --- the appendix -------------------------------------------------------------------------


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


# --- the chart --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """A font family installed for matplotlib that draws Chinese: a known one (Noto Sans CJK
    from Debian's fonts-noto-cjk, WenQuanYi, Microsoft YaHei/SimHei/SimSun on Windows, PingFang
    on macOS ...), else any family whose name looks Chinese-capable; None when there is none."""
    from matplotlib import font_manager

    available = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FONT_FAMILIES:
        if family in available:
            return family
    for family in sorted(available):
        if any(hint.lower() in family.lower() for hint in CJK_NAME_HINTS):
            return family
    return None


def draw_chart(chart: StackedBarChart) -> tuple[bytes, bool]:
    """The chart as PNG bytes, and whether it had to use ASCII labels (no Chinese font)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = find_cjk_font()
    ascii_only = font is None
    if ascii_only:
        categories = [f"S{index}" for index in range(1, len(chart.categories) + 1)]
        axis_label = chart.ascii_axis_label
        names = [series.ascii_name for series in chart.series]
    else:
        categories, axis_label = list(chart.categories), chart.axis_label
        names = [series.name for series in chart.series]
    families = ([font] if font else []) + ["DejaVu Sans"]
    settings = {"font.family": "sans-serif", "font.sans-serif": families, "axes.unicode_minus": False,
                "font.size": 9}
    with matplotlib.rc_context(settings):
        count = len(categories)
        figure = Figure(figsize=(6.2, max(2.6, 0.42 * count + 1.6)), dpi=200)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(count))
        left = [0] * count
        for series, name in zip(chart.series, names):
            bars = axes.barh(positions, series.values, left=left, color=series.color, label=name, height=0.6)
            axes.bar_label(bars, labels=[str(value) if value else "" for value in series.values],
                           label_type="center", color="white", fontsize=8)
            left = [a + b for a, b in zip(left, series.values)]
        axes.set_yticks(positions, categories)
        axes.invert_yaxis()
        axes.set_xlabel(axis_label)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max(left + [1]) * 1.05)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16 if count > 3 else -0.25), ncols=len(names),
                    frameon=False)
        figure.tight_layout()
        output = io.BytesIO()
        figure.savefig(output, format="png", metadata={"Software": None})
    return output.getvalue(), ascii_only


# --- Word -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StyleSpec:
    """A paragraph style of the official format (sizes in points)."""

    east_asia: str | None = None
    size: float | None = None
    bold: bool | None = None
    align: str | None = None
    first_indent: float | None = None
    right_indent: float | None = None
    line_exact: float | None = None
    single_line: bool = False
    space_before: float | None = None
    space_after: float | None = None
    keep_next: bool = False
    outline: int | None = None
    base: str | None = "Normal"


#: GB/T 9704: body 仿宋_GB2312 三号 (16pt) indented two characters, fixed 28pt lines (22 lines a
#: page); title 方正小标宋简体 二号 (22pt) centred; headings 黑体 / 楷体 三号.
OFFICIAL_STYLES: dict[str, StyleSpec] = {
    "Normal": StyleSpec(FANGSONG, 16, False, "justify", 32, 0, 28, space_before=0, space_after=0, base=None),
    "Title": StyleSpec(TITLE_FONT, 22, False, "center", 0, 0, 35, space_before=0, space_after=28, keep_next=True),
    "Heading 1": StyleSpec(HEITI, 16, False, "justify", 32, keep_next=True, outline=0),
    "Heading 2": StyleSpec(KAITI, 16, False, "justify", 32, keep_next=True, outline=1),
    "Heading 3": StyleSpec(FANGSONG, 16, True, "justify", 32, keep_next=True, outline=2),
    "落款": StyleSpec(FANGSONG, 16, False, "right", 0, 64, space_before=28),
    "附件标记": StyleSpec(HEITI, 16, False, "left", 0),
    "附表标题": StyleSpec(HEITI, 16, False, "center", 0, space_before=14, space_after=7, keep_next=True),
    "表格文字": StyleSpec(FANGSONG, 10.5, False, "center", 0, 0, single_line=True, space_before=0, space_after=0),
    "附注": StyleSpec(FANGSONG, 12, False, "justify", 0, 0, single_line=True, space_before=4, space_after=0),
}
ROLE_STYLES = {"body": "Normal", "signature": "落款", "appendix": "附件标记", "caption": "附表标题", "note": "附注"}
HEADING_STYLES = {0: "Title", 1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}


def set_east_asia_font(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a style or run element explicitly (w:ascii, w:hAnsi, w:eastAsia), dropping
    theme font references, which Word would otherwise prefer."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def define_style(document, name: str, spec: StyleSpec, replace: bool = False):
    """Create (or, with replace, recreate) a paragraph style with the official formatting."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = document.styles
    existing = _style(document, name)
    if existing is not None and name != "Normal":
        if not replace:
            return existing
        existing.element.getparent().remove(existing.element)
        existing = None
    style = existing if existing is not None else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if spec.base and _style(document, spec.base) is not None:
        style.base_style = styles[spec.base]
    style.quick_style = True
    if name in OFFICIAL_STYLES and name != "Normal":
        style.next_paragraph_style = styles["Normal"]
    font = style.font
    if spec.size is not None:
        font.size = Pt(spec.size)
    if spec.bold is not None:
        font.bold = spec.bold
        font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    if spec.east_asia:
        set_east_asia_font(style.element, spec.east_asia)
    paragraph = style.paragraph_format
    alignments = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                  "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}
    if spec.align:
        paragraph.alignment = alignments[spec.align]
    if spec.first_indent is not None:
        paragraph.first_line_indent = Pt(spec.first_indent)
    if spec.right_indent is not None:
        paragraph.right_indent = Pt(spec.right_indent)
    if spec.line_exact is not None:
        paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph.line_spacing = Pt(spec.line_exact)
    elif spec.single_line:
        paragraph.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if spec.space_before is not None:
        paragraph.space_before = Pt(spec.space_before)
    if spec.space_after is not None:
        paragraph.space_after = Pt(spec.space_after)
    if spec.keep_next:
        paragraph.keep_with_next = True
    if spec.outline is not None:
        ppr = style.element.get_or_add_pPr()
        for old in ppr.findall(qn("w:outlineLvl")):
            ppr.remove(old)
        outline = ppr.makeelement(qn("w:outlineLvl"), {qn("w:val"): str(spec.outline)})
        ppr.append(outline)
        _reorder_ppr(ppr)
    return style


TBL_PR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                "tblCaption", "tblDescription"]


def _reorder(parent, order: list[str]) -> None:
    """Put the children of a properties element in schema order (Word refuses other orders)."""
    from docx.oxml.ns import qn

    rank = {qn("w:" + name): index for index, name in enumerate(order)}
    for child in sorted(parent, key=lambda child: rank.get(child.tag, len(order))):
        parent.append(child)


def _reorder_ppr(ppr) -> None:
    """Keep w:pPr children in schema order."""
    order = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
             "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]
    _reorder(ppr, order)


def _style(document, name: str):
    for style in document.styles:
        if style.name == name:
            return style
    return None


def ensure_styles(document) -> None:
    """Add every style the report uses that the template lacks (the template's own styles win)."""
    for name, spec in OFFICIAL_STYLES.items():
        if _style(document, name) is None:
            define_style(document, name, spec)


def _clear_body(document) -> None:
    from docx.oxml.ns import qn

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _add_table(document, table: Table) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Emu

    columns = len(table.header)
    grid = document.add_table(rows=1 + len(table.rows), cols=columns)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    tbl_pr = grid._tbl.tblPr
    borders = tbl_pr.makeelement(qn("w:tblBorders"), {})
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(borders.makeelement(qn("w:" + side), {qn("w:val"): "single", qn("w:sz"): "4",
                                                             qn("w:space"): "0", qn("w:color"): "000000"}))
    tbl_pr.append(borders)
    margins = tbl_pr.makeelement(qn("w:tblCellMar"), {})
    for side in ("left", "right"):  # 1 mm, so that short names and dates fit on one line
        margins.append(margins.makeelement(qn("w:" + side), {qn("w:w"): "57", qn("w:type"): "dxa"}))
    tbl_pr.append(margins)
    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    weights = table.widths if len(table.widths) == columns else (1,) * columns
    widths = [Emu(int(usable * weight / sum(weights))) for weight in weights]
    alignments = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                  "center": WD_ALIGN_PARAGRAPH.CENTER}
    for column, width in zip(grid.columns, widths):
        column.width = width  # w:gridCol, which LibreOffice and WPS go by
    layout = tbl_pr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"})
    tbl_pr.append(layout)
    width_element = tbl_pr.find(qn("w:tblW"))
    if width_element is None:
        width_element = tbl_pr.makeelement(qn("w:tblW"), {})
        tbl_pr.append(width_element)
    width_element.set(qn("w:type"), "dxa")
    width_element.set(qn("w:w"), str(sum(int(width.twips) for width in widths)))
    _reorder(tbl_pr, TBL_PR_ORDER)
    all_rows = [table.header] + list(table.rows)
    for row_index, (row, values) in enumerate(zip(grid.rows, all_rows)):
        total = table.total_row and row_index == len(all_rows) - 1
        for column, (cell, value) in enumerate(zip(row.cells, values)):
            cell.width = widths[column]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles["表格文字"]
            if row_index and column < len(table.align):
                paragraph.alignment = alignments[table.align[column]]
            run = paragraph.add_run(value)
            if row_index == 0:
                set_east_asia_font(run._r, HEITI)  # the header row in 黑体 (bold enough by itself)
            elif total:
                run.bold = True
    header_row = grid.rows[0]._tr.get_or_add_trPr()
    header_row.append(header_row.makeelement(qn("w:tblHeader"), {}))


def render_docx(document: ReportDocument) -> tuple[bytes, list[str]]:
    """The report as .docx bytes, and the notices for the user (e.g. no Chinese font for the chart)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    base = Document(io.BytesIO(document.docx_base)) if document.docx_base else new_official_document()
    _clear_body(base)
    ensure_styles(base)
    notices: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            base.add_paragraph(block.text, style=HEADING_STYLES.get(block.level, "Heading 3"))
        elif isinstance(block, Paragraph):
            base.add_paragraph(block.text, style=ROLE_STYLES.get(block.role, "Normal"))
        elif isinstance(block, Table):
            _add_table(base, block)
        elif isinstance(block, PageBreak):
            base.add_page_break()
        elif isinstance(block, StackedBarChart):
            png, ascii_only = draw_chart(block)
            paragraph = base.add_paragraph(style="表格文字")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            section = base.sections[-1]
            width = min(Mm(150), section.page_width - section.left_margin - section.right_margin)
            paragraph.add_run().add_picture(io.BytesIO(png), width=width)
            if ascii_only:
                base.add_paragraph(block.ascii_note, style="附注")
                notices.append(m.REPORT_NO_CJK_FONT)
    properties = base.core_properties
    properties.title = document.title
    if document.as_of is not None:
        stamp = dt.datetime.combine(document.as_of, dt.time())
        properties.created = properties.modified = stamp
    properties.revision = 1
    output = io.BytesIO()
    base.save(output)
    return output.getvalue(), notices


# --- Markdown -------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)(\d*)([#>+\-=.)])(?=\s|$)")


def md_escape(text: str, cell: bool = False) -> str:
    """Text as Markdown shows it literally: no emphasis, links, HTML or table breaks, and in a
    paragraph no heading or list marker at the start of a line (a line break in a table cell
    becomes <br>)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text.replace("\r", ""))
    lines = escaped.split("\n")
    if cell:
        return "<br>".join(line.strip() for line in lines)
    return "  \n".join(_MD_LINE_START.sub(r"\1\2\\\3", line) for line in lines)


def render_markdown(document: ReportDocument, image_prefix: str = "report") -> tuple[str, dict[str, bytes], list[str]]:
    """The report as Markdown text, the images it links to (file name → PNG bytes), and notices."""
    lines: list[str] = []
    images: dict[str, bytes] = {}
    notices: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + md_escape(block.text.replace("\n", "")), ""]
        elif isinstance(block, Paragraph):
            if block.role == "appendix":
                lines += ["## " + md_escape(block.text), ""]
            elif block.role == "caption":
                lines += ["### " + md_escape(block.text), ""]
            else:
                lines += [md_escape(block.text), ""]
        elif isinstance(block, Table):
            lines.append("| " + " | ".join(md_escape(value, cell=True) for value in block.header) + " |")
            marks = {"left": ":---", "right": "---:", "center": ":---:"}
            aligns = [marks[block.align[i]] if i < len(block.align) else "---" for i in range(len(block.header))]
            lines.append("| " + " | ".join(aligns) + " |")
            for row in block.rows:
                lines.append("| " + " | ".join(md_escape(value, cell=True) for value in row) + " |")
            lines.append("")
        elif isinstance(block, StackedBarChart):
            png, ascii_only = draw_chart(block)
            name = f"{image_prefix}_{block.image_name}.png"
            images[name] = png
            lines += [f"![{md_escape(block.title)}]({name.replace(' ', '%20')})", ""]
            if ascii_only:
                lines += [md_escape(block.ascii_note), ""]
                notices.append(m.REPORT_NO_CJK_FONT)
    return "\n".join(lines).rstrip("\n") + "\n", images, notices


# --- writing -------------------------------------------------------------------------------


@dataclass
class ReportResult:
    """What `write_report` wrote: the report file, any image files beside it, notices."""

    path: Path
    images: list[Path]
    notices: list[str]


def write_report(statistics: Statistics, config: Config, path: Path, fmt: str = "docx",
                 year: int | None = None, extra_paragraphs: tuple[str, ...] | list[str] = ()) -> ReportResult:
    """Build the report once and write it as .docx (fmt="docx") or Markdown (fmt="md"; the
    chart goes to a PNG file beside it). Each file is written whole or not at all."""
    kind = document_kind(fmt)
    document = build_report_document(statistics, config, year, extra_paragraphs)
    return write_document(document, Path(path), kind, config.backups)


def document_kind(fmt: str) -> str:
    """"docx" or "md" for a --format value; a clear error for anything else."""
    kind = FORMATS.get(str(fmt).lower().lstrip("."))
    if kind is None:
        raise LedgerError(m.REPORT_BAD_FORMAT.format(fmt=fmt))
    return kind


def write_document(document: ReportDocument, path: Path, kind: str, backups: int) -> ReportResult:
    """Write a built document (report, district report, bulletin) as .docx or Markdown, its
    charts as PNG files beside the Markdown; each file whole or not at all."""
    if kind == "docx":
        data, notices = render_docx(document)
        atomic_write(path, data, backups)
        return ReportResult(path, [], _once(notices))
    text, images, notices = render_markdown(document, image_prefix=path.stem)
    written = []
    for name, png in images.items():
        target = path.parent / name
        atomic_write(target, png)
        written.append(target)
    atomic_write(path, text.encode("utf-8"), backups)
    return ReportResult(path, written, _once(notices))


def _once(notices: list[str]) -> list[str]:
    return list(dict.fromkeys(notices))


def owner_files(path: Path) -> list[Path]:
    """The lock files Word (~$name, or ~$ over the first two letters of a long name), WPS and
    LibreOffice keep beside a document they have open."""
    name = path.name
    names = ["~$" + name, "~$" + name[2:], "~$" + name[1:], ".~lock." + name + "#", ".~" + name]
    return [path.with_name(candidate) for candidate in dict.fromkeys(names) if candidate not in ("~$", ".~")]


def atomic_write(path: Path, data: bytes, backups: int = 0) -> None:
    """Write a file whole or not at all (safe_write: temporary file, fsync, atomic replace),
    keeping the last `backups` versions in .ledger_backups/ beside it; refuse a document that
    is open in Word/WPS/LibreOffice (DESIGN.md invariants 3 and 4)."""
    from automation.safe_write import save_workbook
    from automation.xlsx.errors import WorkbookInUseError

    path.parent.mkdir(parents=True, exist_ok=True)
    if any(owner.is_file() for owner in owner_files(path)):
        raise LedgerError(m.REPORT_FILE_LOCKED.format(path=path))
    try:
        save_workbook(path, data, backups=backups, check_open=False)
    except WorkbookInUseError:
        raise LedgerError(m.REPORT_FILE_LOCKED.format(path=path)) from None


# --- the built-in template ------------------------------------------------------------------


def _page_number_footer(section) -> None:
    """Footer: the page number as — 1 —, 宋体 四号 (14pt), centred (GB/T 9704 style)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer = section.footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)

    def run(text: str | None = None):
        new = paragraph.add_run(text)
        new.font.size = Pt(14)
        set_east_asia_font(new._r, SONGTI, SONGTI)
        return new

    run("— ")
    field = run()
    begin = field._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): "begin"})
    field._r.append(begin)
    instruction = run()
    code = instruction._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
    code.text = " PAGE "
    instruction._r.append(code)
    separate = run()
    separate._r.append(separate._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): "separate"}))
    run("1")
    end = run()
    end._r.append(end._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): "end"}))
    run(" —")


def _font_table_substitutes(document) -> None:
    """Declare the official fonts in the font table with a substitute (w:altName) that Windows
    ships, so Word shows 仿宋 where 仿宋_GB2312 is missing, 宋体 for 方正小标宋简体, and so on."""
    from lxml import etree

    from docx.oxml.ns import qn

    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for name, substitute in FONT_SUBSTITUTES.items():
        if root.find(f"{{*}}font[@{{{root.nsmap['w']}}}name='{name}']") is not None:
            continue
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): substitute})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern" if name != SONGTI else "roman"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_relationships(owner, reltype_suffix: str) -> None:
    for rel_id, rel in list(owner.rels.items()):
        if rel.reltype.endswith(reltype_suffix):
            del owner.rels[rel_id]


def new_official_document():
    """An empty Word document with the official format: A4, GB/T 9704 margins (top 37 mm,
    bottom 35 mm, left 28 mm, right 26 mm), the styles of OFFICIAL_STYLES, Chinese as the
    East Asian language, page numbers in the footer."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    document = Document()
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Title Char", "Heading 1 Char",
                 "Heading 2 Char", "Heading 3 Char"):
        style = _style(document, name)
        if style is not None:
            style.element.getparent().remove(style.element)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute, value in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT), ("w:eastAsia", FANGSONG),
                             ("w:cs", LATIN_FONT)):
        fonts.set(qn(attribute), value)
    language = rpr_default.find(qn("w:lang"))
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    for name, spec in OFFICIAL_STYLES.items():
        define_style(document, name, spec, replace=True)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    _page_number_footer(section)
    _font_table_substitutes(document)
    _drop_relationships(document.part.package, "metadata/thumbnail")  # python-docx's sample picture
    _drop_relationships(document.part, "stylesWithEffects")  # Word 2010's copy of the old styles
    document.core_properties.author = ""
    document.core_properties.comments = ""
    return document


def write_default_template(path: Path) -> Path:
    """Write the built-in template (automation/templates/report_template.docx): the official
    format, and the prose of m.REPORT_TEMPLATE_PARAGRAPHS with its placeholders."""
    document = new_official_document()
    _clear_body(document)
    for style, text in m.REPORT_TEMPLATE_PARAGRAPHS:
        document.add_paragraph(text, style=style)
    document.core_properties.title = m.REPORT_TEMPLATE_PARAGRAPHS[0][1].replace("\n", "")
    output = io.BytesIO()
    document.save(output)
    atomic_write(Path(path), output.getvalue())
    return Path(path)
