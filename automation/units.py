"""A folder (or a list) of units' ledgers counted as one: the district's view.

Each file is read on its own, with its own header detection and the config beside it, by
`read_unit`, which returns a compact `UnitPart`: the summed count columns per group (not the
rows), the flagged items, key items and problems. `combine` adds the parts up into one
`Statistics` (every figure over all items, and `groups["unit"]`), so that everything
downstream (text, JSON, summary sheets, report) is the same code as for one ledger.

Files are read in a process pool (both cores) when there are several; each worker holds one
file at a time, so memory is bounded by the largest file, not the sum. A file that cannot be
read is named with the reason and left out of the figures, never silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from itertools import repeat
from operator import add
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation import messages
from automation.config import Config, find_config_file, load_config
from automation.items import FlaggedItem
from automation.problems import LedgerError, Problem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Below this many files the pool's start-up costs more than it saves.
POOL_MIN_FILES = 4
GROUPS = ("section", "role", "kind", "topic", "unit")


def resolve_sources(paths: list[Path], exclude: tuple[Path, ...] = ()) -> list[Path]:
    """The workbook files to read: each file given, and every workbook in each folder given
    (its subfolders too), sorted by path. Owner files (~$...), hidden files and folders (such as
    .ledger_backups) and `exclude` are skipped. A folder without workbooks is a LedgerError."""
    excluded = {path.resolve() for path in exclude}
    # Only a file named as an excluded one, or a link, can resolve to it: the others are not
    # resolved (a path walk each, a tenth of a millisecond, before any file is read).
    excluded_names = {path.name.casefold() for path in [*exclude, *excluded]}

    def is_excluded(path: Path) -> bool:
        return bool(excluded) and (path.name.casefold() in excluded_names or path.is_symlink()) \
            and path.resolve() in excluded

    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            candidate for candidate in path.rglob("*")
            if candidate.suffix.lower() in WORKBOOK_SUFFIXES and candidate.is_file()
            and not candidate.name.startswith(("~$", ".~"))
            and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
        )
        found = [candidate for candidate in found if not is_excluded(candidate)]
        if not found:
            raise LedgerError(messages.NO_WORKBOOKS_IN_FOLDER.format(folder=path))
        files += found
    unique = list(dict.fromkeys(files))
    return [path for path in unique if not is_excluded(path)]


def district_config_path(explicit: Path | None, paths: list[Path]) -> Path | None:
    """The config counting uses: --config, else config.ini in the (first) folder given or beside
    the first file, else in the current folder."""
    first = Path(paths[0])
    return find_config_file(explicit, first / "_" if first.is_dir() else first)


def unit_config_path(path: Path, district_path: Path | None) -> Path | None:
    """A unit's own config.ini beside its file wins; else the district's."""
    own = path.resolve().parent / "config.ini"
    return own if own.is_file() else district_path


@dataclass
class UnitPart:
    """What one file gives: compact results, or the reason it was left out (`error`)."""

    path: str
    file: str
    unit: str = ""
    sheets: str = ""
    error: str | None = None
    skipped: bool = False
    items: int = 0
    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # group -> label -> counts
    totals: dict[str, int] = field(default_factory=dict)
    overdue: list[FlaggedItem] = field(default_factory=list)
    due_soon: list[FlaggedItem] = field(default_factory=list)
    key_items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    year_kept: int = 0
    year_dropped: int = 0


@dataclass(frozen=True)
class UnitJob:
    """One file to read (picklable, for the pool)."""

    path: Path
    config_path: Path | None
    district_config_path: Path | None
    today: dt.date
    year: int | None = None


def unit_reading_config(config: Config) -> Config:
    """The unit's config with its unit column (承办单位) read too, as a plain text column."""
    if not config.unit_columns:
        return config
    return dataclasses.replace(config, columns={**config.columns, "unit": list(config.unit_columns)})


