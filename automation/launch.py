"""The command line entry (`ledger`, `python -m automation`): start parsing the ledger named
on the command line (automation/early_read.py), then load and run the commands."""

from __future__ import annotations

import sys


def main() -> None:
    from automation import early_read

    if early_read.start(sys.argv[1:]):
        from automation.preload import import_in_background

        # a command that reads a ledger needs pandas: its import (the longest) goes beside
        # the loading of the commands, not after it
        import_in_background("numpy", "pandas")
    from automation.cli import main as run_commands

    run_commands()
