"""The package writer on workbooks built here: xlsxwriter features, .NET prefixes, refusals."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from python_calamine import CalamineWorkbook

from automation.model import Block, SheetModel, SummaryModel
from automation.xlsx import MARKER_NAME, WorkbookError, date_serial, write_owned_sheets
from automation.xlsx.sheetxml import render_sheet
from automation.xlsx.styles import StyleBook
from tests.xlsx_helpers import (
    SECTIONS, SUMMARY, assert_model_values, assert_package_preserved, defined_names, members,
    minimal_png, openpyxl_loads, sample_model, sheet_values,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def openpyxl_workbook(*sheet_names: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet_names[0] if sheet_names else "台账"
    book.active["A1"] = "编号"
    book.active["B1"] = 42
    for name in sheet_names[1:]:
        book.create_sheet(name)["A1"] = name
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsxwriter_workbook(path: Path) -> bytes:
    """A ledger-like workbook with an image, a button, comments, validation, CF, a table, a chart and names."""
    png = path.parent / "logo.png"
    png.write_bytes(minimal_png())
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    red = book.add_format({"bg_color": "#FFC7CE"})
    sheet.write_row(0, 0, ["编号", "数量", "是否办结", "办理时限"])
    for row in range(1, 9):
        sheet.write_row(row, 0, [f"ZX-{row:03d}", row * 3, "是" if row % 2 else "否"])
        sheet.write_datetime(row, 3, dt.datetime(2024, 3, row), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_comment("A1", "提案编号，请勿修改")
    sheet.data_validation("C2:C20", {"validate": "list", "source": ["是", "否"]})
    sheet.conditional_format("B2:B20", {"type": "cell", "criteria": ">", "value": 10, "format": red})
    sheet.insert_image("G2", str(png))
    sheet.insert_button("G12", {"macro": "refresh", "caption": "一键统计"})
    other = book.add_worksheet("附表")
    other.add_table("A1:C4", {"columns": [{"header": "科室"}, {"header": "承办"}, {"header": "办结"}],
                              "data": [["办公室", 3, 2], ["规划科", 4, 4], ["法规科", 1, 0]]})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "数量", "categories": "='台账'!$A$2:$A$9", "values": "='台账'!$B$2:$B$9"})
    other.insert_chart("E2", chart)
    book.define_name("数量合计", "=SUM('台账'!$B$2:$B$9)")
    book.define_name("'附表'!本表标题", "='附表'!$A$1")
    book.close()
    return path.read_bytes()


def assert_written_well(original: bytes, result: bytes) -> None:
    assert_package_preserved(original, result)
    before, after = sheet_values(original), sheet_values(result)
    for name, values in before.items():
        assert after[name] == values, name
    assert_model_values(after)
    assert defined_names(result) == defined_names(original)
    openpyxl_loads(result)


def test_xlsxwriter_workbook_keeps_every_feature(tmp_path):
    original = xlsxwriter_workbook(tmp_path / "ledger.xlsx")
    result = write_owned_sheets(original, sample_model())
    assert_written_well(original, result)
    names = set(members(result))
    for kept in ("xl/media/image1.png", "xl/drawings/vmlDrawing1.vml", "xl/comments1.xml", "xl/tables/table1.xml",
                 "xl/charts/chart1.xml"):
        assert kept in names
    assert CalamineWorkbook.from_object(io.BytesIO(result)).sheet_names == ["台账", "附表", SUMMARY, SECTIONS]


def test_writing_twice_gives_the_same_package(tmp_path):
    original = xlsxwriter_workbook(tmp_path / "ledger.xlsx")
    first = write_owned_sheets(original, sample_model())
    second = write_owned_sheets(first, sample_model())
    assert members(second) == members(first)
    assert list(members(second)) == list(members(first))
    assert CalamineWorkbook.from_object(io.BytesIO(second)).sheet_names.count(SUMMARY) == 1


def test_second_write_replaces_owned_content(tmp_path):
    original = openpyxl_workbook()
    first = write_owned_sheets(original, sample_model())
    changed = sample_model()
    changed.sheets[0].blocks[0].values[0][0] = "新标题"
    changed.sheets[0].charts = []
    second = write_owned_sheets(first, changed)
    assert sheet_values(second)[SUMMARY][0][0] == "新标题"
    assert sorted(sheet_values(second)) == sorted(sheet_values(first))
    old_charts = {n for n in members(first) if "charts/" in n}
    new_charts = {n for n in members(second) if "charts/" in n}
    assert len(new_charts) == len(old_charts) - 2  # the summary's two charts are gone
    content_types = members(second)["[Content_Types].xml"].decode()
    for name in old_charts - new_charts:
        assert name not in content_types
    assert_package_preserved(original, second)


def test_model_after_resave_by_another_writer_is_still_recognised():
    """openpyxl re-saves (like Excel, it rewrites every part); the marker survives."""
    first = write_owned_sheets(openpyxl_workbook(), sample_model())
    book = openpyxl.load_workbook(io.BytesIO(first))
    buffer = io.BytesIO()
    book.save(buffer)
    second = write_owned_sheets(buffer.getvalue(), sample_model())
    names = CalamineWorkbook.from_object(io.BytesIO(second)).sheet_names
    assert names.count(SUMMARY) == 1 and names.count(SECTIONS) == 1
    assert_model_values(sheet_values(second))


def test_owned_sheet_moved_by_the_user_is_replaced_in_place():
    """Excel moves sheet-local names with their sheet; moving our sheet first must still work."""
    first = write_owned_sheets(openpyxl_workbook(), sample_model())
    workbook = members(first)["xl/workbook.xml"].decode()
    sheets = re.findall(r"<sheet [^>]*/>", workbook)
    ledger, summary, sections = sheets
    moved = workbook.replace(ledger + summary + sections, summary + ledger + sections)
    moved = moved.replace('localSheetId="1"', 'localSheetId="0"')
    moved_bytes = _replace_members(first, {"xl/workbook.xml": moved.encode()})
    second = write_owned_sheets(moved_bytes, sample_model())
    assert CalamineWorkbook.from_object(io.BytesIO(second)).sheet_names == [SUMMARY, "台账", SECTIONS]
    assert members(second)["xl/workbook.xml"] == moved.encode()
    assert_model_values(sheet_values(second))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_result_resaved_by_libreoffice_is_still_recognised(tmp_path):
    ours = tmp_path / "ours.xlsx"
    ours.write_bytes(write_owned_sheets(openpyxl_workbook(), sample_model()))
    profile = tmp_path / "profile"
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"), str(ours)],
                   check=True, capture_output=True, timeout=180)
    resaved = (tmp_path / "out" / "ours.xlsx").read_bytes()
    result = write_owned_sheets(resaved, sample_model())
    assert CalamineWorkbook.from_object(io.BytesIO(result)).sheet_names == ["台账", SUMMARY, SECTIONS]
    assert_model_values(sheet_values(result))


def test_users_own_sheet_with_an_owned_name_is_refused():
    original = openpyxl_workbook("台账", SUMMARY)
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(original, sample_model())
    assert f"“{SUMMARY}”" in raised.value.message and "不是本助手生成" in raised.value.message


def test_marker_is_a_hidden_sheet_local_name():
    result = write_owned_sheets(openpyxl_workbook(), sample_model())
    root = etree.fromstring(members(result)["xl/workbook.xml"])
    sheets = [s.get("name") for s in root.iter(f"{{{MAIN_NS}}}sheet")]
    markers = [d for d in root.iter(f"{{{MAIN_NS}}}definedName") if d.get("name") == MARKER_NAME]
    assert sorted(sheets[int(d.get("localSheetId"))] for d in markers) == sorted([SUMMARY, SECTIONS])
    assert all(d.get("hidden") == "1" for d in markers)


def _prefix_main_namespace(xml: bytes) -> bytes:
    """Rewrite a part the way .NET's System.IO.Packaging writers do: `<x:workbook xmlns:x=...>`."""
    text = xml.decode("utf-8")
    text = text.replace(f'xmlns="{MAIN_NS}"', f'xmlns:x="{MAIN_NS}"')
    text = re.sub(r"<(/?)([A-Za-z][\w]*)(?=[\s/>])", r"<\1x:\2", text)
    return text.encode("utf-8")


