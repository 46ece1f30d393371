"""Write small ledgers to disk for tests: any headers, rows, title rows, two-row headers,
merges and extra sheets, as .xlsx (openpyxl or xlsxwriter) or legacy .xls (xlwt).

    write_ledger(tmp_path / "l.xlsx", ["编号", "案由", "办理类型", "承办科室"],
                 [["TA1", "关于……的建议", "主办", "产业发展科"]], title_rows=2)

A two-row header is given with `header_rows=2`: a header entry written as a tuple
`(group, sub)` sits under the group cell, consecutive entries with the same group share one
group cell merged across them; a plain string entry is merged down both header rows.

Also: the default headers of the template (`DEFAULT_HEADERS`), `item(...)` / `write_items(...)`
to build rows from column keys, `run_cli(...)` to run `python -m automation` in a real
process, and STANDARD: eight items whose every figure is counted by hand (`standard_rows`,
`assert_standard`), to be written in any layout.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from automation.config import DEFAULT_COLUMNS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "corpus" / "poi"

#: Column keys in the template's order, and their default headers.
KEYS = list(DEFAULT_COLUMNS)
DEFAULT_HEADERS = [DEFAULT_COLUMNS[key][0] for key in KEYS]
#: The smallest useful ledger: the required columns plus the dates and the status.
BASIC_KEYS = ["id", "title", "role", "section", "assigned", "deadline", "status", "replied"]
BASIC_HEADERS = [DEFAULT_COLUMNS[key][0] for key in BASIC_KEYS]

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Layout:
    """Where things landed, in Excel's 1-based row numbers."""

    header_rows: list[int]
    first_data_row: int

    def excel_row(self, index: int) -> int:
        """The Excel row of the index-th data row (0-based index into `rows`)."""
        return self.first_data_row + index


def item(keys: Sequence[str] = BASIC_KEYS, **values: Any) -> list[Any]:
    """A row for a ledger whose columns are `keys`: item(id="TA1", role="主办", ...)."""
    unknown = set(values) - set(keys)
    if unknown:
        raise KeyError(f"not columns of this ledger: {sorted(unknown)}")
    return [values.get(key) for key in keys]


def headers_of(keys: Sequence[str]) -> list[str]:
    return [DEFAULT_COLUMNS[key][0] for key in keys]


SheetSpec = Mapping[str, Sequence[Sequence[Any]]] | Sequence[str] | Sequence[tuple[str, Sequence[Sequence[Any]]]]


def _sheets(spec: SheetSpec) -> list[tuple[str, list[list[Any]]]]:
    """Extra sheets given as {name: rows}, [(name, rows)] or [name] (an empty sheet)."""
    if isinstance(spec, Mapping):
        return [(name, [list(r) for r in rows]) for name, rows in spec.items()]
    result = []
    for entry in spec:
        if isinstance(entry, str):
            result.append((entry, []))
        else:
            name, rows = entry
            result.append((name, [list(r) for r in rows]))
    return result


