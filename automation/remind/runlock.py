"""One reminder run at a time per reminder log.

Two runs planning from the same log (a scheduled task and `ledger watch`, or two clicks)
would both see "not sent yet" and both send. The run holds an OS file lock (filelock) on
`<log>.lock` beside the log from planning to recording; a second run waits a few seconds
for it, then gives up and says so. The lock is released by the OS if the process dies.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

POLL_SECONDS = 0.2


class ReminderBusy(Exception):
    """Another run holds the reminder log (or a stop was asked while waiting)."""

    def __init__(self, lock_path: Path, stopped: bool = False) -> None:
        super().__init__(str(lock_path))
        self.lock_path = lock_path
        self.stopped = stopped


class LockFailed(Exception):
    """The lock file cannot be created (a read-only folder, a full disk)."""

    def __init__(self, lock_path: Path, error: OSError) -> None:
        super().__init__(f"{lock_path}: {error}")
        self.lock_path = lock_path
        self.error = error


def lock_path_for(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + ".lock")


@contextmanager
def reminder_lock(log_path: str | Path, wait: float, stop: threading.Event | None = None,
                  *, clock=time.monotonic) -> Iterator[Path]:
    """Hold the lock of `log_path` for a `with` block; wait at most `wait` seconds (in short
    steps, so a stop request ends the wait) or raise `ReminderBusy`."""
    path = lock_path_for(Path(log_path))
    end = clock() + max(0.0, wait)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path))
        while True:
            if stop is not None and stop.is_set():
                raise ReminderBusy(path, stopped=True)
            try:
                lock.acquire(timeout=max(0.0, min(POLL_SECONDS, end - clock())))
                break
            except Timeout:
                if clock() >= end:
                    raise ReminderBusy(path) from None
    except OSError as exc:
        raise LockFailed(path, exc) from None
    try:
        yield path
    finally:
        lock.release()
