"""Open Packaging Conventions helpers: part names, relationships, content types."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from automation.xlsx.xmltext import PKG_REL_NS, escape_attr

REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_REL = f"{REL_BASE}/worksheet"
STYLES_REL = f"{REL_BASE}/styles"
DRAWING_REL = f"{REL_BASE}/drawing"
CHART_REL = f"{REL_BASE}/chart"

WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
BINARY_WORKBOOK_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str
    external: bool


def rels_name(part: str) -> str:
    """The relationships part of a part: 'xl/workbook.xml' -> 'xl/_rels/workbook.xml.rels'."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def source_of_rels(name: str) -> str | None:
    """The part whose relationships a .rels part holds ('' for the package), or None."""
    folder, base = posixpath.split(name)
    if posixpath.basename(folder) != "_rels" or not base.endswith(".rels"):
        return None
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def resolve(source: str, target: str) -> str:
    """The part name a relationship target points at, from the source part."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        joined = target[1:]
    else:
        joined = posixpath.join(posixpath.dirname(source), target)
    return posixpath.normpath(joined).lstrip("/") if joined else joined


def relative(source: str, target: str) -> str:
    """A relative relationship target from the source part to the target part."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def parse_relationships(tree: etree._Element) -> list[Relationship]:
    result = []
    for element in tree:
        if not isinstance(element.tag, str) or etree.QName(element).localname != "Relationship":
            continue
        result.append(Relationship(
            id=element.get("Id", ""),
            type=element.get("Type", ""),
            target=element.get("Target", ""),
            external=(element.get("TargetMode") or "").lower() == "external",
        ))
    return result


def relationship_xml(rel_id: str, rel_type: str, target: str, prefix: str = "") -> str:
    name = f"{prefix}:Relationship" if prefix else "Relationship"
    return f'<{name} Id="{escape_attr(rel_id)}" Type="{rel_type}" Target="{escape_attr(target)}"/>'


def relationships_part(relationships: list[tuple[str, str, str]]) -> bytes:
    """A new .rels part from (id, type, target) triples."""
    inner = "".join(relationship_xml(*rel) for rel in relationships)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PKG_REL_NS}">{inner}</Relationships>'
    ).encode("utf-8")


def next_rel_id(used: set[str]) -> str:
    number = 1 + max([int(i[3:]) for i in used if i.startswith("rId") and i[3:].isdigit()] or [0])
    while f"rId{number}" in used:
        number += 1
    used.add(f"rId{number}")
    return f"rId{number}"


class PartNamer:
    """Allocates part names that collide with no other (compared case-insensitively)."""

    def __init__(self, used: set[str]):
        self._used = {name.lower() for name in used}

    def allocate(self, folder: str, stem: str, extension: str) -> str:
        number = 1
        while True:
            name = posixpath.join(folder, f"{stem}{number}.{extension}")
            if name.lower() not in self._used:
                self._used.add(name.lower())
                return name
            number += 1
