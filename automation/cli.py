"""The `ledger` command: thin wrappers that read arguments, call the library, print.

Heavy modules (pandas, calamine, openpyxl) are imported inside the commands, so that
`ledger --help` starts instantly. Every failure reaches the user as one Chinese message and an
exit code (2: bad input, 3: workbook open in Excel, 4: several ledgers counted but some files
left out, 5: another reminder run holds the log, 1: unexpected, details in the log); the codes
are listed in `ledger --help` (messages.CLI_EPILOG).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click

from automation import messages
from automation.cli_errors import ChineseGroup

EXIT_BAD_INPUT = 2
EXIT_OPEN_ELSEWHERE = 3


def _today_option(function):
    return click.option("--today", "today", metavar="YYYY-MM-DD", default=None,
                        help="统计日期（默认今天）。Date of the statistics, default today.")(function)


def _config_option(function):
    return click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
                        help="配置文件 config.ini 的路径。Path of config.ini.")(function)


def parse_today(text: str | None) -> dt.date:
    """--today as a date; the real date when not given (the only place the clock is read)."""
    if not text:
        return dt.date.today()
    from automation.dates import parse_date

    parsed = parse_date(text, dt.date.today().year)
    if parsed.value is None:
        raise click.BadParameter(f"“{text}”不是日期，请写成 2024-06-28。", param_hint="--today")
    return parsed.value


def friendly_errors(function):
    """Turn every failure into a clear message and an exit code; never a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        from automation.problems import LedgerError

        try:
            return function(*args, **kwargs)
        except LedgerError as error:
            click.echo(messages.FATAL_PREFIX + error.message, err=True)
            sys.exit(getattr(error, "exit_code", EXIT_BAD_INPUT))
        except ValueError as error:  # configuration errors carry a Chinese message
            click.echo(messages.FATAL_PREFIX + str(error), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except OSError as error:  # a path the user gave: one sentence naming it (automation.os_errors)
            from automation.os_errors import os_error_exit_code, os_error_sentence

            click.echo(messages.FATAL_PREFIX + os_error_sentence(error), err=True)
            sys.exit(os_error_exit_code(error))
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - last resort: log it, say it plainly
            from automation.error_log import write_error_log

            log = write_error_log(error)
            text = (messages.UNEXPECTED.format(error=error, log=log) if log is not None
                    else messages.UNEXPECTED_NO_LOG.format(error=error))
            click.echo(messages.FATAL_PREFIX + text, err=True)
            sys.exit(1)

    return wrapper


def record_history(ledger: Path, analysis, command: str) -> None:
    """Keep this run's snapshot in the ledger's history (issue 16); notices go to stderr, so
    that `--json` output stays one JSON object. Never fails the command."""
    from automation.history import record_snapshot

    for notice in record_snapshot(ledger, analysis, dt.date.today(), dt.datetime.now(), command):
        click.echo(notice, err=True)


def _many(ledgers: tuple[Path, ...]) -> bool:
    """Several files or a folder: counted as one, by unit (automation.units)."""
    return len(ledgers) != 1 or ledgers[0].is_dir()


def load(ledger: Path, config_path: Path | None, today_text: str | None, plain_columns: bool = False):
    """Config, date and the full analysis of a ledger file (`plain_columns`: see analyse_file)."""
    from automation.analysis import analyse_file
    from automation.config import load_config

    config = load_config(config_path, ledger)
    today = parse_today(today_text)
    return config, today, analyse_file(ledger, config, today, display_name=str(ledger), plain_columns=plain_columns)


def _force_option(function):
    return click.option("--force", is_flag=True, help=messages.FORCE_HELP)(function)


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=messages.CLI_EPILOG)
@click.version_option(package_name="ledger-assistant")
def main():
    """办理台账助手：读取提案建议办理台账，标出逾期和即将到期事项，计算统计并写入汇总表。"""


