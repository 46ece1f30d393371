"""One reminder run (`run_once`, `remind_command`) and the long-running scheduler (`watch`).

`today` is always passed in. The wall clock is read only through the injectable `clock`
arguments (the watch loop's time source, the send timestamps) so tests control it.
"""

from __future__ import annotations

import configparser
import datetime as dt
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, TextIO

import schedule

from . import messages as M
from . import render
from .channels import Redactor, Sender, build_senders, secrets_from_env
from .contacts import Directory, load_directory
from .log import ReminderLog, SentRecord
from .plan import PREVIEW_CHANNEL, Message, Plan, Skip, item_key, plan_reminders
from .runlock import LockFailed, ReminderBusy, reminder_lock
from .settings import ReminderConfigError, ReminderSettings
from ..items import FlaggedItem

logger = logging.getLogger("automation.remind")

EXIT_OK = 0
EXIT_SEND_FAILED = 1  # a send failed, or its delivery is unknown
EXIT_CONFIG = 2
EXIT_BUSY = 5  # another run holds the reminder log: this one sent nothing


@dataclass(frozen=True)
class Sent:
    channel: str
    recipient: str
    address: str
    counts: str
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class Failed:
    channel: str
    recipient: str
    error: str


@dataclass
class RunResult:
    today: dt.date
    dry_run: bool
    exit_code: int = EXIT_OK
    plan: Plan | None = None
    sent: list[Sent] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    unknown: list[Failed] = field(default_factory=list)  # sent whole, confirmation lost
    error: str = ""  # a configuration / setup problem that stopped the run
    log_errors: list[str] = field(default_factory=list)  # sent, but the log could not record it

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    @property
    def skipped(self) -> list[Skip]:
        return self.plan.skipped if self.plan else []

    @property
    def unreachable(self):
        return self.plan.unreachable if self.plan else []

    def summary(self) -> str:
        if self.error:
            return self.error
        return M.RUN_SUMMARY.format(sent=len(self.sent), failed=len(self.failed),
                                    skipped=len(self.skipped), unreachable=len(self.unreachable))


class _Out:
    """Writes report lines to the stream and the logger, secrets removed."""

    def __init__(self, out: TextIO | None, redactor: Redactor) -> None:
        self.out = out if out is not None else sys.stdout
        self.redact = redactor

    def __call__(self, line: str = "", log_level: int | None = logging.INFO) -> None:
        text = self.redact(line)
        self.out.write(text + "\n")
        if log_level is not None and text.strip():
            logger.log(log_level, text)


def _recipient_label(message: Message) -> str:
    r = message.recipient
    if message.channel == "email" and r.email:
        return f"{r.name} <{r.email}>"
    return r.name


def _preview(message: Message, settings: ReminderSettings, say: _Out) -> None:
    from .channels import payloads_for

    say(M.REPORT_PREVIEW_HEADER.format(channel=M.CHANNEL_LABELS[message.channel],
                                       recipient=_recipient_label(message)), None)
    if message.channel in ("email", PREVIEW_CHANNEL):
        say(M.REPORT_PREVIEW_SUBJECT.format(subject=render.subject(message, settings)), None)
        say(render.plain_text(message, settings).rstrip("\n"), None)
    else:
        import json
        for payload in payloads_for(message.channel, message, settings):
            say(json.dumps(payload, ensure_ascii=False, indent=1), None)
    say("", None)


def _skip_summary(skipped: list[Skip]) -> str:
    counter = Counter(s.reason.split("（")[0] for s in skipped)
    return "，".join(f"{reason} {n}" for reason, n in counter.most_common())


