"""The `ledger` command: thin wrappers that read arguments, call the library, print.

Heavy modules (pandas, calamine, openpyxl) are imported inside the commands, so that
`ledger --help` starts instantly. Every failure reaches the user as one Chinese message and an
exit code (2: bad input, 3: workbook open in Excel, 1: unexpected, details in the log).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click

from automation import messages

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
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - last resort: log it, say it plainly
            log = _log_exception()
            click.echo(messages.FATAL_PREFIX + messages.UNEXPECTED.format(error=error, log=log), err=True)
            sys.exit(1)

    return wrapper


def _log_exception() -> Path:
    import logging
    import tempfile

    log_path = Path(tempfile.gettempdir()) / "ledger-assistant.log"
    logging.basicConfig(filename=log_path, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("automation").exception("unexpected error")
    return log_path


def load(ledger: Path, config_path: Path | None, today_text: str | None):
    """Config, date and the full analysis of a ledger file."""
    from automation.analysis import analyse_file
    from automation.config import load_config

    config = load_config(config_path, ledger)
    today = parse_today(today_text)
    return config, today, analyse_file(ledger, config, today, display_name=str(ledger))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ledger-assistant")
def main():
    """办理台账助手：读取提案建议办理台账，标出逾期和即将到期事项，计算统计并写入汇总表。"""


@main.command()
@click.argument("ledger", type=click.Path(path_type=Path))
@_today_option
@_config_option
@friendly_errors
def check(ledger: Path, today: str | None, config_path: Path | None):
    """列出逾期、即将到期事项和数据问题（按科室分组）。"""
    from automation.text_output import check_text

    config, as_of, analysis = load(ledger, config_path, today)
    click.echo(check_text(analysis, config))


@main.command()
@click.argument("ledger", type=click.Path(path_type=Path))
@_today_option
@_config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（机器可读）。Print the JSON contract.")
@friendly_errors
def stats(ledger: Path, today: str | None, config_path: Path | None, as_json: bool):
    """计算办结率、按时办结率、满意率等统计数字。"""
    config, as_of, analysis = load(ledger, config_path, today)
    if as_json:
        click.echo(json.dumps(analysis.statistics.to_json(), ensure_ascii=False, indent=1))
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
@friendly_errors
def template(output: Path):
    """生成空白台账模板 ledger_template.xlsx。"""
    from automation.template import write_template

    write_template(output)
    click.echo(f"已生成台账模板：{output}")


@main.command()
@click.argument("output", type=click.Path(path_type=Path), default=Path("examples/sample_ledger.xlsx"))
@friendly_errors
def sample(output: Path):
    """生成示例台账（约 60 件，用于试用和测试）。"""
    from automation.sample import write_sample

    output.parent.mkdir(parents=True, exist_ok=True)
    write_sample(output)
    click.echo(f"已生成示例台账：{output}")


if __name__ == "__main__":
    main()
