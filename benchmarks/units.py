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
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import write_ledger  # noqa: E402
from run import PYTHON, TODAY  # noqa: E402

RAW_READ_ALL = ("import sys, pathlib, python_calamine as c\n"
                "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx')):\n"
                "    c.CalamineWorkbook.from_path(str(p)).get_sheet_by_name('台账').to_python(skip_empty_area=False)\n")


def measure(command: list[str], runs: int) -> tuple[float, float, float, float]:
    """Median wall seconds, spread, peak MB and median CPU seconds (user + system, the pool's
    workers included: they are waited for) of a command over `runs` runs. On a shared machine
    the wall time depends on the other load; the CPU time much less so."""
    times, peaks, cpus = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) not in (0, 4):
            raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
        peaks.append(usage.ru_maxrss / 1024)
        cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(times), max(times) - min(times), max(peaks), statistics.median(cpus)


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
    raw, raw_cpu = rows[0][1], rows[0][4]
    with open("/proc/loadavg") if Path("/proc/loadavg").exists() else open(os.devnull) as load:
        print(f"{args.units} units x {args.rows} rows, {args.runs} runs each, {os.cpu_count()} cores, "
              f"load average {load.read().split(' ')[0] or '?'} at the end\n")
    print("| process | median s | spread s | peak MB | CPU s | x calamine read (wall) | x calamine read (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, median, spread, peak, cpu in rows:
        print(f"| {name} | {median:.2f} | {spread:.2f} | {peak:.0f} | {cpu:.2f} | {median / raw:.2f} | "
              f"{cpu / raw_cpu:.2f} |")


if __name__ == "__main__":
    main()
