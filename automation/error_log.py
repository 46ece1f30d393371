"""The log of unexpected errors: in the user's own log folder, and never a cause of failure.

The log used to be one shared file in the temporary folder; when another user owned it, the
error handler itself crashed. Now it lives where `platformdirs` puts a user's logs, and any
failure to write it is swallowed: the user still gets the one-sentence message.
"""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

APP_NAME = "ledger-assistant"
LOG_NAME = "ledger-assistant.log"


def log_file() -> Path:
    """Where unexpected errors are logged (e.g. ~/.local/state/ledger-assistant/log/ on Linux,
    %LOCALAPPDATA%\\ledger-assistant\\Logs on Windows)."""
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False)) / LOG_NAME


def write_error_log(error: BaseException, now: dt.datetime | None = None) -> Path | None:
    """Append `error` with its traceback to the log; the log's path, or None when it could not be
    written (any reason at all: no home folder, a folder owned by someone else, a full disk)."""
    try:
        path = log_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = (now or dt.datetime.now()).isoformat(timespec="seconds")
        text = f"{stamp} ERROR unexpected error\n" + "".join(traceback.format_exception(error))
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
        return path
    except Exception:  # noqa: BLE001 - logging must never turn one failure into two
        return None
