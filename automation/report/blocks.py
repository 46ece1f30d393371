"""The report's document model: headings, paragraphs, tables, a chart, page breaks, and the
whole document. Renderers (`docx`, `markdown`) map these blocks; builders (`document`,
`district_report`, `bulletin`) produce them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


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
