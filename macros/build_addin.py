"""Build the Excel add-in ``macros/ledger_assistant.xlam`` reproducibly, on any OS.

    python macros/build_addin.py              # rewrites macros/ledger_assistant.xlam
    python macros/build_addin.py -o out.xlam  # somewhere else

Starting point: xlwings' own ribbon add-in template, ``quickstart_addin_ribbon.xlam`` in the
installed xlwings package (the file ``xlwings quickstart NAME --addin --ribbon`` copies
unchanged). From it the build keeps the workbook skeleton (workbook, styles, theme, the
hidden config sheet) and replaces:

* the ribbon: ``customUI/customUI.xml`` (Office 2007, relationship type REL_CUSTOMUI) and
  ``customUI/customUI14.xml`` (Office 2010+, REL_CUSTOMUI14), copied from
  ``macros/customUI.xml`` / ``macros/customUI14.xml`` (line ends made LF) and linked from
  ``_rels/.rels``;
* the VBA project ``xl/vbaProject.bin``, built from source with ``ms-ovba`` (with its
  compressor replaced, see ovba_compress) and read back with oletools' olevba before
  anything is written: the two document modules the workbook needs (ThisWorkbook and the
  config sheet), xlwings' add-in VBA module (``xlwings_custom_addin.bas``: RunPython on the
  active workbook, PROJECT_NAME set to "xlwings"), xlwings' ``Dictionary`` class (used by
  that module on macOS) and ``LedgerRibbon.bas``;
* the config sheet's name (``_xlwings.conf``: inactive, see CONFIG_SHEET) and the add-in's
  title and description in ``docProps/core.xml`` (what Excel's Add-ins dialog shows).

The VBA project carries source only, no compiled p-code (like the template's xlwings
module): Excel compiles it from source the first time the add-in is opened.

Reproducible: the zip members have a fixed timestamp and attributes, are stored
uncompressed (so the bytes do not depend on the zlib build) and come in a fixed order with
``[Content_Types].xml`` first; the VBA project has a fixed project ID and a seeded random
generator for the PROJECT stream's obfuscated fields. Building twice gives the same bytes,
as long as the xlwings version (the template and its VBA module) is the same.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import random
import re
import sys
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

ADDIN_FILENAME = "ledger_assistant.xlam"
"""ASCII on purpose: the title Excel shows is 台账助手 (docProps/core.xml), while the file
name travels through git, pip/wheels, zip tools, command lines and the ANSI strings xlwings'
VBA builds, where non-ASCII names are a needless risk."""

ADDIN_TITLE = "台账助手"
ADDIN_DESCRIPTION = "提案建议办理台账：一键统计、逾期清单、生成汇报（通过 xlwings 调用 Python）。"

RIBBON_MODULE = "LedgerRibbon"

CONF_NAME = "xlwings"
"""PROJECT_NAME in xlwings' VBA module. It names the user config file the add-in reads,
%USERPROFILE%\\.xlwings\\xlwings.conf (the one ``automation.excel_setup`` writes and that the
standard xlwings add-in and the xlwings Python package use too), and the config sheet
(``xlwings.conf``) looked for in the active workbook and in the add-in."""

CONFIG_SHEET = "_" + CONF_NAME + ".conf"
"""The add-in's own config sheet keeps the template's leading underscore, which makes
xlwings ignore it. A key present on an active sheet wins over the user config file even
when its value is empty, so an active sheet with an empty Interpreter_Win would hide the
interpreter written by the setup command. Renaming the sheet to ``xlwings.conf`` (and
filling it) is the way to pin settings inside the add-in for a whole office."""

TEMPLATE_CONFIG_SHEET = "_myaddin.conf"
TEMPLATE_PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "myaddin"'

REL_CUSTOMUI = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
REL_CUSTOMUI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
NS_CUSTOMUI = "http://schemas.microsoft.com/office/2006/01/customui"
NS_CUSTOMUI14 = "http://schemas.microsoft.com/office/2009/07/customui"
RIBBON_PARTS = {  # source file -> (part name, relationship type, namespace, relationship id)
    "customUI.xml": ("customUI/customUI.xml", REL_CUSTOMUI, NS_CUSTOMUI, "rIdLedgerUI"),
    "customUI14.xml": ("customUI/customUI14.xml", REL_CUSTOMUI14, NS_CUSTOMUI14, "rIdLedgerUI14"),
}

VBA_PROJECT_ID = "{5B0F7C1E-3A8D-4E62-9C47-1D2E6F8A9B30}"
VBA_RANDOM_SEED = 20240601
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
CONTENT_TYPES = "[Content_Types].xml"

# VB_Base GUIDs of the host classes (the same values Excel writes).
GUID_WORKBOOK = "00020819-0000-0000-C000-000000000046"
GUID_WORKSHEET = "00020820-0000-0000-C000-000000000046"
GUID_CLASS = "FCFB3D2A-A0FA-1068-A738-08002B3371B5"


class BuildError(Exception):
    """The template or a source file is not what this build expects."""


@dataclass(frozen=True)
class VbaModule:
    """One VBA module as stored in the project: the text VBE keeps (attributes included)."""

    name: str
    kind: str  # "document", "class" or "standard"
    source: str


# --------------------------------------------------------------------------- sources


def xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).resolve().parent


def template_path() -> Path:
    return xlwings_dir() / "quickstart_addin_ribbon.xlam"


def _crlf(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def _read_source(path: Path) -> str:
    """A VBA source file, CRLF. ASCII only: the project's code page is Windows-1252 and the
    add-in must read the same on a Chinese (936) system, so Chinese text is built at run
    time from code points (see LedgerRibbon.bas)."""
    data = path.read_bytes()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{path}: VBA source must be ASCII (non-ASCII byte at offset {exc.start})") from None
    return _crlf(text)


def _replace_once(text: str, old: str, new: str, where: str) -> str:
    count = text.count(old)
    if count != 1:
        raise BuildError(f"{where}: expected {old!r} exactly once, found it {count} times")
    return text.replace(old, new)


def document_module(name: str, base_guid: str) -> VbaModule:
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "0{{{base_guid}}}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return VbaModule(name, "document", "\r\n".join(lines) + "\r\n")


def class_module_from_cls(path: Path) -> VbaModule:
    """A ``.cls`` export turned into the stored form (what VBE writes into the project)."""
    lines = _read_source(path).split("\r\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name")), None)
    if start is None:
        raise BuildError(f"{path}: no 'Attribute VB_Name' line")
    name = re.fullmatch(r'Attribute VB_Name = "([^"]+)"', lines[start]).group(1)
    lines = lines[start:]
    exposed = next((i for i, line in enumerate(lines) if line.startswith("Attribute VB_Exposed")), None)
    if exposed is None:
        raise BuildError(f"{path}: no 'Attribute VB_Exposed' line")
    lines[exposed + 1 : exposed + 1] = [
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
    ]
    lines.insert(1, f'Attribute VB_Base = "0{{{GUID_CLASS}}}"')
    return VbaModule(name, "class", "\r\n".join(lines))


def standard_module_from_bas(path: Path, replacements: tuple[tuple[str, str], ...] = ()) -> VbaModule:
    text = _read_source(path)
    match = re.match(r'Attribute VB_Name = "([^"]+)"\r\n', text)
    if not match:
        raise BuildError(f"{path}: must start with 'Attribute VB_Name = \"...\"'")
    for old, new in replacements:
        text = _replace_once(text, old, new, str(path))
    return VbaModule(match.group(1), "standard", text)


def _template_code_names(parts: dict[str, bytes]) -> tuple[str, str]:
    """Code names of the workbook and of its only sheet: the document modules must match."""
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    book_name = re.search(r'<workbookPr [^>]*codeName="([^"]+)"', workbook)
    sheet_name = re.search(r'<sheetPr [^>]*codeName="([^"]+)"', sheet)
    if not book_name or not sheet_name:
        raise BuildError("template: workbook or sheet code name not found")
    return book_name.group(1), sheet_name.group(1)


def vba_modules(parts: dict[str, bytes], macros_dir: Path = HERE) -> list[VbaModule]:
    book_code_name, sheet_code_name = _template_code_names(parts)
    xw = xlwings_dir()
    return [
        document_module(book_code_name, GUID_WORKBOOK),
        document_module(sheet_code_name, GUID_WORKSHEET),
        standard_module_from_bas(macros_dir / f"{RIBBON_MODULE}.bas"),
        standard_module_from_bas(
            xw / "xlwings_custom_addin.bas",
            ((TEMPLATE_PROJECT_NAME_LINE, f'Public Const PROJECT_NAME As String = "{CONF_NAME}"'),),
        ),
        class_module_from_cls(xw / "addin" / "Dictionary.cls"),
    ]


# --------------------------------------------------------------------------- compression


def _copy_token_bit_count(position: int) -> int:
    """MS-OVBA 2.4.1.3.19.3 CopyToken Help: offset bits at this position in the chunk."""
    bits = 4
    while (1 << bits) < position:
        bits += 1
    return bits


def _longest_match(chunk: bytes, pos: int, max_length: int) -> tuple[int, int]:
    """(offset, length) of the longest earlier match for chunk[pos:], nearest first.

    Same result class as MS-OVBA 2.4.1.3.19.4 Matching (a match may overlap pos), found
    with bytes.rfind and a galloping search instead of the quadratic scan.
    """
    limit = min(max_length, len(chunk) - pos)
    if limit < 3:
        return 0, 0

    def nearest(length: int) -> int:
        return chunk.rfind(chunk[pos : pos + length], 0, pos + length - 1)

    candidate = nearest(3)
    if candidate < 0:
        return 0, 0
    good, good_candidate, step, bad = 3, candidate, 3, None
    while good < limit:
        trial = min(good + step, limit)
        candidate = nearest(trial)
        if candidate < 0:
            bad = trial
            break
        good, good_candidate, step = trial, candidate, step * 2
    if bad is not None:  # good matches, bad does not: bisect
        while bad - good > 1:
            middle = (good + bad) // 2
            candidate = nearest(middle)
            if candidate >= 0:
                good, good_candidate = middle, candidate
            else:
                bad = middle
    return pos - good_candidate, good


def ovba_compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 compression (CompressedContainer) of module source and the dir stream.

    Replaces ms-ovba-compression 1.0.1's compressor, which computes the maximum copy
    length as ``0xFFFF << (bit_count + 3)`` instead of ``(0xFFFF >> bit_count) + 3``: any
    match longer than the length field overflows into the offset and the source comes back
    garbled (olevba shows it; so would the VBA editor). Its matcher is also quadratic.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = bytearray()
        pos = 0
        while pos < len(chunk):
            flag_index = len(body)
            body.append(0)
            flags = 0
            for bit in range(8):
                if pos >= len(chunk):
                    break
                bit_count = _copy_token_bit_count(pos)
                length_mask = 0xFFFF >> bit_count
                offset, length = _longest_match(chunk, pos, length_mask + 3)
                if length >= 3:
                    token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                    body += token.to_bytes(2, "little")
                    flags |= 1 << bit
                    pos += length
                else:
                    body.append(chunk[pos])
                    pos += 1
            body[flag_index] = flags
        if len(body) > 4096:  # incompressible: a raw chunk, zero-padded as the spec says
            out += (0x3000 | 4095).to_bytes(2, "little") + chunk.ljust(4096, b"\x00")
        else:
            out += (0xB000 | (len(body) - 1)).to_bytes(2, "little") + body
    return bytes(out)


# --------------------------------------------------------------------------- VBA project


@contextlib.contextmanager
def _ms_ovba_fixed(seed: int):
    """Run ms-ovba with a correct compressor and a seeded random generator.

    ms-ovba obfuscates the PROJECT stream's CMG/DPB/GC fields with random bytes (seeded
    here so the build is reproducible) and compresses with ms-ovba-compression (replaced
    here by ovba_compress, see there).
    """
    from ms_ovba_compression.ms_ovba import MsOvba
    from ms_ovba_crypto import ms_ovba_crypto as crypto

    saved_random, saved_compress = crypto.random, MsOvba.compress
    crypto.random = random.Random(seed)
    MsOvba.compress = lambda self, data: ovba_compress(bytes(data))
    try:
        yield
    finally:
        crypto.random, MsOvba.compress = saved_random, saved_compress


def build_vba_project(modules: list[VbaModule]) -> bytes:
    """A vbaProject.bin (MS-OVBA in an MS-CFB file) holding these modules as source."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.Views.project_ole_file import ProjectOleFile
    from ms_ovba.vbaProject import VbaProject

    class ClassModule(DocModule):
        # A class module is a MODULETYPE 0x0022 record like a document module (hence
        # DocModule), listed as "Class=" in the PROJECT stream. ms-ovba 0.0.1 has no class.
        def to_project_module_string(self) -> str:
            return "Class=" + self.modName.value

    names = [m.name for m in modules]
    if len(set(n.lower() for n in names)) != len(names):
        raise BuildError(f"duplicate VBA module names: {names}")

    project = VbaProject()
    project.project_id = VBA_PROJECT_ID
    project.include_projectwm()
    project.add_reference(
        Reference(
            ReferenceRegistered(
                LibidReference(
                    uuid.UUID("00020430-0000-0000-C000-000000000046"),
                    "2.0",
                    "0",
                    "C:\\Windows\\System32\\stdole2.tlb",
                    "OLE Automation",
                )
            ),
            "stdole",
        )
    )
    project.add_reference(  # IRibbonControl lives in the Office library
        Reference(
            ReferenceRegistered(
                LibidReference(
                    uuid.UUID("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52"),
                    "2.0",
                    "0",
                    "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL",
                    "Microsoft Office 16.0 Object Library",
                )
            ),
            "Office",
        )
    )

    # ms-ovba writes its intermediate files into the working directory and next to the
    # module files (appending to "<module>.new"): give it a fresh directory of its own.
    with tempfile.TemporaryDirectory(prefix="ledger-vba-") as tmp:
        for module in modules:
            if not module.source.isascii():
                raise BuildError(f"VBA module {module.name}: source must be ASCII")
            if module.kind == "document":
                entry = DocModule(module.name)
            elif module.kind == "class":
                entry = ClassModule(module.name)
            elif module.kind == "standard":
                entry = StdModule(module.name)
            else:
                raise BuildError(f"VBA module {module.name}: unknown kind {module.kind!r}")
            path = Path(tmp) / f"module_{len(project.modules)}"
            # The stored text is given directly (ms-ovba's normalize_file is not used).
            path.with_name(path.name + ".new").write_bytes(module.source.encode("ascii"))
            entry.add_file(str(path))
            project.add_module(entry)
        with contextlib.chdir(tmp), _ms_ovba_fixed(VBA_RANDOM_SEED):
            ProjectOleFile.write_file(project)
            return Path("vbaProject.bin").read_bytes()


