"""The Word template of the annual report: where it is, the values of its placeholders, filling
it (docxtpl), reading the filled document back as blocks, and writing the built-in one."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path
from typing import Any

from automation import messages as m
from automation.config import Config
from automation.problems import LedgerError
from automation.report.blocks import Block, Heading, PageBreak, Paragraph, Table
from automation.report.word import _clear_body, new_official_document
from automation.report.files import atomic_write
from automation.report_text import date_text, kinds_noun, period_word, report_sentences
from automation.stats import Statistics

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_TEMPLATE = TEMPLATES / "report_template.docx"


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