def read_unit(job: UnitJob) -> UnitPart:
    """Read, classify and count one unit's file. Never raises: a failure becomes `error`."""
    import gc

    path = job.path
    part = UnitPart(path=str(path), file=path.name)
    # The cyclic collector paused over one file: a file's grid and columns (thousands of lists, no
    # cycles) otherwise drew about one collection a file, ~0.35 ms of ~20 ms; what the file left
    # behind is swept by the first collection after it. Not gcpause.collector_paused: its aging
    # step asks gc.get_freeze_count(), which walks every frozen object (a forked worker inherits
    # the parent's whole heap frozen), ~3 ms on every file.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_unit(job, part)
    except LedgerError as error:
        part.error = error.message
    except ValueError as error:  # a unit's config.ini that cannot be read
        part.error = str(error)
    except OSError as error:  # no permission, a file that vanished meanwhile ...
        part.error = messages.UNIT_OS_ERROR.format(file=path.name, error=error.strerror or error)
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the district's count
        part.error = messages.UNIT_UNEXPECTED.format(error=f"{type(error).__name__}: {error}"[:160])
    finally:
        if was_enabled:
            gc.enable()
    return part


def _read_unit(job: UnitJob, part: UnitPart) -> UnitPart:
    """Read and classify one file, and keep only what the district needs (`_summarise`)."""
    from automation.ledger import read_ledger
    from automation.rules import classify

    config = _config_at(job.config_path)
    district = _config_at(job.district_config_path)
    if not job.path.is_file():
        raise LedgerError(messages.FILE_NOT_FOUND.format(path=job.path.name))
    data = job.path.read_bytes()
    # No CRC test of every zip member beside the parse (~1.5 ms of ~25 ms a file, a thread that only
    # competes with the other worker for the cores): a figure comes only from members calamine
    # inflates, and its zip reader fails on a damaged one, so the file is still named and left out.
    # The items as plain numpy columns (automation/column_frame.py): pandas' fixed costs per frame
    # and per column access outweigh a small unit's values. The year filter works on a DataFrame.
    # A district summary this assistant wrote, lying in the folder, is not a unit's ledger: told by
    # its sheets once read (a separate look into the zip cost ~1% of a file), or, when it cannot be
    # read as a ledger, by its workbook part.
    try:
        ledger = read_ledger(data, _unit_reading_config_of(config), job.today, display_name=job.path.name,
                             test_members=False, plain_columns=job.year is None)
    except Exception:
        if _is_generated_summary(data):
            return _skipped_summary(part, job.path)
        raise
    del data
    if messages.SHEET_DISTRICT_INFO in ledger.sheet_names and messages.SHEET_UNITS in ledger.sheet_names:
        return _skipped_summary(part, job.path)
    if job.year is not None:
        from automation.report import filter_year, year_filter_counts

        selection = year_filter_counts(ledger, job.year)
        part.year_kept, part.year_dropped = selection.kept, selection.dropped
        ledger = filter_year(ledger, job.year)
    classified = classify(ledger, config, job.today)
    return _summarise(part, classified, config, district, job.path)


def _skipped_summary(part: UnitPart, path: Path) -> UnitPart:
    part.skipped = True
    part.error = messages.UNIT_SKIPPED_SUMMARY.format(file=path.name)
    return part


