"""The command line ends its process without freeing every object (automation/fast_exit.py),
but still as Python would: exit code, atexit functions, non-daemon threads, flushed output."""

from __future__ import annotations

import subprocess
import sys

import pytest

from automation.fast_exit import exit_code_of


@pytest.mark.parametrize("code, status", [(None, 0), (0, 0), (2, 2), (True, 1), (256 + 3, 3), (-1, 255)])
def test_exit_codes_as_the_interpreter_computes_them(code, status):
    assert exit_code_of(code) == status


def _run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                          timeout=60)


def test_the_command_line_keeps_pythons_exit_duties():
    script = (
        "import atexit, sys, threading, time\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('thread finished')\n"
        "threading.Thread(target=late).start()\n"
        "sys.argv = ['ledger', '--version']\n"
        "from automation.launch import main\n"
        "main()\n"
        "print('never reached')\n"
    )
    done = _run(script)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "thread finished" in lines and "atexit ran" in lines
    assert lines.index("thread finished") < lines.index("atexit ran")
    assert "never reached" not in done.stdout
    assert "0.1.0" in done.stdout  # the version click printed, flushed before the process ended


def test_a_usage_error_keeps_its_exit_code_and_message():
    done = _run("import sys; sys.argv = ['ledger', '--bogus']\nfrom automation.launch import main\nmain()")
    assert done.returncode == 2
    assert "--bogus" in done.stderr and "Traceback" not in done.stderr


def test_a_test_runner_gets_a_normal_system_exit():
    from click.testing import CliRunner

    from automation.cli import main

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "0.1.0" in result.output


def test_objects_are_held_only_for_a_process_that_ends_fast(monkeypatch):
    """The grid of a big ledger is kept (never freed one by one) only by the command line,
    which ends through exit_process; in a test or the service nothing is held."""
    from automation import fast_exit

    monkeypatch.setattr(fast_exit, "_kept", [])
    monkeypatch.setattr(fast_exit, "_ending_fast", False)
    fast_exit.keep_until_exit([1, 2, 3])
    assert fast_exit._kept == []
    fast_exit.will_exit_fast()
    fast_exit.keep_until_exit([1, 2, 3])
    assert fast_exit._kept == [[1, 2, 3]]