def _report_plan_parts(plan: Plan, say: _Out, verbose: bool) -> None:
    if plan.skipped:
        say(M.REPORT_SKIPPED.format(n=len(plan.skipped), reasons=_skip_summary(plan.skipped)))
        if verbose:
            for s in plan.skipped:
                say(M.REPORT_SKIPPED_DETAIL.format(channel=M.CHANNEL_LABELS[s.channel],
                                                   recipient=s.recipient.name,
                                                   item=s.item.id, reason=s.reason), None)
    if plan.unreachable:
        say(M.REPORT_UNREACHABLE.format(n=len(plan.unreachable)))
        for u in plan.unreachable:
            routed = (M.REPORT_ROUTED_TO.format(names="、".join(u.routed_to)) if u.routed_to
                      else M.REPORT_NOT_ROUTED)
            say(M.REPORT_UNREACHABLE_LINE.format(
                name=u.name or M.NO_NAME, role=u.role, reason=u.reason,
                items="、".join(i.id for i in u.items), routed=routed), logging.WARNING)
    for w in plan.warnings:
        say(M.REPORT_WARNING.format(text=w), logging.WARNING)


def run_once(
    items: Iterable[FlaggedItem],
    directory: Directory,
    settings: ReminderSettings,
    log: ReminderLog,
    today: dt.date,
    dry_run: bool = False,
    out: TextIO | None = None,
    *,
    senders: Mapping[str, Sender] | None = None,
    redactor: Redactor | None = None,
    clock: Callable[[], float] = time.time,
    stop: threading.Event | None = None,
) -> RunResult:
    """Plan today's reminders, send them (unless `dry_run`), record what was sent, and
    print a Chinese report to `out`. Exit code: 0 ok, 1 a send failed (or its delivery is
    unknown: recorded so it is not sent again today), 2 configuration.

    `senders` (from `channels.build_senders`) are required to send; `remind_command`
    builds them. `log` is only read when `dry_run`."""
    redactor = redactor or Redactor()
    say = _Out(out, redactor)
    result = RunResult(today=today, dry_run=dry_run)
    say(M.REPORT_HEADER.format(date=today.isoformat(), mode=M.REPORT_DRY_RUN if dry_run else ""))
    for w in directory.warnings:
        say(M.REPORT_WARNING.format(text=w), logging.WARNING)
    previous = log.unreported_failures()
    for run in previous:
        say(M.REPORT_PREVIOUS_FAILURE.format(when=run.started_at or run.day.isoformat(),
                                             date=run.day.isoformat(),
                                             error=run.failures or run.summary), logging.WARNING)

    plan = plan_reminders(items, directory, settings, log, today)
    result.plan = plan

    if dry_run or not settings.enabled_channels:
        if not settings.enabled_channels:
            say(M.REPORT_NO_CHANNEL)
        if plan.messages:
            say((M.REPORT_WOULD_SEND if settings.enabled_channels else M.REPORT_WOULD_REMIND)
                .format(n=len(plan.messages)))
            for m in plan.messages:
                say(M.REPORT_MESSAGE_LINE.format(channel=M.CHANNEL_LABELS[m.channel],
                                                 recipient=_recipient_label(m),
                                                 counts=render.counts(m)))
        else:
            say(M.REPORT_NOTHING)
        _report_plan_parts(plan, say, verbose=dry_run)
        if dry_run:
            say("")
            for m in plan.messages:
                _preview(m, settings, say)
        say(M.REPORT_RESULT_OK)
        return result

    if senders is None:
        raise ValueError("run_once needs senders to send (see channels.build_senders)")

    started = dt.datetime.fromtimestamp(clock())
    for channel in settings.enabled_channels:
        messages = plan.for_channel(channel)
        if not messages or channel not in senders:
            continue
        journal = log if hasattr(log, "record_part") else None  # webhook parts, one by one
        for outcome in senders[channel].send(messages, journal=journal):
            m = outcome.message
            if outcome.ok or outcome.unknown:
                try:
                    log.mark_sent(
                        [SentRecord(today, item_key(e.item), e.item.id, m.recipient.key, e.kind,
                                    channel) for e in m.entries],
                        sent_at=dt.datetime.fromtimestamp(clock()),
                        **({"status": "unknown"} if outcome.unknown else {}))
                except (sqlite3.Error, OSError) as exc:  # sent, but not recorded
                    result.log_errors.append(redactor(f"{type(exc).__name__}: {exc}"))
            if outcome.ok:
                result.sent.append(Sent(channel, m.recipient.name, outcome.address,
                                        render.counts(m), tuple(e.item.id for e in m.entries)))
            elif outcome.unknown:
                label = f"{m.recipient.name} <{outcome.address}>" if channel == "email" else m.recipient.name
                result.unknown.append(Failed(channel, label, redactor(outcome.error)))
            else:
                result.failed.append(Failed(channel, m.recipient.name, redactor(outcome.error)))

    if result.sent:
        say(M.REPORT_SENT.format(n=len(result.sent)))
        for s in result.sent:
            recipient = f"{s.recipient} <{s.address}>" if s.channel == "email" else s.recipient
            say(M.REPORT_MESSAGE_LINE.format(channel=M.CHANNEL_LABELS[s.channel],
                                             recipient=recipient, counts=s.counts))
    elif not result.failed and not result.unknown:
        say(M.REPORT_NOTHING)
    if result.unknown:
        say(M.REPORT_UNKNOWN.format(n=len(result.unknown)), logging.WARNING)
        for u in result.unknown:
            say(M.REPORT_FAILED_LINE.format(channel=M.CHANNEL_LABELS[u.channel], recipient=u.recipient,
                                            error=u.error), logging.WARNING)
        result.exit_code = EXIT_SEND_FAILED
    _report_plan_parts(plan, say, verbose=False)
    if result.log_errors:
        say(M.REPORT_LOG_WRITE_FAILED.format(path=getattr(log, "path", ""),
                                             error=result.log_errors[0]), logging.ERROR)
        result.exit_code = EXIT_SEND_FAILED
    if result.failed:
        say(M.REPORT_FAILED.format(n=len(result.failed)), logging.ERROR)
        grouped: dict[tuple[str, str], list[str]] = {}
        for f in result.failed:  # one line per channel and error, naming everyone it hit
            grouped.setdefault((f.channel, f.error), []).append(f.recipient)
        for (channel, error), names in grouped.items():
            say(M.REPORT_FAILED_LINE.format(channel=M.CHANNEL_LABELS[channel],
                                            recipient="、".join(names), error=error), logging.ERROR)
        result.exit_code = EXIT_SEND_FAILED
        say(M.REPORT_RESULT_FAILED.format(n=len(result.failed), code=result.exit_code), logging.ERROR)
    elif result.unknown:
        say(M.REPORT_RESULT_UNKNOWN.format(n=len(result.unknown), code=result.exit_code), logging.WARNING)
    elif not result.log_errors:
        say(M.REPORT_RESULT_OK)
    if stop is not None and stop.is_set():
        say(M.REPORT_STOPPED, logging.WARNING)
    failures = sorted({redactor(f"{M.CHANNEL_LABELS[f.channel]}：{f.error}")
                       for f in result.failed + result.unknown})
    try:
        # a delivery-unknown is said in this run's report; the next run has nothing to add
        log.record_run(today, ok=not result.failed, summary=result.summary(), failures=failures,
                       started_at=started)
    except (sqlite3.Error, OSError) as exc:
        say(M.REPORT_LOG_WRITE_FAILED.format(path=getattr(log, "path", ""),
                                             error=redactor(exc)), logging.ERROR)
        result.exit_code = result.exit_code or EXIT_SEND_FAILED
    return result


