"""The two vocabularies of SpreadsheetML: Transitional and Strict (ISO/IEC 29500 Strict).

Excel's "Strict Open XML 电子表格" writes the same parts as a transitional workbook with other
namespace URIs (`http://purl.oclc.org/ooxml/...`) and relationship types. The package layer
(content types, the package relationships namespace, core properties) is the same in both.
The writer builds its parts in the transitional vocabulary; for a Strict workbook the
namespace URIs and relationship types of what it writes are translated here, so that every
part added to a Strict workbook speaks Strict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TRANSITIONAL_BASE = "http://schemas.openxmlformats.org/"
_STRICT_BASE = "http://purl.oclc.org/ooxml/"

#: Transitional namespace -> Strict namespace, for the vocabularies the writer uses.
_STRICT_OF = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main",
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "http://purl.oclc.org/ooxml/drawingml/chart",
    "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing":
        "http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing",
}
# A quoted URI of those vocabularies (a namespace or a relationship type below one). User text
# never matches: the writer escapes every `"` of a value as &quot;.
_QUOTED = re.compile(
    r'"(' + "|".join(re.escape(uri) for uri in sorted(_STRICT_OF, key=len, reverse=True)) + r')(/[A-Za-z]+)?"'
)


@dataclass(frozen=True)
class Dialect:
    """The namespace URIs the writer uses for one vocabulary."""

    strict: bool
    main_ns: str
    rel_ns: str  # the r: namespace; relationship types are `rel_ns + "/" + name`

    def rel_type(self, name: str) -> str:
        """A relationship type of this vocabulary: rel_type("worksheet")."""
        return f"{self.rel_ns}/{name}"

    def translate(self, text: str) -> str:
        """Transitional XML text as written by the writer, in this vocabulary."""
        if not self.strict:
            return text
        return _QUOTED.sub(lambda m: f'"{_STRICT_OF[m.group(1)]}{m.group(2) or ""}"', text)

    def translate_bytes(self, data: bytes) -> bytes:
        return data if not self.strict else self.translate(data.decode("utf-8")).encode("utf-8")


TRANSITIONAL = Dialect(False, "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                       "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
STRICT = Dialect(True, _STRICT_OF[TRANSITIONAL.main_ns], _STRICT_OF[TRANSITIONAL.rel_ns])
RELATIONSHIP_NAMESPACES = (TRANSITIONAL.rel_ns, STRICT.rel_ns)


def dialect_of(main_namespace: str | None) -> Dialect | None:
    """The dialect whose SpreadsheetML namespace this is, or None."""
    for dialect in (TRANSITIONAL, STRICT):
        if main_namespace == dialect.main_ns:
            return dialect
    return None


def is_rel_type(rel_type: str, name: str) -> bool:
    """Whether a relationship type is `name` (e.g. "worksheet") in either vocabulary."""
    return rel_type in (TRANSITIONAL.rel_type(name), STRICT.rel_type(name))