def read_vba_modules(data: bytes) -> dict[str, str]:
    """{"Name.ext": source} of a vbaProject.bin, as oletools' olevba reads it."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser("vbaProject.bin", data=data)
    try:
        return {filename: code for _, _, filename, code in parser.extract_macros()}
    finally:
        parser.close()


def verify_vba_project(data: bytes, modules: list[VbaModule]) -> None:
    """Never ship a project that does not read back: every module, exact source and kind."""
    expected = {f"{m.name}.{'bas' if m.kind == 'standard' else 'cls'}": m.source for m in modules}
    found = read_vba_modules(data)
    if found.keys() != expected.keys():
        raise BuildError(f"VBA project reads back modules {sorted(found)}, expected {sorted(expected)}")
    for name, source in expected.items():
        if found[name] != source:
            raise BuildError(f"VBA module {name} does not read back as written")


# --------------------------------------------------------------------------- package parts


def _ribbon_procedures(bas_source: str) -> set[str]:
    """Public Subs taking one IRibbonControl: the valid onAction targets."""
    pattern = re.compile(
        r"^(?:Public\s+)?Sub\s+(\w+)\s*\(\s*(?:ByRef\s+|ByVal\s+)?\w+\s+As\s+IRibbonControl\s*\)",
        re.IGNORECASE | re.MULTILINE,
    )
    return set(pattern.findall(bas_source))


def check_ribbon(xml_bytes: bytes, namespace: str, procedures: set[str], where: str) -> None:
    root = ET.fromstring(xml_bytes)
    if root.tag != f"{{{namespace}}}customUI":
        raise BuildError(f"{where}: root must be customUI in namespace {namespace}")
    buttons = root.findall(f".//{{{namespace}}}button")
    if not buttons:
        raise BuildError(f"{where}: no buttons")
    for button in buttons:
        action = button.get("onAction", "")
        module, _, procedure = action.rpartition(".")
        if module != RIBBON_MODULE or procedure not in procedures:
            raise BuildError(
                f"{where}: button {button.get('id')} onAction={action!r} is not a "
                f"{RIBBON_MODULE} ribbon callback ({sorted(procedures)})"
            )


def _package_rels(rels: str) -> str:
    """Replace the template's ribbon relationship with one per ribbon part."""
    ui = re.compile(r'<Relationship [^>]*Type="http://schemas\.microsoft\.com/office/200[67]/relationships/ui/extensibility"[^>]*/>\s*')
    if len(ui.findall(rels)) != 1:
        raise BuildError("template _rels/.rels: expected exactly one ribbon relationship")
    rels = ui.sub("", rels)
    new = "".join(
        f'<Relationship Id="{rid}" Type="{rel_type}" Target="{part}" />'
        for part, rel_type, _, rid in RIBBON_PARTS.values()
    )
    return _replace_once(rels, "</Relationships>", new + "</Relationships>", "template _rels/.rels")