def remind_command(
    items: Iterable[FlaggedItem],
    workbook_path: str | Path | None,
    config: configparser.ConfigParser | None,
    today: dt.date,
    dry_run: bool = False,
    out: TextIO | None = None,
    *,
    env: Mapping[str, str] | None = None,
    workdays_only: bool = False,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], object] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """The whole `ledger remind` given the flagged items; returns the exit code.

    Reads the settings and contacts (workbook 通讯录 sheet + config [contacts]), takes the
    reminder log's lock (one run at a time; `EXIT_BUSY` when another run keeps it longer
    than `[reminders] lock_wait_seconds`), opens the log (read-only, and no lock, for a dry
    run), builds the senders with the secrets from `env` (default: `os.environ`), runs
    once. `workdays_only`: on a day that is not a Chinese working day, print so and return
    0 (for a daily Task Scheduler entry). `stop` set (SIGTERM in `ledger watch`) cuts the
    current send off and ends the run; waits (`sleep`, default: the stop event's) end too."""
    environ = os.environ if env is None else env
    if sleep is None:
        sleep = stop.wait if stop is not None else time.sleep
    out = out if out is not None else sys.stdout
    try:
        settings = ReminderSettings.from_config(config, ledger_path=workbook_path)
        redactor = secrets_from_env(settings, environ)
    except ReminderConfigError as exc:
        out.write(M.REPORT_CONFIG_ERROR.format(error=exc) + "\n")
        out.write(M.REPORT_RESULT_CONFIG.format(code=EXIT_CONFIG) + "\n")
        logger.error("%s", exc)
        return EXIT_CONFIG
    say = _Out(out, redactor)
    if workdays_only and not WorkdayCalendar(warn=lambda t: say(t, logging.WARNING))(today):
        say(M.REPORT_NOT_WORKDAY.format(date=today.isoformat()))
        return EXIT_OK
    if settings.log_file is None:
        say(M.REPORT_CONFIG_ERROR.format(error=M.CONFIG_NO_LOG_PATH), logging.ERROR)
        return EXIT_CONFIG
    directory = load_directory(workbook_path, config, sheet_name=settings.contacts_sheet,
                               head_roles=settings.section_head_roles)
    if dry_run:
        return _remind_with_log(items, directory, settings, today, True, say, out, environ, redactor,
                              clock, sleep, stop)
    try:
        with reminder_lock(settings.log_file, settings.lock_wait_seconds, stop):
            return _remind_with_log(items, directory, settings, today, False, say, out, environ,
                                  redactor, clock, sleep, stop)
    except ReminderBusy as busy:
        if busy.stopped:
            say(M.REPORT_STOPPED, logging.WARNING)
            return EXIT_BUSY
        say(M.REPORT_BUSY.format(path=settings.log_file, seconds=f"{settings.lock_wait_seconds:g}",
                                 code=EXIT_BUSY), logging.ERROR)
        return EXIT_BUSY
    except LockFailed as exc:  # the lock file cannot be created (read-only folder...)
        say(M.REPORT_LOG_FAILED.format(path=exc.lock_path, error=redactor(exc.error)), logging.ERROR)
        return EXIT_CONFIG


