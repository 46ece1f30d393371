"""Property: whatever the cells hold, the reader never raises, and every cell it cannot read
becomes a problem naming its Excel row and its header.

Most examples go through `parse_grid` (what calamine and the live Excel writer hand over); a
few go through a real .xlsx written with xlsxwriter and read back with `read_ledger`, checked
against the grid calamine itself gives for that file.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import python_calamine
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from automation.analysis import analyse
from automation.config import DEFAULT_COLUMNS, Config
from automation.dates import EMPTY_MARKERS, parse_date
from automation.ledger import TOTAL_ROW_WORDS, parse_grid, read_ledger
from automation.text_output import check_text, stats_text
from tests.ledger_factory import DEFAULT_HEADERS, KEYS, write_ledger

T = dt.date(2024, 6, 28)
CONFIG = Config()
DATE_KEYS = ("assigned", "deadline", "replied")
VOCABULARY_KEYS = ("role", "kind", "status", "satisfaction", "reply_class")
CANONICAL = {
    "role": set(CONFIG.roles), "kind": set(CONFIG.kinds), "status": set(CONFIG.statuses),
    "satisfaction": set(CONFIG.satisfaction), "reply_class": set(CONFIG.reply_classes),
}

_words = sorted({w for vocabulary in (CONFIG.roles, CONFIG.kinds, CONFIG.statuses, CONFIG.satisfaction)
                 for synonyms in vocabulary.values() for w in synonyms} | set(CONFIG.reply_classes))
_date_texts = ["2024-3-5", "2024/03/05", "2024.3.5", "2024年3月5日", "3月5日", "45356", "20240305", "待定", "2024-13-40",
               "2月30日", "—", "无", " ", "0", "-1", "1e400", "nan", "inf", "2024-03-05 25:99", "３月５日", "12/31"]
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
CELL = st.one_of(
    st.none(),
    _text,
    st.sampled_from(_words + _date_texts + ["=SUM(A1:A9)", "+1", "-", "@x", "合计", "\x00", "\t\n", "\u3000"]),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.sampled_from([10**400, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([45356, 45356.5, 20240305, 2958465, 2958466, 1, 60, 61, 0.5]),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)
_ids = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Z", "Cc")), min_size=1, max_size=8)


@st.composite
def ledger_grids(draw, max_rows=4):
    """A header row of every default header, optional title rows, and rows of random cells
    (the id and title always readable, the first cell never a total-row word)."""
    titles = draw(st.integers(0, 2))
    grid = [["台账标题"] + [None] * (len(KEYS) - 1) for _ in range(titles)]
    grid.append(list(DEFAULT_HEADERS))
    for index in range(draw(st.integers(1, max_rows))):
        row = [draw(CELL) for _ in KEYS]
        row[KEYS.index("seq")] = index + 1
        row[KEYS.index("id")] = f"TA{index}-" + draw(_ids)
        row[KEYS.index("title")] = "案由" + draw(_text)
        grid.append(row)
    return grid, titles


def _is_blank_cell(value) -> bool:
    """A cell the rules call blank: nothing, spaces, or a blank marker such as — or 无."""
    if value is None:
        return True
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip() in EMPTY_MARKERS or not value.strip()
    return False


def _text_of(value) -> str:
    from automation.ledger import cell_text

    return cell_text(value)


def check_ledger(grid, header_index: int, ledger, sheet: str) -> None:
    """Every non-blank unreadable cell of a data row is a problem naming its row and header."""
    problems = {(p.row, p.column) for p in ledger.problems}
    data = grid[header_index + 1:]
    expected_rows = [header_index + 2 + offset for offset in range(len(data))]
    assert list(ledger.items["excel_row"]) == expected_rows
    assert all(p.sheet == sheet for p in ledger.problems)
    for offset, row in enumerate(data):
        excel_row = header_index + 2 + offset
        for key in DATE_KEYS:
            header = DEFAULT_COLUMNS[key][0]
            cell = row[KEYS.index(key)]
            parsed = ledger.items[key].iat[offset]
            if parsed is None and not _is_blank_cell(cell):
                assert (excel_row, header) in problems, (key, cell)
            if parsed is not None:
                assert isinstance(parsed, dt.date) and not isinstance(parsed, dt.datetime)
                assert parse_date(cell, T.year).value == parsed
                assert 1990 <= parsed.year <= 2100
            if isinstance(cell, dt.date) and 1990 <= cell.year <= 2100:
                assert parsed == dt.date(cell.year, cell.month, cell.day)
        for key in VOCABULARY_KEYS:
            header = DEFAULT_COLUMNS[key][0]
            text = _text_of(row[KEYS.index(key)])
            value = ledger.items[key].iat[offset]
            if not text or text in EMPTY_MARKERS:
                assert value is None
                if key == "role":  # required
                    assert (excel_row, header) in problems
                continue
            if value is None or value not in CANONICAL[key]:
                assert (excel_row, header) in problems, (key, text, value)
        section = _text_of(row[KEYS.index("section")])
        if not section or section in EMPTY_MARKERS:  # required
            assert (excel_row, "承办科室") in problems


def run_everything(ledger) -> None:
    """Classify, count and render: none of it may raise, and the JSON must serialise."""
    analysis = analyse(ledger, CONFIG, T)
    data = analysis.statistics.to_json()
    json.dumps(data, ensure_ascii=False)
    assert data["total"] == len(ledger.items)
    stats_text(analysis.statistics, CONFIG)
    check_text(analysis, CONFIG)


def _explicit_example():
    row = {key: None for key in KEYS}
    row.update(seq=1, id="TA1", title="案由", role="—", section="无", assigned="待定", deadline=dt.time(8, 30),
               replied=float("nan"), status="未完成", satisfaction="不太满意", reply_class="Z", kind=True)
    return [list(DEFAULT_HEADERS), [row[key] for key in KEYS]], 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ledger_grids())
@example(_explicit_example())
def test_parse_grid_never_raises_and_reports_every_unreadable_cell(example):
    grid, titles = example
    ledger = parse_grid(grid, "台账", CONFIG, T)
    assert ledger.header_rows == [titles + 1]
    check_ledger(grid, titles, ledger, "台账")
    run_everything(ledger)


def _writable(value):
    """What a cell of a real file can hold (xlsxwriter writes nan/inf as error cells)."""
    if isinstance(value, dt.time) or isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return float(value) if abs(value) < 1e300 else str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(ledger_grids(max_rows=3))
def test_read_ledger_from_a_real_file_never_raises(tmp_path: Path, example):
    grid, titles = example
    path = tmp_path / "random.xlsx"
    data = [[_writable(v) for v in row] for row in grid[titles + 1:]]
    write_ledger(path, DEFAULT_HEADERS, data, title_rows=["台账标题"] * titles, engine="xlsxwriter")
    ledger = read_ledger(path, CONFIG, T)
    raw = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("台账").to_python(
        skip_empty_area=False)
    raw = [list(row) + [""] * (len(KEYS) - len(row)) for row in raw]
    # calamine may drop trailing rows that are entirely empty; the generated rows never are
    assert len(raw) == len(grid)
    check_ledger(raw, titles, ledger, "台账")
    run_everything(ledger)


def test_total_row_words_are_the_documented_ones():
    # The property above keeps the first cell of every row a number, so that no row is a total row.
    assert TOTAL_ROW_WORDS == ("合计", "总计", "小计", "共计")
