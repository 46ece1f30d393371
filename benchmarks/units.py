"""Benchmark: a folder of units' ledgers counted as one (`ledger stats FOLDER`).

    python benchmarks/units.py                       # 200 units x 500 rows
    python benchmarks/units.py --units 50 --rows 500 --runs 3

Baseline, measured in the same run: reading every file's ledger sheet with python-calamine in
one process (`to_python`, nothing else). Also: `ledger stats FOLDER --json` on a quarter of the
units, to show that peak memory follows the largest file, not the number of files.
Peak memory is ru_maxrss from wait4 (the largest of the process and its pool workers).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import write_ledger  # noqa: E402
from run import PYTHON, TODAY, measure  # noqa: E402

RAW_READ_ALL = ("import sys, pathlib, python_calamine as c\n"
                "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx')):\n"
                "    c.CalamineWorkbook.from_path(str(p)).get_sheet_by_name('台账').to_python(skip_empty_area=False)\n")


def make_folder(folder: Path, units: int, rows: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(units):
        path = folder / f"单位{index + 1:03d}.xlsx"
        if not path.exists():
            write_ledger(path, rows, seed=index)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=HERE / "data")
    args = parser.parse_args()
    full = make_folder(args.workdir / f"units_{args.units}x{args.rows}", args.units, args.rows)
    quarter = make_folder(args.workdir / f"units_{args.units // 4}x{args.rows}", args.units // 4, args.rows)
    ledger = [PYTHON, "-m", "automation", "stats"]
    rows = [
        (f"calamine read of {args.units} files (one process)", *measure([PYTHON, "-c", RAW_READ_ALL, str(full)],
                                                                        args.runs)),
        (f"ledger stats FOLDER --json ({args.units} files)", *measure(ledger + [str(full), "--today", TODAY, "--json"],
                                                                     args.runs)),
        (f"ledger stats FOLDER --json ({args.units // 4} files)",
         *measure(ledger + [str(quarter), "--today", TODAY, "--json"], args.runs)),
    ]
    raw = rows[0][1]
    print(f"{args.units} units x {args.rows} rows, {args.runs} runs each\n")
    print("| process | median s | spread s | peak MB | x calamine read |")
    print("|---|---:|---:|---:|---:|")
    for name, median, spread, peak in rows:
        print(f"| {name} | {median:.2f} | {spread:.2f} | {peak:.0f} | {median / raw:.2f} |")


if __name__ == "__main__":
    main()
