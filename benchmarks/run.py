"""Benchmark: whole processes, median and spread over several runs, ratios to baselines
measured in the same run, peak memory of each process (ru_maxrss from wait4).

    python benchmarks/run.py                 # 1,000 / 10,000 / 50,000 rows
    python benchmarks/run.py --sizes 1000 --runs 3 --markdown benchmarks/RESULTS.md

Baselines: the raw read of the sheet with python-calamine; openpyxl load_workbook + save;
`python -c "import pandas"`. Commands: `ledger stats --json`, `ledger check`, `ledger refresh`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import write_ledger  # noqa: E402

PYTHON = sys.executable
TODAY = "2026-06-28"
RAW_READ = ("import sys, python_calamine as c; wb = c.CalamineWorkbook.from_path(sys.argv[1]); "
            "wb.get_sheet_by_name('台账').to_python(skip_empty_area=False)")
OPENPYXL_SAVE = ("import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])")


def measure(command: list[str], runs: int, before=None) -> tuple[float, float, float]:
    """Median seconds, spread (max - min) and peak memory in MB of a command over `runs` runs."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
        times.append(elapsed)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(times) - min(times), max(peaks)


def run_size(size: int, runs: int, workdir: Path, skip_openpyxl: bool) -> list[tuple[str, float, float, float]]:
    ledger = write_ledger(workdir / f"ledger_{size}.xlsx", size)
    copy = workdir / f"refresh_{size}.xlsx"
    ledger_cmd = [PYTHON, "-m", "automation"]
    rows = [("python -c \"import pandas\"", *measure([PYTHON, "-c", "import pandas"], runs))]
    rows.append(("calamine raw read", *measure([PYTHON, "-c", RAW_READ, str(ledger)], runs)))
    if not skip_openpyxl:
        rows.append(("openpyxl load + save", *measure(
            [PYTHON, "-c", OPENPYXL_SAVE, str(ledger), str(workdir / "openpyxl_out.xlsx")], max(1, runs // 2))))
    rows.append(("ledger stats --json", *measure(ledger_cmd + ["stats", str(ledger), "--today", TODAY, "--json"], runs)))
    rows.append(("ledger check", *measure(ledger_cmd + ["check", str(ledger), "--today", TODAY], runs)))
    rows.append(("ledger refresh", *measure(
        ledger_cmd + ["refresh", str(copy), "--today", TODAY], runs,
        before=lambda: shutil.copyfile(ledger, copy))))
    return rows


def table(size: int, rows) -> list[str]:
    by_name = {name: median for name, median, _, _ in rows}
    raw, pandas_import = by_name["calamine raw read"], by_name['python -c "import pandas"']
    openpyxl = by_name.get("openpyxl load + save")
    lines = [f"### {size:,} rows", "",
             "| process | median s | spread s | peak MB | × calamine read | × import pandas | openpyxl ÷ this |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, median, spread, peak in rows:
        speedup = f"{openpyxl / median:.1f}" if openpyxl else "—"
        lines.append(f"| {name} | {median:.3f} | {spread:.3f} | {peak:.0f} | {median / raw:.2f} | "
                     f"{median / pandas_import:.2f} | {speedup} |")
    return lines + [""]


def compile_bytecode() -> None:
    """Byte-compile the package first, as an installed package is: where
    PYTHONDONTWRITEBYTECODE is set (as on the development machine), every run would otherwise
    compile the package's source again and measure that instead."""
    import compileall

    compileall.compile_dir(str(HERE.parent / "automation"), quiet=1)


def main() -> None:
    compile_bytecode()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-openpyxl", action="store_true", help="skip the slow openpyxl baseline")
    parser.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    lines = ["## Benchmark", "", f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
             f"{args.runs} runs each (openpyxl: half as many), whole processes.", ""]
    refresh_by_size = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            rows = run_size(size, args.runs, Path(folder), args.skip_openpyxl)
            refresh_by_size[size] = next(median for name, median, _, _ in rows if name == "ledger refresh")
            lines += table(size, rows)
            print("\n".join(table(size, rows)), flush=True)
    if 10000 in refresh_by_size and 50000 in refresh_by_size:
        lines.append(f"Growth: refresh of 50,000 rows takes {refresh_by_size[50000] / refresh_by_size[10000]:.2f}× "
                     "the 10,000-row refresh (linear would be 5×).")
    args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.markdown}")


if __name__ == "__main__":
    main()
