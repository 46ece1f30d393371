"""Fresh every morning: refresh the summary sheets on working mornings (config [schedule]).

Off by default. `ledger watch` adds the morning time to its run times and, at that slot,
refreshes; the scheduled task runs `ledger refresh LEDGER --scheduled`. A workbook that is
open in Excel/WPS is never written (DESIGN.md invariant 4): the summary goes to the side
file beside it (`台账_统计汇总.xlsx`, as for a legacy .xls) and the output says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from automation import messages

SECTION = "schedule"
DEFAULT_TIME = dt.time(7, 30)
_TRUE = {"yes", "true", "on", "1", "是", "启用", "开", "y"}
_FALSE = {"no", "false", "off", "0", "否", "停用", "关", "n", ""}


@dataclass(frozen=True)
class MorningSettings:
    enabled: bool = False
    time: dt.time = DEFAULT_TIME


def switch(parser, section: str, key: str, default: bool = False) -> bool:
    """A 是/否 setting (also yes/no, true/false, 1/0); ValueError with a Chinese message otherwise."""
    if parser is None or not parser.has_option(section, key):
        return default
    raw = parser.get(section, key).strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ValueError(messages.CONFIG_BAD_SWITCH.format(section=section, key=key, value=raw))
    return raw in _TRUE


def morning_settings(parser) -> MorningSettings:
    """[schedule] morning_refresh (是/否) and morning_time (HH:MM); ValueError with a Chinese
    message for a value that is neither."""
    if parser is None or not parser.has_section(SECTION):
        return MorningSettings()
    raw = parser.get(SECTION, "morning_refresh", fallback="否").strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ValueError(messages.MORNING_BAD_SWITCH.format(value=raw))
    text = parser.get(SECTION, "morning_time", fallback="").strip()
    time = DEFAULT_TIME
    if text:
        try:
            time = dt.datetime.strptime(text.replace("：", ":"), "%H:%M").time()
        except ValueError:
            raise ValueError(messages.MORNING_BAD_TIME.format(value=text)) from None
    return MorningSettings(raw in _TRUE, time)


def jobs_at(now: dt.time, morning: dt.time | None, reminder_times: tuple[dt.time, ...]) -> set[str]:
    """What the watch slot that has just come is for: the latest configured time at or before
    `now` ("refresh" for the morning time, "remind" for a reminder time; both when equal)."""
    slots = [t for t in (*reminder_times, *([morning] if morning else [])) if t <= now]
    if not slots:  # woke before the first slot (a missed slot run late): remind, as before
        return {"remind"}
    latest = max(slots)
    jobs = set()
    if morning is not None and latest == morning:
        jobs.add("refresh")
    if latest in reminder_times:
        jobs.add("remind")
    return jobs


def side_file(path: Path) -> Path:
    """The side file of DESIGN invariant 4 (the name refresh uses for a legacy .xls)."""
    from automation.refresh import side_file_for_legacy

    return side_file_for_legacy(path)


def morning_refresh(path: Path, config, today: dt.date, now: dt.datetime):
    """Refresh the workbook, or its side file when it is open; returns (result, lines to print)."""
    from automation.refresh import refresh_workbook
    from automation.safe_write import find_owner
    from automation.xlsx.errors import WorkbookInUseError

    owner = find_owner(path)
    if owner is None:
        try:
            result = refresh_workbook(path, config, today, now)
            return result, [messages.MORNING_DONE.format(path=result.written, today=today.isoformat())]
        except WorkbookInUseError as error:  # locked without an owner file: the side file, too
            owner = error.owner or messages.XLSX_UNKNOWN_USER
    target = side_file(path)
    result = refresh_workbook(path, config, today, now, output=target)
    return result, [messages.MORNING_SIDE_FILE.format(name=path.name, user=owner, side=target)]


def is_working_day(day: dt.date) -> bool:
    """A Chinese working day (holidays off, adjusted working days on; Monday to Friday for a
    year the calendar does not know)."""
    from automation.dates import official_workday

    return official_workday(day)[1]


def watch_job(ledger: Path, config, day: dt.date, now: dt.datetime, morning: MorningSettings,
              reminder_times: tuple[dt.time, ...], remind, say) -> int:
    """One `ledger watch` slot: the morning refresh at the morning time, `remind(day)` at a
    reminder time (both when they coincide). Returns the exit code of the slot."""
    jobs = jobs_at(now.time(), morning.time if morning.enabled else None, reminder_times)
    if "refresh" in jobs:
        from automation.history import record_snapshot

        result, lines = morning_refresh(ledger, config, day, now)
        for line in lines + record_snapshot(ledger, result.analysis, now.date(), now, "morning"):
            say(line)
    return remind(day) if "remind" in jobs else 0


TASK_NAME = "提案台账早间刷新"


def morning_task_lines(python_exe: str | Path, ledger: str | Path, time: dt.time,
                       config_path: str | Path | None = None) -> list[str]:
    """The Windows Task Scheduler line and the cron line for the morning refresh task
    (`python -m automation refresh LEDGER --scheduled`, which skips days that are not working days)."""
    import shlex
    import subprocess

    argv = [str(python_exe), "-m", "automation", "refresh", str(ledger), "--scheduled"]
    if config_path:
        argv += ["--config", str(config_path)]
    schtasks = ["schtasks", "/Create", "/TN", TASK_NAME, "/TR", subprocess.list2cmdline(argv), "/SC", "DAILY",
                "/ST", time.strftime("%H:%M"), "/F"]
    return [subprocess.list2cmdline(schtasks), f"{time.minute} {time.hour} * * * {shlex.join(argv)}"]