def write_ledger(
    path: Path,
    headers: Sequence[str | tuple[str, str]],
    rows: Iterable[Sequence[Any]],
    title_rows: int | Sequence[str] = 0,
    sheet: str = "台账",
    extra_sheets_before: SheetSpec = (),
    extra_sheets_after: SheetSpec = (),
    header_rows: int = 1,
    merge_titles: bool = True,
    engine: str | None = None,
    date_format: str = DATE_FORMAT,
    datetime_format: str = DATETIME_FORMAT,
) -> Layout:
    """Write a workbook holding one ledger sheet (and optional extra sheets) to `path`.

    title_rows: a count (titles "提案建议办理台账 1", ...) or the title texts; each title row is
        merged across the header's width when `merge_titles`.
    header_rows: 1, or 2 for a grouped header (see the module docstring).
    engine: "openpyxl" (default for .xlsx/.xlsm), "xlsxwriter", or "xlwt" (default for .xls).
    Values: str, int, float, bool, None, datetime.date / datetime.datetime (written as real
    dates with `date_format` / `datetime_format`).
    Returns the Layout (header rows and first data row, as Excel row numbers).
    """
    path = Path(path)
    titles = [f"提案建议办理台账 {n + 1}" for n in range(title_rows)] if isinstance(title_rows, int) else list(title_rows)
    if header_rows not in (1, 2):
        raise ValueError("header_rows must be 1 or 2")
    width = len(headers)
    grid: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []  # 0-based (first_row, first_col, last_row, last_col)
    for title in titles:
        if merge_titles and width > 1:
            merges.append((len(grid), 0, len(grid), width - 1))
        grid.append([title] + [None] * (width - 1))
    first_header = len(grid)
    if header_rows == 1:
        grid.append([h[1] if isinstance(h, tuple) else h for h in headers])
    else:
        top: list[Any] = [None] * width
        bottom: list[Any] = [None] * width
        column = 0
        while column < width:
            header = headers[column]
            if isinstance(header, tuple):
                group = header[0]
                end = column
                while end + 1 < width and isinstance(headers[end + 1], tuple) and headers[end + 1][0] == group:
                    end += 1
                top[column] = group
                for sub in range(column, end + 1):
                    bottom[sub] = headers[sub][1]
                if end > column:
                    merges.append((first_header, column, first_header, end))
                column = end + 1
            else:
                top[column] = header
                merges.append((first_header, column, first_header + 1, column))
                column += 1
        grid += [top, bottom]
    first_data = len(grid)
    grid += [list(row) for row in rows]
    before = _sheets(extra_sheets_before)
    after = _sheets(extra_sheets_after)
    sheets = before + [(sheet, grid)] + after
    sheet_merges = {sheet: merges}
    if engine is None:
        engine = "xlwt" if path.suffix.lower() == ".xls" else "openpyxl"
    writer = {"openpyxl": _write_openpyxl, "xlsxwriter": _write_xlsxwriter, "xlwt": _write_xlwt}[engine]
    path.parent.mkdir(parents=True, exist_ok=True)
    writer(path, sheets, sheet_merges, date_format, datetime_format)
    return Layout(header_rows=list(range(first_header + 1, first_data + 1)), first_data_row=first_data + 1)


def _write_openpyxl(path, sheets, merges, date_format, datetime_format) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, grid in sheets:
        worksheet = workbook.create_sheet(name)
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = worksheet.cell(row=r, column=c, value=value)
                if isinstance(value, dt.datetime):
                    cell.number_format = datetime_format
                elif isinstance(value, dt.date):
                    cell.number_format = date_format
        for first_row, first_col, last_row, last_col in merges.get(name, []):
            worksheet.merge_cells(start_row=first_row + 1, start_column=first_col + 1,
                                  end_row=last_row + 1, end_column=last_col + 1)
    workbook.save(path)


def _write_xlsxwriter(path, sheets, merges, date_format, datetime_format) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                               "strings_to_urls": False, "nan_inf_to_errors": True})
    date_style = workbook.add_format({"num_format": date_format})
    datetime_style = workbook.add_format({"num_format": datetime_format})
    for name, grid in sheets:
        worksheet = workbook.add_worksheet(name)
        merged = {(m[0], m[1]): m for m in merges.get(name, [])}
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if (r, c) in merged:
                    first_row, first_col, last_row, last_col = merged[(r, c)]
                    worksheet.merge_range(first_row, first_col, last_row, last_col, value)
                    continue
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    worksheet.write_datetime(r, c, value, datetime_style)
                elif isinstance(value, dt.date):
                    worksheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_style)
                elif isinstance(value, bool):
                    worksheet.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    worksheet.write_number(r, c, value)
                else:
                    worksheet.write_string(r, c, str(value))
    workbook.close()


