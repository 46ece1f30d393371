"""Cell formats for the owned sheets, appended to the workbook's styles part.

Existing fonts, fills, borders, number formats and cell formats are never changed; the
ones the summary model needs are matched against the existing entries (so a second run
reuses what the first one appended) and only the missing ones are added at the end of
their lists, with the lists' `count` attributes updated.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from automation.model import Style
from automation.xlsx.xmltext import MAIN_NS, XmlPart, escape_attr, local_name

#: Number formats built into every spreadsheet application (no numFmt entry needed).
BUILTIN_NUMBER_FORMATS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4,
    "0%": 9, "0.00%": 10, "0.00E+00": 11, "@": 49,
}
FIRST_CUSTOM_FORMAT_ID = 164

#: Child lists of <styleSheet>, in schema order.
_SCHEMA_ORDER = [
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
    "dxfs", "tableStyles", "colors", "extLst",
]
_LIST_ITEMS = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border",
               "cellStyleXfs": "xf", "cellXfs": "xf"}
_BORDER_COLOR = "FFA6A6A6"

# A node is (tag, ((attribute, value), ...), (child nodes...)): rendered to XML text and
# compared, as a canonical key, with the existing entries.
Node = tuple[str, tuple[tuple[str, str], ...], tuple]


def _node(tag: str, *children: Node, **attrs: str) -> Node:
    return (tag, tuple(sorted(attrs.items())), tuple(children))


def _render(node: Node, prefix: str) -> str:
    tag, attrs, children = node
    name = f"{prefix}:{tag}" if prefix else tag
    attr_text = "".join(f' {key}="{escape_attr(value)}"' for key, value in attrs)
    if not children:
        return f"<{name}{attr_text}/>"
    inner = "".join(_render(child, prefix) for child in children)
    return f"<{name}{attr_text}>{inner}</{name}>"


def _canonical(element: etree._Element) -> Node:
    attrs = tuple(sorted((etree.QName(key).localname, value) for key, value in element.attrib.items()))
    children = tuple(_canonical(child) for child in element if isinstance(child.tag, str))
    return (local_name(element), attrs, children)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _argb(color: str) -> str:
    color = color.lstrip("#").upper()
    return "FF" + color if len(color) == 6 else color


@dataclass
class _List:
    """One list of the stylesheet (fonts, fills, ...): existing keys and appended nodes."""

    local: str
    element: object | None  # xmltext.Element of the list, None when absent
    keys: dict[Node, int]
    existing: int
    added: list[Node]

    def index_of(self, node: Node) -> int:
        found = self.keys.get(node)
        if found is None:
            found = self.existing + len(self.added)
            self.added.append(node)
            self.keys[node] = found
        return found


_DEFAULT_STYLESHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="{main_ns}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
).encode("utf-8")

#: What a list must start with when it has to be created (Excel reserves these slots).
_LIST_DEFAULTS: dict[str, list[Node]] = {
    # the same tail as `_default_font_tail` gives when no font exists, so that a second run
    # finds the fonts the first one created
    "fonts": [_node("font", _node("sz", val="11"), _node("name", val="Calibri"), _node("family", val="2"))],
    "fills": [_node("fill", _node("patternFill", patternType="none")),
              _node("fill", _node("patternFill", patternType="gray125"))],
    "borders": [_node("border", _node("left"), _node("right"), _node("top"), _node("bottom"), _node("diagonal"))],
    "cellStyleXfs": [_node("xf", numFmtId="0", fontId="0", fillId="0", borderId="0")],
    "cellXfs": [_node("xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")],
}


class StyleBook:
    """Cell format indexes for Styles, backed by a workbook's styles part."""

    def __init__(self, part_name: str, data: bytes | None, main_ns: str = MAIN_NS):
        """`data` is the workbook's styles part (None: there is none, a new one is made in
        the SpreadsheetML namespace `main_ns`)."""
        self.created = data is None
        if data is None:
            data = _DEFAULT_STYLESHEET.decode("utf-8").replace("{main_ns}", main_ns).encode("utf-8")
        self.part = XmlPart(part_name, data)
        self._lists = {local: self._load_list(local) for local in _LIST_ITEMS}
        self._font_tail = self._default_font_tail()
        self._custom_formats = self._load_number_formats()
        self._next_format_id = max([FIRST_CUSTOM_FORMAT_ID - 1, *self._custom_formats.values()]) + 1
        self._cache: dict[Style, int] = {}
        self.base_xf = 0  # the "Normal" cell style; created above when the list was missing

    def _tree_list(self, local: str) -> etree._Element | None:
        for child in self.part.tree:
            if isinstance(child.tag, str) and local_name(child) == local:
                return child
        return None

    def _load_list(self, local: str) -> _List:
        tree_list = self._tree_list(local)
        keys: dict[Node, int] = {}
        existing = 0
        if tree_list is not None:
            items = [c for c in tree_list if isinstance(c.tag, str) and local_name(c) == _LIST_ITEMS[local]]
            for index, item in enumerate(items):
                keys.setdefault(_canonical(item), index)
            existing = len(items)
        entry = _List(local, self.part.root.find_child(local), keys, existing, [])
        if existing == 0 and local in _LIST_DEFAULTS:
            for node in _LIST_DEFAULTS[local]:
                entry.index_of(node)
        return entry

    def _load_number_formats(self) -> dict[str, int]:
        formats: dict[str, int] = {}
        tree_list = self._tree_list("numFmts")
        for item in tree_list if tree_list is not None else ():
            if isinstance(item.tag, str) and item.get("formatCode") is not None:
                try:
                    formats.setdefault(item.get("formatCode"), int(item.get("numFmtId", "")))
                except ValueError:
                    continue
        return formats

    def _default_font_tail(self) -> tuple[Node, ...]:
        """The name/family/charset of the workbook's default font, reused for ours."""
        fonts = self._tree_list("fonts")
        first = next((c for c in fonts if isinstance(c.tag, str)), None) if fonts is not None else None
        if first is None:
            return (_node("name", val="Calibri"), _node("family", val="2"))
        tail = []
        for child in first:
            if isinstance(child.tag, str) and local_name(child) in ("name", "family", "charset"):
                if child.get("val") is not None:
                    tail.append(_node(local_name(child), val=child.get("val")))
        return tuple(tail) or (_node("name", val="Calibri"),)

    # -- nodes for a Style -------------------------------------------------------------
    def _font(self, style: Style) -> Node:
        children: list[Node] = []
        if style.bold:
            children.append(_node("b"))
        if style.italic:
            children.append(_node("i"))
        if style.underline:
            children.append(_node("u"))
        children.append(_node("sz", val=_number(style.font_size)))
        if style.font_color:
            children.append(_node("color", rgb=_argb(style.font_color)))
        return ("font", (), tuple(children) + self._font_tail)

    @staticmethod
    def _fill(style: Style) -> Node | None:
        if not style.fill:
            return None
        return _node("fill", _node("patternFill", _node("fgColor", rgb=_argb(style.fill)),
                                   _node("bgColor", indexed="64"), patternType="solid"))

    @staticmethod
    def _border(style: Style) -> Node:
        if not style.border:
            return _LIST_DEFAULTS["borders"][0]
        sides = [_node(side, _node("color", rgb=_BORDER_COLOR), style="thin") for side in ("left", "right", "top", "bottom")]
        return _node("border", *sides, _node("diagonal"))

    def _number_format_id(self, code: str) -> int:
        if code in BUILTIN_NUMBER_FORMATS:
            return BUILTIN_NUMBER_FORMATS[code]
        if code not in self._custom_formats:
            number_id = self._next_format_id
            self._next_format_id += 1
            self._custom_formats[code] = number_id
            self._lists["numFmts"].index_of(_node("numFmt", numFmtId=str(number_id), formatCode=code))
        return self._custom_formats[code]

    def xf_index(self, style: Style) -> int:
        """The cellXfs index of a Style, adding the entries it needs on first use."""
        cached = self._cache.get(style)
        if cached is not None:
            return cached
        fill = self._fill(style)
        fill_id = self._lists["fills"].index_of(fill) if fill else 0
        attrs = {
            "numFmtId": str(self._number_format_id(style.number_format)),
            "fontId": str(self._lists["fonts"].index_of(self._font(style))),
            "fillId": str(fill_id),
            "borderId": str(self._lists["borders"].index_of(self._border(style))),
            "xfId": str(self.base_xf),
            "applyFont": "1",
            "applyAlignment": "1",
        }
        if attrs["numFmtId"] != "0":
            attrs["applyNumberFormat"] = "1"
        if fill:
            attrs["applyFill"] = "1"
        if style.border:
            attrs["applyBorder"] = "1"
        alignment = {}
        if style.horizontal != "general":
            alignment["horizontal"] = style.horizontal
        if style.vertical != "bottom":
            alignment["vertical"] = style.vertical
        if style.wrap:
            alignment["wrapText"] = "1"
        node = _node("xf", _node("alignment", **alignment), **attrs)
        index = self._lists["cellXfs"].index_of(node)
        self._cache[style] = index
        return index

    # -- output --------------------------------------------------------------------------
    @property
    def changed(self) -> bool:
        return self.created or any(entry.added for entry in self._lists.values())

    def render(self) -> bytes:
        """The styles part with the added entries (the original bytes if none were needed).

        Missing lists are created in schema order, each before the first existing list that
        follows it; lists that go before the same one (or at the end) are inserted together,
        so that a stylesheet with no lists at all (`<styleSheet/>`) gets them all in one edit."""
        prefix = self.part.prefix
        new_lists: dict[int, list[str]] = {}  # anchor (start of the following list, -1: end) -> lists
        appends = []
        for local in _SCHEMA_ORDER:
            entry = self._lists.get(local)
            if entry is not None and entry.added and entry.element is not None:
                appends.append(entry)
                continue
            text = self._new_list(local, prefix)
            if text:
                new_lists.setdefault(self._anchor(local), []).append(text)
        # New lists first: an insertion before a list must precede the edit of that list's start tag.
        by_start = {child.start: child for child in self.part.root.children}
        for anchor, texts in new_lists.items():
            if anchor < 0:
                self.part.append_children(self.part.root, "".join(texts))
            else:
                self.part.insert_before(by_start[anchor], "".join(texts))
        for entry in appends:
            items = "".join(_render(node, prefix) for node in entry.added)
            attrs = {"count": str(entry.existing + len(entry.added))} if "count" in entry.element.attrs else None
            self.part.append_children(entry.element, items, attrs)
        return self.part.render()

    def _new_list(self, local: str, prefix: str) -> str:
        """The XML of a list to create ('' when none is needed)."""
        entry = self._lists.get(local)
        if entry is None:
            return self._companion_list(local)
        if not entry.added:
            return ""
        items = "".join(_render(node, prefix) for node in entry.added)
        name = self.part.q(local)
        return f'<{name} count="{entry.existing + len(entry.added)}">{items}</{name}>'

    def _companion_list(self, local: str) -> str:
        """cellStyles (the Normal style) and an empty dxfs, when the base cell format list had to
        be created and they are missing too: what Excel itself writes in a new stylesheet."""
        base = self._lists["cellStyleXfs"]
        if base.element is not None or not base.added or self.part.root.find_child(local) is not None:
            return ""
        if local == "cellStyles":
            name, item = self.part.q("cellStyles"), self.part.q("cellStyle")
            return f'<{name} count="1"><{item} name="Normal" xfId="0" builtinId="0"/></{name}>'
        if local == "dxfs":
            return f'<{self.part.q("dxfs")} count="0"/>'
        return ""

    def _anchor(self, local: str) -> int:
        """Where a new list goes: the start of the first existing list that follows it in
        schema order, or -1 (at the end of the stylesheet)."""
        following = _SCHEMA_ORDER[_SCHEMA_ORDER.index(local) + 1 :]
        for child in self.part.root.children:
            if child.local in following:
                return child.start
        return -1
