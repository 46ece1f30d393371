"""Workbooks Excel opens that other writers shape differently: Strict Open XML, an empty
styles part, and parts calamine refuses (a shared-string index past the table, a dimension
without a row). Each is built on disk, refreshed, read back and reopened by LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from automation import messages
from automation.analysis import analyse_file
from automation.config import Config
from automation.refresh import refresh_workbook
from automation.summary import OWNED_SHEETS
from automation.xlsx import write_owned_sheets
from automation.xlsx.repair import repaired
from tests.ledger_factory import (
    STANDARD_KEYS, STANDARD_TODAY, assert_standard, headers_of, run_cli, standard_rows, write_ledger,
)
from tests.strict_fixture import to_strict
from tests.test_refresh import assert_sheets_hold_the_statistics, stats_json
from tests.xlsx_helpers import (
    assert_model_values, assert_package_preserved, members, openpyxl_loads, sample_model, sheet_values,
    soffice_convert,
)

TRANSITIONAL_URIS = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                     b"http://schemas.openxmlformats.org/drawingml/2006/")
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
NOW = dt.datetime(2024, 6, 28, 9, 0)
LIBREOFFICE = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def standard_ledger(path: Path, engine: str = "openpyxl", transform=None) -> bytes:
    """The eight hand-counted STANDARD items as a ledger on disk; its bytes."""
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(transform=transform), title_rows=1, engine=engine)
    return path.read_bytes()


def replace_members(data: bytes, replacements: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, replacements.get(info.filename, source.read(info)))
    return buffer.getvalue()


def pdf_text(pdf: Path) -> str:
    if not shutil.which("pdftotext"):
        return ""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout


# -- 1. Strict Open XML -------------------------------------------------------------------
def test_strict_fixture_is_strict_and_readable(tmp_path):
    strict = to_strict(standard_ledger(tmp_path / "t.xlsx"))
    parts = members(strict)
    assert b'conformance="strict"' in parts["xl/workbook.xml"]
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            assert not any(uri in data for uri in TRANSITIONAL_URIS), name
    # calamine reads it: every hand-counted figure
    assert_standard(analyse_file(strict, Config(), STANDARD_TODAY))


def test_strict_workbook_is_refreshed_in_strict_and_twice(tmp_path):
    path = tmp_path / "strict.xlsx"
    original = to_strict(standard_ledger(tmp_path / "t.xlsx"))
    path.write_bytes(original)
    stats = stats_json(path, STANDARD_TODAY.isoformat())

    refresh_workbook(path, Config(), STANDARD_TODAY, NOW)
    first = path.read_bytes()
    assert_package_preserved(original, first)
    assert_sheets_hold_the_statistics(path, stats)
    before, after = members(original), members(first)
    for name, data in after.items():
        if name.endswith((".xml", ".rels")):  # everything added speaks Strict
            assert not any(uri in data for uri in TRANSITIONAL_URIS), name
    new_parts = set(after) - set(before)
    assert any(name.startswith("xl/charts/") for name in new_parts)
    workbook = etree.fromstring(after["xl/workbook.xml"])
    sheets = workbook.findall(f"{{{STRICT_MAIN}}}sheets/{{{STRICT_MAIN}}}sheet")
    assert [s.get("name") for s in sheets][-len(OWNED_SHEETS):] == list(OWNED_SHEETS)
    assert all(s.get(f"{{{STRICT_REL}}}id") for s in sheets)
    rels = after["xl/_rels/workbook.xml.rels"].decode()
    assert rels.count(f'Type="{STRICT_REL}/worksheet"') == 1 + len(OWNED_SHEETS)
    styles = etree.fromstring(after["xl/styles.xml"])
    assert etree.QName(styles).namespace == STRICT_MAIN and len(styles.find(f"{{{STRICT_MAIN}}}cellXfs")) > 1

    refresh_workbook(path, Config(), STANDARD_TODAY, NOW)  # the owned sheets are found again and replaced
    assert members(path.read_bytes()) == after


def test_strict_workbook_with_a_prefixed_main_namespace(tmp_path):
    """Strict with the .NET habit of a prefixed main namespace (`<x:workbook>`)."""
    strict = to_strict(standard_ledger(tmp_path / "t.xlsx"))
    workbook = members(strict)["xl/workbook.xml"].decode()
    workbook = workbook.replace(f'xmlns="{STRICT_MAIN}"', f'xmlns:x="{STRICT_MAIN}"')
    workbook = re.sub(r"<(/?)(?!\?)([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", workbook)
    prefixed = replace_members(strict, {"xl/workbook.xml": workbook.encode()})
    result = write_owned_sheets(prefixed, sample_model())
    text = members(result)["xl/workbook.xml"].decode()
    assert "<x:sheet " in text and f'xmlns:r="{STRICT_REL}"' in text
    assert_model_values(sheet_values(result))
    assert_package_preserved(prefixed, result)


# -- 2. an empty styles part --------------------------------------------------------------
EMPTY_STYLES = {
    "empty": b'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
    "prefixed": b'<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"></x:styleSheet>',
    "only_cell_styles": (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                         b'<extLst/></styleSheet>'),
}
SCHEMA_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst"]


def empty_styles_workbook(path: Path, styles: bytes) -> bytes:
    original = standard_ledger(path)
    data = replace_members(original, {"xl/styles.xml": styles})
    # The ledger's own cells point at no format any more (s="N" gone), as in such files.
    sheet = re.sub(rb'\ss="\d+"', b"", members(data)["xl/worksheets/sheet1.xml"])
    data = replace_members(data, {"xl/worksheets/sheet1.xml": sheet})
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("shape", list(EMPTY_STYLES))
def test_empty_styles_part_gets_its_lists_in_schema_order(tmp_path, shape):
    path = tmp_path / f"{shape}.xlsx"
    original = empty_styles_workbook(path, EMPTY_STYLES[shape])
    result = write_owned_sheets(original, sample_model())  # the self-check passes
    assert_package_preserved(original, result)
    styles = etree.fromstring(members(result)["xl/styles.xml"])
    order = [etree.QName(child).localname for child in styles]
    assert order == sorted(order, key=SCHEMA_ORDER.index)
    assert {"fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles"} <= set(order)
    assert order.count("cellStyles") == 1
    lists = {etree.QName(child).localname: child for child in styles}
    fills = [child[0].get("patternType") for child in lists["fills"]]
    assert fills[:2] == ["none", "gray125"]
    for name in ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs"):
        assert int(lists[name].get("count")) == len(lists[name]), name
    first_xf = lists["cellXfs"][0]
    assert (first_xf.get("fontId"), first_xf.get("fillId"), first_xf.get("borderId")) == ("0", "0", "0")
    # every cell format of ours points at entries that exist
    for xf in lists["cellXfs"]:
        assert int(xf.get("fontId")) < len(lists["fonts"]) and int(xf.get("fillId")) < len(lists["fills"])
        assert int(xf.get("borderId")) < len(lists["borders"])
    assert_model_values(sheet_values(result))
    openpyxl_loads(result)
    assert members(write_owned_sheets(result, sample_model())) == members(result)


# -- 3. parts calamine refuses ------------------------------------------------------------
def _note_as_text(key, value, index):
    return f"备注{index}" if key == "note" else value


def _sheet_edited(path: Path, pattern: bytes, replacement: bytes) -> bytes:
    """The standard ledger with one edit of its sheet's XML (the pattern found exactly once)."""
    original = standard_ledger(path, engine="xlsxwriter", transform=_note_as_text)
    sheet = members(original)["xl/worksheets/sheet1.xml"]
    sheet, count = re.subn(pattern, replacement, sheet)
    assert count == 1
    return replace_members(original, {"xl/worksheets/sheet1.xml": sheet})


