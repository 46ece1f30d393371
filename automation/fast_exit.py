"""Leave the process without tearing down its objects, once a command line run is over.

At the end of a run on a big ledger the interpreter would free, one by one, everything the
run built (the grid, the item tables, pandas' modules): about 0.1–0.15 s on 50,000 rows, a
twentieth of the whole refresh, spent after the work is done. `exit_process` does what
Python's own exit does that matters (waits for non-daemon threads, runs the atexit
functions, which close log files and locks, flushes stdout and stderr) and then ends the
process with `os._exit`, which leaves the memory to the operating system.

Only the real command line uses it (`ledger ...`, `python -m automation ...`): code that calls
the CLI inside its own process (tests, the click test runner) gets a normal SystemExit.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


#: Whether this process ends through `exit_process` (the command line sets it at its start).
_ending_fast = False
_kept: list[object] = []


def will_exit_fast() -> None:
    """Say that this process ends through `exit_process` (the command line's entry calls it)."""
    global _ending_fast
    _ending_fast = True


def keep_until_exit(*objects: object) -> None:
    """Hold `objects` until the process ends, when it ends through `exit_process`: a big
    ledger's grid (a million cell objects) is then never freed one by one, which costs about
    0.05 s in the middle of a run. Elsewhere (tests, the service) nothing is held."""
    if _ending_fast:
        _kept.extend(objects)


def exit_code_of(code: object) -> int:
    """The process exit code for a SystemExit's `code`, as the interpreter computes it (a
    text is printed to stderr and gives 1)."""
    if code is None:
        return 0
    if isinstance(code, bool):
        return int(code)
    if isinstance(code, int):
        return code & 0xFF if code >= 0 else code % 256
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001 - a closed stderr must not stop the exit
        pass
    return 1


def exit_process(code: object) -> None:
    """End the process with `code` (a SystemExit's code) after Python's own exit duties."""
    status = exit_code_of(code)
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None:
        shutdown()  # what the interpreter runs first at exit: threading's exit hooks, non-daemon threads joined
    else:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
    atexit._run_exitfuncs()  # logging.shutdown, filelock, multiprocessing ... as at a normal exit
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # noqa: BLE001 - e.g. a closed pipe: Python itself would exit with 120
            if status == 0:
                status = 120
    os._exit(status)
