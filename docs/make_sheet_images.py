"""Make the pictures of the generated sheets shown in the README (docs/sheet-*.png).

    python docs/make_sheet_images.py        # needs LibreOffice (soffice) and pdftoppm

Refreshes a copy of the sample ledger as of 2026-06-28 exactly as `ledger refresh` does,
prints each generated sheet to PDF with LibreOffice headless (as a person would print it:
landscape, fit to width), and renders the pages at 70 dpi.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from automation.config import Config  # noqa: E402
from automation.refresh import refresh_workbook  # noqa: E402

SAMPLE = ROOT / "examples" / "sample_ledger.xlsx"
TITLES = {"统计汇总": "提案建议办理情况统计汇总", "科室统计": "各承办科室办理情况", "逾期清单": "逾期清单（按逾期天数",
          "即将到期": "即将到期（", "数据问题": "数据问题（请在台账中更正）"}
NAMES = {"统计汇总": "summary", "科室统计": "sections", "逾期清单": "overdue", "即将到期": "due-soon",
         "数据问题": "problems"}


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        ledger = work / "sample.xlsx"
        shutil.copyfile(SAMPLE, ledger)
        refresh_workbook(ledger, Config(), dt.date(2026, 6, 28), dt.datetime(2026, 6, 28, 9, 0))
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo", "--convert-to", "pdf",
                        "--outdir", str(work), str(ledger)], check=True, capture_output=True, timeout=180)
        pdf = work / "sample.pdf"
        pages = int(next(line.split()[-1] for line in subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.startswith("Pages:")))
        texts = {page: page_text(pdf, page) for page in range(1, pages + 1)}
        for sheet, title in TITLES.items():
            # The first page of each generated sheet: the page that carries its title.
            page = next(p for p, text in texts.items() if title in text.replace(" ", ""))
            subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(ROOT / "docs" / f"sheet-{NAMES[sheet]}")], check=True)
            print(f"docs/sheet-{NAMES[sheet]}.png (page {page})")


if __name__ == "__main__":
    main()
