"""A ledger's items as plain numpy columns, for a folder of units' ledgers.

`ColumnFrame` holds the items of one small ledger as {column name: numpy array} and offers the
few DataFrame operations that classifying and counting use (`frame[name].to_numpy()`,
`.tolist()`, `.isin()`, `name in frame`, `len(frame)`). A folder of 200 units reads 200 small
ledgers, where building a pandas DataFrame and each column access (~50 µs, ~80 a file) cost
more than the values themselves; one ledger read on its own keeps its pandas DataFrame.

The columns hold exactly what the DataFrame's columns would (object columns keep None as
None, `excel_row` is int64), so every figure and list is the same either way.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator


class Column:
    """One column: the numpy array, with the Series methods the rules and counts call."""

    __slots__ = ("values",)

    def __init__(self, values) -> None:
        self.values = values

    def to_numpy(self, dtype=None):
        """The array (not copied when it has that dtype already), as Series.to_numpy."""
        import numpy as np

        return self.values if dtype is None else np.asarray(self.values, dtype=dtype)

    def tolist(self) -> list[Any]:
        return self.values.tolist()

    def isin(self, wanted: Iterable[Any]) -> "Column":
        """Whether each value is one of `wanted` (a boolean column), as Series.isin."""
        import numpy as np

        found = frozenset(wanted).__contains__
        return Column(np.fromiter(map(found, self.values.tolist()), dtype=bool, count=len(self.values)))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values.tolist())

    def __len__(self) -> int:
        return len(self.values)


class ColumnFrame:
    """Named columns of equal length (see the module's docstring)."""

    __slots__ = ("data", "length")

    def __init__(self, data: dict[str, Any], length: int) -> None:
        self.data = data
        self.length = length

    @classmethod
    def of(cls, data: dict[str, Any]) -> "ColumnFrame":
        """A frame over arrays of equal length (object arrays, and numeric or boolean ones)."""
        length = len(next(iter(data.values()))) if data else 0
        return cls(dict(data), length)

    def __getitem__(self, name: str) -> Column:
        return Column(self.data[name])

    def __contains__(self, name: object) -> bool:
        return name in self.data

    def __len__(self) -> int:
        return self.length

    @property
    def columns(self) -> list[str]:
        return list(self.data)

    def with_columns(self, added: dict[str, Any]) -> "ColumnFrame":
        """A new frame with `added` columns (lists become object arrays, as in a DataFrame);
        a name already present is replaced. This frame is left as it was."""
        import numpy as np

        data = dict(self.data)
        for name, values in added.items():
            if not isinstance(values, np.ndarray):
                array = np.empty(len(values), dtype=object)
                array[:] = values
                values = array
            data[name] = values
        return ColumnFrame(data, self.length)