def _remind_with_log(items, directory, settings, today, dry_run, say, out, environ, redactor,
                   clock, sleep, stop) -> int:
    try:
        log = ReminderLog(settings.log_file, readonly=dry_run)
    except Exception as exc:  # noqa: BLE001 - sqlite3 / OS errors: report, do not send
        say(M.REPORT_LOG_FAILED.format(path=settings.log_file, error=redactor(exc)), logging.ERROR)
        return EXIT_CONFIG
    with log:
        senders = None
        if not dry_run and settings.enabled_channels:
            try:
                senders = build_senders(settings, environ, clock=clock, sleep=sleep, redactor=redactor,
                                        stop=stop)
            except ReminderConfigError as exc:
                say(M.REPORT_CONFIG_ERROR.format(error=exc), logging.ERROR)
                log.record_run(today, ok=False, summary=redactor(exc), failures=[redactor(exc)],
                               started_at=dt.datetime.fromtimestamp(clock()))
                say(M.REPORT_RESULT_CONFIG.format(code=EXIT_CONFIG), logging.ERROR)
                return EXIT_CONFIG
        result = run_once(items, directory, settings, log, today, dry_run, out,
                          senders=senders, redactor=redactor, clock=clock, stop=stop)
    return result.exit_code


def record_failure(workbook_path: str | Path, config: configparser.ConfigParser | None,
                   today: dt.date, error: str, *, env: Mapping[str, str] | None = None,
                   clock: Callable[[], float] = time.time) -> None:
    """Record a run that failed before `remind_command` (e.g. the ledger could not be read),
    so the next run reports it. Best effort: never raises."""
    try:
        settings = ReminderSettings.from_config(config, ledger_path=workbook_path)
        redactor = secrets_from_env(settings, os.environ if env is None else env)
        if settings.log_file is None:
            return
        with ReminderLog(settings.log_file) as log:
            log.record_run(today, ok=False, summary=redactor(error), failures=[redactor(error)],
                           started_at=dt.datetime.fromtimestamp(clock()))
    except Exception:  # noqa: BLE001
        logger.exception("could not record the failed run")


