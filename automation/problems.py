"""Problems found in the ledger, and the fatal error that stops a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: where it is as the clerk sees it, and what is wrong (Chinese).

    `row` is the Excel row number; `column` the header text as it stands in the ledger;
    `cell` the A1 reference (for links), empty when the problem concerns a whole row.
    """

    sheet: str
    row: int
    column: str
    value: str
    message: str
    cell: str = ""
    severity: str = "错误"
    #: When several units' files are counted as one: the file (name) and the unit it belongs to.
    file: str = ""
    unit: str = ""

    def to_json(self) -> dict[str, Any]:
        result = {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                  "message": self.message, "severity": self.severity}
        if self.file:
            result.update(file=self.file, unit=self.unit)
        return result


class LedgerError(Exception):
    """A fatal input problem: nothing is written, the command exits with code 2.

    The message is complete and in Chinese; it names what is wrong and what to do.
    """

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def display_value(value: object) -> str:
    """A cell value as a clerk would read it in a problem list."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return str(value)
