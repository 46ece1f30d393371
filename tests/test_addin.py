"""The Excel add-in macros/ledger_assistant.xlam: a valid package, a ribbon wired to VBA
procedures that exist, RunPython calls into automation.excel, and a reproducible build.

Excel itself does not run here; the VBA project is read back with oletools' olevba and, where
LibreOffice is installed, with LibreOffice's own VBA import.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

with warnings.catch_warnings():  # oletools 0.60.2 uses pyparsing's deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

ROOT = Path(__file__).resolve().parents[1]
MACROS = ROOT / "macros"
ADDIN = MACROS / "ledger_assistant.xlam"
BUILD_SCRIPT = MACROS / "build_addin.py"

# MS-OI29500 3.4.1.3 / 3.4.1.4 and the Open XML SDK: the Office 2007 ribbon part
# (namespace 2006/01/customui) hangs off a 2006 relationship, the Office 2010+ one
# (namespace 2009/07/customui, file customUI14.xml) off a 2007 relationship.
REL_CUSTOMUI = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
REL_CUSTOMUI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
NS_CUSTOMUI = "http://schemas.microsoft.com/office/2006/01/customui"
NS_CUSTOMUI14 = "http://schemas.microsoft.com/office/2009/07/customui"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RIBBON_PARTS = {
    "customUI/customUI.xml": (REL_CUSTOMUI, NS_CUSTOMUI, "customUI.xml"),
    "customUI/customUI14.xml": (REL_CUSTOMUI14, NS_CUSTOMUI14, "customUI14.xml"),
}
EXPECTED_BUTTONS = {"一键统计": "refresh", "逾期清单": "check", "生成汇报": "report"}
CJK = re.compile(r"[\u4e00-\u9fff]")
REBUILD = "run `python macros/build_addin.py` and commit macros/ledger_assistant.xlam"


@pytest.fixture(scope="module")
def build_addin():
    """macros/build_addin.py as a module (macros/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_addin", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_addin"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("build_addin", None)


@pytest.fixture(scope="module")
def parts() -> dict[str, bytes]:
    with zipfile.ZipFile(ADDIN) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def vba() -> dict[str, str]:
    """{module name: source} of the committed add-in's VBA project, as olevba reads it."""
    parser = VBA_Parser(str(ADDIN))
    try:
        assert parser.detect_vba_macros()
        return {filename.rsplit(".", 1)[0]: code for _, _, filename, code in parser.extract_macros()}
    finally:
        parser.close()


def procedures(source: str) -> dict[str, tuple[str, str]]:
    """{name: (parameter list, body)} of the Subs and Functions in a VBA module."""
    pattern = re.compile(
        r"^(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?(Sub|Function)\s+(\w+)\s*\(([^)]*)\)[^\r\n]*\r?\n(.*?)^End\s+\1\b",
        re.MULTILINE | re.DOTALL | re.IGNORECASE,
    )
    return {m.group(2): (m.group(3).strip(), m.group(4)) for m in pattern.finditer(source)}


def ribbon_buttons(xml: bytes, namespace: str) -> list[ET.Element]:
    return ET.fromstring(xml).findall(f".//{{{namespace}}}button")


# --------------------------------------------------------------------------- package


def test_addin_is_a_valid_zip_with_content_types_first(parts):
    with zipfile.ZipFile(ADDIN) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
    assert names[0] == "[Content_Types].xml"
    assert len(names) == len(set(names))
    types = ET.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall(f"{{{NS_TYPES}}}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.findall(f"{{{NS_TYPES}}}Default")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    for name in names:  # every part has a content type
        assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name
    assert defaults["xml"] == "application/xml"  # the ribbon parts' content type


def test_zip_metadata_is_fixed():
    with zipfile.ZipFile(ADDIN) as zf:
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
            assert info.compress_type == zipfile.ZIP_STORED, info.filename
            assert info.create_system == 0, info.filename


def test_ribbon_parts_are_linked_from_package_rels(parts):
    rels = ET.fromstring(parts["_rels/.rels"]).findall(f"{{{NS_RELS}}}Relationship")
    ids = [rel.get("Id") for rel in rels]
    assert len(ids) == len(set(ids))
    by_type: dict[str, list[str]] = {}
    for rel in rels:
        by_type.setdefault(rel.get("Type"), []).append(rel.get("Target").lstrip("/"))
    for part, (rel_type, namespace, source) in RIBBON_PARTS.items():
        assert by_type[rel_type] == [part]
        assert ET.fromstring(parts[part]).tag == f"{{{namespace}}}customUI"
        assert parts[part] == (MACROS / source).read_bytes().replace(b"\r\n", b"\n")  # the source
    # the template's own package relationships are still there
    base = "http://schemas.openxmlformats.org"
    assert by_type[f"{base}/officeDocument/2006/relationships/officeDocument"] == ["xl/workbook.xml"]
    assert by_type[f"{base}/package/2006/relationships/metadata/core-properties"] == ["docProps/core.xml"]


def test_ribbon_sources_describe_the_same_ribbon():
    def shape(source: str, namespace: str):
        root = ET.fromstring((MACROS / source).read_bytes())
        return [(el.tag.replace(namespace, ""), sorted(el.attrib.items())) for el in root.iter()]

    assert shape("customUI.xml", NS_CUSTOMUI) == shape("customUI14.xml", NS_CUSTOMUI14)


def test_labels_are_chinese_and_buttons_have_icons(parts):
    for part, (_, namespace, _) in RIBBON_PARTS.items():
        root = ET.fromstring(parts[part])
        tab = root.find(f".//{{{namespace}}}tab")
        assert tab.get("label") == "台账助手"
        for element in root.iter():
            if "label" in element.attrib:
                assert CJK.search(element.get("label")), (part, element.attrib)
        buttons = ribbon_buttons(parts[part], namespace)
        assert sorted(b.get("label") for b in buttons) == sorted(EXPECTED_BUTTONS)
        for button in buttons:
            assert re.fullmatch(r"[A-Za-z0-9]+", button.get("imageMso", "")), button.attrib
        assert len({b.get("id") for b in buttons}) == len(buttons)


def test_addin_title_is_chinese(parts):
    core = ET.fromstring(parts["docProps/core.xml"])
    title = core.find("{http://purl.org/dc/elements/1.1/}title").text
    assert title == "台账助手"


def test_config_sheet_is_the_templates_and_inactive():
    """A key on an active xlwings.conf sheet would hide the user config: keep it inactive."""
    book = CalamineWorkbook.from_path(str(ADDIN))
    assert book.sheet_names == ["_xlwings.conf"]
    rows = book.get_sheet_by_index(0).to_python()
    settings_ = {row[0]: row[1] for row in rows}
    assert settings_["Interpreter_Win"] == ""
    assert settings_["PYTHONPATH"] == ""
    assert {"UDF Modules", "Conda Path", "Conda Env", "Show Console"} <= settings_.keys()


# --------------------------------------------------------------------------- VBA project


def test_vba_project_holds_the_expected_modules(vba, parts):
    workbook = parts["xl/workbook.xml"].decode()
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    book_code_name = re.search(r'<workbookPr [^>]*codeName="([^"]+)"', workbook).group(1)
    sheet_code_name = re.search(r'<sheetPr [^>]*codeName="([^"]+)"', sheet).group(1)
    assert set(vba) == {book_code_name, sheet_code_name, "LedgerRibbon", "xlwings", "Dictionary"}
    for code in vba.values():
        assert code.isascii()


def test_every_button_names_a_ribbon_procedure_of_the_vba_project(parts, vba):
    for part, (_, namespace, _) in RIBBON_PARTS.items():
        for button in ribbon_buttons(parts[part], namespace):
            module, _, name = button.get("onAction").rpartition(".")
            assert module in vba, (part, button.get("onAction"))
            found = procedures(vba[module])
            assert name in found, (part, button.get("onAction"))
            params, _ = found[name]
            assert re.fullmatch(r"(ByRef\s+|ByVal\s+)?\w+\s+As\s+IRibbonControl", params), params


def test_buttons_run_the_automation_excel_functions(parts, vba):
    ribbon = procedures(vba["LedgerRibbon"])
    for part, (_, namespace, _) in RIBBON_PARTS.items():
        for button in ribbon_buttons(parts[part], namespace):
            _, body = ribbon[button.get("onAction").rpartition(".")[2]]
            # the callback calls one parameterless macro, which calls RunPython
            (macro,) = re.findall(r"^\s*(\w+)\s*$", body, re.MULTILINE)
            params, macro_body = ribbon[macro]
            assert params == ""
            (command,) = re.findall(r'^\s*RunPython\s+"([^"]*)"\s*$', macro_body, re.MULTILINE)
            function = EXPECTED_BUTTONS[button.get("label")]
            assert command == f"import automation.excel; automation.excel.{function}()"
            ast.parse(command)
    excel = importlib.import_module("automation.excel")
    for function in EXPECTED_BUTTONS.values():
        assert callable(getattr(excel, function))


def test_ledger_message_code_points_spell_chinese(vba):
    texts = [
        "".join(chr(int(unit, 16)) for unit in codes.split())
        for codes in re.findall(r'Zh\("([0-9A-F ]+)"\)', vba["LedgerRibbon"])
    ]
    assert texts == ["请先打开办理台账工作簿，再点击此按钮。", "台账助手"]


def test_xlwings_module_is_the_custom_addin_variant(vba):
    """xlwings' add-in module (ActiveWorkbook is the caller), reading ~/.xlwings/xlwings.conf."""
    import xlwings

    package = Path(xlwings.__file__).parent / "xlwings_custom_addin.bas"
    expected = package.read_bytes().decode("ascii").replace("\r\n", "\n").replace(
        'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "xlwings"'
    )
    assert vba["xlwings"].replace("\r\n", "\n") == expected
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in vba["xlwings"]
    assert "Public Function RunPython(PythonCommand As String)" in vba["xlwings"]


def test_vba_sources_round_trip(vba):
    assert vba["LedgerRibbon"] == (MACROS / "LedgerRibbon.bas").read_bytes().decode("ascii").replace(
        "\r\n", "\n"
    ).replace("\n", "\r\n")
    assert vba["Dictionary"].startswith(
        'Attribute VB_Name = "Dictionary"\r\nAttribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
    )


LO_HEADERS = {  # what LibreOffice's VBA import puts before a module's code, by module kind
    "normal": "Rem Attribute VBA_ModuleType=VBAModule\nOption VBASupport 1\n",
    "class": "Rem Attribute VBA_ModuleType=VBAClassModule\nOption VBASupport 1\nOption ClassModule\n",
    "document": "Rem Attribute VBA_ModuleType=VBADocumentModule\nOption VBASupport 1\n",
}


def as_libreoffice_reads(kind: str, source: str) -> str:
    """A VBA module's stored source as LibreOffice's import (oox/source/ole/vbamodule.cxx)
    hands it to Basic: the ``Attribute`` lines are consumed, every other line is kept as it
    is and ends with LF (including the empty piece after the last line end), after a header
    naming the module kind. Nothing else may change: no line dropped as an unmatched
    Sub/End, none commented out with ``Rem``."""
    lines = source.replace("\r\n", "\n").split("\n")
    return LO_HEADERS[kind] + "".join(line + "\n" for line in lines if not line.startswith("Attribute "))


def expected_vba_sources() -> dict[str, tuple[str, str]]:
    """{module: (kind, source)} from the files the add-in is made of, read here without the
    build script: macros/LedgerRibbon.bas and xlwings' own VBA files of the pinned wheel."""
    import xlwings

    package = Path(xlwings.__file__).parent
    ribbon = (MACROS / "LedgerRibbon.bas").read_bytes().decode("ascii")
    xlwings_module = (package / "xlwings_custom_addin.bas").read_bytes().decode("ascii").replace(
        'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "xlwings"')
    cls = (package / "addin" / "Dictionary.cls").read_bytes().decode("ascii").replace("\r\n", "\n")
    cls = cls if cls.endswith("\n") else cls + "\n"
    dictionary = cls[cls.index('Attribute VB_Name = "Dictionary"'):]
    return {
        "LedgerRibbon": ("normal", ribbon), "xlwings": ("normal", xlwings_module),
        "Dictionary": ("class", dictionary), "ThisWorkbook": ("document", ""), "Sheet2": ("document", ""),
    }


@pytest.fixture(scope="module")
def libreoffice_basic(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """{module: (kind, source)} of the add-in's VBA project as LibreOffice imports it: the
    package opened headless as a macro-enabled workbook (LibreOffice does not open add-ins)
    and saved as .ods, whose Basic/VBAProject/*.xml hold each module LibreOffice read."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    tmp_path = tmp_path_factory.mktemp("libreoffice")
    xlsm = tmp_path / "addin.xlsm"
    with zipfile.ZipFile(ADDIN) as zin, zipfile.ZipFile(xlsm, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            zout.writestr(info, data)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "ods", "--outdir", str(tmp_path), str(xlsm)],
        check=True, capture_output=True, timeout=300,
    )
    script = "{http://openoffice.org/2000/script}"
    modules = {}
    with zipfile.ZipFile(tmp_path / "addin.ods") as ods:
        for name in ods.namelist():
            if name.startswith("Basic/VBAProject/") and not name.endswith("script-lb.xml"):
                element = ET.fromstring(ods.read(name))
                modules[element.get(f"{script}name")] = (element.get(f"{script}moduleType"), element.text or "")
    return modules


def test_libreoffice_reads_every_module_with_its_exact_source(libreoffice_basic):
    """An independent MS-OVBA reader (LibreOffice's) finds every module of the committed
    add-in, of the right kind, with exactly the source it was built from."""
    expected = expected_vba_sources()
    assert set(libreoffice_basic) == set(expected)
    for module, (kind, source) in expected.items():
        assert libreoffice_basic[module] == (kind, as_libreoffice_reads(kind, source)), module


def test_the_libreoffice_comparison_is_exact():
    """The reading rule keeps every non-attribute line: one changed character is a difference."""
    kind, source = expected_vba_sources()["LedgerRibbon"]
    assert "RunPython" in as_libreoffice_reads(kind, source)
    assert as_libreoffice_reads(kind, source) != as_libreoffice_reads(kind, source.replace("check()", "chek()"))
    assert as_libreoffice_reads("normal", 'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\n') == (
        LO_HEADERS["normal"] + "Sub A()\nEnd Sub\n\n")


# --------------------------------------------------------------------------- build


def run_build(output: Path) -> bytes:
    subprocess.run([sys.executable, str(BUILD_SCRIPT), "-o", str(output)], check=True,
                   capture_output=True, cwd=ROOT, timeout=300)
    return output.read_bytes()


def test_build_is_reproducible_and_matches_the_committed_addin(tmp_path):
    first = run_build(tmp_path / "first" / "a.xlam")
    second = run_build(tmp_path / "second" / "b.xlam")
    assert first == second
    assert ADDIN.read_bytes() == first, REBUILD
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == ["a.xlam"]  # no leftovers


def test_build_refuses_a_button_without_a_procedure(build_addin, tmp_path):
    for name in ("LedgerRibbon.bas", "customUI.xml", "customUI14.xml"):
        shutil.copy(MACROS / name, tmp_path / name)
    ribbon = tmp_path / "customUI14.xml"
    ribbon.write_bytes(ribbon.read_bytes().replace(b"LedgerRibbon.LedgerCheck", b"LedgerRibbon.NoSuchSub"))
    with pytest.raises(build_addin.BuildError, match="NoSuchSub"):
        build_addin.build_parts(macros_dir=tmp_path)


def test_build_refuses_non_ascii_vba(build_addin, tmp_path):
    for name in ("LedgerRibbon.bas", "customUI.xml", "customUI14.xml"):
        shutil.copy(MACROS / name, tmp_path / name)
    bas = tmp_path / "LedgerRibbon.bas"
    bas.write_bytes(bas.read_bytes() + "' 台账\r\n".encode("utf-8"))
    with pytest.raises(build_addin.BuildError, match="ASCII"):
        build_addin.build_parts(macros_dir=tmp_path)


text_like = st.lists(
    st.one_of(
        st.sampled_from([b"    ", b"\r\n", b"End Sub", b"RunPython ", b"'", b"-" * 80, b" " * 300]),
        st.binary(min_size=1, max_size=40),
    ),
    max_size=400,
).map(b"".join)


def last_chunk_is_padded_raw(compressed: bytes, data: bytes) -> bool:
    """True if the final chunk is a raw (incompressible) one shorter than 4096 bytes: MS-OVBA
    pads those with zeros, so they decompress to the data plus padding."""
    pos, raw = 1, False
    while pos < len(compressed):
        header = int.from_bytes(compressed[pos : pos + 2], "little")
        raw = not header & 0x8000
        pos += (header & 0x0FFF) + 3
    return raw and len(data) % 4096 != 0


@settings(max_examples=150, deadline=None)
@given(data=text_like)
def test_compressor_round_trips_through_olevba(build_addin, data):
    compressed = build_addin.ovba_compress(data)
    restored = bytes(decompress_stream(bytearray(compressed)))
    if last_chunk_is_padded_raw(compressed, data):
        assert restored == data + b"\x00" * (len(restored) - len(data))
    else:
        assert restored == data


def test_compressor_handles_long_runs(build_addin):
    """The case ms-ovba-compression 1.0.1 gets wrong: matches longer than the length field."""
    data = (b"x" * 5000) + (b"ab" * 3000) + b"End Sub\r\n" * 700
    assert bytes(decompress_stream(bytearray(build_addin.ovba_compress(data)))) == data


def test_vba_project_is_read_back_in_the_build(build_addin):
    modules = [build_addin.VbaModule("Broken", "standard", 'Attribute VB_Name = "Broken"\r\n')]
    data = build_addin.build_vba_project(modules)
    with pytest.raises(build_addin.BuildError):
        build_addin.verify_vba_project(data, [build_addin.VbaModule("Other", "standard", "x\r\n")])
    build_addin.verify_vba_project(data, modules)
