"""Invariant 2 on real-world workbooks (Apache POI's test corpus): nothing but our sheets changes."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from automation.safe_write import save_workbook
from automation.xlsx import WorkbookError, write_owned_sheets
from tests.xlsx_helpers import (
    CORPUS, assert_model_values, assert_package_preserved, defined_names, members, sample_model,
    openpyxl_loads, sheet_values, soffice_convert,
)

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason=f"corpus not found at {CORPUS}")


def _manifest() -> dict[str, set[str]]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return {}
    lines = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {name: set(features.split(",")) for name, features in (line.split("\t") for line in lines if line.strip())}


MANIFEST = _manifest()
BROKEN = sorted(name for name, features in MANIFEST.items() if features & {"NOTZIP", "BADZIP"})
GOOD = sorted(name for name in MANIFEST if name not in BROKEN)


@pytest.mark.parametrize("name", GOOD)
def test_corpus_workbook(name):
    original = (CORPUS / name).read_bytes()
    result = write_owned_sheets(original, sample_model())
    assert_package_preserved(original, result)
    before, after = sheet_values(original), sheet_values(result)
    assert list(after)[: len(before)] == list(before)
    for sheet, values in before.items():
        assert after[sheet] == values, sheet
    assert_model_values(after)
    assert defined_names(result) == defined_names(original)
    openpyxl_loads(result)
    second = write_owned_sheets(result, sample_model())
    assert members(second) == members(result)


@pytest.mark.parametrize("name", [n for n in GOOD if "vba" in MANIFEST[n]])
def test_macro_workbook_keeps_vba(name):
    original = (CORPUS / name).read_bytes()
    result = write_owned_sheets(original, sample_model())
    before, after = members(original), members(result)
    vba = [part for part in before if part.lower().endswith("vbaproject.bin")]
    assert vba and all(after[part] == before[part] for part in vba)
    assert b"macroEnabled.main+xml" in after["[Content_Types].xml"]


@pytest.mark.parametrize("name", BROKEN)
def test_broken_workbook_is_refused_and_left_alone(name, tmp_path):
    path = tmp_path / name
    shutil.copyfile(CORPUS / name, path)
    original = path.read_bytes()
    with pytest.raises(WorkbookError) as raised:
        save_workbook(path, write_owned_sheets(path.read_bytes(), sample_model()))
    assert raised.value.message
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_every_result(tmp_path):
    written = []
    for name in GOOD:
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(write_owned_sheets((CORPUS / name).read_bytes(), sample_model()))
        written.append(path)
    converted = soffice_convert(written, tmp_path / "pdf", tmp_path / "profile")
    failed = sorted(path.name for path, ok in converted.items() if not ok)
    assert not failed, f"LibreOffice could not convert: {failed}"
    if shutil.which("pdftotext"):  # LibreOffice really read our sheets, text stayed text
        for path in written:
            pdf = tmp_path / "pdf" / (path.stem + ".pdf")
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            assert "建议提案办理情况统计" in text and "=SUM(A1:A2)" in text, path.name


def test_corpus_lists_what_it_should():
    assert len(GOOD) >= 30 and len(BROKEN) == 3
    assert {"vba", "chart", "pivot", "x14dv"} <= set().union(*MANIFEST.values())
