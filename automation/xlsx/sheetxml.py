"""Worksheet XML for one SheetModel, produced as a stream of string chunks.

Strings are inline strings (the shared-strings part is never touched) and are always
text, never formulas. Dates are serial numbers in the workbook's date system. The hot
loop builds plain f-strings, one per cell; styles are resolved once per block column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Iterator

from automation.model import Block, SheetModel, Style, column_letter, resolve_style
from automation.xlsx.xmltext import _ATTR_SPECIAL, DOC_REL_NS, MAIN_NS, escape_attr, escape_text

#: Longest text a cell may hold in Excel.
MAX_CELL_TEXT = 32767
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_EXTRA_COLUMN_STYLE = "text"
_WHITESPACE = " \t\r\n"
_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)

XfIndex = Callable[[Style], int]


def date_serial(value: dt.date, date1904: bool = False) -> float | None:
    """The Excel serial number of a date or datetime, or None before the epoch."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if date1904:
        serial = (day - _EPOCH_1904).days
        if serial < 0:
            return None
    else:
        serial = (day - _EPOCH_1900).days
        if serial < 2:
            return None
        if serial < 61:  # Excel counts a 29 February 1900 that never was
            serial -= 1
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return serial + seconds / 86400
    return serial


def _is_date_format(code: str) -> bool:
    lowered = code.lower()
    return lowered != "general" and any(letter in lowered for letter in "ymdh")


class _BlockStyles:
    """The ` s="N"` attribute of each column of a block, per row fill, built on demand."""

    def __init__(self, block: Block, width: int, xf_index: XfIndex):
        self._names = list(block.styles) + [_EXTRA_COLUMN_STYLE] * max(0, width - len(block.styles))
        self._xf_index = xf_index
        self._plain: dict[str | None, list[str]] = {}
        self._dates: dict[tuple[str | None, int, bool], str] = {}

    def attrs(self, fill: str | None) -> list[str]:
        found = self._plain.get(fill)
        if found is None:
            found = [f' s="{self._xf_index(resolve_style(name, fill))}"' for name in self._names]
            self._plain[fill] = found
        return found

    def date_attr(self, fill: str | None, column: int, with_time: bool) -> str:
        """The style of a date cell: the column's own if it is a date format."""
        key = (fill, column, with_time)
        found = self._dates.get(key)
        if found is None:
            style = resolve_style(self._names[column], fill)
            if not _is_date_format(style.number_format):
                style = dataclasses.replace(style, number_format=DATETIME_FORMAT if with_time else DATE_FORMAT)
            found = f' s="{self._xf_index(style)}"'
            self._dates[key] = found
        return found


def _text_cell(ref: str, s: str, value: str) -> str:
    if len(value) > MAX_CELL_TEXT:
        value = value[:MAX_CELL_TEXT]
    space = ' xml:space="preserve"' if value and (value[0] in _WHITESPACE or value[-1] in _WHITESPACE) else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape_text(value)}</t></is></c>'


def _other_cell(ref: str, s: str, value: object, styles: _BlockStyles, fill: str | None, column: int,
                date1904: bool) -> str:
    """A cell whose value is not a plain str/int/float (the rare path)."""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        serial = date_serial(value, date1904)
        if serial is None:
            return _text_cell(ref, s, value.isoformat())
        date_s = styles.date_attr(fill, column, isinstance(value, dt.datetime))
        return f'<c r="{ref}"{date_s}><v>{serial!r}</v></c>'
    if isinstance(value, str):
        return _text_cell(ref, s, str(value))
    if isinstance(value, numbers.Real):
        return _number_cell(ref, s, float(value))
    return _text_cell(ref, s, str(value))


