"""Rendering the document model as .docx (python-docx) in the official format of GB/T 9704:
its fonts, paragraph styles, tables, page setup and page-number footer."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from automation import messages as m
from automation.report.blocks import Heading, PageBreak, Paragraph, ReportDocument, StackedBarChart, Table
from automation.report.chart import draw_chart

# Fonts of Chinese official documents (GB/T 9704), as the office's Word knows them; the
# font table also names a substitute that Windows ships, for machines without the GB2312 set.
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体"
TITLE_FONT = "方正小标宋简体"
SONGTI = "宋体"
LATIN_FONT = "Times New Roman"
FONT_SUBSTITUTES = {FANGSONG: "仿宋", KAITI: "楷体_GB2312", HEITI: "SimHei", TITLE_FONT: SONGTI, SONGTI: "SimSun"}


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