@main.command()
@click.argument("ledger", nargs=-1, required=True, type=click.Path(path_type=Path))
@_today_option
@_config_option
@friendly_errors
def check(ledger: tuple[Path, ...], today: str | None, config_path: Path | None):
    """列出逾期、即将到期事项和数据问题（按科室分组）。

    给多个文件或一个文件夹时按承办单位汇总（README“汇总多个单位的台账”）；有文件无法读取、未计入时退出码为 4。
    """
    from automation.text_output import check_text

    if _many(ledger):
        from automation import district_commands

        sys.exit(district_commands.check(list(ledger), parse_today(today), config_path))
    ledger = ledger[0]

    config, as_of, analysis = load(ledger, config_path, today)
    click.echo(check_text(analysis, config))


@main.command()
@click.argument("ledger", nargs=-1, required=True, type=click.Path(path_type=Path))
@_today_option
@_config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（机器可读）。Print the JSON contract.")
@friendly_errors
def stats(ledger: tuple[Path, ...], today: str | None, config_path: Path | None, as_json: bool):
    """计算办结率、按时办结率、满意率等统计数字。

    给多个文件或一个文件夹时合计并按承办单位统计（JSON 另有 by_unit）；有文件无法读取、未计入时退出码为 4。
    """
    if _many(ledger):
        from automation import district_commands

        sys.exit(district_commands.stats(list(ledger), parse_today(today), config_path, as_json))
    ledger = ledger[0]
    config, as_of, analysis = load(ledger, config_path, today, plain_columns=True)
    record_history(ledger, analysis, "stats")
    if as_json:
        click.echo(json.dumps(analysis.statistics.to_json(), ensure_ascii=False))
        return
    from automation.text_output import stats_text

    click.echo(stats_text(analysis.statistics, config))


@main.command()
@click.argument("ledger", type=click.Path(path_type=Path))
@_config_option
@friendly_errors
def columns(ledger: Path, config_path: Path | None):
    """显示台账表头如何匹配，缺少哪些列，以及可加入 config.ini 的修正。"""
    from automation.config import load_config
    from automation.text_output import columns_text

    config = load_config(config_path, ledger)
    click.echo(columns_text(ledger, config))


@main.command()
@click.argument("output", type=click.Path(path_type=Path), default=Path("ledger_template.xlsx"))
@_config_option
@_force_option
@friendly_errors
def template(output: Path, config_path: Path | None, force: bool):
    """生成空白台账模板 ledger_template.xlsx（表头和时限按 config.ini）。已有同名文件时不覆盖，除非加 --force。"""
    from automation.config import load_config
    from automation.targets import write_new_workbook
    from automation.template import build_template

    config = load_config(config_path, None)
    backup = write_new_workbook(output, build_template(config), force=force, backups=config.backups)
    click.echo(f"已生成台账模板：{output}")
    if backup:
        click.echo(messages.TARGET_BACKUP.format(backup=backup))


@main.command()
@click.argument("output", type=click.Path(path_type=Path), default=Path("examples/sample_ledger.xlsx"))
@_config_option
@_force_option
@friendly_errors
def sample(output: Path, config_path: Path | None, force: bool):
    """生成示例台账（约 60 件，用于试用和测试）。已有同名文件时不覆盖，除非加 --force。"""
    from automation.config import load_config
    from automation.sample import build_sample
    from automation.targets import write_new_workbook

    config = load_config(config_path, None)
    backup = write_new_workbook(output, build_sample(config), force=force, backups=config.backups)
    click.echo(f"已生成示例台账：{output}")
    if backup:
        click.echo(messages.TARGET_BACKUP.format(backup=backup))



@main.command()
@click.argument("ledger", nargs=-1, required=True, type=click.Path(path_type=Path))
@_today_option
@_config_option
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="把结果写到另一个文件（原台账不动）。Write into a copy instead.")
@click.option("--scheduled", is_flag=True,
              help="计划任务用：工作簿正打开时写到旁边的 台账_统计汇总.xlsx。For a scheduled task: side file if open.")