def _core_properties(core: str) -> str:
    core = _replace_once(core, "<dc:title />", f"<dc:title>{escape(ADDIN_TITLE)}</dc:title>", "docProps/core.xml")
    return _replace_once(
        core, "<dc:description />", f"<dc:description>{escape(ADDIN_DESCRIPTION)}</dc:description>", "docProps/core.xml"
    )


def build_parts(template: Path | None = None, macros_dir: Path = HERE) -> dict[str, bytes]:
    template = template or template_path()
    with zipfile.ZipFile(template) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}

    procedures = _ribbon_procedures(_read_source(macros_dir / f"{RIBBON_MODULE}.bas"))
    for source, (part, _, namespace, _) in RIBBON_PARTS.items():
        # LF, whatever a checkout did to line ends (git autocrlf), so builds agree everywhere
        data = (macros_dir / source).read_bytes().replace(b"\r\n", b"\n")
        check_ribbon(data, namespace, procedures, source)
        parts[part] = data

    parts["_rels/.rels"] = _package_rels(parts["_rels/.rels"].decode("utf-8")).encode("utf-8")
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    workbook = _replace_once(
        workbook, f'name="{TEMPLATE_CONFIG_SHEET}"', f'name="{escape(CONFIG_SHEET)}"', "template xl/workbook.xml"
    )
    parts["xl/workbook.xml"] = workbook.encode("utf-8")
    parts["docProps/core.xml"] = _core_properties(parts["docProps/core.xml"].decode("utf-8")).encode("utf-8")
    modules = vba_modules(parts, macros_dir)
    vba_project = build_vba_project(modules)
    verify_vba_project(vba_project, modules)
    parts["xl/vbaProject.bin"] = vba_project
    return parts


def zip_parts(parts: dict[str, bytes]) -> bytes:
    """A zip with fixed metadata: same parts in, same bytes out, on any OS."""
    if CONTENT_TYPES not in parts:
        raise BuildError(f"{CONTENT_TYPES} missing")
    names = [CONTENT_TYPES] + sorted(n for n in parts if n != CONTENT_TYPES)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0  # MS-DOS, as Office writes; the default depends on the OS
            info.external_attr = 0
            zf.writestr(info, parts[name])
    return buffer.getvalue()


def build_addin(output: Path | None = None, *, template: Path | None = None, macros_dir: Path = HERE) -> Path:
    output = Path(output) if output else macros_dir / ADDIN_FILENAME
    data = zip_parts(build_parts(template, macros_dir))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, help=f"default: macros/{ADDIN_FILENAME}")
    args = parser.parse_args(argv)
    try:
        path = build_addin(args.output)
    except BuildError as exc:
        print(f"build_addin: {exc}", file=sys.stderr)
        return 1
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"{path}  sha256={digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
