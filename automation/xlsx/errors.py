"""Exceptions of the workbook writer. Each carries a Chinese message for the user.

They are LedgerErrors, so the command line shows the message and exits with the error's
code: 2 for a workbook that cannot be written safely, 3 when it is in use.
"""

from __future__ import annotations

from automation.problems import LedgerError


class WorkbookError(LedgerError):
    """A workbook cannot be written safely; `message` is the Chinese text for the user."""


class WorkbookInUseError(WorkbookError):
    """The workbook is open in Excel/WPS (owner file beside it) or locked by another program."""

    exit_code = 3

    def __init__(self, message: str, owner: str | None = None):
        super().__init__(message)
        self.owner = owner


class RunLockedError(WorkbookError):
    """Another run of the assistant holds the lock of this workbook."""

    exit_code = 3