@click.option("--mail-to", "mail_to", multiple=True, metavar="EMAIL",
              help="汇总多个单位时，把汇总工作簿发到这个邮箱（用 config.ini [email]）。Mail the district summary.")
@friendly_errors
def refresh(ledger: tuple[Path, ...], today: str | None, config_path: Path | None, output: Path | None,
            scheduled: bool = False, mail_to: tuple[str, ...] = ()):
    """刷新工作簿中的汇总表（统计汇总、科室统计、逾期清单、即将到期、数据问题、进展）。

    给多个文件或一个文件夹时须用 --output 写一个新的汇总工作簿（另含单位统计、单位问题，各单位文件只读不写）；
    有文件无法读取、未计入时退出码为 4。
    """
    if _many(ledger):
        from automation import district_commands

        sys.exit(district_commands.refresh(list(ledger), parse_today(today), config_path, output, dt.datetime.now(),
                                           mail_to=list(mail_to)))
    if mail_to:
        raise ValueError(messages.DISTRICT_MAIL_ONLY_FOLDER)
    ledger = ledger[0]
    from automation.config import load_config
    from automation.refresh import refresh_workbook

    config = load_config(config_path, ledger)
    as_of = parse_today(today)
    if scheduled and output is None:
        from automation.morning import is_working_day, morning_refresh

        if not is_working_day(as_of):
            click.echo(messages.MORNING_NOT_WORKDAY.format(date=as_of.isoformat()))
            return
        result, lines = morning_refresh(ledger, config, as_of, dt.datetime.now())
        record_history(ledger, result.analysis, "refresh")
        for line in lines:
            click.echo(line)
        return
    result = refresh_workbook(ledger, config, as_of, dt.datetime.now(), output)
    record_history(ledger, result.analysis, "refresh")
    for note in result.notes:
        click.echo(note)
    click.echo(messages.REFRESH_DONE.format(today=as_of.isoformat(), path=result.written))
    if result.backup:
        click.echo(messages.REFRESH_BACKUP.format(backup=result.backup))
    totals = result.analysis.statistics.totals
    click.echo(messages.REFRESH_FIGURES.format(problems=len(result.analysis.statistics.problems), **totals))
    for warning in result.analysis.statistics.warnings:
        click.echo(warning)

@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="端口（默认取 config.ini [service] port，否则 28190）。Port (default: config, else 28190).")
@_config_option
@friendly_errors
def serve(port: int | None, config_path: Path | None):
    """启动本机统计服务，供 WPS 加载项“台账助手”调用（只监听 127.0.0.1）。"""
    import logging

    from automation.config import load_config
    from automation.service import LedgerService, service_settings
    from automation.service_http import port_in_use_message
    from automation.service_log import private_folder, rotating_file_handler
    from automation.wps_setup import layout, read_token

    config = load_config(config_path, None)
    settings = service_settings(config)
    token = read_token()
    place = layout()
    if not token:
        raise ValueError(messages.SERVICE_NO_TOKEN.format(path=place.token_file))
    log_path = place.log_file
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        private_folder(log_path.parent)
        handlers.append(rotating_file_handler(log_path))
    except OSError:
        log_path = None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", handlers=handlers)
    chosen = port or settings.port
    try:
        service = LedgerService(config, token, chosen, log_path=str(log_path) if log_path else None)
    except OSError as error:
        raise ValueError(port_in_use_message(chosen, error)) from None
    click.echo(messages.SERVICE_STARTED.format(url=service.url))
    stopped = _stop_on_ctrl_c()
    try:
        service.serve_forever()
    except KeyboardInterrupt:
        pass
    click.echo(messages.SERVICE_STOPPED)
    stopped.set()


#: After Ctrl+C, the service is ended this many seconds later whatever is still running.
STOP_GRACE_SECONDS = 3.0


