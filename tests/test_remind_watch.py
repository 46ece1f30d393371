"""The `ledger watch` loop with a controlled clock, the working-day calendar, stopping on
signals, and the Task Scheduler / cron lines."""

from __future__ import annotations

import datetime as dt
import io
import signal
import threading
import time

import pytest

from automation.remind import ReminderSettings, RunResult, WorkdayCalendar, next_run_at, watch
from automation.remind.schtasks import (
    cron_line,
    register,
    schedule_install_command,
    schtasks_args,
)
from automation.remind.settings import parse_time


class Clock:
    """A controlled clock: `sleep` advances it; the loop stops at `end`."""

    def __init__(self, start: dt.datetime, end: dt.datetime, stop: threading.Event) -> None:
        self.now, self.end, self.stop = start, end, stop
        self.sleeps: list[float] = []

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += dt.timedelta(seconds=seconds)
        if self.now >= self.end:
            self.stop.set()


def settings(times="09:00", retry="1, 2") -> ReminderSettings:
    import configparser

    c = configparser.ConfigParser()
    c.read_string(f"[reminders]\ntimes = {times}\nwatch_retry_minutes = {retry}\n")
    return ReminderSettings.from_config(c)


def recording_check(clock_box, calls, result=0):
    def check(today):
        calls.append((today, clock_box[0]()))
        return result
    return check


def test_runs_on_working_days_at_the_set_time_including_an_adjusted_saturday():
    calls = []
    box = []
    check = recording_check(box, calls)
    stop = threading.Event()
    clock = Clock(dt.datetime(2026, 9, 30, 8, 0), dt.datetime(2026, 10, 19, 12, 0), stop)
    box.append(clock)
    out = io.StringIO()
    runs = watch(check, settings(), clock=clock, sleep=clock.sleep, stop_event=stop, out=out,
                 handle_signals=False)
    days = [d for d, _ in calls]
    assert days == [
        dt.date(2026, 9, 30),  # Wednesday
        # 10-01 .. 10-07: National Day holidays
        dt.date(2026, 10, 8), dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),  # Saturday, an adjusted working day
        dt.date(2026, 10, 12), dt.date(2026, 10, 13), dt.date(2026, 10, 14),
        dt.date(2026, 10, 15), dt.date(2026, 10, 16),
        # 10-17: an ordinary Saturday; 10-18 Sunday
        dt.date(2026, 10, 19),
    ]
    assert all(t == dt.datetime.combine(d, dt.time(9, 0)) for d, t in calls)
    assert runs == len(calls)
    assert dt.date(2026, 10, 17) not in days
    text = out.getvalue()
    assert text.count("提醒检查（截至") == len(calls)  # one log line per run
    assert "提醒服务已停止" in text


def test_runs_on_an_adjusted_working_sunday():
    calls, box = [], []
    stop = threading.Event()
    clock = Clock(dt.datetime(2026, 9, 18, 10, 0), dt.datetime(2026, 9, 21, 8, 0), stop)
    box.append(clock)
    watch(recording_check(box, calls), settings(), clock=clock, sleep=clock.sleep,
          stop_event=stop, out=io.StringIO(), handle_signals=False)
    # started Friday after 09:00; Saturday 09-19 is a day off; Sunday 09-20 is a working day
    assert [d for d, _ in calls] == [dt.date(2026, 9, 20)]
    assert dt.date(2026, 9, 20).weekday() == 6


def test_several_times_a_day():
    calls, box = [], []
    stop = threading.Event()
    clock = Clock(dt.datetime(2026, 10, 9, 9, 30), dt.datetime(2026, 10, 10, 23, 0), stop)
    box.append(clock)
    watch(recording_check(box, calls), settings("09:00, 14:30"), clock=clock, sleep=clock.sleep,
          stop_event=stop, out=io.StringIO(), handle_signals=False)
    assert [t for _, t in calls] == [dt.datetime(2026, 10, 9, 14, 30), dt.datetime(2026, 10, 10, 9, 0),
                                     dt.datetime(2026, 10, 10, 14, 30)]


def test_keeps_running_after_a_failing_run_with_backoff_and_reports_it_next_time():
    calls = []
    box = []

    def check(today):
        calls.append(box[0]())
        n = len(calls)
        if n == 1:
            raise PermissionError("台账被占用（文件已锁定）")
        if n == 2:
            return RunResult(today=today, dry_run=False, exit_code=1, error="无法连接邮件服务器")
        if n == 3:
            raise OSError("still locked")
        return 0

    stop = threading.Event()
    clock = Clock(dt.datetime(2026, 10, 9, 8, 0), dt.datetime(2026, 10, 12, 12, 0), stop)
    box.append(clock)
    out = io.StringIO()
    runs = watch(check, settings(retry="1, 2"), clock=clock, sleep=clock.sleep, stop_event=stop,
                 out=out, handle_signals=False)
    assert calls == [
        dt.datetime(2026, 10, 9, 9, 0), dt.datetime(2026, 10, 9, 9, 1),  # retry after 1 minute
        dt.datetime(2026, 10, 9, 9, 3),  # then after 2 more minutes; then it gives up
        dt.datetime(2026, 10, 10, 9, 0),  # the next working day runs (and succeeds)
        dt.datetime(2026, 10, 12, 9, 0),
    ]
    assert runs == 3
    text = out.getvalue()
    assert "台账被占用" in text and "无法连接邮件服务器" in text
    assert "60 秒后重试（第 1/2 次）" in text and "已重试 2 次仍失败" in text
    # the failure is reported with the next run
    after = text.split("已重试 2 次仍失败", 1)[1]
    assert "上次运行（2026-10-09 09:03）失败：OSError: still locked" in after


