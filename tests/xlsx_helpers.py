"""Helpers shared by the package-writer tests: a sample model and package comparisons."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import shutil
import struct
import warnings
import subprocess
import zipfile
import zlib
from pathlib import Path

import openpyxl
from lxml import etree
from python_calamine import CalamineWorkbook

from automation.model import Area, Block, Chart, Series, SheetModel, SummaryModel
from automation.xlsx import MARKER_NAME

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT_ROOT / "tests" / "corpus" / "poi"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

#: Parts that may change, and only by additions (the workbook part is found via _rels/.rels).
EDITABLE = {"[content_types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docprops/app.xml", "xl/styles.xml"}

SUMMARY = "统计汇总"
SECTIONS = "科室统计"
LEDGER_LINK = "'台账'!A12"


def sample_model() -> SummaryModel:
    """Two sheets with every feature the writer handles."""
    summary = SheetModel(
        name=SUMMARY,
        blocks=[
            Block(row=1, column=1, values=[["2024 年建议提案办理情况统计"]], styles=["title"]),
            Block(row=2, column=1, values=[["数据截至 2024-06-30"]], styles=["note"]),
            Block(row=4, column=1, values=[["项目", "数量", "比例", "截止日期", "备注"]], styles=["header"] * 5),
            Block(
                row=5, column=1,
                values=[
                    ["办结", 40, 0.8, dt.date(2024, 6, 30), "=SUM(A1:A2)"],
                    ["未办结", 10, 0.2, dt.date(2024, 7, 1), 'A&B <c> "d"'],
                    ["合计", 50, 1.0, None, "  前后空格  "],
                ],
                styles=["link", "int", "percent", "date", "text"],
                row_fills=[None, "overdue", "total"],
                links=[LEDGER_LINK, None, None],
            ),
        ],
        column_widths={1: 14, 2: 10, 3: 10, 4: 12, 5: 24},
        merges=[Area(SUMMARY, 1, 1, 1, 5)],
        freeze_row=4,
        charts=[
            Chart(kind="bar_stacked", title="办理情况", categories=Area(SUMMARY, 5, 1, 6, 1),
                  series=[Series("数量", Area(SUMMARY, 5, 2, 6, 2), color="4472C4")],
                  anchor_row=10, anchor_column=1),
            Chart(kind="pie", title="办结占比", categories=Area(SUMMARY, 5, 1, 6, 1),
                  series=[Series("数量", Area(SUMMARY, 5, 2, 6, 2))], anchor_row=10, anchor_column=10),
        ],
        tab_color="1F4E79",
        row_heights={1: 28},
    )
    sections = SheetModel(
        name=SECTIONS,
        blocks=[
            Block(row=1, column=1, values=[["科室", "承办", "办结"], ["办公室", 5, 4], ["规划科", 3, 3]],
                  styles=["header", "int", "int"]),
            Block(row=1, column=5, values=[["说明"], ["@看这里"], ["+1"]], styles=["text"]),
        ],
        charts=[
            Chart(kind="column_stacked", title="科室办理", categories=Area(SECTIONS, 2, 1, 3, 1),
                  series=[Series("承办", Area(SECTIONS, 2, 2, 3, 2), color="ED7D31"),
                          Series("办结", Area(SECTIONS, 2, 3, 3, 3), color="A5A5A5")],
                  anchor_row=6, anchor_column=1),
        ],
    )
    return SummaryModel([summary, sections])


def expected_values() -> dict[str, dict[tuple[int, int], object]]:
    """{sheet: {(row, col) 0-based: value}} of the sample model as calamine returns them."""
    return {
        SUMMARY: {
            (0, 0): "2024 年建议提案办理情况统计",
            (3, 0): "项目", (4, 0): "办结", (4, 1): 40, (4, 2): 0.8, (4, 3): dt.date(2024, 6, 30),
            (4, 4): "=SUM(A1:A2)", (5, 4): 'A&B <c> "d"', (6, 4): "  前后空格  ", (6, 1): 50,
        },
        SECTIONS: {(0, 0): "科室", (1, 1): 5, (2, 2): 3, (1, 4): "@看这里", (2, 4): "+1"},
    }


def workbook_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rels = etree.fromstring(zf.read("_rels/.rels"))
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target").lstrip("/")
    raise AssertionError("no workbook part")


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _tokens(text: str) -> list[str]:
    """XML text as tokens (tags and trimmed text), for an additions-only comparison.

    An empty-element tag counts as its start and end tags, so that `<a/>` growing into
    `<a>...</a>` is an addition.
    """
    tokens = []
    for token in (t.strip() for t in re.split(r"(<[^>]*>)", text)):
        empty = re.fullmatch(r"<([^\s/>!?]+)([^>]*?)\s*/>", token)
        if empty:
            tokens += [f"<{empty.group(1)}{empty.group(2)}>", f"</{empty.group(1)}>"]
        elif token:
            tokens.append(token)
    return tokens


def _without_counts(token: str) -> str:
    return re.sub(r'\scount="\d+"', "", token)


def assert_only_additions(name: str, before: bytes, after: bytes) -> None:
    """Every token of `before` is still in `after`, in order (count attributes aside)."""
    old = [_without_counts(t) for t in _tokens(before.decode("utf-8-sig"))]
    new = [_without_counts(t) for t in _tokens(after.decode("utf-8-sig"))]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    bad = [op for op in matcher.get_opcodes() if op[0] in ("delete", "replace")]
    assert not bad, f"{name}: content removed or changed: {[old[op[1]:op[2]] for op in bad][:3]}"


def assert_package_preserved(original: bytes, result: bytes) -> None:
    """Invariant 2: untouched members are identical; the editable ones only grew."""
    before, after = members(original), members(result)
    editable = EDITABLE | {workbook_part(original).lower()}
    wb = workbook_part(original)
    editable.add(posixpath_rels(wb).lower())
    for name, data in before.items():
        assert name in after, f"member {name} was removed"
        if name.lower() in editable:
            if data != after[name]:
                assert_only_additions(name, data, after[name])
        else:
            assert after[name] == data, f"member {name} changed"


def posixpath_rels(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def defined_names(data: bytes) -> list[tuple[str, str | None, str]]:
    """(name, localSheetId, text) of the workbook's defined names, ours left out."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read(workbook_part(data)))
    return [
        (d.get("name"), d.get("localSheetId"), d.text or "")
        for d in root.iter(f"{{{MAIN_NS}}}definedName")
        if d.get("name") != MARKER_NAME
    ]