def _stop_on_ctrl_c():
    """Ctrl+C stops the service at once: its handler is installed here even when the process
    was started with Ctrl+C ignored (a child inherits that, and Python then installs none),
    and it ends the process STOP_GRACE_SECONDS later if the way out is blocked. Returns the
    event the normal way out sets once it has said so."""
    import os
    import signal
    import threading

    stopped = threading.Event()

    def force_stop() -> None:
        if not stopped.is_set():
            encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
            os.write(1, (messages.SERVICE_STOPPED + "\n").encode(encoding, "replace"))
        os._exit(0)

    def on_ctrl_c(signum, frame) -> None:
        timer = threading.Timer(STOP_GRACE_SECONDS, force_stop)
        timer.daemon = True  # the normal way out does not wait for it
        timer.start()
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, on_ctrl_c)
    except ValueError:  # not the main thread (a test runner's thread): Python's own handling
        pass
    return stopped


@main.command("wps-setup")
@click.option("--uninstall", is_flag=True, help="卸载：删除加载项、令牌和自动启动。Remove everything setup made.")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="服务端口（默认取 config.ini [service] port）。Service port (default: config).")
@click.option("--sheet", default=None,
              help="台账工作表名（默认取 config.ini [ledger] sheet；留空则用第一个非汇总表）。Ledger sheet name.")
@click.option("--home", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="用户主目录（默认当前用户；用于测试）。Home folder (default: the current user's).")
@click.option("--platform", "platform_name", type=click.Choice(["linux", "windows"]), default=None, hidden=True)
@click.option("--new-token", is_flag=True, help="重新生成访问令牌。Create a new token.")
@_config_option
@friendly_errors
def wps_setup(uninstall: bool, port: int | None, sheet: str | None, home: Path | None, platform_name: str | None,
              new_token: bool, config_path: Path | None):
    """安装 WPS 加载项“台账助手”（Windows 与信创 Linux），并设置统计服务登录后自动启动。"""
    from automation import wps_setup as setup

    if uninstall:
        lines = setup.uninstall(home=home, platform=platform_name)
    else:
        from automation.config import load_config
        from automation.service import service_settings

        config = load_config(config_path, None)
        lines = setup.install(home=home, platform=platform_name, port=port or service_settings(config).port,
                              config_path=config.source, sheet=config.sheet if sheet is None else sheet,
                              new_token=new_token)
    click.echo("\n".join(lines))



@main.command()
@click.argument("ledger", type=click.Path(path_type=Path))
@_today_option
@_config_option
@click.option("--dry-run", is_flag=True, help="只显示将发送什么、发给谁，不发送。Print, send nothing.")
@click.option("--workdays-only", is_flag=True,
              help="非工作日（节假日、周末，调休上班日除外）不运行。Skip non-working days.")
@friendly_errors
def remind(ledger: Path, today: str | None, config_path: Path | None, dry_run: bool, workdays_only: bool):
    """催办提醒：给每位承办人发送逾期和即将到期事项汇总，逾期较久的同时报分管领导。"""
    from automation.remind import record_failure, remind_command

    from automation.config import load_config
    from automation.problems import LedgerError

    if ledger.is_dir():  # reminders go per unit, each with its own contacts
        raise LedgerError(messages.REMIND_PER_UNIT.format(folder=ledger))
    config = load_config(config_path, ledger)
    as_of = parse_today(today)
    try:
        _, _, analysis = load(ledger, config_path, as_of.isoformat())
    except LedgerError as error:
        record_failure(ledger, config.parser, as_of, error.message)
        raise
    record_history(ledger, analysis, "remind")
    statistics = analysis.statistics
    code = remind_command(statistics.overdue_items + statistics.due_soon_items, ledger, config.parser, as_of,
                          dry_run=dry_run, out=sys.stdout, workdays_only=workdays_only)
    sys.exit(code)