def test_a_machine_waking_late_runs_once_for_the_day_it_is():
    calls, box = [], []
    stop = threading.Event()
    clock = Clock(dt.datetime(2026, 10, 9, 8, 0), dt.datetime(2026, 10, 13, 12, 0), stop)
    box.append(clock)
    original = clock.sleep

    def sleep(seconds):
        if clock.now == dt.datetime(2026, 10, 9, 8, 0):  # suspended until Monday 11:00
            clock.now = dt.datetime(2026, 10, 12, 11, 0)
            return
        original(seconds)

    watch(recording_check(box, calls), settings(), clock=clock, sleep=sleep, stop_event=stop,
          out=io.StringIO(), handle_signals=False)
    assert [t for _, t in calls] == [dt.datetime(2026, 10, 12, 11, 0), dt.datetime(2026, 10, 13, 9, 0)]


def test_next_run_at():
    cal = WorkdayCalendar()
    times = [dt.time(9), dt.time(14, 30)]
    assert next_run_at(dt.datetime(2026, 10, 9, 9, 0), times, cal) == dt.datetime(2026, 10, 9, 9, 0)
    assert next_run_at(dt.datetime(2026, 10, 9, 15, 0), times, cal) == dt.datetime(2026, 10, 10, 9, 0)
    assert next_run_at(dt.datetime(2026, 9, 30, 15, 0), times, cal) == dt.datetime(2026, 10, 8, 9, 0)


def test_calendar_falls_back_to_weekdays_for_unknown_years_and_warns_once():
    warnings = []
    cal = WorkdayCalendar(warn=warnings.append)
    assert cal(dt.date(2026, 10, 10)) is True  # adjusted Saturday
    assert cal(dt.date(2026, 10, 1)) is False  # National Day
    assert cal(dt.date(2031, 1, 6)) is True  # a Monday of an unknown year
    assert cal(dt.date(2031, 1, 4)) is False  # a Saturday
    assert cal(dt.date(2031, 1, 7)) is True
    assert len(warnings) == 1 and "2031" in warnings[0]


def test_sigterm_stops_the_loop_and_restores_handlers():
    assert threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGTERM)
    stop = threading.Event()
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 1:
            signal.raise_signal(signal.SIGTERM)
        else:
            stop.wait(0.01)
        if len(sleeps) > 100:  # safety net: the test fails instead of hanging
            stop.set()

    out = io.StringIO()
    watch(lambda d: 0, settings(), clock=lambda: dt.datetime(2026, 10, 9, 8, 0), sleep=sleep,
          stop_event=stop, out=out)
    assert stop.is_set() and len(sleeps) <= 2
    assert signal.getsignal(signal.SIGTERM) == before
    assert "提醒服务已停止" in out.getvalue()


def test_stop_event_ends_a_real_time_loop_promptly():
    stop = threading.Event()
    out = io.StringIO()
    thread = threading.Thread(target=watch, args=(lambda d: 0, settings()),
                              kwargs={"stop_event": stop, "out": out, "handle_signals": False,
                                      "poll_seconds": 30})
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 2
    assert "提醒服务已启动" in out.getvalue()


# --- schtasks / cron ----------------------------------------------------------------------

def test_schtasks_daily_line():
    line = schedule_install_command(r"C:\Program Files\Python311\python.exe", r"D:\台账\2026年台账.xlsx", "9:00")
    assert line == (r'schtasks /Create /TN 提案台账催办提醒 /TR "\"C:\Program Files\Python311\python.exe\"'
                    r' -m automation remind D:\台账\2026年台账.xlsx --workdays-only" /SC DAILY /ST 09:00 /F')


def test_schtasks_weekdays_and_config():
    args = schtasks_args(r"C:\Py\python.exe", r"D:\台账 2026\台账.xlsx", "08:30", days="weekdays",
                         config_path=r"D:\台账 2026\config.ini", task_name="催办")
    assert args[:4] == ["schtasks", "/Create", "/TN", "催办"]
    assert args[args.index("/SC") + 1] == "WEEKLY"
    assert args[args.index("/D") + 1] == "MON,TUE,WED,THU,FRI"
    assert args[args.index("/ST") + 1] == "08:30"
    assert args[args.index("/TR") + 1] == (r'C:\Py\python.exe -m automation remind "D:\台账 2026\台账.xlsx"'
                                           r' --config "D:\台账 2026\config.ini" --workdays-only')
    with pytest.raises(ValueError, match="HH:MM"):
        schtasks_args("python", "x.xlsx", "9点")
    with pytest.raises(ValueError, match="261"):
        schtasks_args("python", "D:\\" + "很长的文件夹名\\" * 40 + "台账.xlsx")


def test_register_runs_schtasks_only_on_windows():
    seen = []

    class Done:
        returncode = 0

    assert register(["schtasks", "/Create"], platform="win32",
                    run=lambda args, check: seen.append(args) or Done()) == 0
    assert seen == [["schtasks", "/Create"]]
    with pytest.raises(OSError, match="Windows"):
        register(["schtasks"], platform="linux")


def test_cron_line():
    line = cron_line("/opt/venv/bin/python", "/srv/台账/2026 台账.xlsx", "09:05",
                     log_path="/var/log/ledger-%Y.log")
    assert line == ("5 9 * * * /opt/venv/bin/python -m automation remind '/srv/台账/2026 台账.xlsx'"
                    " --workdays-only >> /var/log/ledger-\\%Y.log 2>&1")
    assert cron_line("python", "a.xlsx", "9:00", days="weekdays").startswith("0 9 * * 1-5 ")


def test_parse_time():
    assert parse_time("9:05") == dt.time(9, 5)
    assert parse_time("09：00") == dt.time(9, 0)
    with pytest.raises(ValueError):
        parse_time("25:00")
