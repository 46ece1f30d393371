"""What the local service writes to its log: bounded, escaped, without secrets.

A refused request can come from any web page the user opens (it only needs to point at
127.0.0.1), so whatever a request carries is hostile text: its path may be 64 KB long, hold
terminal escape sequences or a token in a query string. Everything taken from a request goes
through `clean` before it is logged; refusals go through a `Throttle` (a few lines a minute,
then one "suppressed K" line); the log file rotates by size (`rotating_file_handler`).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

#: Longest text taken from a request that is logged (a path, a header), in characters.
MAX_LOGGED = 200
#: service.log is rotated at this size, keeping this many old files: at most 4 MiB in all.
LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 3
#: Refusal lines logged per minute; the rest are counted and reported in one line.
REFUSALS_PER_MINUTE = 20

# C0 and C1 controls, DEL, lone surrogates, and the line/paragraph separators: none of them
# may reach a terminal or a log line raw (ESC [ ... rewrites the console; CR forges lines).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# A query parameter whose name mentions a token, key, secret or password: its value is redacted.
_SECRET_PARAM = re.compile(r"(?i)([?&;][^=&;#]*(?:token|key|secret|passw|pwd|auth)[^=&;#]*=)[^&;#]*")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object, limit: int = MAX_LOGGED) -> str:
    """Request text made safe to log: secrets in the query redacted, controls escaped, cut.

    `None` stays "None" (an absent header). The limit applies to the escaped text, so a line
    never grows past about `limit` characters whatever the request held.
    """
    if text is None:
        return "None"
    value = _SECRET_PARAM.sub(r"\1***", str(text))
    value = _UNSAFE.sub(_escape, value)
    if len(value) > limit:
        value = value[:limit] + f"…(+{len(value) - limit})"
    return value


class Throttle:
    """At most `per_minute` events in each minute; the rest are counted (thread-safe).

    `allow(now)` answers (log this one?, events suppressed since the last logged one); the
    clock is an argument (monotonic seconds), so the rule is tested without waiting.
    """

    def __init__(self, per_minute: int = REFUSALS_PER_MINUTE):
        self.per_minute = per_minute
        self._window_start: float | None = None
        self._in_window = 0
        self._suppressed = 0
        self._lock = threading.Lock()

    def allow(self, now: float) -> tuple[bool, int]:
        with self._lock:
            if self._window_start is None or now - self._window_start >= 60:
                self._window_start = now
                self._in_window = 0
            if self._in_window < self.per_minute:
                self._in_window += 1
                suppressed, self._suppressed = self._suppressed, 0
                return True, suppressed
            self._suppressed += 1
            return False, 0


def rotating_file_handler(path: Path) -> logging.Handler:
    """service.log, rotated at LOG_MAX_BYTES with LOG_BACKUPS old files kept.

    Text that UTF-8 cannot hold (a lone surrogate from a cell) is backslash-escaped rather than
    failing the write (a failed write would print a traceback to the console)."""
    return logging.handlers.RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                encoding="utf-8", errors="backslashreplace")


def private_folder(path: Path) -> None:
    """Create the service's folder readable by the user only (0700; the token lives there),
    also when `serve` runs before `wps-setup` made it. Windows ignores the mode: %APPDATA% is
    private already."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        path.chmod(0o700)
    except OSError:
        pass
