"""The benchmark's ledger shapes are what they claim to be: each is read with every item
counted, and the feature it stresses is really there (values worked out from the generator)."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from automation import messages
from automation.analysis import analyse_file
from automation.config import Config
from tests.ledger_factory import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from generate import AS_OF, SHAPES, write_ledger  # noqa: E402

ROWS = 200
TODAY = AS_OF.date()


@pytest.fixture(scope="module")
def analyses(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shapes")
    return {shape: analyse_file(write_ledger(folder / f"{shape}.xlsx", ROWS, shape=shape).read_bytes(), Config(), TODAY)
            for shape in SHAPES}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_item_is_counted(analyses, shape):
    analysis = analyses[shape]
    assert analysis.statistics.totals["total"] == ROWS
    assert set(analysis.ledger.columns) >= {"id", "title", "role", "section", "assigned", "replied", "status"}
    assert analysis.ledger.items["section"].notna().all()  # merged-down sections count for each row


def test_many_problems_has_a_quarter_of_rows_replied_after_the_statistics_date(analyses):
    late = [p for p in analyses["many_problems"].statistics.problems
            if p.message == messages.REPLY_AFTER_TODAY.format(today=TODAY.isoformat())]
    assert len(late) == ROWS // 4  # rows 0, 4, 8, ...
    assert not [p for p in analyses["current"].statistics.problems if p.column == "答复日期"]


def test_text_dates_are_text_and_read_as_the_same_dates(analyses):
    current, text = analyses["current"].ledger.items, analyses["text_dates"].ledger.items
    assert list(text["assigned"]) == list(current["assigned"])
    assert list(text["replied"]) == list(current["replied"])
    assert analyses["text_dates"].statistics.totals == analyses["current"].statistics.totals


def test_two_row_header_and_merged_cells_give_the_current_figures(analyses):
    assert analyses["two_row_header"].ledger.header_rows == [2, 3]
    assert analyses["two_row_header"].statistics.totals == analyses["current"].statistics.totals
    # the merged shape sorts rows by section: same items, same figures
    assert analyses["merged_cells"].statistics.totals == analyses["current"].statistics.totals


def test_long_titles_and_many_distinct_values(analyses):
    titles = analyses["long_titles"].ledger.items["title"]
    assert titles.map(len).min() >= 150
    distinct = analyses["many_distinct"].ledger.items
    assert distinct["proposer"].nunique() == ROWS and distinct["note"].nunique() == ROWS
    assert isinstance(AS_OF, dt.datetime)
