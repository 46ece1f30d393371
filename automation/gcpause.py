"""Python's cyclic garbage collector paused over the bulk work of one ledger.

Reading a 50,000-row ledger allocates millions of objects that live until the run ends (the
grid's rows, the item columns); none of them form reference cycles. The collector cannot know
that: it ran about 600 times on one refresh, the later passes walking the whole grown heap,
and took a fifth of the time of calamine's own read. Paused, nothing is lost: cycles made
meanwhile are collected at the next pass after it is resumed.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; resume it after only if it was running before
    (so nested pauses, and a process that turned it off itself, stay as they were)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _age_survivors()
            gc.enable()


def _age_survivors() -> None:
    """Move what the block allocated into the oldest generation (both steps are O(1) list
    splices). Otherwise the first young pass after resuming walks all of it at once, a fifth
    of a second on a big ledger; in the oldest generation it is walked only once that
    generation has grown by a quarter, as for any long-lived data, and its cycles are still
    collected. Skipped when something else froze objects (the units pool freezes the parent's
    heap before forking workers, and unfreezing would undo that)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