# --- the scheduler ----------------------------------------------------------------------------

class WorkdayCalendar:
    """Chinese working days (chinese-calendar: holidays off, adjusted working days on).
    For a year the library does not know, Monday to Friday, with one warning per year."""

    def __init__(self, warn: Callable[[str], object] | None = None) -> None:
        self.warn = warn or (lambda text: logger.warning("%s", text))
        self._warned: set[int] = set()

    def __call__(self, day: dt.date) -> bool:
        from automation.dates import official_workday

        known, workday = official_workday(day)
        if not known and day.year not in self._warned:
            import chinese_calendar

            self._warned.add(day.year)
            last = max(getattr(chinese_calendar, "holidays", {}) or [dt.date(2026, 1, 1)]).year
            self.warn(M.WATCH_CALENDAR_UNKNOWN.format(year=day.year, last=last))
        return workday


def run_times(settings: ReminderSettings) -> list[dt.time]:
    """The configured run times, registered as `schedule` jobs (the job registry: it also
    validates the times the way `schedule` does) and read back sorted."""
    registry = schedule.Scheduler()
    for t in settings.times:
        registry.every().day.at(t.strftime("%H:%M:%S")).do(lambda: None)
    return sorted({job.at_time for job in registry.get_jobs() if job.at_time is not None})


def next_run_at(after: dt.datetime, times: list[dt.time],
                is_workday: Callable[[dt.date], bool]) -> dt.datetime:
    """The first configured time at or after `after` that falls on a working day."""
    day = after.date()
    for _ in range(400):
        if is_workday(day):
            for t in times:
                slot = dt.datetime.combine(day, t)
                if slot >= after:
                    return slot
        day += dt.timedelta(days=1)
    raise RuntimeError("no working day within 400 days")


