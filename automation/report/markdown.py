"""Rendering the document model as Markdown (the chart as a PNG image beside it)."""

from __future__ import annotations

import re

from automation import messages as m
from automation.report.blocks import Heading, Paragraph, ReportDocument, StackedBarChart, Table
from automation.report.chart import draw_chart


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