@main.command()
@click.argument("ledger", type=click.Path(path_type=Path))
@_config_option
@click.option("--log-file", type=click.Path(path_type=Path), default=None, help="日志文件。Log file.")
@friendly_errors
def watch(ledger: Path, config_path: Path | None, log_file: Path | None):
    """常驻运行：每个工作日按设定时间检查并提醒（Ctrl+C 停止）。"""
    import logging
    import os
    import threading

    from automation.config import load_config
    from automation.remind import ReminderSettings, remind_command, secrets_from_env
    from automation.remind import watch as watch_loop

    from automation.problems import LedgerError
    from automation.targets import refuse_directory

    if not ledger.exists():  # a typo should not wait until the first scheduled run to be told
        raise LedgerError(messages.FILE_NOT_FOUND.format(path=ledger))
    refuse_directory(ledger)
    config = load_config(config_path, ledger)
    settings = ReminderSettings.from_config(config.parser, ledger_path=ledger)
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logging.getLogger("automation.remind").addHandler(handler)
        logging.getLogger("automation.remind").setLevel(logging.INFO)

    from automation.morning import morning_settings

    morning = morning_settings(config.parser)
    reminder_times = settings.times
    if morning.enabled:  # [schedule] morning_refresh: one more slot, for the summary sheets
        import dataclasses

        settings = dataclasses.replace(settings, times=tuple(sorted({*settings.times, morning.time})))

    def remind_once(day: dt.date):
        _, _, analysis = load(ledger, config_path, day.isoformat())
        record_history(ledger, analysis, "watch")
        statistics = analysis.statistics
        return remind_command(statistics.overdue_items + statistics.due_soon_items, ledger, config.parser, day,
                              out=sys.stdout, stop=stop)

    def check_once(day: dt.date):
        if not morning.enabled:
            return remind_once(day)
        from automation.morning import watch_job

        return watch_job(ledger, config, day, dt.datetime.now(), morning, reminder_times, remind_once, click.echo)

    stop = threading.Event()  # SIGTERM / Ctrl+C set it; a send under way is cut off at once
    watch_loop(check_once, settings, stop_event=stop, redactor=secrets_from_env(settings, os.environ))


@main.command("schedule-install")
@click.argument("ledger", type=click.Path(path_type=Path))
@_config_option
@click.option("--time", "time_text", default="09:00", show_default=True, help="每天运行的时刻。Time of day.")
@click.option("--weekdays", is_flag=True, help="只在周一至周五运行。Monday to Friday only.")
@click.option("--register", "register_task", is_flag=True, help="在 Windows 上直接注册计划任务。Register on Windows.")
@friendly_errors
def schedule_install(ledger: Path, config_path: Path | None, time_text: str, weekdays: bool, register_task: bool):
    """显示（或在 Windows 上注册）每天运行 ledger remind 的计划任务。"""
    from automation.remind import cron_line, register, schedule_install_command, schtasks_args

    click.echo(schedule_install_command(sys.executable, ledger.resolve(), time_text,
                                        days="weekdays" if weekdays else "daily", config_path=config_path))
    days = "weekdays" if weekdays else "daily"
    click.echo(cron_line(sys.executable, ledger.resolve(), time_text, days=days, config_path=config_path))
    from automation.config import load_config
    from automation.morning import morning_settings, morning_task_lines

    morning = morning_settings(load_config(config_path, ledger).parser)
    if morning.enabled:
        click.echo(messages.MORNING_TASK)
        for line in morning_task_lines(sys.executable, ledger.resolve(), morning.time, config_path):
            click.echo(line)
    if register_task:
        sys.exit(register(schtasks_args(sys.executable, ledger.resolve(), time_text, days=days,
                                        config_path=config_path)))


@main.command()
@click.argument("ledger", nargs=-1, required=True, type=click.Path(path_type=Path))
@_today_option
@_config_option
@click.option("--year", type=int, default=None, metavar="YYYY",
              help="只统计该年交办的事项（按交办日期，没有交办日期的按办理时限）。Only items assigned in this year.")
@click.option("--output", "-o", "output", type=click.Path(path_type=Path), default=None,
              help="汇报文件（默认：台账旁的 办理情况汇报_日期.docx）。Report file.")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"], case_sensitive=False), default=None,
              help="docx（Word，默认）或 md（Markdown，进度图另存为 PNG）。Default: from the file name.")
