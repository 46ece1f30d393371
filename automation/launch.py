"""The command line entry (`ledger`, `python -m automation`): start parsing the ledger named
on the command line (automation/early_read.py), then load and run the commands."""

from __future__ import annotations

import sys


def main() -> None:
    from automation import early_read

    if early_read.start(sys.argv[1:]):
        from automation.preload import import_in_background

        # numpy's import goes beside the loading of the commands (refresh and stats read one
        # ledger into plain numpy columns and never load pandas; the others load it as they need)
        import_in_background("numpy")
    from automation.cli import main as run_commands

    run_commands()