def sheet_values(data: bytes) -> dict[str, list[list[object]] | None]:
    """Every sheet's values as calamine reads them (None when calamine cannot read it)."""
    result = {}
    with CalamineWorkbook.from_object(io.BytesIO(data)) as book:
        for name in book.sheet_names:
            try:
                result[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception:  # noqa: BLE001 - some corpus sheets (chart sheets) have no cells
                result[name] = None
    return result


def assert_model_values(values: dict[str, list[list[object]] | None]) -> None:
    for sheet, cells in expected_values().items():
        rows = values[sheet]
        assert rows is not None, sheet
        for (row, column), expected in cells.items():
            actual = rows[row][column]
            if isinstance(expected, dt.date) and isinstance(actual, dt.datetime):
                actual = actual.date()
            if isinstance(expected, (int, float)) and not isinstance(expected, bool):
                assert actual == expected, (sheet, row, column, actual)
            else:
                assert actual == expected, (sheet, row, column, actual)


def openpyxl_loads(data: bytes) -> None:
    """openpyxl can load the workbook (its warnings about features it drops are expected)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        openpyxl.load_workbook(io.BytesIO(data))


def minimal_png() -> bytes:
    """A valid 2x2 red PNG, written by hand."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def soffice_resave(path: Path, out_dir: Path, profile: Path) -> Path:
    """The workbook opened and saved again as .xlsx by LibreOffice headless, in `out_dir`
    (the returned path does not exist when LibreOffice could not open it)."""
    soffice = shutil.which("soffice")
    assert soffice
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(out_dir), str(path)],
                   check=False, capture_output=True, timeout=120)
    return out_dir / path.name


def soffice_convert(paths: list[Path], out_dir: Path, profile: Path) -> dict[Path, bool]:
    """Convert workbooks to PDF with LibreOffice in one call; {path: pdf produced}."""
    soffice = shutil.which("soffice")
    assert soffice
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
        check=False, capture_output=True, timeout=60 + 20 * len(paths),
    )
    return {path: (out_dir / (path.stem + ".pdf")).is_file() and (out_dir / (path.stem + ".pdf")).stat().st_size > 0
            for path in paths}