def _number_cell(ref: str, s: str, value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return f'<c r="{ref}"{s}/>'
    return f'<c r="{ref}"{s}><v>{value!r}</v></c>'


def _block_rows(block: Block, xf_index: XfIndex, date1904: bool) -> list[str]:
    """The cells XML of each row of a block, in row order."""
    width = max([block.width, *(len(values) for values in block.values)]) if block.values else block.width
    styles = _BlockStyles(block, width, xf_index)
    if block.values and all(len(values) == width for values in block.values):
        return _columnar_rows(block, width, styles, date1904)
    return _row_by_row(block, width, styles, date1904)


def _row_by_row(block: Block, width: int, styles: _BlockStyles, date1904: bool) -> list[str]:
    """Cells XML of each row, cell by cell (ragged blocks)."""
    letters = [column_letter(block.column + offset) for offset in range(width)]
    fills = block.row_fills
    result = []
    for row_offset, values in enumerate(block.values):
        fill = fills[row_offset] if fills else None
        attrs = styles.attrs(fill)
        row = str(block.row + row_offset)
        result.append("".join(
            _cell(letters[column] + row, attrs[column], value, styles, fill, column, date1904)
            for column, value in enumerate(values)
        ))
    return result


def _cell(ref: str, s: str, value: object, styles: _BlockStyles, fill: str | None, column: int,
          date1904: bool) -> str:
    """One cell of any value type."""
    kind = type(value)
    if kind is str:
        return _text_cell(ref, s, value)
    if kind is int:
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if kind is float:
        return _number_cell(ref, s, value)
    if value is None:
        return f'<c r="{ref}"{s}/>'
    return _other_cell(ref, s, value, styles, fill, column, date1904)


def _columnar_rows(block: Block, width: int, styles: _BlockStyles, date1904: bool) -> list[str]:
    """Cells XML of each row, built column by column (the fast path for big tables)."""
    rows = [str(block.row + offset) for offset in range(len(block.values))]
    fills = block.row_fills or [None] * len(rows)
    columns = []
    for column, values in enumerate(zip(*block.values)):
        letter = column_letter(block.column + column)
        if block.row_fills:
            by_fill = {fill: styles.attrs(fill)[column] for fill in dict.fromkeys(fills)}
            attrs = [by_fill[fill] for fill in fills]
        else:
            attrs = [styles.attrs(None)[column]] * len(rows)
        cells = _fast_column(letter, rows, values, attrs, styles, fills, column, date1904)
        if cells is None:
            cells = [_cell(letter + row, s, value, styles, fill, column, date1904)
                     for row, value, s, fill in zip(rows, values, attrs, fills)]
        columns.append(cells)
    return list(map("".join, zip(*columns)))


_NONE = type(None)
_ORDINAL_1900 = dt.date(1899, 12, 30).toordinal()
_ORDINAL_1904 = dt.date(1904, 1, 1).toordinal()
_ILLEGAL_BUT_NUL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _plain_texts(texts: list[str]) -> bool:
    """True when no text needs escaping, cleaning or xml:space (checked in a few C scans)."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        return False
    if "&" in joined or "<" in joined or ">" in joined or '"' in joined:
        return False
    printable = all(map(str.isprintable, texts))  # no control characters at all
    for space in " " if printable else _WHITESPACE:
        if joined.startswith(space) or joined.endswith(space) or f"\x00{space}" in joined or f"{space}\x00" in joined:
            return False
    if not printable and _ILLEGAL_BUT_NUL.search(joined):
        return False
    return max(map(len, texts)) <= MAX_CELL_TEXT


def _fast_column(letter: str, rows: list[str], values: tuple, attrs: list[str], styles: _BlockStyles,
                 fills: list, column: int, date1904: bool) -> list[str] | None:
    """A whole column's cells when all its values are of one simple kind, else None."""
    kinds = set(map(type, values)) - {_NONE}
    if kinds == {str}:
        if not _plain_texts([value for value in values if value is not None]):
            return None
        return [f'<c r="{letter}{row}"{s} t="inlineStr"><is><t>{value}</t></is></c>' if value is not None
                else f'<c r="{letter}{row}"{s}/>' for row, value, s in zip(rows, values, attrs)]
    if kinds and kinds <= {int, float}:
        if float in kinds and not all(map(math.isfinite, (v for v in values if v is not None))):
            return None
        return [f'<c r="{letter}{row}"{s}><v>{value!r}</v></c>' if value is not None
                else f'<c r="{letter}{row}"{s}/>' for row, value, s in zip(rows, values, attrs)]
    if kinds == {dt.date}:
        base = _ORDINAL_1904 if date1904 else _ORDINAL_1900
        serials = [value.toordinal() - base if value is not None else None for value in values]
        if min(serial for serial in serials if serial is not None) < (0 if date1904 else 61):
            return None
        by_fill = {fill: styles.date_attr(fill, column, False) for fill in dict.fromkeys(fills)}
        date_attrs = [by_fill[fill] for fill in fills]
        return [f'<c r="{letter}{row}"{s}><v>{serial}</v></c>' if serial is not None
                else f'<c r="{letter}{row}"{plain}/>'
                for row, serial, s, plain in zip(rows, serials, date_attrs, attrs)]
    if not kinds:
        return [f'<c r="{letter}{row}"{s}/>' for row, s in zip(rows, attrs)]
    return None


def _blocks_overlap(blocks: list[Block]) -> bool:
    boxes = []
    for block in blocks:
        width = max([block.width, *(len(values) for values in block.values)]) if block.values else block.width
        boxes.append((block.row, block.row + block.height - 1, block.column, block.column + width - 1))
    for index, (top, bottom, left, right) in enumerate(boxes):
        for other_top, other_bottom, other_left, other_right in boxes[index + 1 :]:
            if top <= other_bottom and other_top <= bottom and left <= other_right and other_left <= right:
                return True
    return False


def _split_blocks(blocks: list[Block]) -> list[Block]:
    """Overlapping blocks as single-cell blocks, later blocks winning (the rare path)."""
    cells: dict[tuple[int, int], tuple[Block, int, int]] = {}
    for block in blocks:
        for row_offset, values in enumerate(block.values):
            for column_offset in range(len(values)):
                cells[(block.row + row_offset, block.column + column_offset)] = (block, row_offset, column_offset)
    result = []
    for (row, column), (block, row_offset, column_offset) in cells.items():
        style = block.styles[column_offset] if column_offset < len(block.styles) else _EXTRA_COLUMN_STYLE
        result.append(Block(
            row=row, column=column, values=[[block.values[row_offset][column_offset]]], styles=[style],
            row_fills=[block.row_fills[row_offset]] if block.row_fills else None,
            links=[block.links[row_offset]] if block.links and column_offset == 0 else None,
        ))
    return result


def _sheet_rows(sheet: SheetModel, xf_index: XfIndex, date1904: bool) -> tuple[dict[int, str], tuple[int, int, int, int] | None]:
    """({row number: cells XML}, (first row, first column, last row, last column) or None)."""
    blocks = [block for block in sheet.blocks if block.values]
    if _blocks_overlap(blocks):
        blocks = _split_blocks(blocks)
    rows: dict[int, str] = {}
    shared: dict[int, list[tuple[int, str]]] = {}  # rows that several side-by-side blocks fill
    bounds = None
    for block in blocks:
        for row, xml in zip(range(block.row, block.row + block.height), _block_rows(block, xf_index, date1904)):
            if row in rows:
                shared.setdefault(row, []).append((block.column, xml))
            else:
                rows[row] = xml
        box = (block.row, block.column, block.row + block.height - 1,
               block.column + max(max(len(values) for values in block.values), 1) - 1)
        bounds = box if bounds is None else (
            min(bounds[0], box[0]), min(bounds[1], box[1]), max(bounds[2], box[2]), max(bounds[3], box[3]))
    if shared:
        first_columns = _first_columns(blocks)
        for row, pieces in shared.items():
            pieces.append((first_columns[row], rows[row]))
            rows[row] = "".join(xml for _, xml in sorted(pieces, key=lambda piece: piece[0]))
    return rows, bounds


def _first_columns(blocks: list[Block]) -> dict[int, int]:
    """The column of the first block (in model order) that fills each row."""
    first: dict[int, int] = {}
    for block in blocks:
        for row in range(block.row, block.row + block.height):
            first.setdefault(row, block.column)
    return first


def _sheet_data(rows: dict[int, str], heights: dict[int, float]) -> str:
    for row in heights:
        rows.setdefault(row, "")
    order = sorted(rows)
    if not heights:
        return "".join([f'<row r="{row}">{rows[row]}</row>' for row in order])
    height_attrs = {row: f' ht="{float(height)!r}" customHeight="1"' for row, height in heights.items() if height}
    return "".join([f'<row r="{row}"{height_attrs.get(row, "")}>{rows[row]}</row>' for row in order])


def _hyperlinks(sheet: SheetModel) -> list[str]:
    """Internal hyperlinks on the first column of the rows of blocks that have `links`."""
    links = []
    for block in sheet.blocks:
        if not block.links:
            continue
        letter = column_letter(block.column)
        entries = [(row, target.lstrip("#"), values[0] if values else None)
                   for row, target, values in zip(range(block.row, block.row + block.height), block.links, block.values)
                   if target]
        texts = [target for _, target, _ in entries] + [str(d) for _, _, d in entries if d not in (None, "")]
        if texts and not _ATTR_SPECIAL.search("".join(texts)):  # the usual case: nothing to escape
            links += [f'<hyperlink ref="{letter}{row}" location="{target}"'
                      + (f' display="{display}"/>' if display not in (None, "") else "/>")
                      for row, target, display in entries]
            continue
        for row, target, display in entries:
            display_attr = f' display="{escape_attr(str(display))}"' if display not in (None, "") else ""
            links.append(f'<hyperlink ref="{letter}{row}" location="{escape_attr(target)}"{display_attr}/>')
    return links


def _sheet_properties(sheet: SheetModel) -> str:
    inner = ""
    if sheet.tab_color:
        color = sheet.tab_color.lstrip("#").upper()
        inner += f'<tabColor rgb="{"FF" + color if len(color) == 6 else color}"/>'
    if sheet.fit_to_width:
        inner += '<pageSetUpPr fitToPage="1"/>'
    return f"<sheetPr>{inner}</sheetPr>" if inner else ""


def _sheet_views(sheet: SheetModel) -> str:
    if sheet.freeze_row <= 0:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    top_left = f"A{sheet.freeze_row + 1}"
    return (
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{sheet.freeze_row}" topLeftCell="{top_left}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="{top_left}" sqref="{top_left}"/>'
        "</sheetView></sheetViews>"
    )


def _columns(sheet: SheetModel) -> str:
    if not sheet.column_widths:
        return ""
    cols = "".join(
        f'<col min="{column}" max="{column}" width="{float(width)!r}" customWidth="1"/>'
        for column, width in sorted(sheet.column_widths.items())
    )
    return f"<cols>{cols}</cols>"


def _merges(sheet: SheetModel) -> str:
    refs = []
    for area in sheet.merges:
        if (area.first_row, area.first_column) == (area.last_row, area.last_column):
            continue
        refs.append(f'<mergeCell ref="{column_letter(area.first_column)}{area.first_row}:'
                    f'{column_letter(area.last_column)}{area.last_row}"/>')
    return f'<mergeCells count="{len(refs)}">{"".join(refs)}</mergeCells>' if refs else ""


def _page_setup(sheet: SheetModel) -> str:
    orientation = "landscape" if sheet.landscape else "portrait"
    fit = ' fitToWidth="1" fitToHeight="0"' if sheet.fit_to_width else ""
    return (
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="9" orientation="{orientation}"{fit}/>'
    )


def iter_sheet_xml(sheet: SheetModel, xf_index: XfIndex, *, date1904: bool = False,
                   drawing_rel_id: str | None = None,
                   namespaces: tuple[str, str] = (MAIN_NS, DOC_REL_NS)) -> Iterator[str]:
    """The worksheet XML of a SheetModel, as chunks of text in schema order.

    `xf_index` maps a Style to its cellXfs index; `drawing_rel_id` is the relationship
    id of the sheet's drawing part when it has charts; `namespaces` are the SpreadsheetML
    and relationships namespaces (the Strict ones for a Strict workbook).
    """
    rows, bounds = _sheet_rows(sheet, xf_index, date1904)
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    yield f'<worksheet xmlns="{namespaces[0]}" xmlns:r="{namespaces[1]}">'
    yield _sheet_properties(sheet)
    if bounds:
        yield (f'<dimension ref="{column_letter(bounds[1])}{bounds[0]}:'
               f'{column_letter(bounds[3])}{bounds[2]}"/>')
    else:
        yield '<dimension ref="A1"/>'
    yield _sheet_views(sheet)
    yield _columns(sheet)
    yield "<sheetData>"
    yield _sheet_data(rows, sheet.row_heights)
    yield "</sheetData>"
    yield _merges(sheet)
    links = _hyperlinks(sheet)
    if links:
        yield f"<hyperlinks>{''.join(links)}</hyperlinks>"
    yield _page_setup(sheet)
    if drawing_rel_id:
        yield f'<drawing r:id="{drawing_rel_id}"/>'
    yield "</worksheet>"


def render_sheet(sheet: SheetModel, xf_index: XfIndex, *, date1904: bool = False,
                 drawing_rel_id: str | None = None,
                 namespaces: tuple[str, str] = (MAIN_NS, DOC_REL_NS)) -> bytes:
    """The worksheet part of a SheetModel as UTF-8 bytes (see `iter_sheet_xml`)."""
    return "".join(iter_sheet_xml(sheet, xf_index, date1904=date1904, drawing_rel_id=drawing_rel_id,
                                  namespaces=namespaces)).encode("utf-8")
