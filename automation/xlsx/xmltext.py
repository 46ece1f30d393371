"""Text-preserving edits of small XML parts.

A part is parsed twice: once by lxml, to understand it (namespaces, attributes), and once
by a light tag scanner that records where the root's direct children start and end in
the original text. Edits are splices at those offsets, so everything that is not edited
stays byte for byte as it was (prefixes, attribute order, whitespace, unknown markup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from automation import messages as msg
from automation.xlsx.errors import WorkbookError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile("[&<>\"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_SPECIAL = re.compile("[&<>\"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_MASKED = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.S)
_TAG = re.compile(
    r"<(/?)([^\s/>!?=]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(r"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ENCODING_DECLARATION = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def strip_illegal(value: str) -> str:
    """Remove the characters XML 1.0 does not allow."""
    return _ILLEGAL_CHARS.sub("", value)


def escape_text(value: str) -> str:
    """Escape a string for element content (also quotes), dropping illegal characters."""
    if _TEXT_SPECIAL.search(value) is None:
        return value
    value = _ILLEGAL_CHARS.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def escape_attr(value: str) -> str:
    """Escape a string for a double-quoted attribute value (keeping tabs and newlines)."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    value = escape_text(value)
    return value.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def unescape(value: str) -> str:
    """Resolve the predefined and numeric entity references of an attribute value."""

    def replace(match: re.Match) -> str:
        ref = match.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return _NAMED_ENTITIES[ref]

    return _ENTITY.sub(replace, value)


def parse(data: bytes, part: str) -> etree._Element:
    """Parse a part with lxml (no entities, no network), or refuse it clearly."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise WorkbookError(msg.XLSX_UNSUPPORTED_PART.format(part=part, detail=str(error))) from error


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


@dataclass
class Element:
    """A tag of the original text: offsets of its start tag, end tag and whole extent."""

    qname: str
    attrs: dict[str, str]
    start: int
    open_end: int
    close_start: int | None = None  # None when self-closing
    end: int = -1
    children: list["Element"] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.qname.rpartition(":")[2]

    @property
    def prefix(self) -> str:
        return self.qname.rpartition(":")[0]

    @property
    def self_closing(self) -> bool:
        return self.close_start is None

    def find_children(self, local: str) -> list["Element"]:
        return [child for child in self.children if child.local == local]

    def find_child(self, local: str) -> "Element | None":
        found = self.find_children(local)
        return found[0] if found else None


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTRIBUTE.finditer(text)}


def _mask(text: str) -> str:
    """The text with comments, CDATA, PIs and DOCTYPE blanked out (same length)."""
    return _MASKED.sub(lambda m: " " * (m.end() - m.start()), text)


def scan(text: str, part: str) -> Element:
    """The root element with its direct children, located in `text`."""
    root: Element | None = None
    current: Element | None = None
    depth = 0
    for match in _TAG.finditer(_mask(text)):
        closing, qname, attr_text, empty = match.groups()
        if not closing:
            if depth == 0 and root is None:
                root = Element(qname, _attributes(attr_text), match.start(), match.end())
                if empty:
                    root.end = match.end()
                    break
                depth = 1
                continue
            if depth == 1:
                current = Element(qname, _attributes(attr_text), match.start(), match.end())
                root.children.append(current)
                if empty:
                    current.end = match.end()
                    continue
            if not empty:
                depth += 1
            continue
        depth -= 1
        if depth == 1 and current is not None:
            current.close_start, current.end = match.start(), match.end()
        elif depth == 0 and root is not None:
            root.close_start, root.end = match.start(), match.end()
            break
    if root is None or root.end < 0 or any(child.end < 0 for child in root.children):
        raise WorkbookError(msg.XLSX_UNSUPPORTED_PART.format(part=part, detail="无法定位 XML 元素"))
    return root


def _decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, had_bom) for an XML part."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8", True
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", True
    declared = _ENCODING_DECLARATION.match(data)
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    return data.decode(encoding), encoding, False


class XmlPart:
    """An XML part being edited by splicing; `tree` is the lxml view of the original."""

    def __init__(self, name: str, data: bytes):
        self.name = name
        self.original = data
        self.tree = parse(data, name)
        try:
            self.text, self._encoding, self._bom = _decode(data)
        except (LookupError, UnicodeDecodeError) as error:
            raise WorkbookError(msg.XLSX_UNSUPPORTED_PART.format(part=name, detail=str(error))) from error
        self.root = scan(self.text, name)
        self._edits: list[tuple[int, int, int, str]] = []

    @property
    def prefix(self) -> str:
        return self.root.prefix

    def q(self, local: str) -> str:
        """A qualified name in the root's own namespace prefix."""
        return f"{self.prefix}:{local}" if self.prefix else local

    @property
    def changed(self) -> bool:
        return bool(self._edits)

    def _splice(self, start: int, end: int, text: str) -> None:
        self._edits.append((start, end, len(self._edits), text))

    def insert_at(self, position: int, text: str) -> None:
        self._splice(position, position, text)

    def insert_before(self, element: Element, text: str) -> None:
        self._splice(element.start, element.start, text)

    def remove(self, element: Element) -> None:
        self._splice(element.start, element.end, "")

    def append_children(self, element: Element, text: str, attrs: dict[str, str] | None = None) -> None:
        """Insert `text` as the last content of `element`, updating some of its attributes."""
        start_tag = self.text[element.start : element.open_end]
        if attrs:
            start_tag = _set_attributes(start_tag, attrs)
        if element.self_closing:
            opened = start_tag[:-2].rstrip() + ">" if start_tag.endswith("/>") else start_tag
            self._splice(element.start, element.end, f"{opened}{text}</{element.qname}>")
            return
        if attrs:
            self._splice(element.start, element.open_end, start_tag)
        self._splice(element.close_start, element.close_start, text)

    def render(self) -> bytes:
        """The edited part, in its original encoding; the original bytes when unedited."""
        if not self._edits:
            return self.original
        pieces: list[str] = []
        position = len(self.text)
        for start, end, _, text in sorted(self._edits, key=lambda e: (e[0], e[2]), reverse=True):
            if end > position:
                raise WorkbookError(msg.XLSX_SELF_CHECK_FAILED.format(detail=f"{self.name} 编辑重叠"))
            pieces.append(self.text[end:position])
            pieces.append(text)
            position = start
        pieces.append(self.text[:position])
        text = "".join(reversed(pieces))
        encoded = text.encode(self._encoding, errors="xmlcharrefreplace")
        return (b"\xef\xbb\xbf" + encoded) if self._bom and self._encoding == "utf-8" else encoded


def _set_attributes(start_tag: str, attrs: dict[str, str]) -> str:
    """A start tag with some attribute values replaced (or added before its end)."""
    for name, value in attrs.items():
        pattern = re.compile(r"(\s" + re.escape(name) + r"\s*=\s*)(\"[^\"]*\"|'[^']*')")
        if pattern.search(start_tag):
            start_tag = pattern.sub(lambda m: f'{m.group(1)}"{escape_attr(value)}"', start_tag, count=1)
        else:
            cut = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
            start_tag = f'{start_tag[:cut].rstrip()} {name}="{escape_attr(value)}"{start_tag[cut:]}'
    return start_tag
