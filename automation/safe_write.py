"""Writing a workbook file so that a crash never leaves half a file (DESIGN.md invariants 3, 4, 7).

- `save_workbook`: temporary file in the same folder, flush + fsync, atomic `os.replace`,
  fsync of the folder; the previous file is kept as a timestamped backup in
  `.ledger_backups/` beside it (the last N only).
- `find_owner`: who has the workbook open, from the owner/lock file that Excel, WPS or
  LibreOffice keep beside an open document.
- `run_lock`: one run of the assistant at a time per workbook.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from automation import messages as msg
from automation.xlsx.errors import RunLockedError, WorkbookInUseError

BACKUP_DIR_NAME = ".ledger_backups"
TEMP_SUFFIX = ".ledger-tmp"
LOCK_TIMEOUT = 3.0
STALE_TEMP_SECONDS = 3600
_OWNER_NAME_MAX = 54


# -- owner files ------------------------------------------------------------------------------
def _printable_name(text: str) -> str | None:
    text = text.strip().strip("\x00").strip()
    return text if text and text.isprintable() else None


def _utf16_name(data: bytes, offset: int) -> str | None:
    if len(data) < offset + 2:
        return None
    length = int.from_bytes(data[offset : offset + 2], "little")
    end = offset + 2 + 2 * length
    if not 0 < length <= _OWNER_NAME_MAX or len(data) < end:
        return None
    try:
        return _printable_name(data[offset + 2 : end].decode("utf-16-le"))
    except UnicodeDecodeError:
        return None


def _ansi_name(data: bytes) -> str | None:
    """The ANSI copy of the name; its length byte counts characters or bytes, so both are tried."""
    if not data or not 0 < data[0] <= _OWNER_NAME_MAX:
        return None
    length = data[0]
    padded = data[1 : 1 + _OWNER_NAME_MAX].split(b"\x00")[0].rstrip(b" ")
    for raw in (padded, data[1 : 1 + length]):
        for encoding in ("utf-8", "cp936"):
            try:
                name = _printable_name(raw.decode(encoding)[:length])
            except UnicodeDecodeError:
                continue
            if name:
                return name
    return None


def parse_owner_file(data: bytes) -> str | None:
    """The user name in a Microsoft Office / WPS owner file (`~$name.xlsx`), or None.

    Layout (as LibreOffice documents it): byte 0 is the name's length, then the name in
    the Windows ANSI code page (cp936 on Chinese Windows), padded; then, at offset 54
    (Word) or 55 (Excel, PowerPoint), a 2-byte length and the name again in UTF-16LE.
    The UTF-16 copy is preferred; the ANSI copy is the fallback.
    """
    for offset in (54, 55):
        name = _utf16_name(data, offset)
        if name:
            return name
    return _ansi_name(data)


def parse_libreoffice_lock(data: bytes) -> str | None:
    """The user name in a LibreOffice lock file (`.~lock.name#`: 'name,user,host,time,url;')."""
    text = data.decode("utf-8", errors="replace")
    fields = re.split(r"(?<!\\),", text)
    for field in fields[:2]:
        name = _printable_name(field.replace("\\,", ",").rstrip(";"))
        if name:
            return name
    return None


def _owner_candidates(path: Path) -> list[tuple[Path, object]]:
    name = path.name
    return [
        (path.with_name("~$" + name), parse_owner_file),  # Excel, WPS on Windows
        (path.with_name(".~lock." + name + "#"), parse_libreoffice_lock),  # LibreOffice
        (path.with_name(".~" + name), parse_owner_file),  # WPS on Linux
        (path.with_name(".~" + name + "#"), parse_owner_file),
    ]


def find_owner(path: Path | str) -> str | None:
    """Who has the workbook open (user name, or "未知用户"), or None when no owner file exists."""
    for candidate, parser in _owner_candidates(Path(path)):
        if not candidate.is_file():
            continue
        try:
            with candidate.open("rb") as handle:
                data = handle.read(4096)
        except OSError:
            return msg.XLSX_UNKNOWN_USER
        return parser(data) or msg.XLSX_UNKNOWN_USER
    return None


# -- atomic save ------------------------------------------------------------------------------
def backup_dir(path: Path) -> Path:
    """The folder beside a workbook that holds its backups and run lock."""
    return Path(path).parent / BACKUP_DIR_NAME


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_file_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace a small file (a setting, a token, a manifest) atomically: a temporary file in
    the same folder, flushed to disk, then renamed over `path`. `mode` (e.g. 0o600) is set
    before any byte is written, so a secret is never readable by others, even briefly."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        if mode is not None:
            os.chmod(temp, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _write_new_file(path: Path, data: bytes) -> None:
    """Create `path` (which must not exist) with `data`, flushed to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _process_gone(pid: int) -> bool:
    """True when no process has this id (POSIX only; elsewhere we cannot tell safely)."""
    if os.name != "posix" or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _remove_stale_temps(target: Path) -> None:
    """Delete temporary files that a killed run left behind (its process is gone, or an hour old)."""
    prefix = f".{target.name}."
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        pid_text = entry.name[len(prefix) :].split(".", 1)[0]
        try:
            if (pid_text.isdigit() and _process_gone(int(pid_text))) or (
                    time.time() - entry.stat().st_mtime > STALE_TEMP_SECONDS):
                entry.unlink()
        except OSError:
            continue