@click.option("--previous", type=click.Path(path_type=Path), default=None,
              help="上年台账：加入与上年同期的比较。Last year's ledger, for the comparison.")
@friendly_errors
def report(ledger: tuple[Path, ...], today: str | None, config_path: Path | None, year: int | None,
           output: Path | None, fmt: str | None, previous: Path | None = None):
    """生成办理工作情况汇报草稿（Word 或 Markdown），数字和清单取自台账。

    给多个文件或一个文件夹时起草汇总各承办单位的版本；有文件无法读取、未计入时退出码为 4。
    """
    if _many(ledger):
        if previous is not None:
            raise ValueError(messages.DISTRICT_PREVIOUS_ONE_LEDGER)
        from automation import district_commands

        sys.exit(district_commands.report(list(ledger), parse_today(today), config_path, year, output, fmt))
    ledger = ledger[0]
    from automation.config import load_config
    from automation.report import analyse_for_report, write_report

    config = load_config(config_path, ledger)
    as_of = parse_today(today)
    analysis, selection = analyse_for_report(ledger, config, as_of, year, display_name=str(ledger))
    if fmt is None:
        fmt = "md" if output is not None and output.suffix.lower() in (".md", ".markdown") else "docx"
    if output is None:
        name = messages.REPORT_FILE_NAME.format(date=as_of.strftime("%Y%m%d"))
        output = ledger.parent / (name if fmt == "docx" else Path(name).with_suffix(".md").name)
    from automation.targets import check_report_output

    check_report_output(output, ledger)
    if selection is not None:
        click.echo(messages.REPORT_YEAR_FILTER.format(year=selection.year, kept=selection.kept,
                                                      dropped=selection.dropped))
        if selection.undated:
            click.echo(messages.REPORT_YEAR_UNDATED.format(count=selection.undated))
    extra: list[str] = []
    if previous is not None:
        from automation.year_over_year import comparison_sentence, previous_date

        before = previous_date(as_of)
        previous_analysis, _ = analyse_for_report(previous, config, before, year - 1 if year else None,
                                                  display_name=str(previous))
        extra.append(comparison_sentence(analysis.statistics, previous_analysis.statistics))
        click.echo(messages.YOY_WRITTEN.format(path=previous, previous=before.isoformat()))
    result = write_report(analysis.statistics, config, output, fmt=fmt, year=year, extra_paragraphs=extra)
    for notice in result.notices:
        click.echo(notice, err=True)
    click.echo(messages.REPORT_WRITTEN.format(path=result.path))
    for image in result.images:
        click.echo(messages.REPORT_IMAGE_WRITTEN.format(path=image))
    statistics = analysis.statistics
    click.echo(messages.CHECK_SUMMARY.format(**statistics.totals))
    if statistics.problems:
        click.echo(messages.REPORT_PROBLEMS_HINT.format(count=len(statistics.problems)))
    for warning in statistics.warnings:
        click.echo(warning)



@main.command()
@click.argument("ledger", type=click.Path(path_type=Path))
@_today_option
@_config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 列表（从早到晚）。Print a JSON list, oldest first.")
@click.option("--backfill", is_flag=True, help="按台账日期推算过去几周的每周快照。Reconstruct past weekly snapshots.")
@click.option("--weeks", type=int, default=8, show_default=True, help="推算的周数。Weeks to reconstruct.")
@friendly_errors
def history(ledger: Path, today: str | None, config_path: Path | None, as_json: bool, backfill: bool, weeks: int):
    """统计历史：每次统计、刷新、提醒的数字（--backfill 按台账日期推算过去几周）。"""
    from automation import history as store

    if backfill:
        from automation.config import load_config

        config = load_config(config_path, ledger)
        result = store.backfill(ledger, config, parse_today(today), weeks)
        for line in result.notices:
            click.echo(line, err=True)
        for line in store.backfill_lines(result):  # with --json, stdout is the JSON list only
            click.echo(line, err=as_json)
        if not as_json:
            click.echo("")
    snapshots = store.load_history(ledger)
    if not snapshots and not ledger.exists():
        from automation.problems import LedgerError

        raise LedgerError(messages.FILE_NOT_FOUND.format(path=ledger))
    if as_json:
        click.echo(json.dumps([snapshot.to_json() for snapshot in snapshots], ensure_ascii=False))
        return
    click.echo(store.history_text(snapshots, str(ledger)))