def _write_xlwt(path, sheets, merges, date_format, datetime_format) -> None:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str=date_format)
    datetime_style = xlwt.easyxf(num_format_str=datetime_format)
    for name, grid in sheets:
        worksheet = workbook.add_sheet(name)
        merged = {(m[0], m[1]): m for m in merges.get(name, [])}
        covered = {(r, c) for m in merged.values() for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if (r, c) in merged:
                    first_row, first_col, last_row, last_col = merged[(r, c)]
                    worksheet.write_merge(first_row, last_row, first_col, last_col, value)
                    continue
                if value is None or (r, c) in covered:
                    continue
                if isinstance(value, dt.datetime):
                    worksheet.write(r, c, value, datetime_style)
                elif isinstance(value, dt.date):
                    worksheet.write(r, c, dt.datetime.combine(value, dt.time()), date_style)
                else:
                    worksheet.write(r, c, value)
    workbook.save(str(path))


def write_items(path: Path, items: Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None,
                **options: Any) -> Layout:
    """Write items given as dicts keyed by column key; the columns are the required ones plus
    every key used, in the template's order, under their default headers (unless `keys`).
    `options` go to `write_ledger` (title_rows, sheet, engine, ...)."""
    if keys is None:
        used = {key for values in items for key in values} | {"id", "title", "role", "section"}
        keys = [key for key in KEYS if key in used]
    return write_ledger(path, headers_of(keys), [item(keys, **values) for values in items], **options)


def write_config(path: Path, text: str) -> Path:
    """Write a config.ini (UTF-8) and return its path."""
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m automation ARGS` in a real process (UTF-8 output, captured)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUTF8="1")
    return subprocess.run([sys.executable, "-m", "automation", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=env, timeout=timeout)


# --- a ledger counted by hand ---------------------------------------------------------

D = dt.date
STANDARD_TODAY = D(2024, 6, 28)  # the "today" of the hand count

STANDARD_KEYS = ["seq", "id", "kind", "title", "role", "key_item", "section", "handler", "leader", "assigned",
                 "deadline", "status", "replied", "reply_class", "contact", "satisfaction", "note"]

#: Eight items whose every figure is counted by hand (see `assert_standard`), for tests that
#: write them in any layout. Deadlines (default limits: 主办/会办 3 months, 协办 1 month) and states on T:
STANDARD = [
    # r0 主办, 2024-03-05 + 3 months = 2024-06-05; replied 05-20 <= 06-05: completed on time. A, 见面座谈, 满意, key.
    dict(seq=1, id="TA01", kind="政协提案", title="关于加强专精特新企业培育的建议", role="主办", key_item="是",
         section="产业发展科", handler="刘洋", leader="王建国", assigned=D(2024, 3, 5), status="已办结",
         replied=D(2024, 5, 20), reply_class="A", contact="见面座谈", satisfaction="满意"),
    # r1 主办, deadline 2024-06-05; replied 06-10 > 06-05: completed late. B, 电话联系, 基本满意.
    dict(seq=2, id="TA02", kind="政协提案", title="关于发展农村电子商务的建议", role="主办", key_item="否",
         section="企业服务科", handler="陈静", leader="李红梅", assigned=D(2024, 3, 5), status="已答复",
         replied=D(2024, 6, 10), reply_class="B", contact="电话联系", satisfaction="基本满意"),
    # r2 协办, 2024-05-10 + 1 month = 2024-06-10 < T, no reply: overdue, 28 - 10 = 18 days.
    dict(seq=3, id="TA03", kind="政协提案", title="关于支持企业技术创新的建议", role="协办", section="产业发展科",
         handler="赵敏", leader="王建国", assigned=D(2024, 5, 10), status="办理中"),
    # r3 主办, 2024-04-01 + 3 months = 2024-07-01: 3 days left, due soon. 实地调研.
    dict(seq=4, id="TA04", kind="政协提案", title="关于推动矿业经济转型升级的建议", role="主办",
         section="企业服务科", handler="周磊", leader="李红梅", assigned=D(2024, 4, 1), status="已初步答复",
         contact="实地调研"),
    # r4 协办, 2024-06-20 + 1 month = 2024-07-20: 22 days left, in progress, not due soon.
    dict(seq=5, id="JY05", kind="人大建议", title="关于完善中小企业融资服务的建议", role="协办",
         section="企业服务科", handler="陈静", leader="李红梅", assigned=D(2024, 6, 20), status="未办理"),
    # r5 会办 (lead), 2024-01-15 + 3 months = 2024-04-15; replied 04-10: on time. C, 电话联系, 不满意.
    dict(seq=6, id="JY06", kind="人大建议", title="关于加快工业互联网平台建设的建议", role="会办",
         section="产业发展科", handler="刘洋", leader="王建国", assigned=D(2024, 1, 15), status="已办结",
         replied=D(2024, 4, 10), reply_class="C", contact="电话联系", satisfaction="不满意"),
    # r6 协办, 2024-04-15 + 1 month = 2024-05-15; replied 05-14: on time (assisting: no class, no rating).
    dict(seq=7, id="JY07", kind="人大建议", title="关于引进高层次技术人才的建议", role="协办",
         section="产业发展科", handler="赵敏", leader="王建国", assigned=D(2024, 4, 15), status="已办结",
         replied=D(2024, 5, 14)),
    # r7 主办, 2024-02-20 + 3 months = 2024-05-20 < T: overdue, 11 (May) + 28 (June) = 39 days. 座谈会.
    dict(seq=8, id="TA08", kind="政协提案", title="关于扶持直播电商产业发展的建议", role="主办",
         section="企业服务科", handler="周磊", leader="李红梅", assigned=D(2024, 2, 20), status="办理中",
         contact="座谈会"),
]


def standard_rows(keys=None, transform=None) -> list[list]:
    """The STANDARD items as rows in the order of `keys`; transform(key, value, index) may
    rewrite a value (e.g. a date as text)."""
    keys = STANDARD_KEYS if keys is None else keys
    rows = []
    for index, values in enumerate(STANDARD):
        row = []
        for key in keys:
            value = values.get(key)
            if transform is not None:
                value = transform(key, value, index)
            row.append(value)
        rows.append(row)
    return rows


def assert_standard(analysis, problems_expected: int = 0) -> None:
    """Every figure of the eight STANDARD items, counted by hand (r0..r7 as above)."""
    s = analysis.statistics
    t = s.totals
    assert t["total"] == 8
    assert t["lead"] == 5  # r0 r1 r3 r7 (主办) + r5 (会办)
    assert t["assisting"] == 3  # r2 r4 r6
    assert s.to_json()["by_role"] == {"主办": 4, "协办": 3, "会办": 1}
    assert t["key_items"] == 1  # r0
    assert t["completed"] == 4  # r0 r1 r5 r6
    assert t["overdue"] == 2  # r2 r7
    assert t["due_soon"] == 1  # r3
    assert t["in_progress"] == 2  # r3 r4 (not completed, not overdue)
    assert t["on_time"] == 3 and t["late"] == 1  # on time r0 r5 r6; late r1
    assert t["completion_rate"] == 0.5  # 4 / 8
    assert t["on_time_rate"] == 0.5  # 3 / (4 completed with reply date + 2 overdue)
    assert (t["satisfied"], t["basically_satisfied"], t["unsatisfied"], t["rated"]) == (1, 1, 1, 3)  # r0 r1 r5
    assert t["satisfaction_rate"] == 0.6667  # (1 + 1) / 3
    assert t["satisfied_share"] == 0.3333  # 1 / 3
    assert t["face_to_face_rate"] == 0.6  # lead with contact r0 r1 r3 r5 r7 = 5; face to face r0 r3 r7 = 3
    assert t["reply_classes"] == {"A": 1, "B": 1, "C": 1}  # completed lead r0 A, r1 B, r5 C
    assert t["completed_lead"] == 3
    assert t["adoption_rate"] == 0.6667  # (A + B) / 3
    # by section: 产业发展科 r0 r2 r5 r6; 企业服务科 r1 r3 r4 r7
    industry, service = s.groups["section"]["产业发展科"], s.groups["section"]["企业服务科"]
    assert (industry["total"], industry["completed"], industry["overdue"], industry["due_soon"],
            industry["in_progress"], industry["on_time_rate"]) == (4, 3, 1, 0, 0, 0.75)  # on time r0 r5 r6 / (3 + 1)
    assert (service["total"], service["completed"], service["overdue"], service["due_soon"],
            service["in_progress"], service["on_time_rate"]) == (4, 1, 1, 1, 2, 0.0)  # r1 late; r7 overdue
    # by kind: 政协提案 r0 r1 r2 r3 r7; 人大建议 r4 r5 r6
    assert s.groups["kind"]["政协提案"]["total"] == 5 and s.groups["kind"]["人大建议"]["total"] == 3
    assert s.groups["kind"]["人大建议"]["completed"] == 2  # r5 r6
    overdue = [(item.id, item.deadline, item.days, item.handler) for item in s.overdue_items]
    assert overdue == [("TA08", D(2024, 5, 20), 39, "周磊"), ("TA03", D(2024, 6, 10), 18, "赵敏")]
    due_soon = [(item.id, item.deadline, item.days) for item in s.due_soon_items]
    assert due_soon == [("TA04", D(2024, 7, 1), 3)]
    assert len(s.problems) == problems_expected, s.problems
