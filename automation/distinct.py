"""Per-distinct-value work on columns: the pattern that keeps 50,000-row ledgers fast."""

from __future__ import annotations

from typing import Any


class Distinct:
    """A column as codes into its distinct values (pandas.factorize: C-level hashing).

    Ledger columns repeat their values (sections, people, dates, statuses): a function
    applied through `map` runs once per distinct value, and numpy spreads the results."""

    def __init__(self, codes, uniques: list[Any]):
        self.codes = codes
        self.uniques = uniques
        self._filled = None

    def filled(self, codes=None):
        """Whether each row's value is filled (computed once per column). Blank are: None,
        empty or white-space text, and the words clerks use for "nothing" (—, 无, / ...)."""
        import numpy as np

        from automation.dates import EMPTY_MARKERS

        if self._filled is None:
            # EMPTY_MARKERS are at most two characters: a longer text is blank only if it has
            # surrounding white space to strip (no copy of every long title or note)
            self._filled = np.fromiter(
                (not (u is None or (u.__class__ is str and (
                    (len(u) <= 2 and u in EMPTY_MARKERS)
                    or ((u[:1].isspace() or u[-1:].isspace()) and u.strip() in EMPTY_MARKERS))))
                 for u in self.uniques),
                bool, len(self.uniques))
        return self._filled[self.codes if codes is None else codes]

    @classmethod
    def of(cls, values) -> "Distinct":
        import numpy as np
        import pandas as pd

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


def map_distinct(values, function, dtype=object):
    """`function` applied to each value of a sequence, computed once per distinct value."""
    return Distinct.of(values).map(function, dtype)
