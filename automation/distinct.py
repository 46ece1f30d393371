"""Per-distinct-value work on columns: the pattern that keeps 50,000-row ledgers fast."""

from __future__ import annotations

import datetime as _dt
import sys
from itertools import compress, count, repeat
from typing import Any


class Distinct:
    """A column as codes into its distinct values (pandas.factorize: C-level hashing).

    Ledger columns repeat their values (sections, people, dates, statuses): a function
    applied through `map` runs once per distinct value, and numpy spreads the results."""

    def __init__(self, codes, uniques: list[Any]):
        self.codes = codes
        self.uniques = uniques
        self._filled = None
        self._types = None
        self._text = None

    def filled(self, codes=None):
        """Whether each row's value is filled (computed once per column). Blank are: None,
        empty or white-space text, and the words clerks use for "nothing" (—, 无, / ...)."""
        import numpy as np

        from automation.dates import EMPTY_MARKERS

        if self._filled is None:
            # C-level maps over the distinct values (an id or title column has one per row)
            strings, where = self._strings()
            filled = ~self._none_mask()
            blank = np.fromiter(map(EMPTY_MARKERS.__contains__, map(str.strip, strings)), bool, len(strings))
            filled[where[blank]] = False
            self._filled = filled
        return self._filled[self.codes if codes is None else codes]

    def starts_with(self, characters: frozenset[str]):
        """Per row: the value is text whose first non-blank character is one of `characters`."""
        import operator

        import numpy as np

        strings, where = self._strings()
        first = map(operator.itemgetter(slice(0, 1)), map(str.lstrip, strings))
        hits = np.zeros(len(self.uniques), dtype=bool)
        hits[where[np.fromiter(map(characters.__contains__, first), bool, len(strings))]] = True
        return hits[self.codes]

    def _is(self, kind) -> "object":
        """Per distinct value: its type is exactly `kind` (a C-level map, no Python loop)."""
        import operator

        import numpy as np

        if self._types is None:
            self._types = list(map(type, self.uniques))
        return np.fromiter(map(operator.is_, self._types, repeat(kind)), bool, len(self.uniques))

    def _none_mask(self):
        return self._is(type(None))

    def _strings(self):
        """(the distinct values that are str, their positions among the distinct values), once."""
        import numpy as np

        if self._text is None:
            where = np.flatnonzero(self._is(str))
            if len(where) == len(self.uniques):
                self._text = (self.uniques, where)
            else:
                values = np.empty(len(self.uniques), dtype=object)
                values[:] = self.uniques
                self._text = (values[where].tolist(), where)
        return self._text

    @classmethod
    def of(cls, values, tail=None, head=None) -> "Distinct":
        """The column `values`, factorized. `tail`: more rows after `values`, factorized
        already (automation/split_read.TailColumn); the result is that of the whole column,
        `whole()` giving the whole column's values when only pandas can decide. `head`:
        `first_rows_of(values)` made already (it is used up)."""
        import numpy as np

        if tail is not None:
            small = _factorize_small(values, tail, head)
            if small is not None:
                return cls(*small)
            values = tail.whole()
        if len(values) <= SMALL_COLUMN or _long_texts(values) or "pandas" not in sys.modules:
            # pandas' hashing is about twice as fast on a long column, but not worth its import
            # (~0.4 s) to a run that has not loaded it: refresh and stats never do
            small = _factorize_small(values)
            if small is not None:
                return cls(*small)
        import pandas as pd  # NaN or an unusual type: pandas decides
        if isinstance(values, np.ndarray) and values.dtype == object:
            array = np.ascontiguousarray(values)
        else:
            array = np.empty(len(values), dtype=object)
            array[:] = values
        # factorize sets missing values (None and NaN) apart with code -1; give None and NaN a
        # code each, as they differ to a reader (blank vs. a bad number). factorize hashes by
        # equality, so True, 1 and 1.0 share a code: the converters treat them alike.
        codes, found = pd.factorize(array, use_na_sentinel=True)
        uniques = list(found)
        missing = np.flatnonzero(codes < 0)
        if len(missing):
            is_none = np.array([array[i] is None for i in missing], dtype=bool)
            for mask, value in ((is_none, None), (~is_none, float("nan"))):
                if mask.any():
                    codes[missing[mask]] = len(uniques)
                    uniques.append(value)
        return cls(codes, uniques)

    def map(self, function, dtype=object, codes=None):
        """function applied to every distinct value, spread to the rows (or to `codes`)."""
        import numpy as np

        mapped = np.empty(len(self.uniques), dtype=dtype)
        mapped[:] = [function(value) for value in self.uniques]
        return mapped[self.codes if codes is None else codes]


