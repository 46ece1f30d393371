"""Make the pictures of the report draft shown in the docs (docs/report-*.png).

    python docs/make_report_images.py            # needs LibreOffice (soffice) and pdftoppm

1. writes the report of the sample ledger (examples/sample_ledger.xlsx, as of 2026-06-28) with
   the built-in template, exactly as `ledger report` does;
2. converts it to PDF with LibreOffice headless;
3. renders page 1 (docs/report-page1.png) and the page with the progress chart
   (docs/report-chart.png) at 80 dpi with pdftoppm.

The report names the fonts of Chinese official documents (仿宋_GB2312, 黑体, 楷体, 方正小标宋简体),
which a Linux build machine usually lacks. So that the pictures look like what the office sees,
LibreOffice runs with a fontconfig file that maps them to the Noto CJK fonts of Debian's
fonts-noto-cjk (serif for 仿宋/楷体/宋体/小标宋, sans for 黑体). The .docx itself is not changed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from automation.analysis import analyse_file  # noqa: E402
from automation.config import Config  # noqa: E402
from automation.report import write_report  # noqa: E402

SAMPLE = ROOT / "examples" / "sample_ledger.xlsx"
TODAY = dt.date(2026, 6, 28)
DOCS = ROOT / "docs"

FONT_MAP = {
    "仿宋_GB2312": ("Noto Serif CJK SC", None),
    "仿宋": ("Noto Serif CJK SC", None),
    "楷体": ("Noto Serif CJK SC", None),
    "宋体": ("Noto Serif CJK SC", None),
    "方正小标宋简体": ("Noto Serif CJK SC", "bold"),
    "黑体": ("Noto Sans CJK SC", None),
}


def fontconfig_file(folder: Path) -> Path:
    """A fonts.conf that includes the system's and maps the official fonts to Noto CJK."""
    rules = []
    for family, (target, weight) in FONT_MAP.items():
        weight_edit = f'<edit name="weight" mode="assign"><const>{weight}</const></edit>' if weight else ""
        rules.append(f'<match target="pattern"><test name="family"><string>{family}</string></test>'
                     f'<edit name="family" mode="assign" binding="strong"><string>{target}</string></edit>'
                     f"{weight_edit}</match>")
    path = folder / "fonts.conf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    + "\n".join(rules) + "\n</fontconfig>\n", encoding="utf-8")
    return path


def to_pdf(docx: Path, folder: Path, env: dict[str, str]) -> Path:
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                    "--outdir", str(folder), str(docx)], check=True, capture_output=True, env=env, timeout=240)
    return folder / (docx.stem + ".pdf")


def page_count(pdf: Path) -> int:
    output = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in output.splitlines() if line.startswith("Pages:")))


def page_with(pdf: Path, text: str) -> int:
    for page in range(1, page_count(pdf) + 1):
        found = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                               capture_output=True, text=True).stdout
        if text in found.replace(" ", ""):
            return page
    raise SystemExit(f"no page of {pdf} shows {text!r}")


def render_page(pdf: Path, page: int, target: Path) -> Path:
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "page"
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", str(page), "-l", str(page), str(pdf), str(prefix)],
                       check=True)
        produced = next(Path(folder).glob("page*.png"))
        shutil.copyfile(produced, target)
    return target


def main() -> None:
    for tool in ("soffice", "pdftoppm", "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (apt install libreoffice-writer-nogui poppler-utils)")
    config = Config()
    statistics = analyse_file(SAMPLE, config, TODAY).statistics
    with tempfile.TemporaryDirectory() as folder_text:
        folder = Path(folder_text)
        result = write_report(statistics, config, folder / "report.docx")
        for notice in result.notices:
            print(notice)
        env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(folder)))
        pdf = to_pdf(result.path, folder, env)
        print(render_page(pdf, 1, DOCS / "report-page1.png"))
        print(render_page(pdf, page_with(pdf, "附图"), DOCS / "report-chart.png"))


if __name__ == "__main__":
    main()
