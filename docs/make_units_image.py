"""Make the picture of the 单位统计 sheet shown in the README (docs/sheet-units.png).

    python docs/make_units_image.py        # needs LibreOffice (soffice) and pdftoppm

Writes six units' ledgers (the benchmark's generator, different sizes and seeds) into a
folder, runs `ledger refresh FOLDER --output 汇总.xlsx` as of 2026-06-28, prints the district
workbook to PDF with LibreOffice headless and renders the upper part of the 单位统计 page at 120 dpi.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import write_ledger  # noqa: E402

from automation.district import write_district_workbook  # noqa: E402
from automation.units import analyse_units  # noqa: E402

UNITS = {"区教育局": 64, "区卫生健康委": 48, "区住房和城乡建设局": 71, "区水务局": 23, "区科技局": 35, "区商务局": 52}
TITLE = "各承办单位办理情况统计"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        units = work / "各单位台账"
        for seed, (unit, count) in enumerate(UNITS.items()):
            write_ledger(units / f"{unit}.xlsx", count, seed=seed + 3)
        district = analyse_units([units], None, dt.date(2026, 6, 28))
        output = work / "汇总.xlsx"
        write_district_workbook(district, district.config, output, dt.datetime(2026, 6, 28, 9, 0))
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo", "--convert-to", "pdf",
                        "--outdir", str(work), str(output)], check=True, capture_output=True, timeout=180)
        pdf = work / "汇总.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        for page in range(1, pages + 1):
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout
            if TITLE in text.replace(" ", ""):
                # The sheet is wide (every figure and three ranks): a sharper render of the page's
                # upper part (table and chart) rather than the whole page at 70 dpi.
                subprocess.run(["pdftoppm", "-r", "120", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                                "-x", "70", "-y", "60", "-W", "1260", "-H", "345",
                                str(pdf), str(ROOT / "docs" / "sheet-units")], check=True)
                print(f"docs/sheet-units.png (page {page})")
                return
        raise SystemExit("the 单位统计 page was not found in the PDF")


if __name__ == "__main__":
    main()
