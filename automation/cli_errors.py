"""click's own usage errors (missing argument, unknown option, bad value, unknown command)
as one Chinese sentence with a pointer to `--help`, and the same exit code click uses (2).

`ChineseGroup` is the `ledger` group: it runs click non-standalone, so that it sees the usage
errors before click prints them in English, and prints them itself.
"""

from __future__ import annotations

import os
import re
import sys

import click

from automation import messages

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _quoted(text: str) -> str:
    match = re.search(r"'([^']*)'", text) or re.match(r"(\S+)", text)
    return match.group(1) if match else text


def _param_name(param: click.Parameter | None, hint: str | None = None) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    if isinstance(param, click.Argument):
        return (param.human_readable_name or "").upper()
    return (hint or "").strip("'\"") or "参数"


def _bad_parameter(error: click.BadParameter) -> str:
    text = error.message
    if _CJK.search(text):
        return text  # our own converters already speak Chinese
    param = error.param
    name = _param_name(param, error.param_hint if isinstance(error.param_hint, str) else None)
    kind = getattr(param, "type", None)
    value = _quoted(text)
    if isinstance(kind, click.Choice):
        return messages.CLI_BAD_CHOICE.format(name=name, value=value, choices="、".join(map(str, kind.choices)))
    if isinstance(kind, click.IntRange):
        return messages.CLI_BAD_RANGE.format(name=name, value=value, low=kind.min, high=kind.max) if re.search(
            r"not in the range", text) else messages.CLI_BAD_INTEGER.format(name=name, value=value)
    if kind is click.INT or isinstance(kind, click.types.IntParamType):
        return messages.CLI_BAD_INTEGER.format(name=name, value=value)
    return messages.CLI_BAD_VALUE.format(name=name)


def usage_sentence(error: click.UsageError) -> str:
    """One Chinese sentence for a click usage error (without the “错误：” prefix or the hint)."""
    text = error.message
    if isinstance(error, click.MissingParameter):
        param = error.param
        if isinstance(param, click.Option):
            return messages.CLI_MISSING_OPTION.format(name=_param_name(param))
        name = _param_name(param)
        meaning = messages.CLI_ARGUMENT_MEANINGS.get(name)
        return messages.CLI_MISSING_ARGUMENT.format(name=name, meaning=f"（{meaning}）" if meaning else "")
    if isinstance(error, click.NoSuchOption):
        sentence = messages.CLI_NO_SUCH_OPTION.format(name=error.option_name)
        if error.possibilities:
            sentence = sentence[:-1] + messages.CLI_DID_YOU_MEAN.format(
                names="、".join(sorted(error.possibilities))) + "。"
        return sentence
    if isinstance(error, click.BadParameter):
        return _bad_parameter(error)
    if isinstance(error, click.BadOptionUsage) and "requires an argument" in text:
        return messages.CLI_OPTION_NEEDS_VALUE.format(name=error.option_name)
    if _CJK.search(text):
        return text
    match = re.match(r"No such command '(.+)'", text)
    if match:
        group = error.ctx.command if error.ctx is not None else None
        names = "、".join(sorted(getattr(group, "commands", {}) or {}))
        return messages.CLI_NO_SUCH_COMMAND.format(name=match.group(1), names=names)
    match = re.match(r"Got unexpected extra arguments? \((.*)\)", text)
    if match:
        return messages.CLI_EXTRA_ARGUMENTS.format(args=match.group(1))
    return messages.CLI_USAGE_GENERIC


class ChineseGroup(click.Group):
    """A click group whose usage errors are one Chinese sentence (exit code 2)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if args is None and standalone_mode and os.environ.get("LEDGER_NORMAL_EXIT") is None:
            # the real command line (a test runner passes its arguments): end the process
            # without freeing every object the run built (automation/fast_exit.py)
            from automation.fast_exit import exit_process, will_exit_fast

            will_exit_fast()
            try:
                self._run(args, prog_name, complete_var, **extra)
            except SystemExit as done:
                exit_process(done.code)
            exit_process(0)
        return self._run(args, prog_name, complete_var, standalone_mode, **extra)

    def _run(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:  # plain `ledger`: the help, as click shows it
            click.echo(error.format_message())
            sys.exit(error.exit_code)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx is not None else (prog_name or "ledger")
            click.echo(messages.FATAL_PREFIX + usage_sentence(error)
                       + messages.CLI_HELP_HINT.format(command=command), err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            message = error.format_message()
            click.echo(messages.FATAL_PREFIX + (message if _CJK.search(message) else messages.CLI_USAGE_GENERIC),
                       err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo(messages.CLI_ABORTED, err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)
