"""Benchmark: whole processes on every ledger shape, ratios to the raw calamine read of the
same file measured in the same run.

    python benchmarks/run.py                          # every shape at 50,000 rows, the 1,000-row click
    python benchmarks/run.py --rows 10000 --rounds 5 --shapes current many_problems
    python benchmarks/run.py --openpyxl               # also openpyxl load + save (slow)

The machine this runs on is shared, so absolute seconds mean little: each shape's commands run
interleaved (raw read, stats, refresh, raw read, ...) and the best of the rounds is kept for
each, so that a burst of load from elsewhere falls on all of them alike. Reported:
- refresh ÷ raw read and `stats --json` ÷ raw read, per shape (budget 2.0x, goal 1.5x); each
  refresh is `ledger refresh` as a user runs it, with a history of three earlier weekly runs
  beside the workbook (so it loads the history, builds the 进展 sheet and records its snapshot);
- peak memory (ru_maxrss from wait4) of the refresh process (budget 600 MB at 50,000 rows);
- the 1,000-row refresh as a whole process ÷ `python -c "import pandas"` (budget 1.5x, goal 1.2x).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import SHAPES, write_ledger  # noqa: E402

PYTHON = sys.executable
TODAY = "2026-06-28"
RAW_READ = ("import sys, python_calamine as c; wb = c.CalamineWorkbook.from_path(sys.argv[1]); "
            "wb.get_sheet_by_name('台账').to_python(skip_empty_area=False)")
OPENPYXL_SAVE = "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])"
LEDGER = [PYTHON, "-m", "automation"]


def run_once(command: list[str], before=None) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one run of a command as a whole process."""
    if before:
        before()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def interleaved(commands: dict[str, tuple[list[str], object]], rounds: int) -> dict[str, tuple[float, float]]:
    """{name: (best seconds, peak MB)} over `rounds` rounds, the commands taking turns."""
    best: dict[str, float] = {}
    peak: dict[str, float] = {}
    for _ in range(rounds):
        for name, (command, before) in commands.items():
            seconds, megabytes = run_once(command, before)
            best[name] = min(best.get(name, seconds), seconds)
            peak[name] = max(peak.get(name, 0.0), megabytes)
    return {name: (best[name], peak[name]) for name in commands}


HISTORY_DAYS = ("2026-06-07", "2026-06-14", "2026-06-21")  # weekly runs before TODAY


def ledger_file(workdir: Path, name: str, rows: int, shape: str, data: Path | None) -> Path:
    """The generated ledger; with --data, kept there and reused by the next run (generating
    seven 50,000-row ledgers takes minutes)."""
    if data is None:
        return write_ledger(workdir / f"{name}_{rows}.xlsx", rows, shape=shape)
    data.mkdir(parents=True, exist_ok=True)
    kept = data / f"{name}_{rows}.xlsx"
    if not kept.exists():
        write_ledger(kept, rows, shape=shape)
    return kept


def seed_history(ledger: Path, copy: Path) -> None:
    """Refresh the copy as of three earlier weeks, as a user's weekly runs do: the timed
    refreshes then load a real history and build the 进展 sheet's changes since a week ago."""
    for day in HISTORY_DAYS:
        shutil.copyfile(ledger, copy)
        run_once(LEDGER + ["refresh", str(copy), "--today", day])


def measure_shape(shape: str, rows: int, rounds: int, workdir: Path, openpyxl: bool,
                  data: Path | None = None) -> dict[str, tuple[float, float]]:
    ledger = ledger_file(workdir, shape, rows, shape, data)
    copy = workdir / f"{shape}_{rows}_refresh.xlsx"
    seed_history(ledger, copy)
    commands = {
        "raw": ([PYTHON, "-c", RAW_READ, str(ledger)], None),
        "stats": (LEDGER + ["stats", str(ledger), "--today", TODAY, "--json"], None),
        "refresh": (LEDGER + ["refresh", str(copy), "--today", TODAY],
                    lambda: shutil.copyfile(ledger, copy)),
    }
    if openpyxl:
        commands["openpyxl"] = ([PYTHON, "-c", OPENPYXL_SAVE, str(ledger), str(workdir / "openpyxl.xlsx")], None)
    return interleaved(commands, rounds)


def measure_click(rows: int, rounds: int, workdir: Path, data: Path | None = None) -> dict[str, tuple[float, float]]:
    ledger = ledger_file(workdir, "click", rows, "current", data)
    copy = workdir / f"click_{rows}_refresh.xlsx"
    seed_history(ledger, copy)
    return interleaved({
        "pandas": ([PYTHON, "-c", "import pandas"], None),
        "refresh": (LEDGER + ["refresh", str(copy), "--today", TODAY],
                    lambda: shutil.copyfile(ledger, copy)),
    }, rounds)


def compile_bytecode() -> None:
    """Byte-compile the package first, as an installed package is: where
    PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile the package's source
    again and measure that instead."""
    import compileall

    compileall.compile_dir(str(HERE.parent / "automation"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--click-rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shapes", nargs="+", default=SHAPES, choices=SHAPES)
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl load + save (slow)")
    parser.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--data", type=Path, default=None,
                        help="keep the generated ledgers in this folder and reuse them next time")
    args = parser.parse_args()
    compile_bytecode()
    lines = ["## Benchmark", "",
             f"Python {sys.version.split()[0]}, {os.cpu_count()} cores (shared with other work), whole processes, "
             f"{args.rows:,} rows, best of {args.rounds} interleaved rounds. Ratios are to the raw calamine read "
             "of the same file in the same run; absolute seconds vary with the machine's load and are shown only "
             "for scale. Each refresh is `ledger refresh` with a history of three earlier weekly runs beside "
             "the workbook (it loads that history, builds the 进展 sheet and records its snapshot).", "",
             "| shape | raw read s | stats s | refresh s | stats ÷ raw | refresh ÷ raw | refresh peak MB |"
             + (" openpyxl ÷ refresh |" if args.openpyxl else ""),
             "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if args.openpyxl else "")]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for shape in args.shapes:
            result = measure_shape(shape, args.rows, args.rounds, Path(folder), args.openpyxl, args.data)
            raw, stats, refresh = result["raw"][0], result["stats"][0], result["refresh"][0]
            line = (f"| {shape} | {raw:.2f} | {stats:.2f} | {refresh:.2f} | {stats / raw:.2f} | "
                    f"{refresh / raw:.2f} | {result['refresh'][1]:.0f} |")
            if args.openpyxl:
                line += f" {result['openpyxl'][0] / refresh:.1f} |"
            lines.append(line)
            print(line, flush=True)
        click = measure_click(args.click_rows, max(args.rounds, 5), Path(folder), args.data)
    pandas_s, refresh_s = click["pandas"][0], click["refresh"][0]
    lines += ["", f"A {args.click_rows:,}-row refresh as a whole process: {refresh_s:.2f} s against "
              f"{pandas_s:.2f} s for `python -c \"import pandas\"`: **{refresh_s / pandas_s:.2f}x** "
              f"(best of {max(args.rounds, 5)} interleaved rounds; peak {click['refresh'][1]:.0f} MB)."]
    print(lines[-1])
    args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.markdown}")


if __name__ == "__main__":
    main()
