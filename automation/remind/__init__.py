"""Reminders: digests of overdue and due-soon items to the people in charge, by email and
group robots (WeCom / DingTalk), with escalation to leaders and a no-spam log.

Pure in the middle (`plan`, `render`), I/O at the edges (`channels`, `log`, `runner`).

How the CLI calls it
--------------------
The settings come from the same config.ini: pass `automation.config.Config.parser`
(any `configparser.ConfigParser` works). Items are the analysis' flagged items.

``ledger remind LEDGER [--today D] [--dry-run] [--workdays-only] [--config C]``::

    config, today, analysis = load(ledger, config_path, today_text)   # cli.load
    items = analysis.statistics.overdue_items + analysis.statistics.due_soon_items
    code = remind_command(items, ledger, config.parser, today, dry_run=dry_run,
                          out=sys.stdout, workdays_only=workdays_only)
    sys.exit(code)   # 0 ok, 1 a send failed (nothing marked sent) or its delivery is
    # unknown (not sent again today), 2 configuration, 4 another run holds the reminder log
    # if reading the ledger fails before that, record it so the next run reports it:
    #     record_failure(ledger, config.parser, today, "无法读取台账：...")

``ledger watch LEDGER [--config C]``::

    config = load_config(config_path, ledger)
    settings = ReminderSettings.from_config(config.parser, ledger_path=ledger)
    stop = threading.Event()             # SIGTERM / Ctrl+C set it, even mid-send
    def check_once(day):                 # re-reads the ledger at every run
        _, _, analysis = load(ledger, config_path, day.isoformat())
        s = analysis.statistics
        return remind_command(s.overdue_items + s.due_soon_items, ledger, config.parser,
                              day, out=sys.stdout, stop=stop)
    watch(check_once, settings, stop_event=stop, redactor=secrets_from_env(settings, os.environ))
    # blocks; runs at [reminders] times on Chinese working days; Ctrl+C / SIGTERM stop
    # it; a failing run (exception or non-zero code) is retried, then reported next time.
    # Log lines go to stdout and the "automation.remind" logger (add a FileHandler).

``ledger schedule-install LEDGER [--time 09:00] [--weekdays] [--register]``::

    print(schedule_install_command(sys.executable, ledger.resolve(), time,
                                   days="weekdays" if weekdays else "daily",
                                   config_path=config_path))
    print(cron_line(sys.executable, ledger.resolve(), time))
    if register_flag:   # Windows only; raises OSError elsewhere
        sys.exit(register(schtasks_args(sys.executable, ledger.resolve(), time)))
    # the task runs `python -m automation remind LEDGER --workdays-only`

Lower level: ``run_once(items, load_directory(ledger, parser), settings,
ReminderLog(settings.log_file), today, dry_run, out, senders=build_senders(settings,
os.environ))``; ``plan_reminders`` is the pure planner.
"""

import logging as _logging

from .channels import Redactor, build_senders, secrets_from_env
from .contacts import Contact, Directory, load_directory
from .log import ReminderLog
from .plan import Plan, plan_reminders
from .runner import (
    EXIT_BUSY,
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_SEND_FAILED,
    RunResult,
    WorkdayCalendar,
    next_run_at,
    record_failure,
    remind_command,
    run_once,
    watch,
)
from .schtasks import cron_line, register, schedule_install_command, schtasks_args
from .settings import ReminderConfigError, ReminderSettings

# the CLI decides where log lines go (e.g. a FileHandler for `ledger watch`)
_logging.getLogger("automation.remind").addHandler(_logging.NullHandler())

__all__ = [
    "Contact",
    "EXIT_BUSY",
    "Directory",
    "EXIT_CONFIG",
    "EXIT_OK",
    "EXIT_SEND_FAILED",
    "Plan",
    "Redactor",
    "ReminderConfigError",
    "ReminderLog",
    "ReminderSettings",
    "RunResult",
    "WorkdayCalendar",
    "build_senders",
    "cron_line",
    "load_directory",
    "next_run_at",
    "plan_reminders",
    "record_failure",
    "register",
    "remind_command",
    "run_once",
    "schedule_install_command",
    "schtasks_args",
    "secrets_from_env",
    "watch",
]