def install_stop_signals(stop_event: threading.Event) -> Callable[[], None]:
    """Ctrl+C (SIGINT), SIGTERM and, on Windows, Ctrl+Break set `stop_event`.
    Returns a function restoring the previous handlers. Only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {}

    def handler(signum, frame):  # noqa: ARG001
        stop_event.set()

    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):
            pass

    def restore() -> None:
        for sig, old in previous.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError):
                pass

    return restore


def _result_ok(result: object) -> tuple[bool, str]:
    if isinstance(result, RunResult):
        return result.ok, result.summary()
    code = int(result) if result is not None else 0
    return code == 0, f"exit code {code}"


def watch(
    check_once: Callable[[dt.date], RunResult | int],
    settings: ReminderSettings,
    clock: Callable[[], dt.datetime] = dt.datetime.now,
    sleep: Callable[[float], object] | None = None,
    stop_event: threading.Event | None = None,
    *,
    out: TextIO | None = None,
    is_workday: Callable[[dt.date], bool] | None = None,
    poll_seconds: float = 60.0,
    handle_signals: bool = True,
    redactor: Redactor | None = None,
) -> int:
    """Run `check_once(today)` at the configured times on working days until stopped.

    - the next run is the first `[reminders] times` slot on a Chinese working day
      (`WorkdayCalendar`); the loop sleeps in steps of at most `poll_seconds`, so a clock
      change or a machine waking from sleep is noticed, and a missed slot runs once on
      waking (for the day it is then);
    - a failing run (an exception, e.g. the ledger locked, or a non-zero exit code, e.g.
      the SMTP server unreachable) is retried after `[reminders] watch_retry_minutes`
      (default 5, 15, 30); after the last retry the loop waits for the next slot and the
      failure is reported with the next run's log line (and, through the reminder log,
      in the next run's report);
    - one log line per run, to `out` and the `automation.remind` logger;
    - SIGINT / SIGTERM (Ctrl+C) set `stop_event`; the loop ends within one sleep step.
    `sleep` defaults to `stop_event.wait`. Returns the number of runs started.
    """
    stop = stop_event or threading.Event()
    wait = sleep or stop.wait
    redactor = redactor or Redactor()
    say = _Out(out, redactor)
    workday = is_workday or WorkdayCalendar(warn=lambda t: say(t, logging.WARNING))
    times = run_times(settings)
    restore = install_stop_signals(stop) if handle_signals else (lambda: None)
    runs = 0
    pending_failure: tuple[str, str] | None = None
    try:
        nxt = next_run_at(clock(), times, workday)
        say(M.WATCH_STARTED.format(times="、".join(t.strftime("%H:%M") for t in times),
                                   next=nxt.strftime("%Y-%m-%d %H:%M")))
        while not stop.is_set():
            now = clock()
            if now < nxt:
                wait(max(0.0, min((nxt - now).total_seconds(), poll_seconds)))
                continue
            today = now.date()
            if not workday(today):  # woke up late, on a day off
                say(M.WATCH_SKIP_NOT_WORKDAY.format(when=now.strftime("%Y-%m-%d %H:%M"),
                                                    date=today.isoformat()))
            else:
                runs += 1
                if pending_failure:
                    say(M.WATCH_PREVIOUS_FAILURE.format(when=pending_failure[0],
                                                        error=pending_failure[1]), logging.WARNING)
                    pending_failure = None
                pending_failure = _run_with_retries(check_once, today, settings, clock, wait, stop, say)
            nxt = next_run_at(max(clock(), nxt + dt.timedelta(seconds=1)), times, workday)
            if not stop.is_set():
                say(M.WATCH_NEXT.format(next=nxt.strftime("%Y-%m-%d %H:%M")))
    except KeyboardInterrupt:
        stop.set()
    finally:
        restore()
        say(M.WATCH_STOPPED)
    return runs


def _run_with_retries(check_once, today, settings, clock, wait, stop, say) -> tuple[str, str] | None:
    """One slot's run with its retries; returns (when, error) if it failed in the end."""
    delays = list(settings.watch_retry_seconds)
    attempt = 0
    while True:
        when = clock().strftime("%Y-%m-%d %H:%M")
        try:
            ok, summary = _result_ok(check_once(today))
        except Exception as exc:  # noqa: BLE001 - the loop must survive any single failure
            ok, summary = False, f"{type(exc).__name__}: {exc}"
        if ok:
            say(M.WATCH_RUN_OK.format(when=when, date=today.isoformat(), summary=summary))
            return None
        error = summary
        say(M.WATCH_RUN_FAILED.format(when=when, date=today.isoformat(), error=error), logging.ERROR)
        if attempt >= len(delays) or stop.is_set():
            say(M.WATCH_GAVE_UP.format(n=attempt), logging.ERROR)
            return when, say.redact(error)
        say(M.WATCH_RETRY.format(delay=int(delays[attempt]), n=attempt + 1, total=len(delays)))
        wait(delays[attempt])
        attempt += 1
        if stop.is_set():
            return when, say.redact(error)