def bad_shared_string(path: Path) -> bytes:
    """r0's 备注 cell (Q3: a title row, the header, then r0) points past the shared strings."""
    return _sheet_edited(path, rb'(<c r="Q3"[^>]*t="s"[^>]*><v>)\d+(</v>)', rb"\g<1>99999\g<2>")


def bad_dimension(ref: bytes):
    def build(path: Path) -> bytes:
        return _sheet_edited(path, rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + ref + b'"/>')
    return build


def cell_without_row(path: Path) -> bytes:
    """r1's 备注 cell (Q4) written as r="Q": the row is the cell's own row."""
    return _sheet_edited(path, rb'<c r="Q4"', b'<c r="Q"')


UNREADABLE = {
    "shared_string_past_the_table": (bad_shared_string, "Cell string index not found"),
    "dimension_A": (bad_dimension(b"A"), "missing the expected row component"),
    "dimension_A1_C": (bad_dimension(b"A1:C"), "missing the expected row component"),
    "cell_reference_without_row": (cell_without_row, "missing the expected row component"),
}


@pytest.mark.parametrize("shape", list(UNREADABLE))
def test_calamine_alone_refuses_the_shape(tmp_path, shape):
    """The shapes are real: calamine by itself cannot read the ledger sheet."""
    from python_calamine import CalamineWorkbook

    build, error = UNREADABLE[shape]
    data = build(tmp_path / "l.xlsx")
    with pytest.raises(Exception, match=error):
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("台账").to_python()