_BACKUP_STAMP = re.compile(r"\.\d{8}-\d{6}-\d{6}(?:-\d+)?$")


def _backup(target: Path, keep: int, now: dt.datetime) -> Path:
    """Copy the current file into the backup folder (atomically) and prune old backups."""
    folder = backup_dir(target)
    folder.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S-%f")
    backup = folder / f"{target.stem}.{stamp}{target.suffix}"
    counter = 1
    while backup.exists():
        backup = folder / f"{target.stem}.{stamp}-{counter}{target.suffix}"
        counter += 1
    temp = _temp_name(backup)
    try:
        _write_new_file(temp, target.read_bytes())
        os.replace(temp, backup)
    finally:
        if temp.exists():
            temp.unlink()
    _fsync_dir(folder)
    _prune_backups(target, keep)
    return backup


def list_backups(target: Path) -> list[Path]:
    """The backups of a workbook, oldest first."""
    folder = backup_dir(target)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if not (name.startswith(target.stem + ".") and name.endswith(target.suffix)):
            continue
        middle = name[len(target.stem) : len(name) - len(target.suffix)] if target.suffix else name[len(target.stem):]
        if _BACKUP_STAMP.fullmatch(middle):
            found.append(entry)
    return sorted(found, key=lambda entry: entry.name)


def _prune_backups(target: Path, keep: int) -> None:
    backups = list_backups(target)
    for old in backups[: max(len(backups) - keep, 0)]:
        try:
            old.unlink()
        except OSError:
            continue


def save_workbook(path: Path | str, new_bytes: bytes, *, backups: int = 5, output: Path | str | None = None,
                  check_open: bool = True, now: dt.datetime | None = None) -> Path | None:
    """Atomically write `new_bytes` to `output` (default: `path`); return the backup made.

    The file replaced, if any, is first copied to `.ledger_backups/` beside it with a
    timestamp (`now`, default the current time), keeping the last `backups` copies; the
    return value is that copy, or None when there was no previous file or `backups` is 0.
    Raises WorkbookInUseError when the file is open in Excel/WPS/LibreOffice (an owner
    file is beside it, unless `check_open` is False) or cannot be replaced.
    """
    target = Path(output if output is not None else path)
    if check_open:
        owner = find_owner(target)
        if owner is not None:
            raise WorkbookInUseError(msg.XLSX_WORKBOOK_OPEN.format(name=target.name, user=owner), owner)
    _remove_stale_temps(target)
    temp = _temp_name(target)
    backup = None
    try:
        _write_new_file(temp, new_bytes)
        if target.exists():
            shutil.copymode(target, temp)
            if backups > 0:
                backup = _backup(target, backups, now or dt.datetime.now())
        try:
            os.replace(temp, target)
        except PermissionError as error:
            raise WorkbookInUseError(msg.XLSX_REPLACE_FAILED.format(name=target.name, detail=error.strerror or error)) from error
        _fsync_dir(target.parent)
    finally:
        if temp.exists():
            temp.unlink()
    return backup


# -- one run at a time ----------------------------------------------------------------------
@contextmanager
def run_lock(path: Path | str, *, timeout: float = LOCK_TIMEOUT) -> Iterator[Path]:
    """Hold the assistant's lock for a workbook (in its backup folder) for a `with` block.

    Raises RunLockedError when another run holds it for longer than `timeout` seconds.
    """
    path = Path(path)
    lock_path = _lock_path(path)
    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as error:
        raise RunLockedError(msg.XLSX_RUN_LOCKED.format(name=path.name, lock=lock_path)) from error
    try:
        yield lock_path
    finally:
        _remove_lock_file(lock_path)
        lock.release()


def _lock_path(path: Path) -> Path:
    """The lock file of a workbook: in its backup folder, or, where that folder cannot be made
    (a read-only place), in the user's own cache folder under a name derived from the path."""
    folder = backup_dir(path)
    try:
        folder.mkdir(exist_ok=True)
        return folder / f"{path.name}.lock"
    except OSError:
        import hashlib

        from platformdirs import user_cache_dir

        digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
        fallback = Path(user_cache_dir("ledger-assistant", appauthor=False)) / "locks"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback / f"{path.name}.{digest}.lock"


def _remove_lock_file(lock_path: Path) -> None:
    """Delete the lock file while still holding the lock, so no empty file stays behind.

    Safe on POSIX: only the holder unlinks, and a waiter that then wins the lock on the
    unlinked file sees it has no name any more and retries on a fresh one (filelock checks
    st_nlink). On Windows the file cannot be deleted while open; filelock removes it there
    itself after release."""
    if os.name != "posix":
        return
    try:
        lock_path.unlink()
    except OSError:
        pass