def _summarise(part: UnitPart, classified, config: Config, district: Config, path: Path) -> UnitPart:
    """Keep only what the district needs of one classified file: the count columns summed per
    group (numpy, no per-group pandas objects: a unit's ledger is small and pandas' fixed costs
    per call would dominate), the flagged and key items, the problems."""
    import numpy as np

    from automation.distinct import Distinct
    from automation.rules import flagged_items
    from automation.sheets import other_sheets_note
    from automation.stats import count_arrays, group_label, key_items

    ledger = classified.ledger
    items = classified.items
    default_unit = config.unit or path.stem
    part.unit = default_unit
    part.sheets = ledger.sheet
    part.items = len(items)

    # The unit of each row: its 承办单位 cell, else the unit's config, else the file's name.
    def unit_label(value: Any) -> str:
        return value if isinstance(value, str) and value else default_unit

    counts = count_arrays(items, district)
    keys = list(counts)
    # 0/1 as floats, the weights of the bincount below (sums of 0/1 are exact in a float up to
    # 2**53 rows).
    matrix = np.empty((len(items), len(keys)), dtype=np.float64)
    for position, column in enumerate(counts.values()):
        matrix[:, position] = column
    part.totals = dict(zip(keys, matrix.sum(axis=0).astype(np.int64).tolist()))
    weights = matrix.ravel()
    key_offsets = np.arange(len(keys))
    units: list[str] | None = None
    for group in GROUPS:
        if group == "unit" and "unit" not in items:
            labels, codes = [default_unit], np.zeros(len(items), dtype=np.intp)
        else:
            # Factorize the raw column once and label only its distinct values; labels that
            # coincide (blank and None both read 空白) are then merged over the few distinct values.
            column = Distinct.of(items[group].tolist())
            mapped = [(unit_label if group == "unit" else group_label)(value) for value in column.uniques]
            labelled = Distinct.of(mapped)  # the labels are text: pd.factorize's order, without its fixed cost
            merged, labels = labelled.codes, labelled.uniques
            codes = merged[column.codes]
            if group == "unit" and list(labels) != [default_unit]:
                units = np.asarray(labels, dtype=object)[codes].tolist()
        if len(labels) == 1:  # one label (the file's own unit, a one-section ledger): the totals
            part.counts[group] = {str(labels[0]): dict(part.totals)}
            continue
        # Sums per (label, count) in one bincount over the row-major matrix: twice as fast as
        # numpy's int64 matrix product with a label indicator, and no BLAS (whose threads, started
        # for a bigger product in a forked worker, spin on the core the other worker needs).
        cells = (codes[:, None] * len(keys) + key_offsets).ravel()
        sums = np.bincount(cells, weights=weights, minlength=len(labels) * len(keys))
        sums = sums.reshape(len(labels), len(keys)).astype(np.int64).tolist()
        part.counts[group] = {str(label): dict(zip(keys, row)) for label, row in zip(labels, sums)}

    # Only a file whose unit column names other units than its own needs a row's unit looked up.
    unit_of_row: dict[tuple[str, int], str] = {}
    if units is not None:
        sheets = items["sheet"].tolist() if "sheet" in items else [ledger.sheet] * len(items)
        unit_of_row = {(sheet, row): unit for sheet, row, unit in zip(sheets, items["excel_row"].tolist(), units)}

    def placed(item: FlaggedItem) -> FlaggedItem:
        return _placed(item, unit_of_row.get((item.sheet, item.excel_row), default_unit), path.name)

    overdue, due_soon = flagged_items(classified)
    part.overdue = [placed(item) for item in overdue]
    part.due_soon = [placed(item) for item in due_soon]
    part.key_items = [{**item, "unit": unit_of_row.get((item.get("sheet"), item["row"]), default_unit),
                       "file": path.name} for item in key_items(classified)]
    part.problems = [_placed(problem, unit_of_row.get((problem.sheet, problem.row), default_unit), path.name)
                     for problem in classified.all_problems]
    note = other_sheets_note(ledger)
    part.warnings = [f"{path.name}：{warning}" for warning in ([note] if note else []) + classified.warnings]
    return part


def _unit_reading_config_of(config: Config) -> Config:
    """`unit_reading_config` made once per config object (the cached configs live as long as
    the worker), so that every file of a folder is read with the same Config object."""
    cached = _READING_CONFIGS.get(id(config))
    if cached is None or cached[0] is not config:
        cached = _READING_CONFIGS[id(config)] = (config, unit_reading_config(config))
    return cached[1]


_READING_CONFIGS: dict[int, tuple[Config, Config]] = {}


def _placed(record, unit: str, file: str):
    """A flagged item or problem of this file with its unit and file set. The records are this
    read's own (made by the reader and the rules for this file and dropped with it), so they
    are set in place: dataclasses.replace, on every problem and flagged item of 200 files,
    cost more than counting them."""
    object.__setattr__(record, "unit", unit)  # frozen dataclasses: set once, before anyone hashes them
    object.__setattr__(record, "file", file)
    return record


