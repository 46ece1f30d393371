"""The command line entry (`ledger`, `python -m automation`): start parsing the ledger named
on the command line (automation/early_read.py), then load and run the commands."""

from __future__ import annotations

import sys


def main() -> None:
    from automation import early_read

    early_read.start(sys.argv[1:])
    from automation.cli import main as run_commands

    run_commands()
