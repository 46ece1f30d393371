"""How a folder of units is spread over the cores (issue 15 point 6): the workers start with the
reader already imported, tasks are small enough that no core idles at the end, the header of a
file is searched once, and a pool gives exactly what reading in one process gives. Speed itself
is measured in benchmarks/units.py, not here."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from automation import ledger as ledger_module
from automation.config import Config
from automation.units import UnitJob, _chunksize, largest_first, read_unit, read_units
from tests.ledger_factory import PROJECT_ROOT, STANDARD_KEYS, STANDARD_TODAY, headers_of, standard_rows, write_ledger


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")
@pytest.mark.timeout(60)
def test_workers_are_forked_with_the_reader_already_imported():
    # A fresh process, as the CLI is: the pool's context loads the reader in the parent, so that
    # forked workers do not import it each; pandas is not among it (small units' ledgers are
    # read into plain numpy columns), so neither the parent nor a worker pays its import.
    code = ("import sys\n"
            "from automation.units import _pool_context\n"
            "context = _pool_context()\n"
            "print(context.get_start_method(), all(name in sys.modules for name in "
            "('numpy', 'python_calamine', 'automation.ledger', 'automation.rules', 'automation.stats')),"
            " 'pandas' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["fork", "True", "False"]


@pytest.mark.timeout(60)
def test_a_folder_of_small_ledgers_is_counted_without_pandas(tmp_path):
    for unit in ("甲局", "乙局", "丙局", "丁局", "戊局"):
        write_ledger(tmp_path / f"{unit}.xlsx", headers_of(STANDARD_KEYS), standard_rows())
    code = ("import sys, json, subprocess\n"
            "sys.argv = ['ledger', 'stats', sys.argv[1], '--today', '2024-06-28', '--json']\n"
            "import automation.fast_exit as fast_exit\n"
            "fast_exit.exit_process = lambda code: print('pandas' in sys.modules, file=sys.stderr) or sys.exit(code)\n"
            "from automation.launch import main\n"
            "main()\n")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.split()[-1] == "False"
    assert '"total": 40' in result.stdout


def test_tasks_hold_at_most_four_files_and_every_worker_gets_work():
    # 200 files on 2 workers: 4 a task (25 a task left one worker idle for half a second).
    assert _chunksize(200, 2) == 4
    assert _chunksize(1000, 8) == 4
    assert _chunksize(12, 2) == 1
    assert _chunksize(4, 2) == 1


def test_the_header_is_searched_once_for_a_one_sheet_workbook(tmp_path: Path, monkeypatch):
    path = tmp_path / "单位.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows())
    calls = []
    original = ledger_module.find_header

    def counting(rows, config):
        calls.append(len(rows))
        return original(rows, config)

    monkeypatch.setattr(ledger_module, "find_header", counting)
    ledger = ledger_module.read_ledger(path, Config(), STANDARD_TODAY)
    assert len(ledger.items) == 8
    assert len(calls) == 1  # choosing the sheet found it; reading the sheet reuses it


@pytest.mark.timeout(120)
def test_a_pool_gives_what_one_process_gives(tmp_path: Path):
    rows = standard_rows()
    paths = []
    for index in range(9):
        paths.append(tmp_path / f"单位{index}.xlsx")
        # the first file repeats its first row: a duplicate 编号, a problem to be placed
        write_ledger(paths[-1], headers_of(STANDARD_KEYS), rows + rows[:1] if index == 0 else rows[index % 4:])
    jobs = [UnitJob(path, None, None, STANDARD_TODAY) for path in paths]
    pooled = read_units(jobs, workers=2)
    alone = read_units(jobs, workers=1)
    assert [dataclasses.asdict(part) for part in pooled] == [dataclasses.asdict(part) for part in alone]
    assert [part.items for part in pooled] == [9] + [8 - index % 4 for index in range(1, 9)]
    assert pooled[0].overdue and pooled[0].problems
    assert all(item.file == paths[0].name and item.unit == "单位0" for item in pooled[0].overdue + pooled[0].problems)


def test_the_largest_files_are_handed_out_first_and_results_keep_the_jobs_order(tmp_path: Path):
    # Sizes 3, 1, 2 and 1 units of rows: handed out 0, 2, 1, 3 (ties in the jobs' order); a file
    # that vanished counts as empty and is named when read.
    paths = []
    for name, count in (("甲", 24), ("乙", 8), ("丙", 16), ("丁", 8)):
        path = tmp_path / f"{name}.xlsx"
        write_ledger(path, headers_of(STANDARD_KEYS), standard_rows() * (count // 8))
        paths.append(path)
    jobs = [UnitJob(path, None, None, STANDARD_TODAY) for path in paths]
    assert largest_first(jobs) == [0, 2, 1, 3]
    assert largest_first(jobs + [UnitJob(tmp_path / "无.xlsx", None, None, STANDARD_TODAY)]) == [0, 2, 1, 3, 4]
    parts = read_units(jobs, workers=2)
    assert [part.file for part in parts] == ["甲.xlsx", "乙.xlsx", "丙.xlsx", "丁.xlsx"]
    assert [part.items for part in parts] == [24, 8, 16, 8]


def test_the_collector_is_paused_over_one_file_and_resumed_after(tmp_path: Path, monkeypatch):
    import gc

    import automation.rules as rules

    path = tmp_path / "单位甲.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows())
    seen = []
    original = rules.classify

    def recording(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(rules, "classify", recording)

    def no_freeze_count():  # walks every frozen object: a forked worker's whole inherited heap
        raise AssertionError("gc.get_freeze_count called for a file")

    monkeypatch.setattr(gc, "get_freeze_count", no_freeze_count)
    assert gc.isenabled()
    part = read_unit(UnitJob(path, None, None, STANDARD_TODAY))
    assert part.error is None and part.items == 8 and seen == [False] and gc.isenabled()


@pytest.mark.skipif(sys.platform.startswith("win"), reason="symbolic links need rights on Windows")
def test_the_output_is_left_out_under_another_name_or_case_and_a_link_finds_its_own_config(tmp_path: Path):
    # Files are resolved only when they could be the output (same name, or a link): a link under
    # another name that leads to the output is still left out, and a linked unit's own config is
    # the one beside the file it links to.
    from automation.units import analyse_units, resolve_sources

    folder, elsewhere = tmp_path / "单位", tmp_path / "别处"
    folder.mkdir()
    elsewhere.mkdir()
    for name in ("甲.xlsx", "乙.xlsx"):
        write_ledger(folder / name, headers_of(STANDARD_KEYS), standard_rows())
    write_ledger(elsewhere / "丙.xlsx", headers_of(STANDARD_KEYS), standard_rows())
    (elsewhere / "config.ini").write_text("[ledger]\nunit = 区丙局\n", encoding="utf-8")
    output = folder / "汇总.xlsx"
    output.write_bytes((folder / "甲.xlsx").read_bytes())
    (folder / "链接.xlsx").symlink_to(output)
    (folder / "丙.xlsx").symlink_to(elsewhere / "丙.xlsx")
    names = [path.name for path in resolve_sources([folder], exclude=(output,))]
    assert names == ["丙.xlsx", "乙.xlsx", "甲.xlsx"]
    if (folder / "汇总.XLSX").exists():  # a case-insensitive file system: the output given in other case
        assert [p.name for p in resolve_sources([folder], exclude=(folder / "汇总.XLSX",))] == names
    district = analyse_units([folder], None, STANDARD_TODAY, exclude=(output,), workers=1)
    assert sorted(part.unit for part in district.parts) == ["乙", "区丙局", "甲"]
