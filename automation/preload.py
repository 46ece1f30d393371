"""Work started in background threads while the main thread waits on native code.

calamine parses a sheet with Python's lock released, so the seconds it spends on a big ledger
can carry the import of numpy and pandas (about half a second) that the rest of the run needs
anyway. The main thread's own `import pandas` later simply waits for the import under way.
"""

from __future__ import annotations

import importlib
import sys
import threading
from typing import Callable


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the main thread's own import reports any failure
            return


def import_in_background(*modules: str) -> threading.Thread | None:
    """Start importing `modules` (in order) in a daemon thread; None when all are loaded."""
    missing = tuple(name for name in modules if name not in sys.modules)
    if not missing:
        return None
    thread = threading.Thread(target=_import_all, args=(missing,), name="preload", daemon=True)
    thread.start()
    return thread


def run_in_background(work: Callable[[], object]) -> Callable[[], object]:
    """Start `work` in a daemon thread; the returned function waits for it and returns its
    result or raises its exception (in the caller's thread, every time it is called)."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="background-work", daemon=True)
    thread.start()

    def wait() -> object:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    return wait