#: Up to this many values a dict factorizes faster than pandas: pd.factorize costs ~0.1 ms a
#: call before its first value, and a unit's 500-row ledger makes ~35 such calls.
SMALL_COLUMN = 2000


def _long_texts(values) -> bool:
    """Whether a column holds long texts (titles, notes), judged on a sample of 64 values.
    pandas hashes text through its UTF-8 form, which it makes and keeps for every value: on
    50,000 titles of a hundred characters that is several times the cost of a dict."""
    step = max(1, len(values) // 64)
    texts = [value for value in values[::step] if value.__class__ is str]
    return len(texts) * 2 >= min(len(values), 64) and sum(map(len, texts)) >= LONG_TEXT * len(texts)


#: Texts of this many characters on average are factorized by dict at any column length.
LONG_TEXT = 16


def first_rows_of(values):
    """(per value the row where that value first appears, a dict of each distinct value to
    that row), or None when a value cannot be hashed. One C-level pass hashes each value once:
    `setdefault` keeps the row where a value first appears."""
    import numpy as np

    first_rows: dict[Any, int] = {}
    try:
        return np.fromiter(map(first_rows.setdefault, values, count()), np.intp, len(values)), first_rows
    except TypeError:
        return None


def _factorize_small(values, tail=None, head=None):
    """(codes, uniques) exactly as `Distinct.of` makes them with pandas (distinct values in
    order of first appearance, equal values sharing a code as in pd.factorize, None after
    them), or None when a value is not one of the plain cell types or is NaN: what pandas
    counts as missing (NaN, NaT, pd.NA ...) is left to the pandas path. `tail`: the rows
    after `values` as (their distinct values, the first row of each, per row the first row of
    its value), rows counted from the tail's start. `head`: `first_rows_of(values)`, if made."""
    import math
    import operator

    import numpy as np

    # The rows where each value first appears, numbered in order, are the codes (distinct
    # values in order of first appearance).
    head = head or first_rows_of(values)
    if head is None:  # a value that cannot be hashed: pandas decides
        return None
    first, first_rows = head
    try:
        if tail is not None:
            # the tail's distinct values join the dict in their order of first appearance,
            # at their row after `values`: the same dict a pass over every row leaves
            tail_uniques, tail_firsts, tail_positions = tail.factorized()
            offset = len(values)
            joined = np.fromiter(map(first_rows.setdefault, tail_uniques, (tail_firsts + offset).tolist()),
                                 np.intp, len(tail_uniques))
            by_tail_row = np.empty(len(tail_positions), dtype=np.intp)
            by_tail_row[tail_firsts] = joined
            first = np.concatenate([first, by_tail_row[tail_positions]])
    except TypeError:  # a value that cannot be hashed: pandas decides
        return None
    uniques = list(first_rows)
    if len(uniques) == len(first):  # every value distinct (an id or title column)
        codes = np.arange(len(first), dtype=np.intp)
    else:
        # the dict holds each value's first row in order of first appearance, so in rising
        # order: numbering those rows gives the codes without sorting the column
        numbers = np.empty(len(first), dtype=np.intp)
        numbers[np.fromiter(first_rows.values(), np.intp, len(first_rows))] = np.arange(len(first_rows))
        codes = numbers[first]
    types = list(map(type, uniques))
    types_set = set(types)
    if not types_set <= _PLAIN_TYPES:
        return None
    if float in types and any(map(math.isnan, compress(uniques, map(operator.is_, types, repeat(float))))):
        return None
    none_code = int(codes[first_rows[None]]) if None in first_rows else None
    if none_code is not None and none_code != len(uniques) - 1:
        # pandas puts the missing value after every other distinct value.
        del uniques[none_code]
        uniques.append(None)
        remap = np.arange(len(uniques), dtype=np.intp)
        remap[none_code] = len(uniques) - 1
        remap[none_code + 1:] -= 1
        codes = remap[codes]
    return codes, uniques


#: Cell value types whose equality and hashing pandas and a dict agree on (none is "missing"
#: to pandas but None, handled apart, and NaN, checked).
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), _dt.date, _dt.datetime, _dt.time, _dt.timedelta})


def map_distinct(values, function, dtype=object):
    """`function` applied to each value of a sequence, computed once per distinct value."""
    return Distinct.of(values).map(function, dtype)