def _replace_members(data: bytes, replacements: dict[str, bytes | None]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in replacements:
                if replacements[info.filename] is not None:
                    target.writestr(info.filename, replacements[info.filename])
            else:
                target.writestr(info, source.read(info))
    return buffer.getvalue()


def test_dotnet_prefixed_workbook():
    original = openpyxl_workbook()
    parts = members(original)
    prefixed = _replace_members(original, {
        "xl/workbook.xml": _prefix_main_namespace(parts["xl/workbook.xml"]),
        "xl/styles.xml": _prefix_main_namespace(parts["xl/styles.xml"]),
    })
    assert b"<x:sheets>" in members(prefixed)["xl/workbook.xml"]
    result = write_owned_sheets(prefixed, sample_model())
    workbook = members(result)["xl/workbook.xml"].decode()
    assert f'<x:sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" name="{SUMMARY}"' in workbook
    assert "<x:definedName " in workbook and "<sheet " not in workbook
    assert "<x:xf " in members(result)["xl/styles.xml"].decode().split("<x:cellXfs")[1]
    assert_written_well(prefixed, result)


def test_date1904_workbook_gets_1904_serials():
    original = openpyxl_workbook()
    workbook = members(original)["xl/workbook.xml"].replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>')
    original = _replace_members(original, {"xl/workbook.xml": workbook})
    result = write_owned_sheets(original, sample_model())
    sheet = next(data for name, data in members(result).items() if name.startswith("xl/worksheets/sheet2"))
    assert f"<v>{date_serial(dt.date(2024, 6, 30), True)}</v>".encode() in sheet
    assert sheet_values(result)[SUMMARY][4][3] == dt.date(2024, 6, 30)


def test_workbook_without_styles_part_gets_one():
    original = openpyxl_workbook()
    parts = members(original)
    rels = re.sub(rb'<Relationship [^>]*styles"[^>]*/>', b"", parts["xl/_rels/workbook.xml.rels"])
    rels = re.sub(rb'<Relationship [^>]*Target="[^"]*styles.xml"[^>]*/>', b"", rels)
    types = re.sub(rb'<Override [^>]*styles.xml"[^>]*/>', b"", parts["[Content_Types].xml"])
    original = _replace_members(original, {"xl/styles.xml": None, "xl/_rels/workbook.xml.rels": rels,
                                           "[Content_Types].xml": types})
    assert b"styles" not in members(original)["xl/_rels/workbook.xml.rels"]
    result = write_owned_sheets(original, sample_model())
    assert "xl/styles.xml" in members(result)
    assert b"styles.xml" in members(result)["xl/_rels/workbook.xml.rels"]
    assert_written_well(original, result)


def test_escaping_and_text_stay_text():
    result = write_owned_sheets(openpyxl_workbook(), sample_model())
    sheet = members(result)["xl/worksheets/sheet2.xml"].decode()
    assert "<f>" not in sheet
    assert "A&amp;B &lt;c&gt; &quot;d&quot;" in sheet
    etree.fromstring(sheet.encode())


def test_illegal_xml_characters_are_dropped():
    model = SummaryModel([SheetModel("数据问题", blocks=[Block(1, 1, [["a\x00b\x0bc\ud800", "ok\tyes"]], ["text", "text"])])])
    result = write_owned_sheets(openpyxl_workbook(), model)
    assert sheet_values(result)["数据问题"][0] == ["abc", "ok\tyes"]


def test_mixed_and_ragged_values():
    model = SummaryModel([SheetModel("数据问题", blocks=[
        Block(1, 1, [[1, "x", None, True, dt.datetime(2024, 1, 2, 12, 0), float("nan"), dt.date(1800, 1, 1)],
                     ["only one"]], ["int", "text", "text", "text", "text", "int", "date"]),
        Block(1, 9, [["side"], ["by side"]], ["text"]),
    ])])
    result = write_owned_sheets(openpyxl_workbook(), model)
    rows = sheet_values(result)["数据问题"]
    assert rows[0][:5] == [1, "x", "", True, dt.datetime(2024, 1, 2, 12, 0)]
    assert rows[0][6] == "1800-01-01"
    assert rows[1][0] == "only one" and rows[1][8] == "by side"


@pytest.mark.parametrize("name", ["", "a" * 32, "汇总/2024", "[x]"])
def test_invalid_sheet_names_are_refused(name):
    with pytest.raises(WorkbookError):
        write_owned_sheets(openpyxl_workbook(), SummaryModel([SheetModel(name)]))


def test_not_a_zip_is_refused():
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(b"just some text", sample_model())
    assert "不是有效的 Excel 工作簿" in raised.value.message


def test_damaged_zip_is_refused():
    original = bytearray(openpyxl_workbook())
    index = original.index(b"xl/worksheets/sheet1.xml") + 60
    original[index : index + 8] = b"\x00" * 8
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(bytes(original), sample_model())
    assert "损坏" in raised.value.message


def _ole_file(stream_names: list[str]) -> bytes:
    """The start of a compound file: header plus a directory sector naming some streams."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entries = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for name in stream_names)
    return header + entries.ljust(512, b"\x00")


def test_encrypted_workbook_is_refused():
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(_ole_file(["Root Entry", "EncryptionInfo", "EncryptedPackage"]), sample_model())
    assert "工作簿已加密" in raised.value.message


def test_really_encrypted_workbook_is_refused(tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(openpyxl_workbook())).encrypt("secret", encrypted)
    assert msoffcrypto is not None
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(encrypted.getvalue(), sample_model())
    assert "工作簿已加密" in raised.value.message


def test_legacy_xls_is_refused():
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(_ole_file(["Root Entry", "Workbook"]), sample_model())
    assert ".xls" in raised.value.message


def test_missing_workbook_part_is_refused():
    original = _replace_members(openpyxl_workbook(), {"xl/workbook.xml": None})
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(original, sample_model())
    assert "workbook" in raised.value.message


def test_workbook_part_in_an_unknown_vocabulary_is_refused():
    """Transitional and Strict are written (tests/test_xlsx_shapes.py); any other root is refused."""
    original = openpyxl_workbook()
    other = members(original)["xl/workbook.xml"].replace(MAIN_NS.encode(), b"urn:example:not-spreadsheetml")
    with pytest.raises(WorkbookError) as raised:
        write_owned_sheets(_replace_members(original, {"xl/workbook.xml": other}), sample_model())
    assert "xl/workbook.xml" in raised.value.message


def test_input_bytes_are_not_changed():
    original = openpyxl_workbook()
    buffer = bytearray(original)
    write_owned_sheets(buffer, sample_model())
    assert bytes(buffer) == original


def test_styles_are_reused_not_duplicated():
    book = StyleBook("xl/styles.xml", members(openpyxl_workbook())["xl/styles.xml"])
    sheet = sample_model().sheets[0]
    render_sheet(sheet, book.xf_index)
    first = book.render()
    again = StyleBook("xl/styles.xml", first)
    render_sheet(sheet, again.xf_index)
    assert not again.changed and again.render() == first


def test_large_sheet_streams(tmp_path):
    rows = [[f"ZX-{i:05d}", f"建议{i}", "办公室", i, i / 3, dt.date(2024, 1, 1) + dt.timedelta(days=i % 365), None]
            for i in range(50_000)]
    sheet = SheetModel("逾期清单", blocks=[Block(2, 1, rows, ["link", "wrap", "text", "int", "percent", "date", "text"],
                                              row_fills=["overdue" if i % 5 == 0 else None for i in range(50_000)])])
    result = write_owned_sheets(openpyxl_workbook(), SummaryModel([sheet]))
    values = sheet_values(result)["逾期清单"]
    assert len(values) == 50_001
    assert values[-1][:4] == ["ZX-49999", "建议49999", "办公室", 49999]


def _big_model() -> SummaryModel:
    """One sheet big enough to be deflated and checked in a background thread (> 256 KB)."""
    rows = [[f"TA{index:05d}", f"关于第 {index} 件事项的建议", index, dt.date(2024, 6, 1)] for index in range(8000)]
    return SummaryModel([SheetModel(name=SUMMARY, blocks=[
        Block(row=1, column=1, values=rows, styles=["text", "wrap", "int", "date"])])])


def test_a_big_sheet_deflated_in_the_background_reads_back(tmp_path):
    from automation.xlsx.sheetxml import render_sheet as render

    original = xlsxwriter_workbook(tmp_path / "ledger.xlsx")
    result = write_owned_sheets(original, _big_model())
    assert_package_preserved(original, result)
    grid = CalamineWorkbook.from_object(io.BytesIO(result)).get_sheet_by_name(SUMMARY).to_python()
    assert len(grid) == 8000 and grid[7999][:3] == ["TA07999", "关于第 7999 件事项的建议", 7999]
    assert len(render(_big_model().sheets[0], StyleBook("xl/styles.xml", None).xf_index)) > 256_000


def test_a_bad_stream_from_the_background_is_caught_before_writing(tmp_path, monkeypatch):
    """A deflated stream that does not inflate back to the sheet's bytes is not trusted: the
    self-check reads the member in full, finds it wrong, and nothing is returned."""
    from automation.xlsx import zipio

    real = zipio.deflate

    def damaged(data, level=None):
        crc, payload = real(data, level)
        return crc, payload[:100] + bytes(len(payload) - 100)

    monkeypatch.setattr(zipio, "deflate", damaged)
    assert zipio._deflated_and_checked(b"x" * 300_000)[2] is False
    with pytest.raises(WorkbookError):
        write_owned_sheets(xlsxwriter_workbook(tmp_path / "ledger.xlsx"), _big_model())


def test_a_checked_stream_stored_wrongly_in_the_zip_is_caught(tmp_path, monkeypatch):
    """A member checked in the background must stand in the zip byte for byte."""
    from automation.xlsx import zipio

    real_write = zipio.ZipWriter._write

    def write(self, info, method, crc, payload, size):
        if size > 256_000:
            payload = bytes(payload[:-1]) + bytes([payload[-1] ^ 1])
        return real_write(self, info, method, crc, payload, size)

    monkeypatch.setattr(zipio.ZipWriter, "_write", write)
    with pytest.raises(WorkbookError):
        write_owned_sheets(xlsxwriter_workbook(tmp_path / "ledger.xlsx"), _big_model())
