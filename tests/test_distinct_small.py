"""A small column is factorized with a dict (pandas' fixed cost per call dominates a unit's
500-row ledger): codes and distinct values must be exactly those of the pandas path."""

import datetime as dt
import random

import pytest

from automation import distinct
from automation.distinct import Distinct


def _pandas_path(values):
    saved = distinct.SMALL_COLUMN
    distinct.SMALL_COLUMN = -1
    try:
        return Distinct.of(values)
    finally:
        distinct.SMALL_COLUMN = saved


def test_small_column_codes_worked_by_hand():
    # None goes after every other distinct value; 1, True and 1.0 are equal, so share a code.
    found = Distinct.of(["b", None, "a", "b", 1, True, 1.0, None])
    assert found.codes.tolist() == [0, 3, 1, 0, 2, 2, 2, 3]
    assert found.uniques == ["b", "a", 1, None]
    assert type(found.uniques[2]) is int


def test_nan_and_nat_left_to_pandas():
    import pandas as pd

    found = Distinct.of([float("nan"), None, "x", pd.NaT])
    assert found.codes.tolist() == [2, 1, 0, 2]  # pandas: None and NaN/NaT each get a code at the end
    assert found.uniques[0] == "x" and found.uniques[1] is None


@pytest.mark.parametrize("seed", range(5))
def test_small_column_same_as_pandas(seed):
    import pandas as pd

    pool = [None, "", " ", "a", "无", 1, 1.0, True, False, 0, 0.0, -0.0, 2.5, dt.date(2026, 1, 1),
            dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1, 3), dt.time(8), float("nan"), pd.NaT, "1"]
    chooser = random.Random(seed)
    for _ in range(300):
        values = [chooser.choice(pool) for _ in range(chooser.randint(0, 25))]
        small, reference = Distinct.of(values), _pandas_path(values)
        assert small.codes.tolist() == reference.codes.tolist()
        assert [type(value) for value in small.uniques] == [type(value) for value in reference.uniques]
        assert all(a is b or a == b or (a != a and b != b) for a, b in zip(small.uniques, reference.uniques))