@main.command()
@click.argument("ledger", type=click.Path(path_type=Path))
@_today_option
@_config_option
@click.option("--since", "since_text", metavar="YYYY-MM-DD", default=None,
              help="与哪一天比较（默认上次通报的日期，没有则 7 天前）。Compare with this date.")
@click.option("--output", "-o", "output", type=click.Path(path_type=Path), default=None,
              help="通报文件 .docx 或 .md（默认：台账旁的 督办通报_日期.docx）。Bulletin file.")
@click.option("--send", is_flag=True, help="发送给分管领导（邮件附件；企业微信/钉钉发摘要），每周一次。Send it.")
@friendly_errors
def bulletin(ledger: Path, today: str | None, config_path: Path | None, since_text: str | None,
             output: Path | None, send: bool):
    """起草每周督办通报（Word 或 Markdown）：新办结、新逾期、逾期最久、科室排名、7 天内到期。"""
    from automation.bulletin import make_bulletin
    from automation.config import load_config

    config = load_config(config_path, ledger)
    as_of = parse_today(today)
    since = None
    if since_text:
        try:
            since = parse_today(since_text)
        except click.BadParameter:
            raise click.BadParameter(f"“{since_text}”不是日期，请写成 2024-06-21。", param_hint="--since") from None
    if output is None:
        output = ledger.parent / messages.BULLETIN_FILE_NAME.format(date=as_of.strftime("%Y%m%d"))
    fmt = "md" if output.suffix.lower() in (".md", ".markdown") else "docx"
    result = make_bulletin(ledger, config, as_of, since, output, fmt, dt.datetime.now())
    for notice in result.notices:
        click.echo(notice, err=True)
    made = result.bulletin
    click.echo(messages.BULLETIN_WRITTEN.format(path=result.path, then=made.then.as_of.isoformat(),
                                                as_of=made.now.as_of.isoformat()))
    click.echo(messages.BULLETIN_BASE_NOTE.format(
        then=made.then.as_of.isoformat(),
        kind=messages.BULLETIN_BASE_KEPT if result.base_kept else messages.BULLETIN_BASE_BUILT))
    for line in made.summary_lines()[1:]:
        click.echo(line)
    from automation.morning import switch

    if send or switch(config.parser, "bulletin", "send"):
        from automation.bulletin_send import send_bulletin

        code = send_bulletin(made, result.path, ledger, config, as_of, out=sys.stdout)
        sys.exit(code)


@main.command("excel-setup")
@click.option("--home", type=click.Path(path_type=Path), default=None, help="用户主文件夹（默认当前用户）。User's home.")
@click.option("--interpreter", type=click.Path(path_type=Path), default=None,
              help="装有本助手的 python.exe（默认当前解释器）。Python with the package installed.")
@friendly_errors
def excel_setup(home: Path | None, interpreter: Path | None):
    """为 Excel 加载项写入 xlwings 设置（解释器路径、项目文件夹），并说明如何安装加载项。"""
    import automation
    from automation.excel_setup import write_xlwings_conf

    project_dir = Path(automation.__file__).resolve().parent.parent
    for line in write_xlwings_conf(home or Path.home(), interpreter or Path(sys.executable), project_dir):
        click.echo(line)
    from automation.shipped import excel_addin

    addin = excel_addin()
    if addin.exists():
        click.echo(messages.EXCEL_ADDIN_HINT.format(path=addin))

if __name__ == "__main__":
    main()
