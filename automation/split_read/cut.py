"""Where a big ledger sheet is cut, and each half's workbook (see automation/split_read).

Both processes find the cut from the same bytes by the same rule: the first row tag, with its
row number, at or after the middle of the sheet's XML. Each half is a
workbook of its own for calamine: every other member copied as it is, the sheet holding that
half's rows only."""

from __future__ import annotations

import io
import os
import re
import zlib
from dataclasses import dataclass
from typing import Any

#: Sheets with less XML than this are parsed whole (about 7,000 rows of a typical ledger):
#: below it the fork and the second reading of the shared strings cost more than they save.
SPLIT_MIN_XML = 4_000_000
#: The share of the XML (per cent) the process that forked parses; the helper parses the rest.
CUT_FRACTION = 50

_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?worksheet)\b")
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'](\d+)["\']')


@dataclass(frozen=True)
class Cut:
    """Where a sheet's XML is cut: `position` is the start of the row tag that begins the
    second half, whose Excel row number is `row` (1-based)."""

    part: str
    position: int
    row: int
    open_end: int  # end of the <sheetData ...> tag
    prefix: bytes  # the sheetData element's namespace prefix ("x:" or "")
    root: bytes  # the root element's qualified name


def worksheet_parts(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, zip member) of each worksheet, in the workbook's order: the workbook part
    found through the package's relationships as the writer finds it (xlsx/package.py), in
    either vocabulary (Transitional or Strict), parsed with the writer's safe parser."""
    from automation.xlsx import opc
    from automation.xlsx.dialect import is_rel_type
    from automation.xlsx.xmltext import local_name, parse
    from automation.xlsx.zipio import ZipReader

    reader = ZipReader(data)

    def relationships(part: str) -> list:
        found = reader.find(opc.rels_name(part))
        return opc.parse_relationships(parse(reader.read(found), found)) if found else []

    workbook = next((reader.find(opc.resolve("", rel.target)) for rel in relationships("")
                     if is_rel_type(rel.type, "officeDocument") and not rel.external), None)
    if workbook is None:
        return []
    targets = {rel.id: reader.find(opc.resolve(workbook, rel.target)) for rel in relationships(workbook)
               if is_rel_type(rel.type, "worksheet") and not rel.external}
    found = []
    for element in parse(reader.read(workbook), workbook).iter():
        if not isinstance(element.tag, str) or local_name(element) != "sheet":
            continue
        rel_id = next((value for key, value in element.attrib.items()
                       if key.startswith("{") and key.rpartition("}")[2] == "id"), None)
        if targets.get(rel_id):
            found.append((element.get("name", ""), targets[rel_id]))
    return found


def big_member(data: bytes, sheet: str | None):
    """The zip entry (a ZipInfo: name, size, CRC) of worksheet `sheet` when it is big enough
    to be cut, else None; what both processes ask first."""
    from automation.xlsx.zipio import ZipReader

    part = dict(worksheet_parts(data)).get(sheet) if sheet is not None else None
    if part is None:
        return None
    info = ZipReader(data).info(part)
    return info if big_enough(info.file_size) else None


def inflate(data: bytes, part: str, at_least: int | None = None) -> bytes:
    """A member's bytes, all of them or (at_least) a prefix of at least that many bytes
    when the member is longer: zlib releases Python's lock while it inflates."""
    import zipfile

    from automation.xlsx.zipio import ZipReader

    reader = ZipReader(data)
    info = reader.info(part)
    raw = reader.raw(part)
    if info.compress_type == zipfile.ZIP_STORED:
        return bytes(raw if at_least is None else raw[:at_least])
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ValueError("compression method")
    if at_least is None:
        return zlib.decompress(raw, -15)
    inflater = zlib.decompressobj(-15)
    pieces, have, step = [], 0, 1 << 20
    for start in range(0, len(raw), step):
        piece = inflater.decompress(raw[start:start + step])
        pieces.append(piece)
        have += len(piece)
        if have >= at_least:
            break
    return b"".join(pieces)


def big_enough(size: int) -> bool:
    """Whether a sheet of `size` bytes of XML is cut."""
    return size >= SPLIT_MIN_XML


def cut_from(size: int) -> int:
    """Where the search for the cut begins in `size` bytes of XML: the middle. (The helper has
    more to do besides its half, the process that forked loads the program's modules meanwhile;
    55% measured no better over three full benchmark runs.)"""
    return size * CUT_FRACTION // 100