def _config_at(path: Path | None) -> Config:
    """A config file read once per worker process while it is unchanged (the same folder config
    serves many files); callers only read it (dataclasses.replace makes the changed copies)."""
    if path is None:
        return _default_config()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return load_config(path)  # says why it cannot be read
    return _cached_config(path, stamp)


@functools.lru_cache(maxsize=64)
def _cached_config(path: Path, stamp: int) -> Config:
    return load_config(path)


@functools.lru_cache(maxsize=1)
def _default_config() -> Config:
    return Config()


def _is_generated_summary(data: bytes) -> bool:
    """Whether the bytes are a district summary this assistant wrote (it names its info sheet
    and 单位统计 in the workbook part); such a file in the folder is not a unit's ledger."""
    if not data.startswith(b"PK"):
        return False
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return False
    return messages.SHEET_DISTRICT_INFO in workbook and messages.SHEET_UNITS in workbook


def read_units(jobs: list[UnitJob], workers: int | None = None) -> list[UnitPart]:
    """Read every file, in a process pool when there are several (results in the jobs' order)."""
    if workers is None:
        workers = min(os.cpu_count() or 1, len(jobs))
    if workers <= 1 or len(jobs) < POOL_MIN_FILES:
        return [read_unit(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import gc

    from automation.gcpause import collector_paused

    with collector_paused():  # the imports below make ~100k objects: ~40 ms of collections, before any worker runs
        context = _pool_context()
    # What this process holds (pandas and the rest, imported above) is kept out of the garbage
    # collector's sweeps, so that a forked worker's collections neither walk it nor copy its
    # pages (Python's advice for fork); undone once the workers are started.
    gc.freeze()
    was_enabled = gc.isenabled()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            order = largest_first(jobs)
            results = pool.map(read_unit, [jobs[index] for index in order], chunksize=_chunksize(len(jobs), workers))
            # Every worker is forked by now (map submits every task at once). Meanwhile this process
            # only unpickles the parts, which live to the end of the run: its collector stays off
            # and its heap frozen until then (collections walking it took ~50 ms of a core the
            # workers need).
            gc.disable()
            parts: list[UnitPart] = [None] * len(jobs)  # type: ignore[list-item]
            for index, part in zip(order, results):
                parts[index] = part
            return parts
    except BrokenProcessPool:
        # A worker died (killed, out of memory, a crash in a native reader): read every file
        # again in this process, one at a time, so that each failure is named with its file.
        gc.unfreeze()
        if was_enabled:
            gc.enable()
        return [read_unit(job) for job in jobs]
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def largest_first(jobs: list[UnitJob]) -> list[int]:
    """The jobs' indexes, largest file first (ties in the jobs' order): the last tasks handed out
    are then the shortest, so that neither worker is left with a big file while the other idles."""
    def size(index: int) -> int:
        try:
            return jobs[index].path.stat().st_size
        except OSError:  # reading it will say why
            return 0

    return sorted(range(len(jobs)), key=lambda index: -size(index))


#: Files per task sent to a worker (at most): the pool's round trip per task (pickling, a pipe
#: write, a wake-up) is well under a millisecond beside ~20 ms per file, while large tasks let
#: one worker finish early and idle while the other (descheduled by other load, or holding the
#: larger files) still has a whole task to go: with 25 files a task that tail was half a second.
MAX_CHUNK = 4


def _chunksize(files: int, workers: int) -> int:
    """Files per task: MAX_CHUNK, fewer when there are few files (every worker gets work)."""
    return max(1, min(MAX_CHUNK, files // (workers * 4)))


def _pool_context():
    """Fork where the platform has it safely (Linux): the workers then start with the reader's
    modules (pandas, numpy, python-calamine, automation.*) already imported by this process,
    instead of each importing them again (about a second of CPU per worker, as much as reading
    thirty ledgers). Elsewhere (Windows, macOS) the platform's default start method."""
    import multiprocessing
    import sys

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        _import_reader()
        return multiprocessing.get_context("fork")
    return None


def _import_reader() -> None:
    """Import everything `read_unit` uses, so that forked workers inherit it (automation.report,
    for the year filter only, is left to the workers that need it)."""
    import numpy  # noqa: F401
    import python_calamine  # noqa: F401

    import automation.distinct  # noqa: F401
    import automation.ledger  # noqa: F401
    import automation.rules  # noqa: F401
    import automation.sheets  # noqa: F401
    import automation.stats  # noqa: F401


# --- adding the parts up ----------------------------------------------------------------------


@dataclass
class District:
    """Every unit's part and the combined statistics."""

    parts: list[UnitPart]
    statistics: Any  # automation.stats.Statistics
    config: Config

    @property
    def counted(self) -> list[UnitPart]:
        return [part for part in self.parts if part.error is None]

    @property
    def left_out(self) -> list[UnitPart]:
        return [part for part in self.parts if part.error is not None and not part.skipped]

    @property
    def skipped(self) -> list[UnitPart]:
        return [part for part in self.parts if part.skipped]

    def left_out_lines(self) -> list[str]:
        return [messages.UNIT_LEFT_OUT.format(file=part.path, reason=part.error) for part in self.left_out]


def _add(into: dict[str, int], counts: dict[str, int]) -> None:
    """into[key] += value for every count, in C-level iterators (combine makes ~15,000 of these
    calls for 200 units, as the last serial step of the run)."""
    into.update(zip(counts, map(add, map(into.get, counts, repeat(0)), counts.values())))


def combine(parts: list[UnitPart], config: Config, today: dt.date) -> District:
    """One Statistics over the parts that were read (figures from the summed counts, exactly as
    for one ledger); LedgerError when no file could be read."""
    from automation.stats import Statistics, figures

    counted = [part for part in parts if part.error is None]
    if not counted:
        lines = "\n".join(messages.UNIT_LEFT_OUT.format(file=part.path, reason=part.error) for part in parts)
        raise LedgerError(messages.ALL_UNITS_LEFT_OUT.format(count=len(parts), lines=lines))
    totals: dict[str, int] = {}
    groups: dict[str, dict[str, dict[str, int]]] = {group: {} for group in GROUPS}
    for part in counted:
        _add(totals, part.totals)
        for group in GROUPS:
            for label, counts in part.counts[group].items():
                _add(groups[group].setdefault(label, {}), counts)
    order = {part.file: index for index, part in enumerate(counted)}
    overdue = sorted((item for part in counted for item in part.overdue),
                     key=lambda item: (-item.days, order[item.file], item.excel_row))
    due_soon = sorted((item for part in counted for item in part.due_soon),
                      key=lambda item: (item.days, order[item.file], item.excel_row))
    files = len(counted)
    statistics = Statistics(
        as_of=today,
        totals=figures(totals, config),
        groups={group: {label: figures(counts, config) for label, counts in labels.items()}
                for group, labels in groups.items()},
        overdue_items=overdue,
        due_soon_items=due_soon,
        key_items=[item for part in counted for item in part.key_items],
        problems=[problem for part in counted for problem in part.problems],
        warnings=[warning for part in counted for warning in part.warnings],
        sheet=messages.DISTRICT_SHEET_LABEL.format(files=files),
    )
    return District(parts=parts, statistics=statistics, config=config)


def analyse_units(paths: list[Path], config_path: Path | None, today: dt.date, year: int | None = None,
                  exclude: tuple[Path, ...] = (), workers: int | None = None) -> District:
    """Read every ledger the paths name (files, folders) and count them as one."""
    files = resolve_sources(paths, exclude)
    district_path = district_config_path(config_path, paths)
    config = load_config(district_path) if district_path else Config()
    beside: dict[Path, Path | None] = {}  # per folder: what unit_config_path finds (one look per folder)

    def config_of(path: Path) -> Path | None:
        if path.is_symlink():  # its own config sits beside the file it links to
            return unit_config_path(path, district_path)
        if path.parent not in beside:
            beside[path.parent] = unit_config_path(path, district_path)
        return beside[path.parent]

    jobs = [UnitJob(path, config_of(path), district_path, today, year) for path in files]
    return combine(read_units(jobs, workers), config, today)
