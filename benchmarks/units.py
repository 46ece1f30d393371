"""Benchmark: a folder of units' ledgers counted as one (`ledger stats FOLDER`).

    python benchmarks/units.py                       # 200 units x 500 rows, best of 5
    python benchmarks/units.py --units 50 --rows 500 --rounds 3

Baseline, measured in the same run: reading every file's ledger sheet with python-calamine in
one process (`to_python`, nothing else). Also: `ledger stats FOLDER --json` on a quarter of the
units, to show that peak memory follows the largest file, not the number of files.

The machine is shared, so the commands run interleaved (raw read, stats of all, stats of a
quarter, raw read, ...) and the best of the rounds is kept for each: a burst of load from
elsewhere then falls on all of them alike. The load average is printed before and after.
Peak memory is ru_maxrss from wait4 (the largest of the process and its pool workers); CPU is
user + system time of the process and its workers (they are waited for).
"""

from __future__ import annotations

import argparse
import os
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


def run_once(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, waited-for workers included) and peak MB of
    one run of a command as a whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 4):  # 4: some file left out (none here)
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def interleaved(commands: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float, float, float]]:
    """{name: (best wall s, worst wall s, best CPU s, peak MB)} over `rounds` rounds, the
    commands taking turns."""
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(run_once(command))
    return {name: (min(r[0] for r in found), max(r[0] for r in found), min(r[1] for r in found),
                   max(r[2] for r in found)) for name, found in runs.items()}


def make_folder(folder: Path, units: int, rows: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(units):
        path = folder / f"单位{index + 1:03d}.xlsx"
        if not path.exists():
            write_ledger(path, rows, seed=index)
    return folder


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0]
    except OSError:
        return "?"


def compile_bytecode() -> None:
    """Byte-compile the package first, as an installed package is (else a run where
    PYTHONDONTWRITEBYTECODE is set would measure compiling the source)."""
    import compileall

    compileall.compile_dir(str(HERE.parent / "automation"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=HERE / "data")
    args = parser.parse_args()
    full = make_folder(args.workdir / f"units_{args.units}x{args.rows}", args.units, args.rows)
    quarter = make_folder(args.workdir / f"units_{args.units // 4}x{args.rows}", args.units // 4, args.rows)
    compile_bytecode()
    ledger = [PYTHON, "-m", "automation", "stats"]
    names = {
        "raw": f"calamine read of {args.units} files (one process)",
        "all": f"ledger stats FOLDER --json ({args.units} files)",
        "quarter": f"ledger stats FOLDER --json ({args.units // 4} files)",
    }
    before = load_average()
    result = interleaved({
        "raw": [PYTHON, "-c", RAW_READ_ALL, str(full)],
        "all": ledger + [str(full), "--today", TODAY, "--json"],
        "quarter": ledger + [str(quarter), "--today", TODAY, "--json"],
    }, args.rounds)
    raw, raw_cpu = result["raw"][0], result["raw"][2]
    print(f"{args.units} units x {args.rows} rows, best of {args.rounds} interleaved rounds, {os.cpu_count()} cores "
          f"(shared), load average {before} before and {load_average()} after\n")
    print("| process | best s | worst s | CPU s | peak MB | best ÷ calamine read | CPU ÷ calamine read |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key, name in names.items():
        best, worst, cpu, peak = result[key]
        print(f"| {name} | {best:.2f} | {worst:.2f} | {cpu:.2f} | {peak:.0f} | {best / raw:.2f} | {cpu / raw_cpu:.2f} |")


if __name__ == "__main__":
    main()