@pytest.mark.parametrize("shape", list(UNREADABLE))
def test_unreadable_shape_is_read_and_refreshed(tmp_path, shape):
    build, _ = UNREADABLE[shape]
    path = tmp_path / f"{shape}.xlsx"
    original = build(tmp_path / "l.xlsx")
    path.write_bytes(original)
    analysis = analyse_file(original, Config(), STANDARD_TODAY)
    assert_standard(analysis)
    notes = dict(zip(analysis.ledger.items["id"], analysis.ledger.items["note"]))
    # Excel shows a cell whose shared string is missing as empty; the other notes are read
    assert notes["TA01"] in (None, "") if shape.startswith("shared") else notes["TA01"] == "备注0"
    assert notes["TA02"] == "备注1"

    stats = stats_json(path, STANDARD_TODAY.isoformat())
    result = run_cli("refresh", str(path), "--today", STANDARD_TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    refreshed = path.read_bytes()
    assert_package_preserved(original, refreshed)  # the user's parts as they were, repair or not
    assert members(refreshed)["xl/worksheets/sheet1.xml"] == members(original)["xl/worksheets/sheet1.xml"]
    assert_sheets_hold_the_statistics(path, stats)
    assert run_cli("refresh", str(path), "--today", STANDARD_TODAY.isoformat()).returncode == 0


def test_repair_changes_nothing_in_a_sound_workbook(tmp_path):
    assert repaired(standard_ledger(tmp_path / "l.xlsx", engine="xlsxwriter")) is None


def test_a_part_too_big_to_repair_in_memory_is_left_to_the_clear_message(tmp_path, monkeypatch):
    """The repair holds parts in memory only up to a bound (a decompression bomb is not inflated)."""
    from automation import ledger
    from automation.problems import LedgerError
    from automation.xlsx import repair

    data = bad_shared_string(tmp_path / "l.xlsx")
    monkeypatch.setattr(repair, "MAX_PART_BYTES", 1000)
    assert repaired(data) is None
    with pytest.raises(LedgerError) as raised:
        ledger.read_ledger(data, Config(), STANDARD_TODAY, display_name="台账.xlsx")
    assert "台账.xlsx" in raised.value.message and "shared strings" in raised.value.message


def test_a_sheet_damaged_otherwise_still_gets_the_clear_message(tmp_path):
    """A shared-string reference with no shared-strings part at all is not mended: the
    reader names the file and the damage in one sentence."""
    data = bad_shared_string(tmp_path / "l.xlsx")
    parts = members(data)
    types = re.sub(rb'<Override [^>]*sharedStrings[^>]*/>', b"", parts["[Content_Types].xml"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                target.writestr(info, types if info.filename == "[Content_Types].xml" else source.read(info))
    path = tmp_path / "broken.xlsx"
    path.write_bytes(buffer.getvalue())
    result = run_cli("stats", str(path), "--today", STANDARD_TODAY.isoformat())
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and str(path) in result.stderr + result.stdout


# -- LibreOffice reopens every shape ----------------------------------------------------------
@LIBREOFFICE
def test_libreoffice_reopens_every_refreshed_shape(tmp_path):
    built: dict[str, bytes] = {"strict": to_strict(standard_ledger(tmp_path / "s.xlsx"))}
    for shape in EMPTY_STYLES:
        built[f"styles_{shape}"] = empty_styles_workbook(tmp_path / f"e_{shape}.xlsx", EMPTY_STYLES[shape])
    for shape, (build, _) in UNREADABLE.items():
        built[shape] = build(tmp_path / f"u_{shape}.xlsx")
    paths = []
    for name, data in built.items():
        path = tmp_path / "in" / f"{name}.xlsx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        refresh_workbook(path, Config(), STANDARD_TODAY, NOW)
        refresh_workbook(path, Config(), STANDARD_TODAY, NOW)
        paths.append(path)
    fixture = tmp_path / "in" / "strict_fixture.xlsx"  # the Strict fixture itself, unrefreshed
    fixture.write_bytes(built["strict"])
    converted = soffice_convert([*paths, fixture], tmp_path / "pdf", tmp_path / "profile")
    assert all(converted.values()), [p.name for p, ok in converted.items() if not ok]
    for path in paths:
        text = pdf_text(tmp_path / "pdf" / f"{path.stem}.pdf")
        if text:  # LibreOffice read the ledger and our sheets, figures included
            assert "TA01" in text and messages.SUMMARY_TITLE in text, path.name
            assert "50.0%" in text, path.name  # 办结率 4 / 8
    if shutil.which("pdftotext"):
        assert "TA08" in pdf_text(tmp_path / "pdf" / "strict_fixture.pdf")
