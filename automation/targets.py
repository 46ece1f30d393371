"""Checks on the files a command is about to write: never replace a user's file silently,
never write into a file marked read-only, never write a report over a workbook.

Pure checks on paths (they read the file system, never write it), plus `write_new_workbook`
for the commands that create a workbook from nothing (template, sample).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from automation import messages
from automation.problems import LedgerError

REPORT_SUFFIXES = (".docx", ".md", ".markdown")
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
_WINDOWS_READONLY = getattr(stat, "FILE_ATTRIBUTE_READONLY", 1)


def is_read_only(path: Path) -> bool:
    """Whether the file is marked read-only: no write bit in its mode (chmod 444; on Windows
    Python clears the write bits when the read-only attribute is set), the Windows read-only
    attribute itself, or no write access for this user. Root ignores the mode bits when
    writing, so the bits are checked on their own rather than by trying to write."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    if not info.st_mode & _WRITE_BITS:
        return True
    if getattr(info, "st_file_attributes", 0) & _WINDOWS_READONLY:
        return True
    return not os.access(path, os.W_OK)


def refuse_directory(path: Path) -> None:
    """A folder given where one ledger file is expected gets one sentence."""
    if path.is_dir():
        raise LedgerError(messages.TARGET_IS_DIRECTORY.format(path=path))


def check_writable_workbook(path: Path, *, is_output: bool) -> None:
    """Refuse to replace a workbook marked read-only (Excel respects the flag, so do we)."""
    if path.exists() and is_read_only(path):
        template = messages.TARGET_OUTPUT_READ_ONLY if is_output else messages.TARGET_READ_ONLY
        raise LedgerError(template.format(path=path))


def check_report_output(output: Path, *ledgers: Path) -> None:
    """A report is a .docx or .md file, never a workbook and never one of the ledgers read."""
    for ledger in ledgers:
        same = False
        try:
            same = output.resolve() == ledger.resolve() or (output.exists() and output.samefile(ledger))
        except OSError:
            pass
        if same:
            raise LedgerError(messages.TARGET_REPORT_IS_LEDGER.format(path=output))
    if output.suffix.lower() not in REPORT_SUFFIXES:
        raise LedgerError(messages.TARGET_REPORT_SUFFIX.format(path=output))
    refuse_directory(output)


def write_new_workbook(path: Path, data: bytes, *, force: bool, backups: int) -> Path | None:
    """Write a generated workbook (template, sample) to `path`; return the backup made.

    An existing file is never replaced without `force`; with it, the old file is first kept
    in `.ledger_backups/` (at least one copy), and a file open in Excel/WPS is still refused.
    """
    from automation.safe_write import save_workbook

    refuse_directory(path)
    if path.exists() and not force:
        raise LedgerError(messages.TARGET_EXISTS.format(path=path))
    check_writable_workbook(path, is_output=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_workbook(path, data, backups=max(backups, 1))