def locate_cut(xml: bytes, size: int, part: str) -> Cut | None:
    """The cut of a sheet whose XML has `size` bytes, found in `xml` (the whole XML or a
    prefix reaching past the cut): the first row tag at or after `cut_from(size)`, when it
    carries its row number. The same bytes give the same cut in both processes."""
    opening = _SHEET_DATA.search(xml, 0, min(len(xml), 1 << 20))
    root = _ROOT.search(xml, 0, 4096)
    if opening is None or opening.group(2) or root is None:
        return None
    prefix = opening.group(1)
    tag = b"<" + prefix + b"row"
    position = xml.find(tag, max(cut_from(size), opening.end()))
    while position >= 0 and xml[position + len(tag):position + len(tag) + 1] not in (b" ", b"\t", b"\r", b"\n", b">"):
        position = xml.find(tag, position + 1)  # <rowBreaks> and the like
    if position < 0:
        return None
    end = xml.find(b">", position)
    if end < 0 or xml.rfind(b"</" + prefix + b"sheetData>", opening.end(), position) >= 0:
        return None
    number = _ROW_NUMBER.search(xml, position, end)
    if number is None:
        return None  # rows numbered by their order only: a half would start again at row 1
    return Cut(part, position, int(number.group(1)), opening.end(), prefix, root.group(1))


def plan(data: bytes, sheet: str) -> Cut | None:
    """The cut of worksheet `sheet` of workbook `data`, or None when it is not cut (too small,
    not an .xlsx sheet, rows without numbers ...). Reads only the XML up to the cut."""
    return plan_with_prefix(data, sheet)[0]


def plan_with_prefix(data: bytes, sheet: str) -> tuple[Cut | None, bytes]:
    """(`plan`, the sheet's XML inflated up to past the cut)."""
    member = big_member(data, sheet)
    if member is None:
        return None, b""
    xml = inflate(data, member.filename, cut_from(member.file_size) + (1 << 20))
    return locate_cut(xml, member.file_size, member.filename), xml


def half_book(data: bytes, part: str, pieces: list, out=None) -> bytes:
    """The workbook with the sheet `part` replaced by `pieces` joined (stored uncompressed,
    written piece by piece); every other member copied as it is. Written to the binary file
    `out` when given (then b"" is returned)."""
    from automation.xlsx.zipio import ZipReader, ZipWriter

    reader = ZipReader(data)
    writer = ZipWriter(out)
    for info in reader.infos:
        if info.filename == part:
            writer.add_stored(part, pieces, template=info)
        else:
            writer.copy(reader, info.filename)
    return writer.finish()


def open_half_book(data: bytes, part: str, pieces: list) -> Any:
    """calamine's workbook of a half-book (`half_book`). Written to a file in /dev/shm (memory;
    removed as soon as calamine has it open) when there is one: calamine reads a file-like
    object of tens of megabytes several times slower than a file, and the sheet's pieces go
    to the file without being joined first."""
    import tempfile

    import python_calamine

    if os.path.isdir("/dev/shm"):
        try:
            descriptor, name = tempfile.mkstemp(suffix=".xlsx", prefix="ledger-half-", dir="/dev/shm")
        except OSError:
            pass
        else:
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    half_book(data, part, pieces, handle)
                return python_calamine.CalamineWorkbook.from_path(name)
            except OSError:
                pass
            finally:
                try:
                    os.unlink(name)
                except OSError:
                    pass
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(half_book(data, part, pieces)))


def first_half_pieces(xml: bytes, cut: Cut) -> list:
    """The first half's XML, as pieces: every row before the cut, then the closing tags."""
    return [memoryview(xml)[:cut.position], b"</" + cut.prefix + b"sheetData></" + cut.root + b">"]


def second_half_pieces(xml: bytes, cut: Cut) -> list:
    """The second half's XML, as pieces: the sheet's head, then every row from the cut on."""
    view = memoryview(xml)
    return [view[:cut.open_end], view[cut.position:]]


def choose_target(names: list[str], configured: str | None, owned: set[str]) -> str | None:
    """The sheet parsed early: the configured one (exact name), else the first worksheet
    that is not one of the assistant's own."""
    if configured is not None:
        return configured if configured in names else None
    return next((name for name in names if name not in owned), None)
