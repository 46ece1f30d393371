"""Strict Open XML workbooks for tests, made from transitional ones.

LibreOffice cannot save Strict and Excel does not run here, so a Strict workbook is built
the way Excel's "Strict Open XML 电子表格" writes one: every namespace of the transitional
vocabulary and every relationship type in its ISO 29500 Strict form (purl.oclc.org),
`conformance="strict"` on the workbook, the package's own parts (content types, package
relationship namespace, core properties) unchanged, as the standard keeps them.
"""

from __future__ import annotations

import io
import re
import zipfile

#: Transitional namespace -> Strict namespace (ISO/IEC 29500-1:2016 Annex A, as Excel writes them).
STRICT_NAMESPACES = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships": "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main",
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "http://purl.oclc.org/ooxml/drawingml/chart",
    "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing": "http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": "http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes": "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
}
#: Relationship types whose last segment Strict spells differently.
STRICT_TYPE_NAMES = {"extended-properties": "extendedProperties"}

_QUOTED_URI = re.compile(r'"(http://schemas\.openxmlformats\.org/[^"]+)"')


def _strict_uri(uri: str) -> str:
    for transitional, strict in sorted(STRICT_NAMESPACES.items(), key=lambda pair: -len(pair[0])):
        if uri == transitional:
            return strict
        if uri.startswith(transitional + "/"):
            tail = uri[len(transitional) + 1:]
            return f"{strict}/{STRICT_TYPE_NAMES.get(tail, tail)}"
    return uri


def strict_part(data: bytes) -> bytes:
    """One XML part with its namespaces and relationship types in the Strict form."""
    text = data.decode("utf-8")
    text = _QUOTED_URI.sub(lambda m: f'"{_strict_uri(m.group(1))}"', text)
    return text.encode("utf-8")


def to_strict(data: bytes) -> bytes:
    """A transitional workbook package converted to Strict Open XML (every XML part, every .rels)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith((".xml", ".rels")):
                content = strict_part(content)
                if info.filename == "xl/workbook.xml":
                    content = re.sub(rb"(<(?:\w+:)?workbook\b)", rb'\1 conformance="strict"', content, count=1)
            target.writestr(info, content)
    return buffer.getvalue()
