"""`ledger schedule-install`: a daily Windows Task Scheduler entry (or a cron line) that runs
`ledger remind`, for offices that prefer it to a `ledger watch` process that stays up.

The task runs `python -m automation remind LEDGER --workdays-only`: Task Scheduler knows
nothing of Chinese holidays and adjusted working days, so the task fires every day and
the command itself skips days that are not working days (chinese-calendar).
`days="weekdays"` makes a Monday-to-Friday task instead (adjusted working Saturdays and
Sundays are then missed, holidays still skipped by `--workdays-only`).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import messages as M
from .settings import parse_time

DEFAULT_TASK_NAME = "提案台账催办提醒"
WEEKDAYS = "MON,TUE,WED,THU,FRI"
TR_LIMIT = 261  # schtasks refuses a /TR longer than this


def _hhmm(time: str) -> str:
    try:
        t = parse_time(time)
    except ValueError:
        raise ValueError(M.SCHTASKS_BAD_TIME.format(value=time)) from None
    return t.strftime("%H:%M")


def remind_argv(python_exe: str | Path, ledger: str | Path, *, config_path: str | Path | None = None,
                workdays_only: bool = True) -> list[str]:
    """The command the task runs, as an argument list."""
    argv = [str(python_exe), "-m", "automation", "remind", str(ledger)]
    if config_path:
        argv += ["--config", str(config_path)]
    if workdays_only:
        argv.append("--workdays-only")
    return argv


def schtasks_args(
    python_exe: str | Path,
    ledger: str | Path,
    time: str = "09:00",
    *,
    days: str = "daily",
    task_name: str = DEFAULT_TASK_NAME,
    config_path: str | Path | None = None,
    workdays_only: bool = True,
) -> list[str]:
    """`schtasks /Create` as an argument list (what `register` runs)."""
    task_run = subprocess.list2cmdline(remind_argv(python_exe, ledger, config_path=config_path,
                                                   workdays_only=workdays_only))
    if len(task_run) > TR_LIMIT:
        raise ValueError(M.SCHTASKS_TOO_LONG)
    args = ["schtasks", "/Create", "/TN", task_name, "/TR", task_run]
    if days == "weekdays":
        args += ["/SC", "WEEKLY", "/D", WEEKDAYS]
    else:
        args += ["/SC", "DAILY"]
    args += ["/ST", _hhmm(time), "/F"]
    return args


def schedule_install_command(
    python_exe: str | Path,
    ledger: str | Path,
    time: str = "09:00",
    *,
    days: str = "daily",
    task_name: str = DEFAULT_TASK_NAME,
    config_path: str | Path | None = None,
    workdays_only: bool = True,
) -> str:
    """The `schtasks /Create ...` line to paste into a Windows command prompt, e.g.

        schtasks /Create /TN 提案台账催办提醒 /TR "\\"C:\\Python311\\python.exe\\" -m automation
        remind D:\\台账\\2026.xlsx --workdays-only" /SC DAILY /ST 09:00 /F

    (one line; quoting as schtasks documents it: the /TR value in double quotes, inner
    quotes escaped with a backslash)."""
    return subprocess.list2cmdline(schtasks_args(
        python_exe, ledger, time, days=days, task_name=task_name, config_path=config_path,
        workdays_only=workdays_only))


def cron_line(
    python_exe: str | Path,
    ledger: str | Path,
    time: str = "09:00",
    *,
    days: str = "daily",
    config_path: str | Path | None = None,
    log_path: str | Path | None = None,
    workdays_only: bool = True,
) -> str:
    """The crontab line doing the same on Linux (`%` escaped as cron requires)."""
    t = parse_time(_hhmm(time))
    dow = "1-5" if days == "weekdays" else "*"
    command = shlex.join(remind_argv(python_exe, ledger, config_path=config_path,
                                     workdays_only=workdays_only))
    if log_path:
        command += f" >> {shlex.quote(str(log_path))} 2>&1"
    return f"{t.minute} {t.hour} * * {dow} {command}".replace("%", "\\%")


def register(args: Sequence[str], *, platform: str = sys.platform,
             run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> int:
    """Run `schtasks` (Windows only); returns its exit code. Elsewhere raises OSError."""
    if not platform.startswith("win"):
        raise OSError(M.SCHTASKS_NOT_WINDOWS)
    return run(list(args), check=False).returncode
