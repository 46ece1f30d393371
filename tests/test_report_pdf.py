"""The .docx report opens in LibreOffice and converts to PDF, Chinese text and chart included.

Needs `soffice` (LibreOffice headless) and poppler's `pdftoppm` / `pdftotext` / `pdffonts`;
skipped with the reason when they are missing.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from automation.analysis import analyse_file
from automation.config import Config
from automation.report import write_report

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "examples" / "sample_ledger.xlsx"
TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdffonts")
missing = [tool for tool in TOOLS if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)} (LibreOffice, poppler-utils)")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    config = Config()
    statistics = analyse_file(SAMPLE, config, dt.date(2026, 6, 28)).statistics
    docx = write_report(statistics, config, folder / "report.docx").path
    profile = (folder / "lo-report").as_uri()
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                    "--outdir", str(folder), str(docx)], check=True, capture_output=True, timeout=300)
    result = folder / "report.pdf"
    assert result.exists()
    return result


def test_pdf_has_the_chinese_text_and_figures(pdf):
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout.replace(" ", "")
    assert "办理工作情况汇报" in text
    assert "区政协委员提案共40件" in text
    assert "附表1" in text and "附图" in text
    # Chinese glyphs come from a CJK font that LibreOffice found, not from a last-resort box font
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert any(word in fonts for word in ("CJK", "WenQuanYi", "Hei", "Song", "Ming", "Kai")), fonts


def test_first_page_renders_as_png(pdf, tmp_path):
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    data = pages[0].read_bytes()
    assert data.startswith(b"\x89PNG")
    # an A4 page at 80 dpi: 662 x 936 pixels
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (abs(width - 662) <= 2, abs(height - 936) <= 2) == (True, True)
